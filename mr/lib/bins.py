"""Histogram bins in exact decimal arithmetic: fixed-width bins and explicit edges.

Fixed width ``W`` from origin ``O``: bin k holds ``O + k*W <= x < O + (k+1)*W`` for every integer
k (negative too). Explicit edges ``e0 < e1 < ... < en``: bin i holds ``e(i) <= x < e(i+1)``.
The arithmetic is done on Decimals parsed from the numbers' text, so 0.3 with width 0.1 falls in
[0.3, 0.4), where binary floats would put it in [0.2, 0.3). mr/histogram.py and the twins' stream
filter (``python -m mr.lib.streams bins``) both bin with these functions.
"""

from __future__ import annotations

from bisect import bisect_right
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, localcontext
from itertools import pairwise

from mr.lib.stats import parse_decimal

#: the least number of digits for the bin arithmetic (more when the operands need it)
PRECISION = 60


def _exact_context(*numbers: Decimal) -> Context:
    """A context with enough digits that sums, products and integer quotients of these numbers
    are exact: from the highest digit of any to the lowest, plus carries. A fixed precision
    raises DivisionImpossible once value/width has more digits than it (1e22 with width 1e-40,
    1.7e308 with width 1), and rounds value - origin when their exponents lie far apart."""
    finite = [x for x in numbers if x]
    high = max((x.adjusted() for x in finite), default=0)
    low = min((int(x.as_tuple().exponent) for x in finite), default=0)
    return Context(prec=max(PRECISION, high - low + 3), Emin=MIN_EMIN, Emax=MAX_EMAX)


def fixed_bin(value: Decimal, origin: Decimal, width: Decimal) -> int:
    """The integer k with origin + k*width <= value < origin + (k+1)*width."""
    with localcontext(_exact_context(value, origin, width)):
        q, r = divmod(value - origin, width)  # Decimal divmod truncates toward zero
        return int(q) - 1 if r < 0 else int(q)


def fixed_bounds(k: int, origin: Decimal, width: Decimal) -> tuple[Decimal, Decimal]:
    """(lo, hi) of fixed bin k."""
    with localcontext(_exact_context(origin, width)) as ctx:
        ctx.prec += len(str(abs(k)))
        lo = origin + k * width
        return lo, lo + width


def parse_edges(text: str) -> list[Decimal]:
    """Bin edges from ``0,10,100``; ValueError unless at least two, finite, strictly increasing."""
    parsed = [parse_decimal(p.strip()) for p in text.split(",")]
    edges = [e for e in parsed if e is not None]
    if len(edges) != len(parsed) or len(edges) < 2:
        raise ValueError(f"--edges {text!r}: expected at least two numbers like 0,10,100")
    if any(a >= b for a, b in pairwise(edges)):
        raise ValueError(f"--edges {text!r}: edges must be strictly increasing")
    return edges


def edge_bin(value: Decimal, edges: list[Decimal]) -> int:
    """The index i with edges[i] <= value < edges[i+1]; -1 below edges[0], len(edges) - 1 at or
    above the last edge."""
    return bisect_right(edges, value) - 1
