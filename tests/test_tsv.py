import pytest

from mr.lib.tsv import TSVOutputProtocol, format_field, format_float


@pytest.mark.parametrize(
    "x,text",
    [
        (1.0, "1.000000"),
        (2 / 3, "0.666667"),
        (0.0000005, "0.000001"),
        (-0.0000001, "-0.000000"),  # Java keeps the sign (Hive's printf, Pig's SPRINTF)
        (-0.0, "0.000000"),  # a zero is written unsigned
        (1e20, "100000000000000000000.000000"),
        (float("nan"), "\\N"),
        (2.0000005, "2.000001"),
    ],
)
def test_format_float_is_java_half_up(x, text):
    assert format_float(x) == text


def test_fields_escape_and_null():
    assert format_field(None) == "\\N"
    assert format_field("a\tb\\c\nd") == "a\\tb\\\\c\\nd"
    assert format_field(True) == "true"
    assert format_field(7) == "7"


def test_protocol_spreads_key_and_value():
    p = TSVOutputProtocol()
    assert p.write(("k", 1), [2.5, None]) == b"k\t1\t2.500000\t\\N"
    assert p.write(None, ("a", "b")) == b"a\tb"
    assert p.read(b"k\t1\t2") == ("k", ["1", "2"])


@pytest.mark.parametrize(
    "x,text",
    [
        (1e22, "1" + "0" * 22 + ".000000"),  # past the default 28-digit context: crashed before
        (1e61, "1" + "0" * 61 + ".000000"),
        (1.7e308, "17" + "0" * 307 + ".000000"),  # the largest doubles have 309 digits
        (-1.7e308, "-17" + "0" * 307 + ".000000"),
        (1.7976931348623157e308, "17976931348623157" + "0" * 292 + ".000000"),
        (5e-324, "0.000000"),
        (123456789012345.67, "123456789012345.670000"),
        (float("inf"), "\\N"),
        (float("-inf"), "\\N"),
    ],
)
def test_format_float_any_finite_double(x, text):
    assert format_float(x) == text


@pytest.mark.parametrize(
    "text", ["plain", "a\tb\nc\rd", "back\\slash", "\\N", "\\", "ends\\", "", "😀", "\\t"]
)
def test_parse_field_reads_format_field_back(text):
    from mr.lib.tsv import parse_field

    assert parse_field(format_field(text)) == text


def test_parse_field_null_and_unknown_escapes():
    from mr.lib.tsv import parse_field

    assert parse_field("\\N") is None
    assert parse_field("a\\qb") == "a\\qb"  # another tool's unescaped backslash stays
