import pytest

from mr.lib.records import parse_mysql_csv, parse_number, parse_record, parse_tsv


@pytest.mark.parametrize(
    "line,fields",
    [
        ('1,"O\'Brien, Pat","say \\"hi\\"",\\N', ["1", "O'Brien, Pat", 'say "hi"', None]),
        ('"a""b","\\N","N"', ['a"b', None, "N"]),
        ('"tab\\there","back\\\\slash"', ["tab\there", "back\\slash"]),
        ("plain,,x", ["plain", "", "x"]),
        ("a,", ["a", ""]),
        ("", [""]),
        ('"caf\u00e9","\\0"', ["caf\u00e9", "\0"]),
    ],
)
def test_mysql_csv(line, fields):
    assert parse_mysql_csv(line) == fields


@pytest.mark.parametrize("line", ['"unterminated', '"x"junk,1', 'a"b,c'])
def test_mysql_csv_malformed(line):
    assert parse_mysql_csv(line) is None


def test_tsv_null():
    assert parse_tsv("a\t\\N\t") == ["a", None, ""]


def test_parse_record_unknown_format():
    with pytest.raises(ValueError, match="tsv, csv"):
        parse_record("x", "json")


@pytest.mark.parametrize(
    "text,value",
    [
        ("1.5", 1.5),
        (" 2 ", 2.0),
        ("x", None),
        (None, None),
        ("nan", None),
        ("inf", None),
        ("", None),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value
