"""Record parsers: TSV and CSV as MySQL writes it, one record per line.

TSV (mrkit's, mr/lib/tsv.py): fields split on TAB; ``\\N`` is NULL (None); the escapes
``\\\\ \\t \\n \\r`` are undone (a backslash before any other character is kept), so
``O\\\\Brien`` is the text ``O\\Brien`` and a job writes it back as it came.

MySQL CSV, as ``SELECT ... INTO OUTFILE ... FIELDS TERMINATED BY ',' ENCLOSED BY '"'`` writes it
(with the default ``ESCAPED BY '\\\\'``), read as ``LOAD DATA`` reads it back:
    ``1,"O'Brien, Pat","say \\"hi\\"",\\N``  ->  ``['1', "O'Brien, Pat", 'say "hi"', None]``
- fields are separated by commas; a field that starts with ``"`` is enclosed, and its closing
  ``"`` is the first one followed by a comma or the end of the line (another ``"`` is text);
- inside an enclosed field ``""`` is one quote; in a field that is not enclosed a quote is text;
- the escape character ``\\`` before ``0 b n r t Z`` gives NUL, backspace, newline, CR, TAB and
  ASCII 26; before any other character (``\\``, ``"``, ``,`` ...) it is dropped and that
  character is taken as it is (``a\\,b`` is ``a,b``, enclosed or not);
- a field that is ``\\N`` alone is NULL, enclosed or not (MySQL writes NULL as ``\\N``), and so is
  the word ``NULL`` not enclosed; ``"NULL"`` and ``"N"`` are text;
- a UTF-8 byte order mark at the start of a line (the first line of a file some tools write) is
  not data;
- a line whose enclosed field does not close, or that ends with the escape character, is
  malformed (None): the record goes on past the line end (a newline in a field is written as
  ``\\`` and a line break), and it cannot be read line by line, so it is counted; the lines that
  carry it on are malformed too (:class:`CutRecords`), not records of their own. (The first line
  of a split cannot be told from a record's continuation: Hadoop's LineRecordReader cuts there.)

Access logs (``--format access-log``): a line of Apache's common or combined log format
(mr/lib/access_log.py) as the fields ``ACCESS_LOG_FIELDS`` in that order, the time as ISO-8601
UTC (``2026-01-05T00:00:03Z``) and absent values (``-``) as NULL; a line that is not an access
log line is malformed. So any record job reads logs: ``sessionize --format access-log
--user-col 0 --time-col 3`` makes sessions of each client host.

Input lines as bytes: :func:`record_fields` decodes a line and parses it, or says with
:class:`BadLine` which counter a job increments for it (bad_utf8, empty_lines, malformed,
too_few_fields). Every job and helper that reads records by the line goes through it.
"""

from __future__ import annotations

import math
import re
from datetime import timezone
from typing import NamedTuple

from mr.lib.access_log import parse_access_log
from mr.lib.tsv import parse_field

UTC = timezone.utc  # noqa: UP017 (3.10)
RECORD_FORMATS = ("tsv", "csv", "access-log")
#: the fields of an access log line read as a record, by position (--format access-log)
ACCESS_LOG_FIELDS = ("host", "ident", "user", "time", "method", "path", "target", "protocol",
                     "status", "bytes", "referer", "user_agent")  # fmt: skip

#: counter names for input lines that yield no record, in the order they are checked
BAD_UTF8 = "bad_utf8"
EMPTY_LINES = "empty_lines"
MALFORMED = "malformed"
TOO_FEW_FIELDS = "too_few_fields"

#: MySQL's escape sequences; the escape character before any other character is dropped
_CSV_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}
#: a UTF-8 byte order mark (U+FEFF), which some tools write at the start of a CSV file
BOM = "\ufeff"


def parse_tsv(line: str) -> list[str | None]:
    """TSV fields of one line (no line ending), read as mr.lib.tsv writes them: ``\\N`` is
    None, ``\\\\ \\t \\n \\r`` are a backslash, TAB, newline and CR, and a backslash
    before anything else is kept. So a job's output read by the next job gives the same text,
    and a field it copies (join) is written back as it came, not escaped twice."""
    return [parse_field(f) for f in line.split("\t")]


def parse_mysql_csv(line: str) -> list[str | None] | None:
    """Fields of one MySQL INTO OUTFILE CSV line (NULL as None), or None if the line is malformed.

    Read as MySQL's LOAD DATA reads ``FIELDS TERMINATED BY ',' ENCLOSED BY '"' ESCAPED BY
    '\\\\'`` (the rules are in the module docstring)."""
    if line.startswith(BOM):
        line = line[1:]
    fields: list[str | None] = []
    i, n = 0, len(line)
    while True:
        enclosed = i < n and line[i] == '"'
        if enclosed:
            i += 1
        buf: list[str] = []
        escaped_n = False  # the field holds an escaped N (with nothing else: NULL)
        while True:
            if i >= n:
                if enclosed:
                    return None  # no closing quote: the record goes on past this line
                break
            c = line[i]
            if c == "\\":
                if i + 1 >= n:
                    return None  # an escaped line ending: the record goes on past this line
                nxt = line[i + 1]
                escaped_n = escaped_n or nxt == "N"
                buf.append(_CSV_ESCAPES.get(nxt, nxt))
                i += 2
            elif c == '"' and enclosed:
                after = line[i + 1 : i + 2]
                if after == '"':  # a doubled quote is one quote
                    buf.append('"')
                    i += 2
                elif after in ("", ","):  # a quote ends the field only before , or the line end
                    i += 1
                    break
                else:
                    buf.append('"')
                    i += 1
            elif c == "," and not enclosed:
                break
            else:
                buf.append(c)
                i += 1
        text = "".join(buf)
        if escaped_n and text == "N" or not enclosed and text == "NULL":
            fields.append(None)
        else:
            fields.append(text)
        if i >= n:
            return fields
        i += 1  # the comma
        if i == n:
            fields.append("")
            return fields


