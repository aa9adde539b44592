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
from fractions import Fraction

from mr.lib.records import parse_number

#: 2^52: the first 13 hex digits of an MD5 are an integer below this, exact in a double
UNIT_SCALE = 1 << 52


def median_sorted(values: Sequence[float]) -> float | None:
    """Median of an ascending sequence (mean of the two middle values when even); None if empty.

    Never inf for finite values: when the two middle values' sum overflows (1.7e308 twice),
    they are halved before adding. (Hive's and Pig's twins add first and give Infinity.)
    """
    n = len(values)
    if n == 0:
        return None
    mid = n // 2
    if n % 2:
        return float(values[mid])
    lo, hi = values[mid - 1], values[mid]
    median = (lo + hi) / 2.0
    return median if math.isfinite(median) else lo / 2.0 + hi / 2.0


#: with values scaled by 2^-600 (|x| < 2^424), squared deviations stay below 2^850
_SCALE_EXP = 600


def mean_stddev(values: Sequence[float]) -> tuple[float, float] | None:
    """(mean, population standard deviation) of values, two-pass with fsum; None if empty.

    Finite for any finite values, never OverflowError: when a sum overflows a double (values
    near 1.7e308, or deviations whose squares pass it), the mean is taken exactly with Fractions
    and the deviations are summed scaled by 2^-600 (tiny values lose digits there, but that path
    only runs next to huge values, whose deviations dominate). (Hive's and Pig's twins sum in
    plain doubles and give Infinity there: the engines agree only below about 1e154.)
    """
    n = len(values)
    if n == 0:
        return None
    try:
        mean = math.fsum(values) / n
    except OverflowError:  # "intermediate overflow": the mean of finite values is finite
        mean = float(sum(map(Fraction, values)) / n)
    try:
        variance = math.fsum((x - mean) * (x - mean) for x in values) / n
    except OverflowError:
        variance = math.inf
    if math.isfinite(variance):
        return mean, math.sqrt(variance)
    scaled_mean = math.ldexp(mean, -_SCALE_EXP)
    deviations = (math.ldexp(x, -_SCALE_EXP) - scaled_mean for x in values)
    scaled_variance = math.fsum(d * d for d in deviations) / n
    return mean, math.ldexp(math.sqrt(scaled_variance), _SCALE_EXP)


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


def parse_decimal(text: str | None) -> Decimal | None:
    """The exact Decimal of a number's text, or None: accepts exactly the texts
    mr.lib.records.parse_number accepts (a strict ASCII decimal whose double is finite), so
    ``1e309``, ``nan`` or `` 12 `` are refused here as there."""
    if parse_number(text) is None:
        return None
    assert text is not None
    return Decimal(text)


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
