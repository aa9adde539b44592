"""SQL values as text fields, one rule each way: what `mrkit export mysql` reads from a field
and what `mrkit import mysql` writes into one, so that a value goes out and comes back equal.

A field is the text left after the file format's own escapes (TSV: mr/lib/tsv.py; MySQL CSV:
mr/lib/records.py); NULL is ``\\N`` in both and arrives here as None. By column type:

- integers (TINYINT ... BIGINT, signed or UNSIGNED, YEAR, BIT): plain decimal digits with an
  optional sign, ``-12``; the value must fit the column.
- DECIMAL/NUMERIC(p, s): plain decimal text, ``-1234.50``, read as a Python Decimal, never a
  float; at most p-s integer digits and s decimals (more would be rounded by the server: refused).
  Written with exactly s decimals, as the server gives it.
- FLOAT/DOUBLE: a number as mr.lib.records.parse_number reads it; written as Python's repr (the
  shortest text that reads back as the same double).
- DATE ``2026-01-05``; DATETIME ``2026-01-05T10:30:00`` (ISO 8601, also with a space instead of
  the T, and ``.ffffff`` fractions up to the column's precision; written with exactly as many
  fractional digits as the column keeps, as the server shows it), no time zone: a DATETIME is a
  wall-clock value; TIMESTAMP is an instant: the same text, read as UTC unless it carries an
  offset (``Z``, ``+02:00``), written as UTC with ``Z``. Sessions run with time_zone '+00:00'
  (mr/clients/mysql.py), so the server neither shifts nor guesses. TIME ``-838:59:59.5``
  (fractions as for DATETIME).
- BINARY/VARBINARY/BLOB types: base64 (RFC 4648, standard alphabet, padded): bytes are not
  text, and base64 survives every file format and tool unchanged. An empty value is ``""``.
- everything else (CHAR, VARCHAR, TEXT, ENUM, SET, JSON): the text as it is, at most the
  column's length (characters for CHAR/VARCHAR, UTF-8 bytes for the TEXT types).

decode_value raises BadValue (a one-line reason) for text that breaks its column's rule;
encode_value is its inverse for what the driver (PyMySQL) returns, and encode_text gives the
same text from the server's own text of a value (the import's fast path: nothing converted on
the way; row_encoder writes whole TSV or CSV lines with it). Pure: no driver import.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from mr.lib.records import parse_number
from mr.lib.tsv import ESCAPES, NULL, escape_field

UTC = timezone.utc  # noqa: UP017 (3.10)

INTEGER_RANGES = {
    "tinyint": 8,
    "smallint": 16,
    "mediumint": 24,
    "int": 32,
    "integer": 32,
    "bigint": 64,
}
DECIMAL_TYPES = {"decimal", "numeric"}
FLOAT_TYPES = {"float", "double", "real"}
BINARY_TYPES = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}
#: text types whose limit is in bytes, not characters
BYTE_LIMITED = {"tinytext", "text", "mediumtext", "longtext"}

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?")
_DATE = r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
_CLOCK = r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?"
_DATE_RE = re.compile(_DATE)
_DATETIME_RE = re.compile(_DATE + r"[T ]" + _CLOCK + r"(Z|[+-][0-9]{2}:[0-9]{2})?")
_TIME_RE = re.compile(r"-?[0-9]{1,3}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


class Column(NamedTuple):
    """What decoding a field needs to know of a column (from information_schema.COLUMNS)."""

    name: str
    data_type: str
    unsigned: bool = False
    precision: int | None = None
    scale: int | None = None
    char_length: int | None = None
    octet_length: int | None = None
    fsp: int | None = None
    nullable: bool = True
    generated: bool = False


class BadValue(ValueError):
    """A field that breaks its column's rule; the message says which and why."""


