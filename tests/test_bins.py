from decimal import Decimal

import pytest

from mr.lib.bins import edge_bin, fixed_bin, fixed_bounds, parse_edges


@pytest.mark.parametrize(
    "value,k", [("0", 0), ("9.999", 0), ("10", 1), ("-0.001", -1), ("-10", -1), ("-10.5", -2)]
)
def test_fixed_bin(value, k):
    assert fixed_bin(Decimal(value), Decimal(0), Decimal(10)) == k


def test_fixed_bin_is_exact_in_decimal():
    # binary floats would put 0.3 / 0.1 just below 3
    assert fixed_bin(Decimal("0.3"), Decimal(0), Decimal("0.1")) == 3
    assert fixed_bin(Decimal("7"), Decimal("2.5"), Decimal("2")) == 2


@pytest.mark.parametrize("k,lo,hi", [(0, "0", "10"), (-2, "-20", "-10"), (3, "30", "40")])
def test_fixed_bounds(k, lo, hi):
    assert fixed_bounds(k, Decimal(0), Decimal(10)) == (Decimal(lo), Decimal(hi))


def test_a_value_lies_in_the_bounds_of_its_bin():
    origin, width = Decimal("-1.5"), Decimal("0.25")
    for text in ("-1.5", "-1.25", "0", "0.1", "3.99", "-7.3"):
        value = Decimal(text)
        lo, hi = fixed_bounds(fixed_bin(value, origin, width), origin, width)
        assert lo <= value < hi


def test_parse_edges():
    assert parse_edges("0, 10,1e2") == [Decimal(0), Decimal(10), Decimal(100)]
    for bad in ("5", "0,0", "10,0", "0,x", "0,nan", "0,,1"):
        with pytest.raises(ValueError):
            parse_edges(bad)


@pytest.mark.parametrize(
    "value,i", [("-1", -1), ("0", 0), ("9.99", 0), ("10", 1), ("99", 1), ("100", 2), ("1e9", 2)]
)
def test_edge_bin(value, i):
    assert edge_bin(Decimal(value), [Decimal(0), Decimal(10), Decimal(100)]) == i


@pytest.mark.parametrize(
    "value,origin,width",
    [
        ("1e22", "0", "1e-40"),  # a 63-digit quotient: past the old fixed 60 digits
        ("1e61", "0", "1e-10"),  # a 72-digit quotient raised DivisionImpossible
        ("1.7e308", "0", "10"),  # a 308-digit quotient
        ("-1.7e308", "0.5", "1e-300"),  # a 608-digit quotient, negative
        ("1.7e308", "5e-324", "3"),  # value - origin needs 632 digits to stay exact
        ("5e-324", "0", "1e300"),  # a tiny value in a huge bin
    ],
)
def test_huge_quotients_are_exact(value, origin, width):
    v, o, w = Decimal(value), Decimal(origin), Decimal(width)
    k = fixed_bin(v, o, w)
    lo, hi = fixed_bounds(k, o, w)
    assert lo <= v < hi
    assert hi - lo == w  # exact, not rounded to the context's precision


def test_edges_with_spaces_and_huge_values():
    assert parse_edges("-1.7e308, 0, 1e22") == [Decimal("-1.7e308"), 0, Decimal("1e22")]
    assert edge_bin(Decimal("1e21"), parse_edges("-1.7e308, 0, 1e22")) == 1
    with pytest.raises(ValueError):
        parse_edges("0,1e309")  # not finite as a double: not a number
