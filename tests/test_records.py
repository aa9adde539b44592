import math
from decimal import Decimal

import pytest

from mr.lib.records import (
    BadLine,
    CutRecords,
    decode_line,
    parse_mysql_csv,
    parse_number,
    parse_record,
    parse_tsv,
    record_fields,
    text_line,
)
from mr.lib.stats import parse_decimal
from mr.lib.tsv import format_row

# MySQL's LOAD DATA rules for FIELDS TERMINATED BY ',' ENCLOSED BY '"' ESCAPED BY '\\' (the
# MySQL and MariaDB manuals, "LOAD DATA": field and line handling); one row per rule:
# (rule, line as the file holds it, fields as LOAD DATA reads them; None is NULL)
MYSQL_CSV_RULES = [
    ("fields are separated by the terminator", "a,b,c", ["a", "b", "c"]),
    ("an enclosed field may hold the terminator", '"O\'Brien, Pat",1', ["O'Brien, Pat", "1"]),
    ("empty fields, and a trailing terminator ends in one", "plain,,x,", ["plain", "", "x", ""]),
    ("an empty line is one empty field", "", [""]),
    (r"\0 is ASCII NUL", r'"a\0b",\0', ["a\0b", "\0"]),
    (r"\b is backspace", r'"a\bb"', ["a\bb"]),
    (r"\n is newline", r'"a\nb",a\nb', ["a\nb", "a\nb"]),
    (r"\r is carriage return", r'"a\rb"', ["a\rb"]),
    (r"\t is TAB", r'"tab\there"', ["tab\there"]),
    (r"\Z is ASCII 26 (Control+Z)", r'"a\Zb"', ["a\x1ab"]),
    (r"\\ is one backslash", r'"back\\slash",c:\\dir', ["back\\slash", "c:\\dir"]),
    (r"\N alone is NULL, not enclosed", r"1,\N,3", ["1", None, "3"]),
    (r"\N alone is NULL, enclosed too", r'"\N","x"', [None, "x"]),
    (r"\N with more is text (the backslash dropped)", r'\Nx,"\NN"', ["Nx", "NN"]),
    ("the word NULL not enclosed is NULL", 'NULL,"NULL",null', [None, "NULL", "null"]),
    ('"N" is text', '"N",N', ["N", "N"]),
    (r"\" is an enclosing quote as text", r'"say \"hi\"",a\"b', ['say "hi"', 'a"b']),
    ('"" inside an enclosed field is one quote', '"a""b","""x"""', ['a"b', '"x"']),
    ("a quote not followed by , or the line end is text", '"a"b",c', ['a"b', "c"]),
    ("a quote inside a field that is not enclosed is text", 'a"b,5" disk', ['a"b', '5" disk']),
    ('"" in a field that is not enclosed is two quotes', 'a""b', ['a""b']),
    (r"\, in a field that is not enclosed is a comma", r"a\,b,c", ["a,b", "c"]),
    (r"\, in an enclosed field is a comma", r'"a\,b"', ["a,b"]),
    ("the backslash before any other character is dropped", r"\a\%\_\x,\'", ["a%_x", "'"]),
    ("UTF-8 text passes through", '"caf\u00e9",\u00fc', ["caf\u00e9", "\u00fc"]),
    ("a byte order mark at the start of the line is not data", '\ufeff"id",name', ["id", "name"]),
    ("a byte order mark elsewhere is data", "a,\ufeffb", ["a", "\ufeffb"]),
    (
        "MySQL's own example line",
        '1,"O\'Brien, Pat","say \\"hi\\"",\\N',
        ["1", "O'Brien, Pat", 'say "hi"', None],
    ),
]

# lines LOAD DATA would read together with the next line: a record cut by a line break
MYSQL_CSV_CONTINUED = [
    ("an enclosed field that does not close", '"unterminated'),
    ("a closing quote followed by text leaves the field open", '"x"junk,1'),
    ("an escaped line ending (a newline in a field)", "a,b\\"),
    ("an escaped line ending in an enclosed field", '"a\\'),
]