def decode_value(text: str | None, column: Column) -> Any:
    """The value of a field for `column` (module docstring), or BadValue."""
    if text is None:
        if not column.nullable:
            raise BadValue(f"{column.name}: NULL in a NOT NULL column")
        return None
    kind = column.data_type
    if kind in INTEGER_RANGES or kind in ("year", "bit"):
        return _integer(text, column)
    if kind in DECIMAL_TYPES:
        return _decimal(text, column)
    if kind in FLOAT_TYPES:
        number = parse_number(text)
        if number is None:
            raise BadValue(f"{column.name}: {_show(text)} is not a number")
        return number
    if kind == "date":
        return _date(text, column)
    if kind in ("datetime", "timestamp"):
        return _datetime(text, column)
    if kind == "time":
        if not _TIME_RE.fullmatch(text):
            raise BadValue(f"{column.name}: {_show(text)} is not a TIME ([-]HH:MM:SS[.ffffff])")
        if len(text.partition(".")[2].rstrip("0")) > (column.fsp or 0):
            raise BadValue(
                f"{column.name}: {text} has more fractional digits than the column keeps"
            )
        return text
    if kind in BINARY_TYPES:
        if not _BASE64.fullmatch(text) or len(text) % 4:
            raise BadValue(f"{column.name}: {_show(text)} is not base64")
        try:
            value = base64.b64decode(text, validate=True)
        except binascii.Error:
            raise BadValue(f"{column.name}: {_show(text)} is not base64") from None
        _check_length(column, len(value), column.octet_length, "bytes")
        return value
    if kind in BYTE_LIMITED:
        _check_length(column, len(text.encode("utf-8")), column.octet_length, "bytes")
    else:
        _check_length(column, len(text), column.char_length, "characters")
    return text


def encode_value(value: Any, column: Column | None = None) -> str | None:
    """The field text of a value as PyMySQL returns it (None for NULL): the inverse of
    decode_value. Pass the column: BIT (bytes from the driver, written as an integer),
    TIMESTAMP (the ``Z``) and the fractional digits of times depend on it."""
    if value is None:
        return None
    kind = column.data_type if column else ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (bytes, bytearray)):
        if kind == "bit":
            return str(int.from_bytes(value, "big"))
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    fsp = column.fsp if column else None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        text = value.isoformat(timespec="seconds") + _fraction(value.microsecond, fsp)
        return text + "Z" if kind == "timestamp" else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _format_time(value, fsp)
    if isinstance(value, time):
        return value.isoformat(timespec="seconds") + _fraction(value.microsecond, fsp)
    return str(value)


def _fraction(micros: int, fsp: int | None) -> str:
    """The fractional seconds as the column keeps them: `fsp` digits (none for 0); without a
    column, six digits when there is a fraction."""
    if fsp is None:
        return f".{micros:06d}" if micros else ""
    return f".{micros:06d}"[: fsp + 1] if fsp else ""


