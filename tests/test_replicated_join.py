import pytest

from mr.join import Join
from mr.replicated_join import ReplicatedJoin
from tests.support import BOTH_RUNNERS, fixture, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "replicated_join"


def test_empty(tmp_path, runner):
    big = write_lines(tmp_path / "orders.tsv", [])
    small = write_lines(tmp_path / "users.tsv", ["1\tx"])
    args = ["--small", small, "--join-type", "left", "--small-fields", "2"]
    rows, _ = run_job(ReplicatedJoin, [big], args=args, runner=runner)
    assert rows == []


@pytest.mark.parametrize("how", ["inner", "left"])
@BOTH_RUNNERS
def test_same_rows_as_reduce_side_join(runner, how):
    """The oracle is the reduce-side join with the big table on the left."""
    orders, users = fixture("join", "orders.tsv"), fixture("join", "users.tsv")
    args = ["--small", users, "--key-col", "1", "--fields", "3", "--small-fields", "3"]
    rows, counters = run_job(
        ReplicatedJoin, [orders], args=[*args, "--join-type", how], runner=runner
    )
    join_args = ["--left", "orders*", "--left-key-col", "1", "--left-fields", "3"]
    join_args += ["--right-fields", "3", "--join-type", how]
    expected, _ = run_job(Join, [orders, users], args=join_args, runner="inline")
    assert rows == expected
    assert len(rows) == (7 if how == "inner" else 9)
    # users.tsv: one 2-field record and one blank line; orders.tsv: one 4-field record
    assert counters[STEM] == {"small_bad_records": 2, "wrong_width": 1, "too_few_fields": 1}


def test_null_and_missing_keys(tmp_path, runner):
    big = write_lines(tmp_path / "big.tsv", ["a\t1", "\\N\t2", "b\t3", "c"])
    small = write_lines(tmp_path / "small.tsv", ["a\tA", "a\tA2", "\\N\tN", b"\xff\tbad"])
    args = ["--small", small, "--join-type", "left", "--small-fields", "2"]
    rows, counters = run_job(ReplicatedJoin, [big], args=args, runner=runner)
    assert rows == [
        "\\N\t\\N\t2\t\\N\t\\N",
        "a\ta\t1\ta\tA",
        "a\ta\t1\ta\tA2",
        "b\tb\t3\t\\N\t\\N",
        "c\tc\t\\N\t\\N",
    ]
    assert counters[STEM] == {"small_bad_records": 1}


def test_csv_with_key_column_in_the_middle(tmp_path, runner):
    big = write_lines(tmp_path / "big.csv", ['"x, y",k1,1', "z,k2,2"])
    small = write_lines(tmp_path / "small.csv", ['"K one",k1'])
    args = ["--small", small, "--format", "csv", "--key-col", "1", "--small-key-col", "1"]
    rows, _ = run_job(ReplicatedJoin, [big], args=args, runner=runner)
    assert rows == ["k1\tx, y\tk1\t1\tK one\tk1"]


@pytest.mark.parametrize(
    "args,message",
    [
        ([], "--small"),
        (["--small", "{users}", "--join-type", "right"], "--join-type"),
        (["--small", "{users}", "--join-type", "left"], "--small-fields"),
        (["--small", "{users}", "--key-col", "-2"], "--key-col"),
        (["--small", "{users}", "--small-key-col", "2", "--small-fields", "2"], "--small-fields"),
        (["--small", "/nonexistent/users.tsv"], "does not exist"),
    ],
)
def test_bad_options_are_usage_errors(args, message):
    args = [a.replace("{users}", fixture("join", "users.tsv")) for a in args]
    line = usage_error(STEM, "-q", *args, fixture("join", "orders.tsv"))
    assert message in line