@pytest.mark.parametrize("rule,line,fields", MYSQL_CSV_RULES, ids=[r[0] for r in MYSQL_CSV_RULES])
def test_mysql_csv(rule, line, fields):
    assert parse_mysql_csv(line) == fields


@pytest.mark.parametrize("rule,line", MYSQL_CSV_CONTINUED, ids=[r[0] for r in MYSQL_CSV_CONTINUED])
def test_mysql_csv_record_cut_by_a_line_break_is_malformed(rule, line):
    assert parse_mysql_csv(line) is None


def test_mysql_csv_reads_back_what_mysql_writes():
    # SELECT ... INTO OUTFILE escapes \, ", the first character of the field and line
    # terminators, and NUL (as \0); NULL is \N; every other value is enclosed
    def write(value):
        if value is None:
            return "\\N"
        out = "".join("\\" + c if c in '\\",\n' else "\\0" if c == "\0" else c for c in value)
        return f'"{out}"'

    values = ["plain", 'quo"te', "back\\slash", "com,ma", "nul\0", "", "N", "NULL", "\\N", None]
    line = ",".join(write(v) for v in values if v is None or "\n" not in v)
    assert parse_mysql_csv(line) == values


def test_tsv_null():
    assert parse_tsv("a\t\\N\t") == ["a", None, ""]


# mrkit's TSV escapes (mr.lib.tsv), undone on reading: field as written -> text read
TSV_ESCAPE_TABLE = [
    ("O\\\\Brien", "O\\Brien"),  # an escaped backslash is one backslash
    ("tab\\there", "tab\there"),  # \t, \n, \r are TAB, newline, CR
    ("a\\nb\\rc", "a\nb\rc"),
    ("C:\\x", "C:\\x"),  # a backslash before anything else is kept (another tool's text)
    ("end\\", "end\\"),  # so is a trailing one
    ("\\\\N", "\\N"),  # an escaped backslash then N is text, not NULL
    ("\\N", None),
    ("N", "N"),
]


@pytest.mark.parametrize("written,text", TSV_ESCAPE_TABLE)
def test_tsv_escapes_are_undone(written, text):
    assert parse_tsv(f"k\t{written}") == ["k", text]


def test_tsv_reads_back_what_format_row_writes():
    """A job's output read by the next job (or copied by join) is the text it wrote, so a
    field is never escaped twice."""
    fields = ["O\\Brien", "tab\there", "line\nbreak", "cr\r", "\\N", None, "", "é \x01"]
    assert parse_tsv(format_row(*fields)) == fields


def test_parse_record_unknown_format():
    with pytest.raises(ValueError, match="tsv, csv"):
        parse_record("x", "json")


# one rule for a number's text (mr.lib.records.parse_number): input -> parsed float or None
NUMBER_TABLE = [
    ("1.5", 1.5),  # plain decimal
    ("-3", -3.0),  # a leading minus
    ("+7", 7.0),  # a leading plus: Python, Java, Hive, Pig and MySQL all read it
    (".5", 0.5),  # no integer digits: read alike by every engine
    ("5.", 5.0),  # no fraction digits: read alike by every engine
    ("1e22", 1e22),  # large but finite: formatting it crashed before
    ("1E+61", 1e61),  # upper-case exponent with a sign
    ("1.7e308", 1.7e308),  # near the largest double
    ("-1.7e308", -1.7e308),  # near the smallest double
    ("5e-324", 5e-324),  # the smallest subnormal
    ("1e-400", 0.0),  # below the smallest double: 0, as Java and Python read it
    ("-0", -0.0),  # negative zero is a number
    ("007", 7.0),  # leading zeros are decimal, not octal
    ("1e309", None),  # beyond the double range: inf, not finite
    ("-1e309", None),  # beyond the double range: -inf
    ("nan", None),  # not finite
    ("NaN", None),  # not finite (Java's spelling)
    ("inf", None),  # not finite
    ("-inf", None),  # not finite
    ("Infinity", None),  # not finite (Java's spelling)
    ("1_000", None),  # underscores: Python's float() only
    ("\uff11\uff12", None),  # full-width digits: Python's float() only
    ("\u0661\u0662", None),  # Arabic-Indic digits: Python's float() only
    (" 12 ", None),  # surrounding spaces: a number field holds only the number
    ("12\t", None),  # a trailing control character (Java trims it, Python too)
    ("\u00a012", None),  # a no-break space (Python strips it, Java does not)
    ("0x10", None),  # hex: Java reads 0x10p0 only, Python not at all
    ("1.5d", None),  # a double suffix: Java's Double.parseDouble only
    ("2f", None),  # a float suffix: Java only
    ("1e", None),  # an exponent without digits
    ("e5", None),  # an exponent without a mantissa
    (".", None),  # a dot alone
    ("+-1", None),  # two signs
    ("1,5", None),  # a decimal comma
    ("x", None),  # not a number
    ("", None),  # empty (the jobs count it as null_values)
    (None, None),  # NULL (\\N)
]


