import math

import pytest

from mr.lib.stats import mean_stddev, median_sorted


@pytest.mark.parametrize(
    "values,mean,stddev",
    [
        ([1.7e308, 1.7e308], 1.7e308, 0.0),  # fsum raised "intermediate overflow"
        ([1.7e308, -1.7e308], 0.0, 1.7e308),  # x - mean overflowed to inf
        ([1e200, -1e200], 0.0, 1e200),  # (x - mean) ** 2 raised OverflowError
        ([1.7976931348623157e308] * 3, 1.7976931348623157e308, 0.0),
        ([1e22, 3e22], 2e22, 1e22),
        ([1.0, 2.0, 4.0], 7 / 3, math.sqrt(14 / 9)),
    ],
)
def test_mean_stddev_is_finite_for_finite_values(values, mean, stddev):
    got_mean, got_stddev = mean_stddev(values)
    assert got_mean == pytest.approx(mean, rel=1e-15)
    assert got_stddev == pytest.approx(stddev, rel=1e-15)


@pytest.mark.parametrize(
    "values,median",
    [
        ([1.7e308, 1.7e308], 1.7e308),  # (lo + hi) / 2 was inf
        ([-1.7e308, -1.7e308], -1.7e308),
        ([1.0, 2.0], 1.5),
        ([5e-324], 5e-324),
    ],
)
def test_median_is_finite_for_finite_values(values, median):
    assert median_sorted(values) == median
