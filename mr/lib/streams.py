"""Stream filters that lend mr/lib's parsing to the Hive and Pig twins.

Hive's ``TRANSFORM(...) USING`` and Pig's ``STREAM ... THROUGH`` pipe rows through a command as
TAB-separated lines and read TAB-separated lines back. Where HiveQL or Pig Latin cannot say
exactly what mr/lib says (Unicode word rules, MySQL CSV quoting, access log lines, ISO-8601
times), the twins call these filters, so all engines parse alike:

    python -m mr.lib.streams tokenize --tokenizer regex [--keyed] [--lengths]
        line -> one word per line (``--keyed``: ``key<TAB>line`` -> ``key<TAB>word``;
        ``--lengths``: ``word<TAB>length`` in code points, as mr/word_stats.py counts)
    python -m mr.lib.streams records --format csv [--cols 1,2] [--epoch COL] [--number COL]
        record -> its fields (or ``--cols``, in that order) as TSV (NULL as \\N); malformed and
        empty lines, and those without the columns asked for, are dropped;
        ``--epoch COL`` replaces a time column by epoch seconds (NULL if unparseable),
        ``--number COL`` appends the column's value as a float (repr; NULL if not a number),
        ``--width N`` drops records of another width, ``--key-col K`` writes ``key\x01row``
        (the key field, then the whole TSV row as one column; ``--key-type number``: the key
        as a float, NULL if not a number; with ``--number`` that value follows as ``\x01num``)
    python -m mr.lib.streams bins --col V --width W [--origin O]
        record -> lo<TAB>hi of its fixed-width bin, in the exact decimal arithmetic of
        mr/lib/bins.py that mr/histogram.py uses (NULL and unparseable values dropped)
    python -m mr.lib.streams access-log
        log line -> path<TAB>status<TAB>hour<TAB>bytes<TAB>is_error (path NULL for a bad request)
    python -m mr.lib.streams matches
        ``line<TAB>pattern<TAB>group[<TAB>ignore_case]`` -> one line per non-empty match (or
        capture group ``group``) of the Python regex (``re.finditer``, as mr/grep.py);
        ignore_case is ``true`` or ``false`` (default false: case matters); rows with fewer
        than three columns are dropped. The pattern rides along as a column because a command
        line cannot carry arbitrary text through Hive's and Pig's argument splitting

Lines that are not UTF-8 are dropped, as the MR jobs count and skip them.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator

from mr.lib.access_log import parse_access_log
from mr.lib.bins import fixed_bin, fixed_bounds
from mr.lib.records import RECORD_FORMATS, BadLine, CutRecords, parse_number, record_fields
from mr.lib.stats import parse_columns, parse_decimal
from mr.lib.text import TOKENIZERS, tokenizer
from mr.lib.timestamps import parse_timestamp
from mr.lib.tsv import NULL, format_field, format_row


def _texts(lines: Iterable[bytes]) -> Iterator[str]:
    for line in lines:
        try:
            yield line.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            continue


def tokenize_lines(
    lines: Iterable[bytes], name: str, keyed: bool = False, lengths: bool = False
) -> Iterator[str]:
    """One output line per word (``key<TAB>word`` when keyed)."""
    words = tokenizer(name)
    for text in _texts(lines):
        key, sep, rest = text.partition("\t") if keyed else ("", "", text)
        if keyed and not sep:
            continue
        prefix = key + "\t" if keyed else ""
        for word in words(rest):
            yield prefix + word + (f"\t{len(word)}" if lengths else "")


def record_lines(
    lines: Iterable[bytes],
    fmt: str,
    epoch: int | None = None,
    number: int | None = None,
    cols: list[int] | None = None,
    width: int | None = None,
    key_col: int | None = None,
    key_type: str = "text",
) -> Iterator[str]:
    """Records as TSV rows with NULL as \\N; see the module docstring."""
    needed = max([*(cols or []), epoch or 0, number or 0, key_col or 0]) + 1
    cut = CutRecords(fmt)  # a filter reads one split's lines in order, as a map task does
    for line in lines:
        fields = record_fields(line, fmt, needed, cut)
        if isinstance(fields, BadLine) or width and len(fields) != width:
            continue
        shown: list[str | int | None] = list(fields)
        if epoch is not None and epoch < len(fields):
            shown[epoch] = parse_timestamp(fields[epoch])
        row = format_row(*(shown if cols is None else [shown[c] for c in cols]))
        sep = "\t" if key_col is None else "\x01"
        if number is not None:
            row += sep + _number_field(fields[number])
        if key_col is not None:
            key = fields[key_col]
            key_text = _number_field(key) if key_type == "number" else format_field(key)
            row = key_text + "\x01" + row
        yield row


def _number_field(text: str | None) -> str:
    value = parse_number(text)
    return NULL if value is None else repr(value)


def bin_lines(lines: Iterable[bytes], fmt: str, col: int, width: str, origin: str) -> Iterator[str]:
    """lo<TAB>hi (floats) of each record's fixed-width bin, as mr/histogram.py bins it."""
    w, o = parse_decimal(width), parse_decimal(origin)
    if w is None or w <= 0 or float(w) == 0 or o is None:
        raise SystemExit(f"bins: bad --width {width!r} or --origin {origin!r}")
    cut = CutRecords(fmt)
    for line in lines:
        fields = record_fields(line, fmt, col + 1, cut)
        field = None if isinstance(fields, BadLine) else fields[col]
        if field is None:
            continue
        value = parse_decimal(field)
        if value is None:
            continue
        lo, hi = fixed_bounds(fixed_bin(value, o, w), o, w)
        yield f"{float(lo)!r}\t{float(hi)!r}"


