import pytest

from mr.join import Join
from mr.lib.records import parse_tsv
from mr.lib.tsv import format_row
from tests.support import BOTH_RUNNERS, fixture, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "join"
WIDTHS = ["--left-fields", "3", "--right-fields", "3"]


def sql_join(left, right, lkey, rkey, how, lw, rw):
    """Plain-Python SQL join of two lists of records (NULL keys never match)."""
    rows, matched_right = [], set()
    for lrow in left:
        hits = [(i, r) for i, r in enumerate(right) if lrow[lkey] is not None
                and lrow[lkey] == r[rkey]]  # fmt: skip
        for i, r in hits:
            matched_right.add(i)
            rows.append([lrow[lkey], *lrow, *r])
        if not hits and how in ("left", "full"):
            rows.append([lrow[lkey], *lrow, *[None] * rw])
    if how in ("right", "full"):
        for i, r in enumerate(right):
            if i not in matched_right:
                rows.append([r[rkey], *[None] * lw, *r])
    return sorted(format_row(*r) for r in rows)


def read_table(path, width):
    with open(path, encoding="utf-8") as f:
        records = [parse_tsv(line.rstrip("\n")) for line in f if line.strip()]
    return [r for r in records if len(r) == width]


def test_empty(tmp_path, runner):
    left = write_lines(tmp_path / "users.tsv", [])
    right = write_lines(tmp_path / "orders.tsv", [])
    args = ["--left", "users.tsv", "--join-type", "full", *WIDTHS]
    rows, _ = run_job(Join, [left, right], args=args, runner=runner)
    assert rows == []


@pytest.mark.parametrize("how", ["inner", "left", "right", "full"])
def test_fixture_matches_oracle(runner, how):
    users, orders = fixture(STEM, "users.tsv"), fixture(STEM, "orders.tsv")
    args = ["--left", "users*", "--right-key-col", "1", "--join-type", how, *WIDTHS]
    rows, counters = run_job(Join, [orders, users], args=args, runner=runner)
    expected = sql_join(read_table(users, 3), read_table(orders, 3), 0, 1, how, 3, 3)
    assert rows == expected
    assert counters[STEM] == {
        "left_wrong_width": 1,
        "right_wrong_width": 1,
        "too_few_fields": 1,
        "empty_lines": 1,
    }


@BOTH_RUNNERS
def test_many_to_many_and_null_keys(tmp_path, runner):
    left = write_lines(tmp_path / "l" / "part-0", ["k\ta1", "k\ta2", "\\N\tan", "x\tax"])
    right = write_lines(tmp_path / "r" / "part-0", ["k\tb1", "k\tb2", "\\N\tbn", "y\tby"])
    args = ["--left", "*/l/*", "--join-type", "full", "--left-fields", "2", "--right-fields", "2"]
    rows, _ = run_job(Join, [left, right], args=args, runner=runner)
    assert rows == sorted(
        [
            "k\tk\ta1\tk\tb1",
            "k\tk\ta1\tk\tb2",
            "k\tk\ta2\tk\tb1",
            "k\tk\ta2\tk\tb2",
            "\\N\t\\N\tan\t\\N\t\\N",
            "\\N\t\\N\t\\N\t\\N\tbn",
            "x\tx\tax\t\\N\t\\N",
            "y\t\\N\t\\N\ty\tby",
        ]
    )


def test_inner_join_without_widths_keeps_every_width(tmp_path, runner):
    left = write_lines(tmp_path / "a.tsv", ["1\tx", "2\ty\tz"])
    right = write_lines(tmp_path / "b.tsv", ["1", "2\t\t"])
    rows, _ = run_job(Join, [left, right], args=["--left", "a.tsv"], runner=runner)
    assert rows == ["1\t1\tx\t1", "2\t2\ty\tz\t2\t\t"]


def test_csv_keys_compare_as_text(tmp_path, runner):
    left = write_lines(tmp_path / "a.csv", ['1,"one, uno"', "01,zero-one"])
    right = write_lines(tmp_path / "b.csv", ['"1",x', "1.0,y"])
    args = ["--left", "a.csv", "--format", "csv", "--join-type", "left", "--right-fields", "2"]
    rows, _ = run_job(Join, [left, right], args=args, runner=runner)
    assert rows == ["01\t01\tzero-one\t\\N\t\\N", "1\t1\tone, uno\t1\tx"]


@pytest.mark.parametrize(
    "args,message",
    [
        ([], "--left"),
        (["--left", "u*", "--join-type", "cross"], "--join-type"),
        (["--left", "u*", "--left-key-col", "-1"], "--left-key-col"),
        (["--left", "u*", "--right-key-col", "x"], "--right-key-col"),
        (["--left", "u*", "--join-type", "left"], "--right-fields"),
        (["--left", "u*", "--join-type", "right"], "--left-fields"),
        (["--left", "u*", "--left-key-col", "3", "--left-fields", "3"], "--left-fields"),
    ],
)
def test_bad_options_are_usage_errors(args, message):
    line = usage_error(STEM, *args, fixture(STEM, "users.tsv"))
    assert message in line
