import re
from collections import Counter
from pathlib import Path

import pytest

from mr.grep import Grep
from tests.support import fixture, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "grep"
STATUS = ["--pattern", '" ([1-5][0-9][0-9]) ', "--group", "1"]


def oracle(path, pattern, group=0, flags=0):
    counts = Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            for m in re.finditer(pattern, line.rstrip("\n"), flags):
                if m.group(group):
                    counts[m.group(group)] += 1
    return sorted(f"{k}\t{n}" for k, n in counts.items())


def test_empty(tmp_path, runner):
    path = write_lines(tmp_path / "empty.txt", [])
    assert run_job(Grep, [path], args=STATUS, runner=runner)[0] == []
    assert run_job(Grep, [path], args=["--pattern", "x", "--lines"], runner=runner)[0] == []


def test_status_codes_match_oracle(runner):
    rows, counters = run_job(Grep, [fixture(STEM, "access.log")], args=STATUS, runner=runner)
    assert rows == oracle(fixture(STEM, "access.log"), STATUS[1], group=1)
    assert "200\t6" in rows and "404\t3" in rows
    assert counters[STEM]["matching_lines"] == 15


def test_whole_match_ignore_case(tmp_path, runner):
    path = write_lines(tmp_path / "in.txt", ["Error: disk ERROR", "no problem", "error error"])
    rows, _ = run_job(Grep, [path], args=["--pattern", "error", "--ignore-case"], runner=runner)
    assert rows == ["ERROR\t1", "Error\t1", "error\t2"]
    rows, _ = run_job(Grep, [path], args=["--pattern", "error"], runner=runner)
    assert rows == ["error\t2"]


def test_empty_and_unmatched_groups_are_counted_not_written(tmp_path, runner):
    path = write_lines(tmp_path / "in.txt", ["a1 b c2", "zzz", b"\xff bad a9"])
    rows, counters = run_job(Grep, [path], args=["--pattern", "[a-c]([0-9])?"], runner=runner)
    assert rows == ["a1\t1", "b\t1", "c2\t1"]
    rows, counters = run_job(
        Grep, [path], args=["--pattern", "[a-c]([0-9])?", "--group", "1"], runner=runner
    )
    assert rows == ["1\t1", "2\t1"]
    assert counters[STEM]["group_unmatched"] == 1
    assert counters[STEM]["bad_utf8"] == 1
    rows, counters = run_job(Grep, [path], args=["--pattern", "z*"], runner=runner)
    assert rows == ["zzz\t1"]
    assert counters[STEM]["empty_matches"] > 0


def test_rows_are_ordered_by_count_desc_then_match(tmp_path, runner):
    words = ["b"] * 3 + ["a"] * 3 + ["c"] * 5 + ["\u00e9"] * 2 + ["d"] * 2 + ["e"] * 12
    path = write_lines(tmp_path / "in.txt", [" ".join(words[i : i + 4]) for i in range(0, 27, 4)])
    out = tmp_path / "out"
    job = Grep(["-r", runner, "--no-conf", "--pattern", r"\w+", "--output-dir", str(out), path])
    with job.make_runner() as r:
        r.run()
    # parts in name order are the reducer's (or, locally, the key ranges') output in order
    text = "".join(p.read_text() for p in sorted(Path(out).glob("part-*")))
    assert text.split("\n")[:-1] == ["e\t12", "c\t5", "a\t3", "b\t3", "d\t2", "\u00e9\t2"]


def test_lines_mode_writes_matching_lines_unchanged(tmp_path, runner):
    lines = ["tab\there ERROR x", "fine", "back\\slash error", "ERROR"]
    path = write_lines(tmp_path / "in.txt", lines)
    rows, counters = run_job(Grep, [path], args=["--pattern", "ERROR", "--lines"], runner=runner)
    assert rows == sorted(["tab\there ERROR x", "ERROR"])
    assert counters[STEM]["matching_lines"] == 2
    rows, _ = run_job(
        Grep, [path], args=["--pattern", "error", "--lines", "--ignore-case"], runner=runner
    )
    assert rows == sorted(["tab\there ERROR x", "back\\slash error", "ERROR"])


@pytest.mark.parametrize(
    "args,message",
    [
        ([], "--pattern is required"),
        (["--pattern", "a(b"], "not a valid regex"),
        (["--pattern", "a(b)", "--group", "2"], "out of range"),
        (["--pattern", "ab", "--group", "-1"], "out of range"),
    ],
)
def test_bad_options_exit_2(args, message):
    assert message in usage_error(STEM, *args, fixture(STEM, "access.log"))