def access_log_fields(line: str) -> list[str | None] | None:
    """The ACCESS_LOG_FIELDS of an access log line; None if it is not one."""
    r = parse_access_log(line)
    if r is None:
        return None
    when = r.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [r.host, r.ident, r.user, when, r.method, r.path, r.target, r.protocol,
            str(r.status), str(r.bytes), r.referer, r.user_agent]  # fmt: skip


def parse_record(line: str, fmt: str) -> list[str | None] | None:
    """Fields of a line in format 'tsv', 'csv' or 'access-log'; None if malformed."""
    if fmt == "tsv":
        return parse_tsv(line)
    if fmt == "csv":
        return parse_mysql_csv(line)
    if fmt == "access-log":
        return access_log_fields(line)
    raise ValueError(f"unknown record format {fmt!r}; choose one of {', '.join(RECORD_FORMATS)}")


#: the text of a number: the plain ASCII decimal forms that Python's float(), Java's
#: Double.parseDouble (so Hive's and Pig's casts), and MySQL all read alike
NUMBER_PATTERN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str | None) -> float | None:
    """A finite float from a field, or None (NULL, empty, or not a number by the rule below).

    The rule, the same in every job and twin (the twins read numbers through
    ``python -m mr.lib.streams``, which calls this): a number is the whole field, matching
    ``[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`` with ASCII digits 0-9, whose
    value is a finite double. So ``12``, ``-3.5``, ``+7``, ``.5``, ``5.``, ``1e22``,
    ``1.7E308`` and ``5e-324`` are numbers (a value below the smallest double reads as 0, as in
    Java and Python), and these are not (bad_numbers):
    - non-finite values: ``nan``, ``inf``, ``-inf``, ``Infinity``, and finite-looking text
      beyond the double range such as ``1e309`` or ``-1e309``;
    - forms only some engines read: ``1_000`` and Unicode digits such as ``１２`` (Python's
      float() only), hex ``0x10`` and a ``d``/``f`` suffix such as ``1.5d`` (Java only);
    - surrounding whitespace (`` 12 ``): Java trims characters up to U+0020, Python trims
      Unicode spaces; a number field holds the number and nothing else.
    mr.lib.stats.parse_decimal accepts exactly the same texts.
    """
    if text is None or NUMBER_PATTERN.fullmatch(text) is None:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


class BadLine(NamedTuple):
    """An input line that yields no record; ``counter`` names the counter that says why."""

    counter: str


def decode_line(line: bytes) -> str | BadLine:
    """The UTF-8 text of a line without its line ending, or BadLine(bad_utf8)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return BadLine(BAD_UTF8)
    return text.rstrip("\r\n")


def text_line(line: bytes) -> str | BadLine:
    """The text of a line, or BadLine(bad_utf8) / BadLine(empty_lines) for a blank one."""
    text = decode_line(line)
    if isinstance(text, str) and not text.strip():
        return BadLine(EMPTY_LINES)
    return text


def ends_with_escape(line: bytes) -> bool:
    """Whether a MySQL CSV line ends with an unescaped escape character: its record goes on."""
    body = line.rstrip(b"\n").rstrip(b"\r")
    return (len(body) - len(body.rstrip(b"\\"))) % 2 == 1


class CutRecords:
    """Which lines carry on a CSV record that an earlier line began (a line break in a field).

    Feed it every line of one input split, in order; :meth:`continues` says whether a line
    belongs to the record of the lines before it. TSV records never span lines."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self._inside = False

    def continues(self, line: bytes) -> bool:
        if self.fmt != "csv":
            return False
        was_inside, self._inside = self._inside, ends_with_escape(line)
        return was_inside


def record_fields(
    line: bytes, fmt: str, min_fields: int = 1, cut: CutRecords | None = None
) -> list[str | None] | BadLine:
    """The fields of an input line in format 'tsv' or 'csv' (NULL as None), or BadLine naming
    why there are none: bad_utf8, empty_lines, malformed or too_few_fields (< min_fields).
    With `cut` (the tracker of the lines read before this one), a line that carries on an
    earlier line's record is malformed too."""
    if cut is not None and cut.continues(line):
        return BadLine(MALFORMED)
    text = text_line(line)
    if isinstance(text, BadLine):
        return text
    fields = parse_record(text, fmt)
    if fields is None:
        return BadLine(MALFORMED)
    if len(fields) < min_fields:
        return BadLine(TOO_FEW_FIELDS)
    return fields
