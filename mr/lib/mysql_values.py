"""MySQL values as text in mrkit's files, and back: the one rule for import and export.

A value travels as the text MySQL's text protocol sends (the driver converts nothing: no float,
no datetime on the way, so nothing is rounded), then per column kind:

=============  ===================================  ==========================================
kind           column types                         in a file
=============  ===================================  ==========================================
integer        TINYINT .. BIGINT (signed, unsigned) as the server writes it: ``-42``
decimal        DECIMAL / NUMERIC                    exactly as stored, scale kept: ``12.30``
float          FLOAT, DOUBLE                        the server's shortest text: ``0.1``
year           YEAR                                 ``2026``
date           DATE                                 ISO 8601: ``2026-01-05``
datetime       DATETIME                             ISO 8601 local time, ``T`` between date and
                                                    time, fraction as the column has it:
                                                    ``2026-01-05T10:30:00.250000``
timestamp      TIMESTAMP                            ISO 8601 UTC, read in session
                                                    ``time_zone = '+00:00'``: ``...T10:30:00Z``
time           TIME (a duration: -838:59:59 ..)     as the server writes it: ``-12:00:05``
text           CHAR, VARCHAR, TEXT, ENUM, SET,      utf8mb4 text (connection charset utf8mb4),
               JSON                                 escaped by the file format (below)
binary         BINARY, VARBINARY, BLOB, BIT,        base64 (RFC 4648 alphabet, padded, no line
               GEOMETRY (binary charset)            breaks): ``3q2+7w==``
=============  ===================================  ==========================================

NULL is ``\\N`` in both formats (bare, never enclosed, in CSV); a text holding the two
characters ``\\N`` is escaped (``\\\\N``), so the two never meet.

File formats, one record per line:
- ``tsv`` (mr/lib/tsv.py): fields joined by TAB; backslash, TAB, newline and CR in a value are
  written ``\\\\``, ``\\t``, ``\\n``, ``\\r``. :func:`decode_tsv_field` undoes exactly that.
- ``csv``: MySQL's ``FIELDS TERMINATED BY ',' ENCLOSED BY '"' ESCAPED BY '\\\\'``: every value
  enclosed in ``"``; backslash, ``"``, NUL, newline and CR written ``\\\\``, ``\\"``, ``\\0``,
  ``\\n``, ``\\r``. ``LOAD DATA`` reads it back, and so does mr/lib/records.py parse_mysql_csv;
  unlike ``INTO OUTFILE`` a newline is never written raw, so a record is always one line.

Export reads a file with these rules and :func:`to_parameter` turns a field back into what the
driver binds for a column of that kind (base64 to bytes, the ``T`` and ``Z`` of ISO 8601 to
MySQL's literal form; numbers stay text, which the server reads exactly).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any

from mr.lib.tsv import NULL

# MySQL protocol column type codes (include/mysql_com.h enum_field_types; PyMySQL's FIELD_TYPE)
DECIMAL, TINY, SHORT, LONG, FLOAT, DOUBLE, NULL_TYPE, TIMESTAMP = 0, 1, 2, 3, 4, 5, 6, 7
LONGLONG, INT24, DATE, TIME, DATETIME, YEAR, NEWDATE = 8, 9, 10, 11, 12, 13, 14
VARCHAR, BIT = 15, 16
JSON, NEWDECIMAL, ENUM, SET = 245, 246, 247, 248
TINY_BLOB, MEDIUM_BLOB, LONG_BLOB, BLOB, VAR_STRING, STRING, GEOMETRY = (
    249, 250, 251, 252, 253, 254, 255,
)  # fmt: skip
#: the character set number of binary strings (BINARY, VARBINARY, BLOB) and of non-text types
BINARY_CHARSET = 63

INTEGER_TYPES = frozenset({TINY, SHORT, LONG, LONGLONG, INT24})
_TEXTLIKE = frozenset({VARCHAR, VAR_STRING, STRING, TINY_BLOB, MEDIUM_BLOB, LONG_BLOB, BLOB})

KINDS = ("integer", "decimal", "float", "year", "date", "datetime", "timestamp", "time", "text",
         "binary", "null")  # fmt: skip


def column_kind(type_code: int, charset: int) -> str:
    """The kind (module table) of a result column from its protocol type and character set."""
    if type_code in INTEGER_TYPES:
        return "integer"
    if type_code in (DECIMAL, NEWDECIMAL):
        return "decimal"
    if type_code in (FLOAT, DOUBLE):
        return "float"
    if type_code == YEAR:
        return "year"
    if type_code in (DATE, NEWDATE):
        return "date"
    if type_code == DATETIME:
        return "datetime"
    if type_code == TIMESTAMP:
        return "timestamp"
    if type_code == TIME:
        return "time"
    if type_code == NULL_TYPE:
        return "null"
    if type_code in (BIT, GEOMETRY):
        return "binary"
    if type_code in _TEXTLIKE:
        return "binary" if charset == BINARY_CHARSET else "text"
    return "text"  # JSON, ENUM, SET and anything newer: the server sends text


# -- value -> text of the kind (before the file format's escaping) -------------------------


def _as_is(value: Any) -> str:
    return value if isinstance(value, str) else value.decode("utf-8")


def _datetime_text(value: Any) -> str:
    return _as_is(value).replace(" ", "T", 1)


def _timestamp_text(value: Any) -> str:
    return _as_is(value).replace(" ", "T", 1) + "Z"


def _binary_text(value: Any) -> str:
    data = value if isinstance(value, (bytes, bytearray)) else str(value).encode("utf-8")
    return base64.b64encode(data).decode("ascii")


_KIND_TEXT: dict[str, Callable[[Any], str]] = {
    "datetime": _datetime_text,
    "timestamp": _timestamp_text,
    "binary": _binary_text,
}

# -- file formats ----------------------------------------------------------------------------

FORMATS = ("tsv", "csv")
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_CSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\0": "\\0", "\n": "\\n", "\r": "\\r"})
#: kinds whose text never holds a character either format escapes (digits, signs, ISO dates,
#: base64): written without translate()
_PLAIN = frozenset(KINDS) - {"text"}


def field_encoder(kind: str, fmt: str) -> Callable[[Any], str]:
    """A function from a driver value (str or bytes, not None) of a column of `kind` to its
    field in format `fmt` (``tsv`` or ``csv``), escaped and (csv) enclosed."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    text = _KIND_TEXT.get(kind, _as_is)
    plain = kind in _PLAIN
    if fmt == "tsv":
        if plain:
            return text
        return lambda v: text(v).translate(_TSV_ESCAPES)
    if plain:
        return lambda v: f'"{text(v)}"'
    return lambda v: '"' + text(v).translate(_CSV_ESCAPES) + '"'


