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
import functools
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


# -- the import's direct path: the same text, made by the server and the client -------------
#
# `mrkit import mysql --direct` has each map task run the mysql client (``--batch``) on a SELECT
# of the split's rows, so that no row passes through the driver or through Python objects
# (Sqoop's direct mode). The texts are the ones encode_text gives (tests/test_mysql_import.py
# compares both paths on every type); who makes which part:
#
# - the server: the text of each value (direct_value_sql: DATETIME with a T, TIMESTAMP with a
#   Z, BIT as an integer, bytes as base64 on one line); other values as they are;
# - TSV: the client escapes ``\\ TAB LF`` as mrkit's TSV does (and NUL as ``\0``), in C. What it
#   cannot do, the task does on whole blocks (finish_client_tsv): CR escaped, ``\0`` back to
#   the NUL it stands for (mrkit's TSV keeps NUL as it is), and NULL. The client prints a NULL
#   as ``NULL``, as it prints the text 'NULL'; so the server writes bit masks of each line's NULL
#   columns (``(col IS NULL) << i``, MASK_BITS columns a mask), which say which is which. Where
#   the first column is not text (an id, mostly), the masks ride on its field, only where not 0
#   (``17#4``: a ``#`` is in no number, date or base64), so a block without NULLs needs no
#   change at all; otherwise they are the last fields of every line (``0`` without NULLs),
#   dropped with a bytes.replace. Only lines with a NULL are split into fields;
# - CSV (whose escapes the client does not make): the server escapes, encloses and joins the
#   fields (direct_select_list), the client prints them raw (``--raw``);
# - FLOAT/DOUBLE: the task writes Python's repr, which the server cannot print
#   (finish_client_tsv, fix_float_fields).
#
# Literals are hex with a character set introducer: no quoting, and the same under any
# sql_mode (NO_BACKSLASH_ESCAPES included). Text columns are not wrapped in any function for
# TSV: a function on a string costs the server a copy of every value (a third of its time).


def sql_text(text: str) -> str:
    """A utf8mb4 string literal of `text` that needs no escaping: ``_utf8mb4 X'5c4e'``."""
    return "_utf8mb4 X'" + text.encode("utf-8").hex() + "'"


#: the characters CSV escapes, as a PCRE class (a guard: most values hold none, and REGEXP
#: once is cheaper than five REPLACEs that change nothing), and the escapes
_CSV_GUARD = r'[\\"\x00\n\r]'
_CSV_PAIRS = [("\\", "\\\\"), ('"', '\\"'), ("\0", "\\0"), ("\n", "\\n"), ("\r", "\\r")]
#: joins a CSV row's fields on the server; NUL when the task rewrites float fields (a CSV field
#: never holds a raw NUL: it is escaped)
CSV_SEPARATOR, FLOAT_SEPARATOR = ",", "\0"
#: columns per NULL mask of a TSV line (a BIGINT holds 64 bits)
MASK_BITS = 60


def direct_value_sql(kind: str, column: str) -> str:
    """The SQL expression of the unescaped field text of `column` (an SQL expression of a
    column of `kind`, column_kind), NULL for NULL."""
    return {
        "datetime": f"REPLACE({column}, ' ', 'T')",
        "timestamp": f"CONCAT(REPLACE({column}, ' ', 'T'), 'Z')",
        "bit": f"CAST({column} AS UNSIGNED)",
        # TO_BASE64 breaks its output into lines of 76; the rule is one unbroken line
        "binary": f"REPLACE(TO_BASE64({column}), {sql_text(chr(10))}, '')",
    }.get(kind, column)


def csv_field_sql(kind: str, column: str) -> str:
    """The SQL expression of the CSV field of `column`: escaped and enclosed, ``\\N`` for NULL;
    a FLOAT/DOUBLE bare (fix_float_fields encloses it)."""
    value = direct_value_sql(kind, column)
    if kind == "text":
        escaped = column
        for old, new in _CSV_PAIRS:
            escaped = f"REPLACE({escaped}, {sql_text(old)}, {sql_text(new)})"
        value = f"IF({column} REGEXP {sql_text(_CSV_GUARD)}, {escaped}, {column})"
    if kind != "float":
        value = f"CONCAT('\"', {value}, '\"')"
    return f"IFNULL({value}, {sql_text(NULL)})"


def masks_carried(kinds: Sequence[str]) -> bool:
    """Whether a direct TSV line's NULL masks ride on its first field (not text: no ``#``)."""
    return bool(kinds) and kinds[0] != "text"