def access_log_lines(lines: Iterable[bytes]) -> Iterator[str]:
    """path, status, UTC hour, bytes and 0/1 error flag of each parseable access log line."""
    for text in _texts(lines):
        if not text.strip():
            continue
        record = parse_access_log(text)
        if record is None:
            continue
        yield "\t".join(
            (
                format_field(record.path),
                str(record.status),
                record.hour_utc,
                str(record.bytes),
                str(int(record.is_error)),
            )
        )


def match_lines(lines: Iterable[bytes]) -> Iterator[str]:
    """Every non-empty match (or captured group) of each row's pattern in its line."""
    compiled: dict[tuple[str, bool], re.Pattern[str]] = {}
    for text in _texts(lines):
        parts = text.rsplit("\t", 3)
        if len(parts) == 4:
            line, pattern, group, ignore_case = parts
        elif len(parts) == 3:
            (line, pattern, group), ignore_case = parts, "false"
        else:
            continue
        key = (pattern, ignore_case.lower() == "true")
        if key not in compiled:
            compiled[key] = re.compile(pattern, re.IGNORECASE if key[1] else 0)
        for m in compiled[key].finditer(line):
            found = m.group(int(group))
            if found:
                yield format_field(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mr.lib.streams", description=__doc__)
    sub = parser.add_subparsers(dest="filter", required=True)
    p = sub.add_parser("tokenize", help="one word per line")
    p.add_argument("--tokenizer", choices=TOKENIZERS, default="regex")
    p.add_argument("--keyed", action="store_true", help="input key<TAB>line, output key<TAB>word")
    p.add_argument("--lengths", action="store_true", help="add each word's length")
    p = sub.add_parser("records", help="records as TSV with NULL as \\N")
    p.add_argument("--format", choices=RECORD_FORMATS, default="tsv")
    p.add_argument("--epoch", type=int, help="0-based time column to turn into epoch seconds")
    p.add_argument("--number", type=int, help="0-based column to append as a float")
    p.add_argument("--cols", type=parse_columns, help="0-based columns to keep, e.g. 1,2")
    p.add_argument("--width", type=int, help="keep only records of this many fields")
    p.add_argument("--key-col", type=int, help="write key<SOH>row for a join on this column")
    p.add_argument("--key-type", choices=("text", "number"), default="text")
    p = sub.add_parser("bins", help="lo, hi of each record's fixed-width bin")
    p.add_argument("--format", choices=RECORD_FORMATS, default="tsv")
    p.add_argument("--col", type=int, required=True, help="0-based numeric column")
    p.add_argument("--width", required=True, help="bin width")
    p.add_argument("--origin", default="0", help="a bin starts here (default 0)")
    sub.add_parser("access-log", help="path, status, hour, bytes, is_error per log line")
    sub.add_parser(
        "matches", help="regex matches of line<TAB>pattern<TAB>group[<TAB>ignore_case] rows"
    )
    args = parser.parse_args(argv)

    lines = sys.stdin.buffer
    if args.filter == "tokenize":
        rows = tokenize_lines(lines, args.tokenizer, args.keyed, args.lengths)
    elif args.filter == "records":
        rows = record_lines(
            lines,
            args.format,
            args.epoch,
            args.number,
            args.cols,
            args.width,
            args.key_col,
            args.key_type,
        )
    elif args.filter == "bins":
        rows = bin_lines(lines, args.format, args.col, args.width, args.origin)
    elif args.filter == "matches":
        rows = match_lines(lines)
    else:
        rows = access_log_lines(lines)
    out = sys.stdout.buffer
    for row in rows:
        out.write(row.encode("utf-8") + b"\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
