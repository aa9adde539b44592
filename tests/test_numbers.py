"""Numeric input that must never crash a job: huge finite values, non-finite values and forms
only some engines read, in numeric_summary, top_n, histogram and total_order_sort.

Every job reads the same file; the oracles below are plain Python on the values listed here
(exact Fractions, not mr/lib), and the counters must say bad_numbers for every refused text.
"""

import math
from bisect import bisect_right
from collections import Counter
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest

from mr.histogram import Histogram
from mr.numeric_summary import NumericSummary
from mr.top_n import TopN
from mr.total_order_sort import TotalOrderSort
from tests.support import run_job, write_lines

# (key, text, value): texts every job reads as numbers
GOOD = [
    ("a", "1e22", 1e22),  # crashed format_float (decimal.InvalidOperation) before
    ("a", "1E+22", 1e22),
    ("a", "1e61", 1e61),
    ("a", "+7", 7.0),
    ("a", ".5", 0.5),
    ("a", "5.", 5.0),
    ("b", "1.7e308", 1.7e308),  # twice: fsum overflowed, (lo + hi) / 2 gave inf
    ("b", "1.7e308", 1.7e308),
    ("c", "1.7e308", 1.7e308),  # with -1.7e308: x - mean overflowed in the stddev
    ("c", "-1.7e308", -1.7e308),
    ("d", "5e-324", 5e-324),
    ("d", "-12.25", -12.25),
    ("e", "1e200", 1e200),  # (1e200 - mean) ** 2 raised OverflowError
    ("e", "-1e200", -1e200),
]
# (key, text): texts every job counts as bad_numbers and skips
BAD = [
    ("a", "nan"),
    ("a", "inf"),
    ("b", "-inf"),
    ("b", "Infinity"),
    ("c", "1e309"),  # parse_decimal took it for a finite Decimal before
    ("c", "-1e309"),
    ("d", "1_000"),  # Python's float() reads underscores
    ("d", "\uff11\uff12"),  # and full-width digits
    ("e", " 12 "),  # and surrounding spaces
    ("e", "0x10"),
    ("x", "1.5d"),  # Java's Double.parseDouble reads a d or f suffix
    ("x", "2f"),
]
NULLS = [("a", "\\N"), ("x", "")]
COUNTERS = {"bad_numbers": len(BAD), "null_values": len(NULLS)}


@pytest.fixture
def mixed(tmp_path):
    rows = [(k, t) for k, t, _ in GOOD] + BAD + NULLS
    # interleave good and bad so no job sees them in a convenient order
    rows = rows[::2] + rows[1::2]
    return write_lines(tmp_path / "mixed.tsv", [f"{k}\t{t}" for k, t in rows])


def values_by_key():
    out = {}
    for key, _, value in GOOD:
        out.setdefault(key, []).append(value)
    return out


def java_f6(x):
    """Java's %.6f of a finite double: half up from its shortest decimal form."""
    with localcontext() as ctx:
        ctx.prec = 400
        text = f"{Decimal(repr(x)).quantize(Decimal('0.000001'), rounding='ROUND_HALF_UP'):f}"
    return "0.000000" if x == 0 else text  # the sign of -1e-7 stays, as in Java


def test_numeric_summary(mixed):
    rows, counters = run_job(NumericSummary, [mixed], args=["--key-col", "0", "--value-col", "1"])
    assert counters["numeric_summary"] == COUNTERS
    got = {r.split("\t")[0]: r.split("\t")[1:] for r in rows}
    assert sorted(got) == ["a", "b", "c", "d", "e"]
    for key, values in values_by_key().items():
        exact = [Fraction(v) for v in values]
        n = len(exact)
        mean = sum(exact) / n
        variance = sum((v - mean) ** 2 for v in exact) / n
        ordered = sorted(exact)
        median = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2
        lo, hi, count, *stats = got[key]
        assert (lo, hi, count) == (java_f6(min(values)), java_f6(max(values)), str(n))
        with localcontext() as ctx:
            ctx.prec = 60
            stddev = float((Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt())
        for text, want in zip(stats, (float(mean), stddev, float(median)), strict=True):
            assert math.isfinite(float(text)), (key, text)
            assert math.isclose(float(text), want, rel_tol=1e-12, abs_tol=1e-6), (key, text, want)


def test_top_n(mixed):
    rows, counters = run_job(TopN, [mixed], args=["--value-col", "1", "-n", "100"])
    assert counters["top_n"] == COUNTERS
    ranked = sorted(GOOD, key=lambda g: (-g[2], f"{g[0]}\t{g[1]}"))
    want = [f"{i}\t{java_f6(v)}\t{k}\t{t}" for i, (k, t, v) in enumerate(ranked, start=1)]
    assert rows == sorted(want)  # run_job sorts the rows
    assert f"1\t17{'0' * 307}.000000\tb\t1.7e308" in rows


def exact(text):
    return Fraction(Decimal(text))


@pytest.mark.parametrize("width", ["10", "0.25", "1e-300", "1e300"])
def test_histogram_width(mixed, width):
    rows, counters = run_job(Histogram, [mixed], args=["--value-col", "1", "--width", width])
    assert counters["histogram"] == COUNTERS
    w = exact(width)
    bins = Counter(math.floor(exact(t) / w) for _, t, _ in GOOD)
    want = [f"{java_f6(float(k * w))}\t{java_f6(float((k + 1) * w))}\t{n}" for k, n in bins.items()]
    assert sorted(rows) == sorted(want)


def test_histogram_edges(mixed):
    edges = "-1e308, -1, 0, 1e22, 1e61, 1.7e308"
    rows, counters = run_job(Histogram, [mixed], args=["--value-col", "1", "--edges", edges])
    cuts = [exact(e.strip()) for e in edges.split(",")]
    where = Counter(bisect_right(cuts, exact(t)) - 1 for _, t, _ in GOOD)
    below, above = where.pop(-1, 0), where.pop(len(cuts) - 1, 0)
    assert counters["histogram"] == {**COUNTERS, "below_range": below, "above_range": above}
    bounds = [java_f6(float(c)) for c in cuts]
    want = [f"{bounds[i]}\t{bounds[i + 1]}\t{n}" for i, n in where.items()]
    assert sorted(rows) == sorted(want)
    assert below == 1 and above == 3  # -1.7e308; 1.7e308 three times


def test_total_order_sort_numeric(mixed, tmp_path):
    # the key in column 1; a blank key with --numeric counts as null_keys
    out = tmp_path / "out"
    args = ["--numeric", "--key-col", "1", "--partitions", "3", "--sample-rate", "1"]
    _, counters = run_job(TotalOrderSort, [mixed], args=args, extra=["--output-dir", str(out)])
    assert counters["total_order_sort"] == {"bad_numbers": len(BAD), "null_keys": len(NULLS)}
    parts = sorted(p for p in out.iterdir() if p.name.startswith("part-"))
    rows = [line for p in parts for line in p.read_text(encoding="utf-8").split("\n")[:-1]]
    want = [f"{k}\t{t}" for k, t, _ in sorted(GOOD, key=lambda g: (g[2], [g[0], g[1]]))]
    assert rows == want
