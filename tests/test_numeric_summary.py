import statistics
from collections import defaultdict

import pytest

from mr.lib.stats import mean_stddev, median_sorted
from mr.lib.tsv import format_row
from mr.numeric_summary import NumericSummary
from tests.support import BOTH_RUNNERS, fixture, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "numeric_summary"
COLS = ["--key-col", "1", "--value-col", "2"]


def oracle(path, key_col=1, value_col=2):
    groups = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            try:
                value = float(fields[value_col])
            except (IndexError, ValueError):
                continue
            key = None if fields[key_col] == "\\N" else fields[key_col]
            groups[key].append(value)
    return sorted(
        format_row(
            k,
            min(v),
            max(v),
            len(v),
            statistics.mean(v),
            statistics.pstdev(v),
            float(statistics.median(v)),
        )
        for k, v in groups.items()
    )


def test_empty(tmp_path, runner):
    path = write_lines(tmp_path / "empty.tsv", [])
    assert run_job(NumericSummary, [path], args=COLS, runner=runner)[0] == []


def test_fixture_matches_oracle_and_counts_bad_records(runner):
    rows, counters = run_job(
        NumericSummary, [fixture(STEM, "readings.tsv")], args=COLS, runner=runner
    )
    assert rows == oracle(fixture(STEM, "readings.tsv"))
    assert "berlin\t3.000000\t12.500000\t4\t7.250000\t3.400368\t6.750000" in rows
    assert "\\N\t9.900000\t9.900000\t1\t9.900000\t0.000000\t9.900000" in rows
    assert counters[STEM] == {
        "bad_numbers": 1,
        "null_values": 1,
        "empty_lines": 1,
        "too_few_fields": 1,
    }


def test_mysql_csv(runner):
    rows, counters = run_job(
        NumericSummary,
        [fixture(STEM, "readings.csv")],
        args=[*COLS, "--format", "csv"],
        runner=runner,
    )
    assert sorted(r.split("\t")[0] for r in rows) == ["berlin", "lisbon", "madrid", "oslo"]
    assert "oslo\t-2.500000\t-2.500000\t1\t-2.500000\t0.000000\t-2.500000" in rows
    assert counters[STEM] == {"null_values": 1, "malformed": 1}


@BOTH_RUNNERS
def test_even_and_odd_medians(tmp_path, runner):
    lines = [f"a\t{v}" for v in (4, 1, 3, 2)] + [f"b\t{v}" for v in (5, -1, 2)]
    lines += ["c\tnan", "c\tinf", "c\t"]
    path = write_lines(tmp_path / "in.tsv", lines)
    rows, counters = run_job(
        NumericSummary, [path], args=["--key-col", "0", "--value-col", "1"], runner=runner
    )
    assert rows == [
        "a\t1.000000\t4.000000\t4\t2.500000\t1.118034\t2.500000",
        "b\t-1.000000\t5.000000\t3\t2.000000\t2.449490\t2.000000",
    ]
    assert counters[STEM] == {"bad_numbers": 2, "null_values": 1}


@pytest.mark.parametrize("values", [[1.0], [2.0, 1.0], [0.1, 0.2, 0.3], [5.0, 5.0, 1e9, -3.5]])
def test_helpers_equal_statistics_module(values):
    ordered = sorted(values)
    mean, stddev = mean_stddev(ordered)
    assert mean == pytest.approx(statistics.mean(values))
    assert stddev == pytest.approx(statistics.pstdev(values))
    assert median_sorted(ordered) == statistics.median(values)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--value-col", "2"], "--key-col is required"),
        (["--key-col", "1"], "--value-col is required"),
        (["--key-col", "-1", "--value-col", "2"], "start at 0"),
        (["--key-col", "one", "--value-col", "2"], "invalid int value"),
        ([*COLS, "--format", "xml"], "invalid choice"),
    ],
)
def test_bad_options_exit_2(args, message):
    assert message in usage_error(STEM, *args, fixture(STEM, "readings.tsv"))