def _show(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _check_length(column: Column, size: int, limit: int | None, unit: str) -> None:
    if limit is not None and size > limit:
        raise BadValue(f"{column.name}: {size} {unit}, the column holds at most {limit}")


def _integer(text: str, column: Column) -> int:
    if not _INTEGER.fullmatch(text):
        raise BadValue(f"{column.name}: {_show(text)} is not an integer")
    value = int(text)
    kind = column.data_type
    if kind == "year":
        low, high = (0, 0) if value == 0 else (1901, 2155)
    elif kind == "bit":
        low, high = 0, 2 ** (column.precision or 1) - 1
    else:
        bits = INTEGER_RANGES[kind]
        top = 2**bits if column.unsigned else 2 ** (bits - 1)
        low, high = (0 if column.unsigned else -top), top - 1
    if not low <= value <= high:
        raise BadValue(f"{column.name}: {value} is out of range for {kind} ({low} to {high})")
    return value


def _decimal(text: str, column: Column) -> Decimal:
    m = _DECIMAL.fullmatch(text)
    if not m or not (m.group(2) or m.group(3)):
        raise BadValue(f"{column.name}: {_show(text)} is not a decimal number")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadValue(f"{column.name}: {_show(text)} is not a decimal number") from None
    integer_digits = len(m.group(2).lstrip("0"))
    decimals = (m.group(3) or "").rstrip("0")
    precision = column.precision if column.precision is not None else 65
    scale = column.scale or 0
    if integer_digits > precision - scale or len(decimals) > scale:
        raise BadValue(f"{column.name}: {text} does not fit DECIMAL({precision},{scale})")
    return value


def _date(text: str, column: Column) -> date:
    m = _DATE_RE.fullmatch(text)
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        pass
    raise BadValue(f"{column.name}: {_show(text)} is not a DATE (YYYY-MM-DD)")


def _datetime(text: str, column: Column) -> datetime:
    m = _DATETIME_RE.fullmatch(text)
    what = "TIMESTAMP" if column.data_type == "timestamp" else "DATETIME"
    if not m:
        raise BadValue(f"{column.name}: {_show(text)} is not a {what} (YYYY-MM-DDTHH:MM:SS)")
    fraction, offset = m.group(7) or "", m.group(8)
    if len(fraction.rstrip("0")) > (column.fsp or 0):
        raise BadValue(f"{column.name}: {text} has more fractional digits than the column keeps")
    if offset and what == "DATETIME":
        raise BadValue(f"{column.name}: {text} has a time zone; a DATETIME has none")
    try:
        year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
        micros = int(fraction.ljust(6, "0"))
        value = datetime(year, month, day, hour, minute, second, micros)
    except ValueError:
        raise BadValue(f"{column.name}: {_show(text)} is not a valid {what}") from None
    if offset and offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        shift = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        value = value - sign * shift
    return value


def _format_time(value: timedelta, fsp: int | None) -> str:
    micros = value // timedelta(microseconds=1)
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    seconds, fraction = divmod(micros, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{sign}{hours:02d}:{minute:02d}:{second:02d}" + _fraction(fraction, fsp)


# -- the import's fast path: the server's own text, straight to the field text ---------------
#
# `mrkit import mysql` reads rows as the text protocol sends them (the driver converts nothing,
# mr/clients/mysql_import.py) and writes each field with encode_text, which gives exactly what
# encode_value gives for the value PyMySQL would have converted (tests/test_mysql_import.py
# checks both on every type), without making a Decimal, float or datetime first. The column's
# kind comes from the result's protocol type code and character set (column_kind), so it works
# for a --query's columns too, which information_schema does not describe.

# MySQL protocol column type codes (include/mysql_com.h enum_field_types; PyMySQL's FIELD_TYPE)
T_DECIMAL, T_TINY, T_SHORT, T_LONG, T_FLOAT, T_DOUBLE, T_NULL, T_TIMESTAMP = 0, 1, 2, 3, 4, 5, 6, 7
T_LONGLONG, T_INT24, T_DATE, T_TIME, T_DATETIME, T_YEAR, T_NEWDATE = 8, 9, 10, 11, 12, 13, 14
T_VARCHAR, T_BIT, T_NEWDECIMAL, T_GEOMETRY = 15, 16, 246, 255
#: VARCHAR, VAR_STRING, STRING and the four BLOB codes: text, or bytes in the binary charset
T_STRINGS = frozenset({T_VARCHAR, 249, 250, 251, 252, 253, 254})
#: the character set number of binary strings (BINARY, VARBINARY, BLOB) and non-text types
BINARY_CHARSET = 63
#: integer columns (TINYINT .. BIGINT): the ones an import can split on
INTEGER_TYPE_CODES = frozenset({T_TINY, T_SHORT, T_LONG, T_LONGLONG, T_INT24})


def column_kind(type_code: int, charset: int) -> str:
    """The kind of a result column, from its protocol type code and character set:
    integer, decimal, float, date, datetime, timestamp, time, bit, binary or text."""
    if type_code in INTEGER_TYPE_CODES or type_code == T_YEAR:
        return "integer"
    kinds = {
        T_DECIMAL: "decimal",
        T_NEWDECIMAL: "decimal",
        T_FLOAT: "float",
        T_DOUBLE: "float",
        T_DATE: "date",
        T_NEWDATE: "date",
        T_DATETIME: "datetime",
        T_TIMESTAMP: "timestamp",
        T_TIME: "time",
        T_BIT: "bit",
        T_GEOMETRY: "binary",
    }
    if type_code in kinds:
        return kinds[type_code]
    if type_code in T_STRINGS and charset == BINARY_CHARSET:
        return "binary"
    return "text"  # text strings, JSON, ENUM, SET, and anything newer: the server sends text


def _text_of(raw: str | bytes) -> str:
    return raw if isinstance(raw, str) else raw.decode("utf-8")


_ENCODE_TEXT = {
    "float": lambda raw: repr(float(raw)),
    # the server shows exactly the column's fractional digits, as encode_value writes them
    "datetime": lambda raw: _text_of(raw).replace(" ", "T", 1),
    "timestamp": lambda raw: _text_of(raw).replace(" ", "T", 1) + "Z",
    "bit": lambda raw: str(int.from_bytes(raw, "big")),
    "binary": lambda raw: base64.b64encode(raw).decode("ascii"),
}


def encode_text(raw: str | bytes, kind: str) -> str:
    """The field text of a value as the server's text protocol sends it (str, or bytes for
    binary and BIT columns) for a column of `kind` (column_kind); not None (NULL)."""
    return _ENCODE_TEXT.get(kind, _text_of)(raw)


#: file formats of an import: mrkit's TSV (mr/lib/tsv.py) or MySQL CSV (mr/lib/records.py)
FORMATS = ("tsv", "csv")
#: CSV as MySQL's LOAD DATA reads it with FIELDS TERMINATED BY ',' ENCLOSED BY '"' ESCAPED BY
#: '\\': every value enclosed; backslash, quote, NUL, newline and CR escaped, so that a record is
#: always one line (INTO OUTFILE would write a newline raw); records.parse_mysql_csv reads it
_CSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\0": "\\0", "\n": "\\n", "\r": "\\r"})
#: kinds whose text never holds a character either format escapes (digits, ISO 8601, base64)
_PLAIN_KINDS = frozenset({"integer", "decimal", "float", "date", "datetime", "timestamp", "time",
                          "bit", "binary"})  # fmt: skip


def field_encoder(kind: str, fmt: str) -> Callable[[str | bytes], str]:
    """A function from a server value (not NULL) of a `kind` column to its escaped field in
    `fmt`: TSV escapes as mr/lib/tsv.py; CSV enclosed in quotes, escaped as above."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    text = _ENCODE_TEXT.get(kind, _text_of)
    plain = kind in _PLAIN_KINDS
    if fmt == "tsv":
        return text if plain else lambda v: escape_field(text(v))
    if plain:
        return lambda v: f'"{text(v)}"'
    return lambda v: '"' + text(v).translate(_CSV_ESCAPES) + '"'


def row_encoder(kinds: Sequence[str], fmt: str) -> Callable[[Sequence[Any]], str]:
    """A function from a row of server values (None for NULL) to its line in `fmt`, without
    the newline; NULL is a bare ``\\N`` in both formats."""
    encoders = list(enumerate(field_encoder(k, fmt) for k in kinds))
    sep = "\t" if fmt == "tsv" else ","

    def encode(row: Sequence[Any]) -> str:
        return sep.join(NULL if row[i] is None else enc(row[i]) for i, enc in encoders)

    return encode


def block_encoder(kinds: Sequence[str], fmt: str) -> Callable[[Sequence[Sequence[Any]]], str]:
    """A function from a block of rows to their lines joined by newlines (no final newline):
    row_encoder's lines, made a column at a time, which is several times faster in CPython (a
    column of server text that needs no escaping and holds no NULL is used as it is)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    sep = "\t" if fmt == "tsv" else ","
    column_encoders = [_column_encoder(k, fmt) for k in kinds]

    def encode(rows: Sequence[Sequence[Any]]) -> str:
        if not rows:
            return ""
        columns = [
            enc(col) for enc, col in zip(column_encoders, zip(*rows, strict=True), strict=True)
        ]
        return "\n".join(map(sep.join, zip(*columns, strict=True)))

    return encode


def _column_encoder(kind: str, fmt: str) -> Callable[[Sequence[Any]], Sequence[str]]:
    field = field_encoder(kind, fmt)
    as_is = kind in ("integer", "decimal", "date", "text")  # the server's text is the value
    if fmt == "tsv" and kind == "text":

        def tsv_text(col: Sequence[Any]) -> Sequence[str]:
            # escaped only where needed: translate() copies every string it is given
            return [NULL if v is None else v.translate(ESCAPES) if _needs_tsv_escape(v) else v
                    for v in col]  # fmt: skip

        return tsv_text
    if fmt == "tsv" and as_is:

        def tsv_plain(col: Sequence[Any]) -> Sequence[str]:
            return [NULL if v is None else v for v in col] if None in col else col

        return tsv_plain
    if fmt == "csv" and kind == "text":

        def csv_text(col: Sequence[Any]) -> Sequence[str]:
            return [NULL if v is None else f'"{v}"' if not _needs_csv_escape(v)
                    else '"' + v.translate(_CSV_ESCAPES) + '"' for v in col]  # fmt: skip

        return csv_text
    if fmt == "csv" and as_is:

        def csv_plain(col: Sequence[Any]) -> Sequence[str]:
            return [NULL if v is None else f'"{v}"' for v in col]

        return csv_plain

    def column(col: Sequence[Any]) -> Sequence[str]:
        return [NULL if v is None else field(v) for v in col]

    return column


def _needs_csv_escape(text: str) -> bool:
    return "\\" in text or '"' in text or "\0" in text or "\n" in text or "\r" in text


def _needs_tsv_escape(text: str) -> bool:
    return "\\" in text or "\t" in text or "\n" in text or "\r" in text


# -- the import's direct path: the same text, made by the server ------------------------------
#
# `mrkit import mysql --direct` has each map task run the mysql client (``--batch --raw``) on a
# SELECT whose every column is an expression of the field text above, so the server writes the
# lines and the task only copies them (Sqoop's direct mode). direct_select_list gives those
# expressions; the texts are the ones encode_text gives (tests/test_mysql_import.py compares
# both paths on every type), except FLOAT/DOUBLE, which the server cannot print as Python's
# repr: their fields come as the server's text and the task rewrites them (fix_float_fields).
# Literals are hex with a character set introducer: no quoting, and the same under any
# sql_mode (NO_BACKSLASH_ESCAPES included).


def sql_text(text: str) -> str:
    """A utf8mb4 string literal of `text` that needs no escaping: ``_utf8mb4 X'5c4e'``."""
    return "_utf8mb4 X'" + text.encode("utf-8").hex() + "'"


#: the characters each format escapes, as a PCRE class (a guard: most values hold none, and
#: REGEXP once is cheaper than four REPLACEs that change nothing)
_DIRECT_ESCAPES = {
    "tsv": (r"[\\\t\n\r]", [("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")]),
    "csv": (
        r'[\\"\x00\n\r]',
        [("\\", "\\\\"), ('"', '\\"'), ("\0", "\\0"), ("\n", "\\n"), ("\r", "\\r")],
    ),
}
#: joins a CSV row's fields on the server; NUL when the task rewrites float fields (a CSV field
#: never holds a raw NUL: it is escaped)
CSV_SEPARATOR, FLOAT_SEPARATOR = ",", "\0"


def direct_field_sql(kind: str, column: str, fmt: str) -> str:
    """The SQL expression of the field (escaped for `fmt`; ``\\N`` for NULL) of `column`, an
    SQL expression of a column of `kind` (column_kind). FLOAT/DOUBLE: the server's text, bare
    (fix_float_fields writes the field)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    value = {
        "datetime": f"REPLACE({column}, ' ', 'T')",
        "timestamp": f"CONCAT(REPLACE({column}, ' ', 'T'), 'Z')",
        "bit": f"CAST({column} AS UNSIGNED)",
        # TO_BASE64 breaks its output into lines of 76; the rule is one unbroken line
        "binary": f"REPLACE(TO_BASE64({column}), {sql_text(chr(10))}, '')",
    }.get(kind, column)
    if kind == "text":
        guard, pairs = _DIRECT_ESCAPES[fmt]
        # the server converts every column to the client's utf8mb4, also inside a CSV row's
        # CONCAT_WS (tests/test_mysql_import.py: latin1 and two utf8mb4 collations in a row)
        escaped = column
        for old, new in pairs:
            escaped = f"REPLACE({escaped}, {sql_text(old)}, {sql_text(new)})"
        value = f"IF({column} REGEXP {sql_text(guard)}, {escaped}, {column})"
    if fmt == "csv" and kind != "float":
        value = f"CONCAT('\"', {value}, '\"')"
    return f"IFNULL({value}, {sql_text(NULL)})"


def direct_select_list(kinds: Sequence[str], columns: Sequence[str], fmt: str) -> str:
    """The select list of a direct import: TSV fields as columns (the client joins them with
    TABs); a CSV row as one column, its fields joined on the server."""
    fields = [direct_field_sql(k, c, fmt) for k, c in zip(kinds, columns, strict=True)]
    if fmt == "tsv":
        return ", ".join(fields)
    sep = FLOAT_SEPARATOR if "float" in kinds else CSV_SEPARATOR
    return f"CONCAT_WS({sql_text(sep)}, {', '.join(fields)})"


def fix_float_fields(block: bytes, floats: Sequence[int], fmt: str) -> bytes:
    """Lines of a direct import (joined by newlines) with each float field (0-based column
    numbers) written as encode_text writes it; a CSV row comes with its fields joined by
    FLOAT_SEPARATOR and leaves joined by commas, its float fields enclosed."""
    sep = b"\t" if fmt == "tsv" else FLOAT_SEPARATOR.encode()
    out_sep = b"\t" if fmt == "tsv" else CSV_SEPARATOR.encode()
    null = NULL.encode()
    lines = []
    for line in block.split(b"\n"):
        fields = line.split(sep)
        for i in floats:
            raw = fields[i]
            if raw != null:
                text = encode_text(raw.decode("ascii"), "float").encode("ascii")
                fields[i] = text if fmt == "tsv" else b'"' + text + b'"'
        lines.append(out_sep.join(fields))
    return b"\n".join(lines)
