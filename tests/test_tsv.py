import pytest

from mr.lib.tsv import TSVOutputProtocol, format_field, format_float


@pytest.mark.parametrize(
    "x,text",
    [
        (1.0, "1.000000"),
        (2 / 3, "0.666667"),
        (0.0000005, "0.000001"),
        (-0.0000001, "0.000000"),
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