@pytest.mark.parametrize("text,value", NUMBER_TABLE)
def test_parse_number(text, value):
    got = parse_number(text)
    assert got == value
    if value is not None:
        assert math.copysign(1, got) == math.copysign(1, value)


@pytest.mark.parametrize("text,value", NUMBER_TABLE)
def test_parse_decimal_accepts_exactly_what_parse_number_does(text, value):
    got = parse_decimal(text)
    assert (got is None) == (value is None)
    if got is not None:
        assert got == Decimal(text)


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
        (b"a,b\\\n", "csv", 1, "malformed"),
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
        ("\ufeff1,x\r\n".encode(), "csv", ["1", "x"]),
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


# A line break inside a CSV field: MySQL writes the escape character and the line break, so the
# record spans lines. Read line by line, both halves are malformed; the second is never a record.
CUT = [
    b'1,"note: first\\',  # the record goes on: the line ends with one escape character
    b'2,looks like,a record"',  # ... and here it ends; alone it would parse as 3 fields
    b"3,a\\\\",  # an escaped backslash at the end: the record ends here
    b"4,b",
    b'5,"x\\',  # a record over three lines
    b"\\",
    b'y"',
    b"6,c\r",
]


def test_cut_records_are_malformed_on_every_line():
    cut = CutRecords("csv")
    got = [record_fields(line, "csv", cut=cut) for line in CUT]
    assert got == [
        BadLine("malformed"),
        BadLine("malformed"),
        ["3", "a\\"],
        ["4", "b"],
        BadLine("malformed"),
        BadLine("malformed"),
        BadLine("malformed"),
        ["6", "c"],
    ]


def test_tsv_records_never_span_lines():
    cut = CutRecords("tsv")
    assert [record_fields(b, "tsv", cut=cut) for b in (b"a\\", b"b")] == [["a\\"], ["b"]]


def test_streams_drop_cut_records_as_the_jobs_do():
    from mr.lib.streams import record_lines

    assert list(record_lines(CUT, "csv")) == ["3\ta\\\\", "4\tb", "6\tc"]


def test_an_access_log_line_as_a_record():
    from mr.lib.records import ACCESS_LOG_FIELDS, parse_record

    line = (
        '10.0.0.7 - alice [01/Jan/2024:09:15:02 +0100] "GET /cart?id=3 HTTP/1.1" 503 - '
        '"-" "curl/8.0"'
    )
    fields = parse_record(line, "access-log")
    assert dict(zip(ACCESS_LOG_FIELDS, fields or [], strict=True)) == {
        "host": "10.0.0.7", "ident": None, "user": "alice", "time": "2024-01-01T08:15:02Z",
        "method": "GET", "path": "/cart", "target": "/cart?id=3", "protocol": "HTTP/1.1",
        "status": "503", "bytes": "0", "referer": None, "user_agent": "curl/8.0",
    }  # fmt: skip
    assert parse_record("not a log line", "access-log") is None
    assert record_fields(b"garbage\n", "access-log") == BadLine("malformed")
