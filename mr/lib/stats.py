"""Pure statistics and sampling helpers shared by the summary jobs (and their tests).

Definitions, the same in every job and twin:
- median of a sorted list: the middle value for an odd count, the mean of the two middle values
  for an even count;
- standard deviation: the population one, sqrt(sum((x - mean)^2) / n) (Hive's stddev_pop);
- sample hash: the lowercase hex MD5 of the UTF-8 text ``<seed><TAB><record>``; its first 13 hex
  digits (52 bits, exact in a double) over 2^52 give a uniform number in [0, 1).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

#: 2^52: the first 13 hex digits of an MD5 are an integer below this, exact in a double
UNIT_SCALE = 1 << 52


def median_sorted(values: Sequence[float]) -> float | None:
    """Median of an ascending sequence (mean of the two middle values when even); None if empty."""
    n = len(values)
    if n == 0:
        return None
    mid = n // 2
    if n % 2:
        return float(values[mid])
    return (values[mid - 1] + values[mid]) / 2.0


def mean_stddev(values: Sequence[float]) -> tuple[float, float] | None:
    """(mean, population standard deviation) of values, two-pass with fsum; None if empty."""
    n = len(values)
    if n == 0:
        return None
    mean = math.fsum(values) / n
    return mean, math.sqrt(math.fsum((x - mean) ** 2 for x in values) / n)


def merge_histograms(histograms: Iterable[Iterable[Sequence[int]]]) -> dict[int, int]:
    """Sum histograms given as [[value, count], ...] lists into {value: count}."""
    merged: dict[int, int] = {}
    for histogram in histograms:
        for value, count in histogram:
            merged[value] = merged.get(value, 0) + count
    return merged


def histogram_stats(histogram: dict[int, int]) -> dict[str, float | int] | None:
    """count, mean, median and population stddev of integers given as {value: count}.

    Sums are exact integers, so the mean and variance are exact before the final division and
    square root; None for an empty histogram.
    """
    n = sum(histogram.values())
    if n == 0:
        return None
    total = sum(v * c for v, c in histogram.items())
    squares = sum(v * v * c for v, c in histogram.items())
    variance = (n * squares - total * total) / (n * n)
    return {
        "count": n,
        "mean": total / n,
        "median": _histogram_median(histogram, n),
        "stddev": math.sqrt(variance),
    }


def _histogram_median(histogram: dict[int, int], n: int) -> float:
    # 0-based ranks of the middle value(s): equal when n is odd
    lo_rank, hi_rank = (n - 1) // 2, n // 2
    lo: int | None = None
    hi: int | None = None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if lo is None and seen > lo_rank:
            lo = value
        if seen > hi_rank:
            hi = value
            break
    assert lo is not None and hi is not None  # n > 0 values were counted
    return (lo + hi) / 2.0


def sample_hash(seed: int, record: str) -> str:
    """Hex MD5 of ``<seed><TAB><record>``: the order key of a record in a seeded sample."""
    return hashlib.md5(f"{seed}\t{record}".encode()).hexdigest()


def unit_interval(digest: str) -> float:
    """A number in [0, 1) from a hex digest's first 13 digits (exact, like Hive's conv())."""
    return int(digest[:13], 16) / UNIT_SCALE


def parse_decimal(text: str) -> Decimal | None:
    """A finite Decimal from option or field text, or None."""
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        return None
    return value if value.is_finite() else None


def parse_columns(text: str) -> list[int]:
    """0-based column indexes from ``0,2,5``; ValueError on a bad, negative or repeated one."""
    parts = [p.strip() for p in text.split(",")]
    if not parts or any(not p for p in parts):
        raise ValueError(f"bad column list {text!r}: expected indexes like 0,2")
    try:
        cols = [int(p) for p in parts]
    except ValueError:
        raise ValueError(f"bad column list {text!r}: expected indexes like 0,2") from None
    if any(c < 0 for c in cols):
        raise ValueError(f"bad column list {text!r}: indexes start at 0")
    if len(set(cols)) != len(cols):
        raise ValueError(f"bad column list {text!r}: a column is repeated")
    return cols
