import pytest

from mr.lib.records import (
    BadLine,
    decode_line,
    parse_mysql_csv,
    parse_number,
    parse_record,
    parse_tsv,
    record_fields,
    text_line,
)


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


@pytest.mark.parametrize(
    "line,fmt,min_fields,counter",
    [
        (b"\xff\tx\n", "tsv", 1, "bad_utf8"),
        (b"caf\xc3", "tsv", 1, "bad_utf8"),
        (b"", "tsv", 1, "empty_lines"),
        (b"\n", "tsv", 1, "empty_lines"),
        (b" \t \r\n", "tsv", 1, "empty_lines"),
        (b'"unterminated,1\n', "csv", 1, "malformed"),
        (b'"x"junk,1', "csv", 1, "malformed"),
        (b"a\tb\n", "tsv", 3, "too_few_fields"),
        (b"a,b", "csv", 3, "too_few_fields"),
    ],
)
def test_record_fields_names_the_counter_of_a_bad_line(line, fmt, min_fields, counter):
    assert record_fields(line, fmt, min_fields) == BadLine(counter)


@pytest.mark.parametrize(
    "line,fmt,fields",
    [
        (b"a\t\\N\tc\r\n", "tsv", ["a", None, "c"]),
        (b"a\t\n", "tsv", ["a", ""]),
        (b'1,"O\'Brien, Pat",\\N\n', "csv", ["1", "O'Brien, Pat", None]),
        ("caf\u00e9\t1".encode(), "tsv", ["caf\u00e9", "1"]),
    ],
)
def test_record_fields_of_good_lines(line, fmt, fields):
    assert record_fields(line, fmt, min_fields=len(fields)) == fields


def test_decode_and_text_line():
    assert decode_line(b"  \r\n") == "  "
    assert text_line(b"  \r\n") == BadLine("empty_lines")
    assert decode_line(b"\xff") == text_line(b"\xff") == BadLine("bad_utf8")
    assert text_line(b"x\r\n") == "x"