def row_encoder(kinds: Sequence[str], fmt: str) -> Callable[[Sequence[Any]], str]:
    """A function from a driver row (None for NULL) to its line in `fmt`, without the newline."""
    encoders = [field_encoder(k, fmt) for k in kinds]
    sep = "\t" if fmt == "tsv" else ","
    pairs = list(enumerate(encoders))

    def encode(row: Sequence[Any]) -> str:
        return sep.join(NULL if row[i] is None else enc(row[i]) for i, enc in pairs)

    return encode


# -- and back --------------------------------------------------------------------------------

_TSV_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def decode_tsv_field(field: str) -> str | None:
    """The value of one TSV field as :func:`field_encoder` wrote it: None for ``\\N``, else the
    text with ``\\\\ \\t \\n \\r`` undone (a backslash before any other character is kept)."""
    if field == NULL:
        return None
    if "\\" not in field:
        return field
    out: list[str] = []
    i, n = 0, len(field)
    while i < n:
        c = field[i]
        if c == "\\" and i + 1 < n and field[i + 1] in _TSV_UNESCAPES:
            out.append(_TSV_UNESCAPES[field[i + 1]])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def decode_tsv_line(line: str) -> list[str | None]:
    """The values of one TSV line (without its newline)."""
    return [decode_tsv_field(f) for f in line.split("\t")]


def to_parameter(text: str | None, kind: str) -> str | bytes | None:
    """A decoded field of a column of `kind` as the driver should bind it: NULL stays None,
    base64 becomes bytes, ISO 8601 datetimes lose their ``T`` (and ``Z``: the session time
    zone is '+00:00'); everything else is bound as text, which the server reads exactly.
    ValueError for a binary field that is not base64."""
    if text is None:
        return None
    if kind == "binary":
        try:
            return base64.b64decode(text.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError):
            raise ValueError(f"not base64: {text[:40]!r}") from None
    if kind == "timestamp":
        return text.removesuffix("Z").replace("T", " ", 1)
    if kind == "datetime":
        return text.replace("T", " ", 1)
    return text
