"""Splits of a MySQL import (``mrkit import mysql``): which rows each map task reads.

An import reads a table (or a query) in ranges of one integer column, the split column (the
primary key unless ``--split-by`` names another), one range per map task, as Sqoop does. The
launcher asks the server once for ``MIN(col), MAX(col), COUNT(col), COUNT(*)`` (with the
import's filters) and cuts ``[MIN, MAX]`` into ``-m N`` ranges by this rule. (The counts cost a
scan of the table, a third of an export's time. When the import reads a whole table and the
split column is NOT NULL, there are no NULL keys and both counts are the server's estimate of
the table's rows instead, ``information_schema.TABLES.TABLE_ROWS``, which InnoDB keeps from
sampled pages and which may be off by tens of percent: it only chooses between the two ways of
cutting below, never which rows are read, and the factor of two in the density test absorbs
that much.)

- dense keys (at least half the integers in ``[MIN, MAX]`` are present: ``COUNT(col) * 2 >=
  MAX - MIN + 1``): ranges of equal width, as Sqoop's IntegerSplitter. No range can then hold
  more than twice the average number of rows, however the keys are skewed inside the range;
- sparse or gapped keys (ids 1..1000 and then 10**9): equal widths would leave most tasks
  empty, so the boundaries are the keys at ranks ``COUNT * i / N`` instead (quantiles, read with
  ``ORDER BY col LIMIT 1 OFFSET rank``: N - 1 index reads); every task gets about the same
  number of rows. A key repeated across a boundary stays in one range, so equal boundaries
  merge and there can be fewer ranges than N;
- never more ranges than distinct possible keys (``MAX - MIN + 1``), and one range for
  ``-m 1`` (no predicate at all: every row, NULL keys included);
- rows whose split key is NULL are in no range: when the counts show any, one more split
  reads ``WHERE col IS NULL``.

Ranges are half-open, ``lo <= col < hi``; the last one is closed, ``lo <= col <= MAX``. The
bounds and the NULL split are decided when the import starts: rows added later are read by the
next (incremental) import.

A split travels to its map task as one line of JSON, a *split descriptor*
(:func:`descriptor_line`), in the small input file the import job reads, one line per map task.
"""

from __future__ import annotations

import json
from typing import NamedTuple

#: the kinds of split: a key range, the rows whose key is NULL, or every row (-m 1)
RANGE, NULLS, ALL = "range", "null", "all"


class Split(NamedTuple):
    """One map task's share of an import: ``lo <= col < hi`` (``<= hi`` if ``last``)."""

    number: int
    kind: str
    lo: int | None = None
    hi: int | None = None
    last: bool = False


class KeyStats(NamedTuple):
    """What the launcher reads about the split column before planning (one query)."""

    min: int | None
    max: int | None
    keys: int  # rows whose key is not NULL
    rows: int  # all rows


def is_dense(stats: KeyStats) -> bool:
    """Whether equal-width ranges balance the tasks within a factor of two (module docstring)."""
    if stats.min is None or stats.max is None:
        return True
    return stats.keys * 2 >= stats.max - stats.min + 1


def even_boundaries(lo: int, hi: int, n: int) -> list[int]:
    """n + 1 increasing boundaries cutting [lo, hi] into n ranges of (nearly) equal width; fewer
    when the range holds fewer than n integers."""
    n = max(1, min(n, hi - lo + 1))
    width = hi - lo + 1
    # integer arithmetic: exact for any BIGINT (floats lose precision above 2**53)
    return [lo + (width * i) // n for i in range(n)] + [hi]


def quantile_ranks(count: int, n: int) -> list[int]:
    """The 0-based ranks (OFFSETs) of the n - 1 inner boundaries for `count` keys."""
    return [count * i // n for i in range(1, n)] if count else []


def ranges_from_boundaries(lo: int, inner: list[int], hi: int) -> list[tuple[int, int]]:
    """Half-open ranges [a, b) from lo through the inner boundaries to hi (the last one closed):
    repeated or out-of-order boundaries are dropped, so no range is empty by construction."""
    points = [lo]
    for b in inner:
        if points[-1] < b <= hi:
            points.append(b)
    if len(points) == 1 or points[-1] != hi:
        points.append(hi)
    return [(points[i], points[i + 1]) for i in range(len(points) - 1)]


def plan_splits(stats: KeyStats, tasks: int, quantiles: list[int] | None = None) -> list[Split]:
    """The splits of an import by the module's rule.

    `quantiles` are the keys at :func:`quantile_ranks` (sparse keys only; see
    :func:`needs_quantiles`); without them the ranges have equal widths.
    """
    if tasks < 1:
        raise ValueError(f"the number of map tasks must be at least 1, not {tasks}")
    if tasks == 1:
        return [Split(0, ALL)]
    splits: list[Split] = []
    if stats.min is not None and stats.max is not None:
        if quantiles:
            pairs = ranges_from_boundaries(stats.min, quantiles, stats.max)
        else:
            bounds = even_boundaries(stats.min, stats.max, tasks)
            pairs = ranges_from_boundaries(bounds[0], bounds[1:-1], bounds[-1])
        for i, (a, b) in enumerate(pairs):
            splits.append(Split(i, RANGE, a, b, last=i == len(pairs) - 1))
    if stats.rows > stats.keys or not splits:
        # NULL keys; an empty table (no bounds) also gets this one split, which reads nothing
        splits.append(Split(len(splits), NULLS))
    return splits


def needs_quantiles(stats: KeyStats, tasks: int) -> bool:
    """Whether the boundaries must be read as quantiles (sparse keys, more than one task)."""
    return tasks > 1 and stats.keys > 0 and not is_dense(stats)


def descriptor_line(split: Split) -> str:
    """One split as the line of JSON its map task reads."""
    return json.dumps(split._asdict(), separators=(",", ":"), sort_keys=True)


def parse_descriptor(line: str) -> Split | None:
    """The split of a descriptor line, or None if the line is not one.

    Hadoop streaming hands an NLineInputFormat record to the mapper as ``offset<TAB>line``; the
    JSON holds no TAB, so the last TAB-separated field is the descriptor on every runner.
    """
    text = line.rsplit("\t", 1)[-1].strip()
    try:
        data = json.loads(text)
        split = Split(
            number=int(data["number"]),
            kind=str(data["kind"]),
            lo=_int_or_none(data.get("lo")),
            hi=_int_or_none(data.get("hi")),
            last=bool(data.get("last", False)),
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if split.kind not in (RANGE, NULLS, ALL):
        return None
    if split.kind == RANGE and (split.lo is None or split.hi is None or split.lo > split.hi):
        return None
    return split


def _int_or_none(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"not an integer: {value!r}")
    return value


def split_predicate(split: Split, quoted_column: str) -> tuple[str, list[int]]:
    """The WHERE predicate of a split over an already quoted column, and its parameters (the
    driver binds them: values are never formatted into the SQL)."""
    if split.kind == ALL:
        return "1 = 1", []
    if split.kind == NULLS:
        return f"{quoted_column} IS NULL", []
    assert split.lo is not None and split.hi is not None
    upper = "<=" if split.last else "<"
    return f"{quoted_column} >= %s AND {quoted_column} {upper} %s", [split.lo, split.hi]
