from collections import defaultdict

import pytest

from mr.lib.tsv import format_row
from mr.top_n import TopN
from tests.support import BOTH_RUNNERS, fixture, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "top_n"
SALES = fixture(STEM, "sales.tsv")


def oracle(path, value_col, n, group_col=None):
    groups = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            text = line.rstrip("\n")
            fields = [None if x == "\\N" else x for x in text.split("\t")]
            try:
                value = float(fields[value_col])
            except (IndexError, TypeError, ValueError):
                continue
            key = fields[group_col] if group_col is not None else None
            groups[key].append((value, text, fields))
    rows = []
    for key, records in groups.items():
        ranked = sorted(records, key=lambda r: (-r[0], r[1]))[:n]
        for rank, (value, _, fields) in enumerate(ranked, start=1):
            prefix = (key,) if group_col is not None else ()
            rows.append(format_row(*prefix, rank, value, *fields))
    return sorted(rows)


def test_empty(tmp_path, runner):
    path = write_lines(tmp_path / "empty.tsv", [])
    assert run_job(TopN, [path], args=["--value-col", "0"], runner=runner)[0] == []


@pytest.mark.parametrize("n", [1, 2, 3, 100])
def test_per_group_matches_oracle(runner, n):
    args = ["--group-col", "1", "--value-col", "2", "-n", str(n)]
    rows, counters = run_job(TopN, [SALES], args=args, runner=runner)
    assert rows == oracle(SALES, 2, n, group_col=1)
    assert counters[STEM] == {
        "bad_numbers": 1,
        "null_values": 1,
        "empty_lines": 1,
        "too_few_fields": 1,
    }


def test_overall_matches_oracle(runner):
    rows, _ = run_job(TopN, [SALES], args=["--value-col", "2", "-n", "4"], runner=runner)
    assert rows == oracle(SALES, 2, 4)
    assert "2\t99.000000\torder-18\t\\N\t99\tunknown store" in rows


def test_default_n_is_10(runner):
    rows, _ = run_job(TopN, [SALES], args=["--value-col", "2"], runner=runner)
    assert len(rows) == 10


@BOTH_RUNNERS
def test_ties_broken_by_record_text_not_input_order(tmp_path, runner):
    lines = ["z\t5", "b\t5.0", "a\t5", "c\t7", "b\t5"]
    forward = write_lines(tmp_path / "a.tsv", lines)
    backward = write_lines(tmp_path / "b.tsv", lines[::-1])
    for path in (forward, backward):
        rows, _ = run_job(TopN, [path], args=["--value-col", "1", "-n", "3"], runner=runner)
        # equal values 5: "a\t5" < "b\t5" < "b\t5.0" < "z\t5"
        assert rows == ["1\t7.000000\tc\t7", "2\t5.000000\ta\t5", "3\t5.000000\tb\t5"]


def test_null_group_and_mysql_csv(tmp_path, runner):
    path = write_lines(tmp_path / "in.csv", ['\\N,"3"', '"x, y",2', '"x, y",9', "x,nan", '"open'])
    rows, counters = run_job(
        TopN,
        [path],
        args=["--format", "csv", "--group-col", "0", "--value-col", "1", "-n", "1"],
        runner=runner,
    )
    assert rows == sorted(["\\N\t1\t3.000000\t\\N\t3", "x, y\t1\t9.000000\tx, y\t9"])
    assert counters[STEM] == {"bad_numbers": 1, "malformed": 1}


@pytest.mark.parametrize(
    "args,message",
    [
        (["-n", "3"], "--value-col is required"),
        (["--value-col", "-1"], "start at 0"),
        (["--value-col", "2", "--group-col", "-3"], "--group-col -3"),
        (["--value-col", "2", "-n", "0"], "at least 1"),
        (["--value-col", "2", "-n", "ten"], "invalid int value"),
    ],
)
def test_bad_options_exit_2(args, message):
    assert message in usage_error(STEM, *args, SALES)
