from collections import Counter
from pathlib import Path

from mr.count_by_file import CountByFile
from mr.lib.inputs import basename, path_matches, uri_path
from tests.cases import load_case
from tests.support import BOTH_RUNNERS, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "count_by_file"


def oracle(paths):
    counts = Counter()
    for p in paths:
        counts[Path(p).name] += len(Path(p).read_bytes().split(b"\n")[:-1])
    return sorted(f"{name}\t{n}" for name, n in counts.items() if n)


def test_empty(tmp_path, runner):
    rows, _ = run_job(CountByFile, [write_lines(tmp_path / "empty.txt", [])], runner=runner)
    assert rows == []


def test_fixture_matches_oracle(runner):
    # the inputs case.json names (expected.tsv, the golden rows, sits in the same folder)
    inputs = load_case(STEM).inputs
    rows, _ = run_job(CountByFile, inputs, runner=runner)
    assert rows == oracle(inputs)
    assert rows == ["alpha.txt\t4", "beta.tsv\t1", "gamma.tsv\t6"]


@BOTH_RUNNERS
def test_same_basename_in_two_dirs_adds_up_and_bad_utf8_counts(tmp_path, runner):
    a = write_lines(tmp_path / "x" / "part-00000", ["a", b"\xff\xfe", ""])
    b = write_lines(tmp_path / "y" / "part-00000", ["b"])
    c = write_lines(tmp_path / "y" / "other", ["c", "d"])
    rows, _ = run_job(CountByFile, [a, b, c], runner=runner)
    assert rows == ["other\t2", "part-00000\t4"]


def test_directory_input_names_its_files(tmp_path, runner):
    write_lines(tmp_path / "d" / "one.txt", ["1", "2", "3"])
    write_lines(tmp_path / "d" / "two.txt", ["1"])
    rows, _ = run_job(CountByFile, [tmp_path / "d"], runner=runner)
    assert rows == ["one.txt\t3", "two.txt\t1"]


def test_input_uri_helpers():
    assert basename("hdfs://nn:8020/data/logs/a.log") == "a.log"
    assert basename("file:///tmp/x/b.txt") == "b.txt"
    assert uri_path("hdfs://nn:8020/data/logs/a.log") == "/data/logs/a.log"
    assert path_matches("hdfs://nn/data/users/part-00000", "*/users/*")
    assert path_matches("file:///tmp/users.tsv", "users*")
    assert not path_matches("file:///tmp/users/orders.tsv", "users*")


def test_missing_input_is_a_usage_error(tmp_path):
    line = usage_error(STEM, "-q", str(tmp_path / "nope.txt"))
    assert "does not exist" in line