def mask_groups(width: int) -> int:
    """How many NULL masks end a TSV line of `width` columns."""
    return max(1, -(-width // MASK_BITS))


def direct_select_list(kinds: Sequence[str], columns: Sequence[str], fmt: str) -> str:
    """The select list of a direct import. TSV: the values, then the NULL masks (the client
    escapes and joins them with TABs; finish_client_tsv); CSV: the row as one column, its
    fields escaped and joined on the server."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "tsv":
        values = [direct_value_sql(k, c) for k, c in zip(kinds, columns, strict=True)]
        masks = []
        for g in range(mask_groups(len(columns))):
            group = columns[g * MASK_BITS : (g + 1) * MASK_BITS]
            masks.append("(" + " | ".join(f"(({c}) IS NULL) << {i}" for i, c in enumerate(group))
                         + ")")  # fmt: skip
        if masks_carried(kinds):
            any_null = " OR ".join(masks)
            tail = f"CONCAT('#', {masks[0]})" if len(masks) == 1 else (
                f"CONCAT('#', CONCAT_WS(',', {', '.join(masks)}))")  # fmt: skip
            values[0] = f"CONCAT(IFNULL({values[0]}, ''), IF({any_null}, {tail}, ''))"
            return ", ".join(values)
        return ", ".join(values + masks)
    fields = [csv_field_sql(k, c) for k, c in zip(kinds, columns, strict=True)]
    sep = FLOAT_SEPARATOR if "float" in kinds else CSV_SEPARATOR
    return f"CONCAT_WS({sql_text(sep)}, {', '.join(fields)})"


#: an escape pair of the client's output: a backslash and the character after it
_CLIENT_ESCAPE = re.compile(rb"\\(.)", re.DOTALL)


def _client_unescape_nul(m: re.Match[bytes]) -> bytes:
    return b"\0" if m.group(1) == b"0" else m.group(0)


def finish_client_tsv(
    block: bytes, width: int, floats: Sequence[int] = (), carried: bool = False
) -> bytes:
    """mrkit TSV lines from lines of the client's batch output of a direct TSV select of
    `width` columns (joined by newlines, no final one): CR escaped, the client's ``\\0`` back to
    a NUL, the fields the masks say are NULL written ``\\N``, the masks dropped (`carried`: on
    the first field, masks_carried), the `floats` columns (0-based) written as encode_text
    writes them. Only the lines with a NULL (found by a search for their masks) or a float are
    split into fields."""
    if b"\r" in block:  # the client leaves CR as it is; no escape of its makes one
        block = block.replace(b"\r", b"\\r")
    if b"\\0" in block:  # a NUL, or an escaped backslash before a 0: read the pairs in order
        block = _CLIENT_ESCAPE.sub(_client_unescape_nul, block)
    if floats:
        return b"\n".join(_finish_line(line, width, floats, carried) for line in block.split(b"\n"))
    data = block + b"\n"
    out = []
    at = 0
    if carried:
        for m in _CARRIED_MASKS.finditer(data):
            start = data.rfind(b"\n", 0, m.start()) + 1
            if data.find(b"\t", start, m.start()) >= 0:
                continue  # a # in a text field, not the first
            end = data.index(b"\n", m.end())
            out += [data[at:start], _finish_line(data[start:end], width, floats, carried)]
            at = end
        if not out:
            return block  # no NULL in the block: the client's lines as they are
        out.append(data[at:])
        return b"".join(out)[:-1]
    zero_end = b"\t0" * mask_groups(width) + b"\n"
    for m in _nonzero_masks(mask_groups(width)).finditer(data):
        start = data.rfind(b"\n", 0, m.start()) + 1
        out.append(data[at:start].replace(zero_end, b"\n"))  # whole lines without a NULL
        out.append(_finish_line(data[start : m.end()], width, floats, carried))
        at = m.end()
    out.append(data[at:].replace(zero_end, b"\n"))
    return b"".join(out)[:-1]


#: masks on a first field: ``#`` and the masks, comma-separated, before its end
_CARRIED_MASKS = re.compile(rb"#[0-9,]+(?=[\t\n])")


@functools.cache
def _nonzero_masks(groups: int) -> re.Pattern[bytes]:
    """The end of a line whose masks are not all 0: a mask that is not 0, then at most
    groups - 1 more before the newline (so never a value: a value has `groups` masks after
    it)."""
    return re.compile(rb"\t[1-9][0-9]*(?:\t[0-9]+){0,%d}(?=\n)" % (groups - 1))


def _finish_line(line: bytes, width: int, floats: Sequence[int], carried: bool) -> bytes:
    fields = line.split(b"\t")
    if carried:
        fields[0], _, tail = fields[0].partition(b"#")
        masks = tail.split(b",") if tail else []
    else:
        masks = fields[width:]
        del fields[width:]
    null = NULL.encode()
    for g, mask in enumerate(masks):
        bits = int(mask)
        while bits:
            low = bits & -bits
            fields[g * MASK_BITS + low.bit_length() - 1] = null
            bits ^= low
    for i in floats:
        if fields[i] != null:
            fields[i] = encode_text(fields[i].decode("ascii"), "float").encode("ascii")
    return b"\t".join(fields)


def fix_float_fields(block: bytes, floats: Sequence[int]) -> bytes:
    """Lines of a direct CSV import (joined by newlines), each a row whose fields are joined by
    FLOAT_SEPARATOR, with the fields joined by commas and each float field (0-based column
    numbers) written as encode_text writes it, enclosed."""
    sep, out_sep, null = FLOAT_SEPARATOR.encode(), CSV_SEPARATOR.encode(), NULL.encode()
    lines = []
    for line in block.split(b"\n"):
        fields = line.split(sep)
        for i in floats:
            raw = fields[i]
            if raw != null:
                fields[i] = b'"' + encode_text(raw.decode("ascii"), "float").encode("ascii") + b'"'
        lines.append(out_sep.join(fields))
    return b"\n".join(lines)
