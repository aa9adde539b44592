from collections import defaultdict

import pytest

from mr.lib.records import parse_tsv
from mr.lib.timestamps import parse_timestamp
from mr.sessionize import Sessionize, from_sort_key, sort_key
from tests.support import BOTH_RUNNERS, fixture, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "sessionize"


def oracle(path, gap=1800):
    times = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = parse_tsv(line.rstrip("\n"))
            if len(fields) >= 2 and fields[0] is not None:
                t = parse_timestamp(fields[1])
                if t is not None:
                    times[fields[0]].append(t)
    rows = []
    for user, ts in times.items():
        sessions = []
        for t in sorted(ts):
            if sessions and t - sessions[-1][-1] <= gap:
                sessions[-1].append(t)
            else:
                sessions.append([t])
        for n, s in enumerate(sessions, 1):
            rows.append(f"{user}\t{n}\t{s[0]}\t{s[-1]}\t{len(s)}\t{s[-1] - s[0]}")
    return sorted(rows)


def test_empty(tmp_path, runner):
    rows, _ = run_job(Sessionize, [write_lines(tmp_path / "empty.tsv", [])], runner=runner)
    assert rows == []


@pytest.mark.parametrize("gap", [60, 1800, 7200])
def test_fixture_matches_oracle(runner, gap):
    path = fixture(STEM, "events.tsv")
    rows, counters = run_job(Sessionize, [path], args=["--gap-seconds", str(gap)], runner=runner)
    assert rows == oracle(path, gap)
    assert counters[STEM] == {"null_users": 1, "bad_times": 2, "empty_lines": 1}


@BOTH_RUNNERS
def test_gap_is_exclusive_and_order_of_input_does_not_matter(tmp_path, runner):
    lines = ["u\t100", "u\t3700", "u\t0", "u\t1900", "v\t5", "u\t3700"]
    rows, _ = run_job(Sessionize, [write_lines(tmp_path / "e.tsv", lines)], runner=runner)
    # 0, 100, 1900 (gap 1800: same session), 3700 twice (gap 1800: same session)
    assert rows == ["u\t1\t0\t3700\t5\t3700", "v\t1\t5\t5\t1\t0"]
    args = ["--gap-seconds", "1799"]
    rows, _ = run_job(Sessionize, [write_lines(tmp_path / "e.tsv", lines)], args, runner=runner)
    assert rows == ["u\t1\t0\t100\t2\t100", "u\t2\t1900\t1900\t1\t0", "u\t3\t3700\t3700\t2\t0",
                    "v\t1\t5\t5\t1\t0"]  # fmt: skip


def test_negative_and_far_times_sort_numerically(tmp_path, runner):
    lines = ["u\t-100", "u\t9", "u\t10", "u\t-5000", "u\t253402300799", "u\t0001-01-01"]
    path = write_lines(tmp_path / "e.tsv", lines)
    rows, _ = run_job(Sessionize, [path], args=["--gap-seconds", "200"], runner=runner)
    assert rows == [
        "u\t1\t-62135596800\t-62135596800\t1\t0",
        "u\t2\t-5000\t-5000\t1\t0",
        "u\t3\t-100\t10\t3\t110",
        "u\t4\t253402300799\t253402300799\t1\t0",
    ]


def test_sort_key_order():
    times = [-62135596800, -1, 0, 9, 10, 1704067200, 253402300799]
    keys = [sort_key(t) for t in times]
    assert sorted(keys) == keys and len(set(map(len, keys))) == 1
    assert [from_sort_key(k) for k in keys] == times


@pytest.mark.parametrize(
    "args,message",
    [
        (["--gap-seconds", "0"], "--gap-seconds"),
        (["--gap-seconds", "1.5"], "--gap-seconds"),
        (["--user-col", "-1"], "--user-col"),
        (["--user-col", "1"], "different"),
        (["--format", "json"], "--format"),
    ],
)
def test_bad_options_are_usage_errors(args, message):
    line = usage_error(STEM, *args, fixture(STEM, "events.tsv"))
    assert message in line
