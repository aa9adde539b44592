"""mr/lib/sqlvalues.py: each column type's field text, decoded and encoded back unchanged."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from mr.lib.sqlvalues import (
    MASK_BITS,
    BadValue,
    Column,
    csv_field_sql,
    decode_value,
    direct_select_list,
    encode_text,
    encode_value,
    finish_client_tsv,
    fix_float_fields,
    mask_groups,
    masks_carried,
    sql_text,
)
from mr.lib.tsv import format_row

INT = Column("n", "int")
UBIG = Column("n", "bigint", unsigned=True)
DEC = Column("price", "decimal", precision=12, scale=2)
DT = Column("at", "datetime", fsp=0)
DT6 = Column("at", "datetime", fsp=6)
TS = Column("at", "timestamp", fsp=0)
BLOB = Column("b", "blob", octet_length=65535)
VARCHAR = Column("s", "varchar", char_length=5, octet_length=20)
TEXT = Column("s", "text", char_length=65535, octet_length=65535)


@pytest.mark.parametrize(
    ("column", "text", "value"),
    [
        (INT, "-2147483648", -2147483648),
        (UBIG, "18446744073709551615", 18446744073709551615),
        (DEC, "1234567890.12", Decimal("1234567890.12")),
        (DEC, "-0.50", Decimal("-0.50")),
        (Column("x", "double"), "0.1", 0.1),
        (Column("d", "date"), "2026-01-05", date(2026, 1, 5)),
        (DT, "2026-01-05T10:30:00", datetime(2026, 1, 5, 10, 30)),
        (DT6, "2026-01-05T10:30:00.000001", datetime(2026, 1, 5, 10, 30, 0, 1)),
        (TS, "2026-01-05T10:30:00Z", datetime(2026, 1, 5, 10, 30)),
        (BLOB, "AAEC/w==", b"\x00\x01\x02\xff"),
        (BLOB, "", b""),
        (VARCHAR, "a\tb\n😀", "a\tb\n😀"),
        (Column("t", "time", fsp=0), "-838:59:59", "-838:59:59"),
        (Column("t", "time", fsp=2), "01:02:03.50", "01:02:03.50"),
        (Column("at", "datetime", fsp=3), "2026-01-05T10:30:00.000", datetime(2026, 1, 5, 10, 30)),
    ],
)
def test_round_trip(column, text, value):
    decoded = decode_value(text, column)
    assert decoded == value and type(decoded) is type(value)
    assert encode_value(decoded, column) == text


def test_decimal_is_never_a_float():
    assert decode_value("0.10", DEC) + decode_value("0.20", DEC) == Decimal("0.30")
    assert (
        encode_value(Decimal("12345678901234567890.123456789")) == "12345678901234567890.123456789"
    )


def test_timestamp_offsets_become_utc():
    assert decode_value("2026-01-05 12:30:00+02:00", TS) == datetime(2026, 1, 5, 10, 30)
    assert encode_value(datetime(2026, 1, 5, 10, 30), TS) == "2026-01-05T10:30:00Z"
    assert encode_value(timedelta(hours=-1, seconds=-1)) == "-01:00:01"


@pytest.mark.parametrize(
    ("column", "text", "message"),
    [
        (INT, "12x", "not an integer"),
        (INT, "2147483648", "out of range"),
        (UBIG, "-1", "out of range"),
        (DEC, "1.234", r"does not fit DECIMAL\(12,2\)"),
        (DEC, "12345678901", "does not fit"),
        (DEC, "1e3", "not a decimal"),
        (Column("x", "double"), "nan", "not a number"),
        (Column("d", "date"), "2026-02-30", "not a DATE"),
        (DT, "2026-01-05T10:30:00.5", "more fractional digits"),
        (DT, "2026-01-05T10:30:00Z", "has a time zone"),
        (DT, "05/01/2026", "not a DATETIME"),
        (BLOB, "not base64!", "not base64"),
        (VARCHAR, "abcdef", "6 characters, the column holds at most 5"),
        (Column("s", "tinytext", octet_length=3), "😀", "4 bytes"),
        (Column("n", "int", nullable=False), None, "NULL in a NOT NULL column"),
        (Column("t", "time", fsp=0), "10:00:00.5", "more fractional digits"),
    ],
)
def test_bad_values(column, text, message):
    with pytest.raises(BadValue, match=message):
        decode_value(text, column)


# -- the direct path (the server and client write the fields; tests/test_mysql_import.py runs it)


def test_sql_text_is_a_hex_literal_of_the_utf8_bytes():
    assert sql_text("\\N") == "_utf8mb4 X'5c4e'"
    assert sql_text("é'") == "_utf8mb4 X'c3a927'"  # a quote is just a byte: nothing to escape
    assert sql_text("") == "_utf8mb4 X''"


def test_csv_fields_map_null_to_the_marker_and_leave_floats_bare():
    for kind in ("integer", "decimal", "float", "date", "datetime", "timestamp", "time", "bit",
                 "binary", "text"):  # fmt: skip
        expr = csv_field_sql(kind, "`c`")
        assert expr.startswith("IFNULL(") and expr.endswith(f", {sql_text(chr(92) + 'N')})")
        assert ("CONCAT('\"'" in expr) == (kind != "float")
    assert csv_field_sql("float", "`c`") == "IFNULL(`c`, _utf8mb4 X'5c4e')"


def test_a_tsv_select_is_the_values_then_the_null_masks():
    assert direct_select_list(["text", "integer"], ["`a`", "`b`"], "tsv") == (
        "`a`, `b`, (((`a`) IS NULL) << 0 | ((`b`) IS NULL) << 1)"
    )
    wide = direct_select_list(["text"] * 61, [f"`c{i}`" for i in range(61)], "tsv")
    assert wide.endswith(", (((`c60`) IS NULL) << 0)") and "((`c59`) IS NULL) << 59)" in wide
    assert mask_groups(1) == mask_groups(60) == 1 and mask_groups(61) == 2
    with pytest.raises(ValueError, match="unknown format"):
        direct_select_list(["text"], ["`c`"], "json")


def test_masks_ride_on_a_first_column_that_is_not_text():
    mask = "(((`a`) IS NULL) << 0 | ((`b`) IS NULL) << 1)"
    assert masks_carried(["integer", "text"]) and not masks_carried(["text", "integer"])
    assert direct_select_list(["integer", "text"], ["`a`", "`b`"], "tsv") == (
        f"CONCAT(IFNULL(`a`, ''), IF({mask}, CONCAT('#', {mask}), '')), `b`"
    )
    wide = direct_select_list(["date"] + ["text"] * 60, [f"`c{i}`" for i in range(61)], "tsv")
    assert "CONCAT('#', CONCAT_WS(',', (" in wide and not wide.endswith(")")


def test_a_direct_csv_row_is_one_column_joined_on_the_server():
    csv = direct_select_list(["integer", "text"], ["`a`", "`b`"], "csv")
    assert csv.startswith(f"CONCAT_WS({sql_text(',')}, ")
    with_float = direct_select_list(["integer", "float"], ["`a`", "`b`"], "csv")
    assert with_float.startswith(f"CONCAT_WS({sql_text(chr(0))}, ")


def client_line(row, carried=False, groups=1):
    """A row as MariaDB's client prints it in batch mode (checked against the real client in
    tests/test_mysql_import.py): backslash, TAB, LF and NUL escaped, CR as it is, NULL as NULL;
    with the NULL masks as direct_select_list has the server write them."""
    fields = []
    for v in row:
        if v is None:
            fields.append(b"NULL")
        else:
            b = v.encode()
            for old, new in ((b"\\", b"\\\\"), (b"\t", b"\\t"), (b"\n", b"\\n"), (b"\0", b"\\0")):
                b = b.replace(old, new)
            fields.append(b)
    masks = [
        sum(
            1 << (i - g * MASK_BITS) for i, v in enumerate(row) if v is None and i // MASK_BITS == g
        )
        for g in range(groups)
    ]
    if not carried:
        return b"\t".join([*fields, *(str(m).encode() for m in masks)])
    first = b"" if row[0] is None else fields[0]
    if any(masks):
        first += b"#" + b",".join(str(m).encode() for m in masks)
    return b"\t".join([first, *fields[1:]])


ROWS = [
    [["1", "plain"], ["2", "x"]],  # no NULL: the fast path
    [["1", None], ["2", "NULL"], ["3", "\\N"]],  # NULL, the text NULL, the text \N
    [["4", "a\tb\nc\r\nd"], ["5", "\\0 not a NUL"], ["6", "\0nul\\\0"], ["7", "\\"]],
    [[None, None], ["8", ""], ["9", "#1\tx"]],
    [["10", "a#1"], ["11", "#3"], [None, "#2"]],  # a # in text is only text
]


@pytest.mark.parametrize("carried", [False, True], ids=["last", "carried"])
@pytest.mark.parametrize("rows", ROWS)
def test_finished_client_lines_are_mrkit_tsv(rows, carried):
    """The oracle: tsv.format_row of the values is what the task writes."""
    block = b"\n".join(client_line(r, carried) for r in rows)
    want = "\n".join(format_row(*r) for r in rows)  # None is NULL: \\N
    assert finish_client_tsv(block, 2, carried=carried) == want.encode()


def test_carried_masks_of_a_wide_row():
    row = ["7", *[None if i % 13 == 0 else f"v{i}" for i in range(1, 70)]]
    for carried in (False, True):
        line = client_line(row, carried, groups=2)
        assert finish_client_tsv(line, 70, carried=carried) == format_row(*row).encode()


@pytest.mark.parametrize("raw", ["0.1", "1e20", "-3", "1e-300", "1.17549e-38", "16777200",
                                 "0.30000000000000004", "1.2345678901234568e17"])  # fmt: skip
def test_float_fields_are_rewritten_as_encode_text_writes_them(raw):
    want = encode_text(raw, "float")
    block = f"1\t{raw}\tx\t0\n2\tNULL\ty\t2".encode()
    assert finish_client_tsv(block, 3, [1]) == f"1\t{want}\tx\n2\t\\N\ty".encode()
    carried = f"1\t{raw}\tx\n2#2\tNULL\ty".encode()
    assert finish_client_tsv(carried, 3, [1], True) == f"1\t{want}\tx\n2\t\\N\ty".encode()
    csv = f'"1"\0{raw}\0"a,b"\n"2"\0\\N\0"c"'.encode()
    assert fix_float_fields(csv, [1]) == f'"1","{want}","a,b"\n"2",\\N,"c"'.encode()
