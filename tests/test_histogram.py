import math
from collections import Counter
from fractions import Fraction

import pytest

from mr.histogram import Histogram
from mr.lib.tsv import format_row
from tests.support import fixture, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "histogram"
ORDERS = fixture(STEM, "orders.tsv")


def numbers(path, col=2):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            try:
                out.append(Fraction(fields[col]))
            except (IndexError, ValueError):
                pass
    return out


def oracle_fixed(values, width, origin="0"):
    w, o = Fraction(width), Fraction(origin)
    bins = Counter(math.floor((v - o) / w) for v in values)
    return sorted(format_row(float(o + k * w), float(o + (k + 1) * w), n) for k, n in bins.items())


def test_empty(tmp_path, runner):
    path = write_lines(tmp_path / "empty.tsv", [])
    for args in (["--width", "10"], ["--edges", "0,1"]):
        assert run_job(Histogram, [path], args=["--value-col", "0", *args], runner=runner)[0] == []


@pytest.mark.parametrize("width,origin", [("10", "0"), ("0.1", "0.05"), ("25", "-7.5")])
def test_fixed_width_matches_oracle(runner, width, origin):
    args = ["--value-col", "2", "--width", width, "--origin", origin]
    rows, counters = run_job(Histogram, [ORDERS], args=args, runner=runner)
    assert rows == oracle_fixed(numbers(ORDERS), width, origin)
    assert counters[STEM] == {
        "bad_numbers": 1,
        "null_values": 1,
        "empty_lines": 1,
        "too_few_fields": 1,
    }


def test_fixture_bins(runner):
    rows, _ = run_job(
        Histogram, [ORDERS], args=["--value-col", "2", "--width", "10"], runner=runner
    )
    assert "-10.000000\t0.000000\t2" in rows  # -5 and -10: lower bounds are closed
    assert "40.000000\t50.000000\t3" in rows  # 40, 42.50, 49.999
    assert "50.000000\t60.000000\t2" in rows  # 50 is in [50, 60), not [40, 50)


def test_explicit_edges_count_out_of_range(runner):
    args = ["--value-col", "2", "--edges", "0,10,50,100"]
    rows, counters = run_job(Histogram, [ORDERS], args=args, runner=runner)
    assert rows == sorted(
        ["0.000000\t10.000000\t3", "10.000000\t50.000000\t5", "50.000000\t100.000000\t2"]
    )
    # below: -5, -10; above: 129 and 1e2 (= the last edge: bins are half-open)
    assert counters[STEM]["below_range"] == 2
    assert counters[STEM]["above_range"] == 2


def test_decimal_arithmetic_not_binary_floats(tmp_path, runner):
    path = write_lines(tmp_path / "in.tsv", ["0.3", "0.7", "-0.1", "nan", "inf", "\\N"])
    rows, counters = run_job(
        Histogram, [path], args=["--value-col", "0", "--width", "0.1"], runner=runner
    )
    assert rows == sorted(
        ["0.300000\t0.400000\t1", "0.700000\t0.800000\t1", "-0.100000\t0.000000\t1"]
    )
    assert counters[STEM] == {"bad_numbers": 2, "null_values": 1}


def test_mysql_csv(tmp_path, runner):
    path = write_lines(tmp_path / "in.csv", ['1,"5.5"', "2,\\N", '3,"x,y"', "4,15"])
    rows, counters = run_job(
        Histogram,
        [path],
        args=["--format", "csv", "--value-col", "1", "--width", "10"],
        runner=runner,
    )
    assert rows == sorted(["0.000000\t10.000000\t1", "10.000000\t20.000000\t1"])
    assert counters[STEM] == {"bad_numbers": 1, "null_values": 1}


@pytest.mark.parametrize(
    "args,message",
    [
        (["--width", "10"], "--value-col is required"),
        (["--value-col", "-2", "--width", "10"], "start at 0"),
        (["--value-col", "2"], "exactly one of --width and --edges"),
        (["--value-col", "2", "--width", "10", "--edges", "0,1"], "exactly one"),
        (["--value-col", "2", "--width", "0"], "expected a number > 0"),
        (["--value-col", "2", "--width", "ten"], "expected a number > 0"),
        (["--value-col", "2", "--width", "10", "--origin", "x"], "--origin"),
        (["--value-col", "2", "--edges", "0,1", "--origin", "3"], "--origin goes with --width"),
        (["--value-col", "2", "--edges", "10,5"], "strictly increasing"),
        (["--value-col", "2", "--edges", "10"], "at least two"),
    ],
)
def test_bad_options_exit_2(args, message):
    assert message in usage_error(STEM, *args, ORDERS)
