"""TSV rows that compare byte for byte across MapReduce, Hive and Pig.

Rules, the same in every engine:
- fields are joined by one TAB, rows end with one newline;
- NULL is written ``\\N`` (Hive's and MySQL's NULL), in any position;
- integers are written plainly; floats with six decimals, rounded half up from their shortest
  decimal form (what Java's ``String.format("%.6f")`` does, so Hive's ``printf`` and Pig's
  ``SPRINTF`` agree with Python), for any finite double (1.7e308 has 309 digits), with the sign
  of a negative value that rounds to zero (``-0.000000``, as Java) but none on a zero;
- backslash, TAB, newline and carriage return inside text fields are escaped as ``\\\\``,
  ``\\t``, ``\\n``, ``\\r``; :func:`parse_field` reads a field back (``mrkit export mysql``):
  ``\\N`` alone is NULL, those four escapes are undone, and a backslash before anything else
  is kept as it is (text that some other tool wrote unescaped).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

#: NULL as written and read in every TSV file and MySQL export (Hive's and MySQL's NULL)
NULL = "\\N"
FLOAT_DECIMALS = 6
_QUANTUM = Decimal(1).scaleb(-FLOAT_DECIMALS)
#: quantizing to six decimals needs every integer digit too: the largest double has 309, and a
#: shorter context (the default has 28) raises InvalidOperation for 1e22 and up
_FORMAT_CONTEXT = Context(prec=309 + FLOAT_DECIMALS + 1, rounding=ROUND_HALF_UP)
#: the str.translate() table of the text escapes (escape_field, format_field)
ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def format_float(x: float) -> str:
    """Six decimals, half up from the shortest repr (Java's %.6f), for any finite double
    (``1.7e308`` has 309 integer digits); NULL for inf and nan."""
    if not math.isfinite(x):
        return NULL
    text = format(Decimal(repr(float(x))).quantize(_QUANTUM, context=_FORMAT_CONTEXT), "f")
    # Java keeps the sign of a negative value that rounds to zero (-1e-7 -> -0.000000); a zero
    # is written unsigned, as the engines' sums, which start at +0.0, give it
    return "0." + "0" * FLOAT_DECIMALS if x == 0 else text


def escape_field(text: str) -> str:
    """Text as a TSV field: backslash, TAB, newline and CR escaped (``\\\\ \\t \\n \\r``)."""
    return text.translate(ESCAPES)


def format_field(value: Any) -> str:
    """One TSV field: NULL, bool, int, float or escaped text."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    return str(value).translate(ESCAPES)


def parse_field(text: str) -> str | None:
    """A field as format_field wrote it, read back: None for NULL, the text unescaped."""
    if text == NULL:
        return None
    if "\\" not in text:
        return text
    return _ESCAPED.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(0)), text)


def flatten(value: Any) -> list[Any]:
    """A key or value as a list of fields (tuples and lists spread out, None dropped as a key)."""
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def format_row(*fields: Any) -> str:
    """Join fields into one TSV line (no newline)."""
    return "\t".join(format_field(f) for f in fields)


def split_row(line: str) -> list[str]:
    """The fields of one TSV line, without its trailing newline."""
    return line.rstrip("\r\n").split("\t")


class TSVOutputProtocol:
    """mrjob output protocol: key fields then value fields, TAB-separated.

    A ``None`` key is left out, so map-only jobs can yield ``(None, row)``.
    """

    def write(self, key: Any, value: Any) -> bytes:
        fields = ([] if key is None else flatten(key)) + flatten(value)
        return format_row(*fields).encode("utf-8")

    def read(self, line: bytes) -> tuple[str, list[str]]:
        fields = split_row(line.decode("utf-8"))
        return fields[0], fields[1:]
