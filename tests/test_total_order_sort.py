import random
from pathlib import Path

import pytest

from mr.lib.ranges import (
    hadoop_partition,
    java_key_hash,
    number_sort_key,
    partition_labels,
    pick_split_points,
    text_sort_key,
)
from mr.lib.records import parse_number
from mr.total_order_sort import TotalOrderSort
from tests.support import BOTH_RUNNERS, fixture, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "total_order_sort"


def run_parts(inputs, args, runner, out):
    """Run the job into `out`; return the rows of its part files read in name order."""
    argv = ["-r", runner, "--no-conf", "--output-dir", str(out), *args, *map(str, inputs)]
    job = TotalOrderSort(argv)
    with job.make_runner() as r:
        r.run()
    parts = sorted(p for p in Path(out).iterdir() if p.name.startswith("part-"))
    return [line for p in parts for line in p.read_text(encoding="utf-8").split("\n")[:-1]]


def numbers(rows, col=0):
    return [float(r.split("\t")[col]) for r in rows]


@pytest.fixture(scope="module")
def mixed_numbers(tmp_path_factory):
    rng = random.Random(11)
    lines = [f"{rng.choice([-1, 1]) * rng.random() * 10**rng.randint(0, 6):.3f}\trow{i}"
             for i in range(400)]  # fmt: skip
    lines += ["5\tdup-a", "5.0\tdup-b", "-0\tneg-zero", "1e2\texp"]
    return write_lines(tmp_path_factory.mktemp("in") / "numbers.tsv", lines)


@BOTH_RUNNERS
def test_empty(tmp_path, runner):
    empty = write_lines(tmp_path / "empty.tsv", [])
    rows = run_parts([empty], ["--partitions", "3"], runner, tmp_path / "out")
    assert rows == []


@BOTH_RUNNERS
def test_numeric_parts_are_globally_ordered(tmp_path, runner, mixed_numbers):
    args = ["--numeric", "--jobconf", "mapreduce.job.reduces=3", "--sample-rate", "0.2"]
    rows = run_parts([mixed_numbers], args, runner, tmp_path / "out")
    assert numbers(rows) == sorted(numbers(rows))
    # nothing lost, nothing added
    assert sorted(rows) == sorted(Path(mixed_numbers).read_text().split("\n")[:-1])


@BOTH_RUNNERS
def test_text_parts_are_globally_ordered(tmp_path, runner):
    rng = random.Random(5)
    alphabet = "abcAB\u00e9\u00c5z\u4e2d\U0001f600 ,'"
    keys = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(300)]
    path = write_lines(tmp_path / "words.tsv", [f"{k}\t{i}" for i, k in enumerate(keys)])
    rows = run_parts([path], ["--partitions", "4", "--sample-rate", "0.3"], runner, tmp_path / "o")
    got = [r.split("\t")[0] for r in rows]
    assert got == sorted(keys, key=lambda k: k.encode("utf-8"))


def test_fixture_oracle_and_counters(runner):
    path = fixture(STEM, "products.tsv")
    args = ["--numeric", "--partitions", "3", "--sample-rate", "1"]
    rows, counters = run_job(TotalOrderSort, [path], args=args, runner=runner)
    lines = [line for line in Path(path).read_text().split("\n")[:-1] if line]
    good = [line for line in lines if parse_number(line.split("\t")[0]) is not None]
    assert rows == sorted(good)
    assert counters[STEM] == {"null_keys": 1, "bad_numbers": 1, "empty_lines": 1}


def test_key_column_and_equal_keys_keep_a_fixed_order(tmp_path, runner):
    path = write_lines(tmp_path / "in.tsv", ["b\t2", "a\t2", "c\t1", "d\t10"])
    args = ["--key-col", "1", "--partitions", "2", "--sample-rate", "1"]
    rows = run_parts([path], args, runner, tmp_path / "out")
    assert rows == ["c\t1", "d\t10", "a\t2", "b\t2"]  # text keys: "10" < "2"
    rows = run_parts([path], [*args, "--numeric"], runner, tmp_path / "out2")
    assert rows == ["c\t1", "a\t2", "b\t2", "d\t10"]


def test_print_split_points(tmp_path, runner):
    path = write_lines(tmp_path / "in.tsv", [str(i) for i in range(1, 101)])
    args = ["--numeric", "--partitions", "4", "--sample-rate", "1", "--print-split-points"]
    rows, _ = run_job(TotalOrderSort, [path], args=args, runner=runner)
    assert sorted(r.split("\t")[0] for r in rows) == ["26", "51", "76"]
    assert all(r.split("\t")[1] == number_sort_key(float(r.split("\t")[0])) for r in rows)


@BOTH_RUNNERS
def test_given_split_points_file(tmp_path, runner):
    path = write_lines(tmp_path / "in.tsv", ["m", "a", "z", "k"])
    points = write_lines(tmp_path / "points.tsv", [f"l\t{text_sort_key('l')}"])
    args = ["--partitions", "2", "--split-points", points]
    assert run_parts([path], args, runner, tmp_path / "out") == ["a", "k", "m", "z"]


def test_hadoop_partitioner_sends_range_i_to_reducer_i():
    # String.hashCode of an ASCII string equals KeyFieldBasedPartitioner's byte hash
    assert java_key_hash(b"hello") == 99162322
    assert java_key_hash("\u00e9".encode()) == (31 * -61 + -87) & 0xFFFFFFFF
    for n in (1, 2, 3, 7, 31, 62, 97):
        labels = partition_labels(n)
        assert labels == sorted(labels)
        assert [hadoop_partition(label, n) for label in labels] == list(range(n))


def test_sort_keys_order():
    xs = [float("-1e300"), -5.5, -1.0, -1e-300, 0.0, 1e-300, 1.0, 2.5, 1e300]
    assert [number_sort_key(x) for x in xs] == sorted(number_sort_key(x) for x in xs)
    assert number_sort_key(-0.0) == number_sort_key(0.0)
    words = ["", "A", "Z", "a", "ab", "b", "\u00e9", "\u4e2d", "\U0001f600"]
    assert [text_sort_key(w) for w in words] == sorted(text_sort_key(w) for w in words)


def test_pick_split_points():
    assert pick_split_points([str(i) for i in range(10)], 3) == ["3", "6"]
    assert pick_split_points(["a", "a", "a", "b"], 4) == ["a", "b"]
    assert pick_split_points([], 5) == []


@pytest.mark.parametrize(
    "args,message",
    [
        (["--key-col", "-1"], "--key-col"),
        (["--partitions", "0"], "--partitions"),
        (["--jobconf", "mapreduce.job.reduces=many"], "mapreduce.job.reduces"),
        (["--sample-rate", "0"], "--sample-rate"),
        (["--sample-rate", "1.5"], "--sample-rate"),
        (["--format", "xml"], "--format"),
    ],
)
def test_bad_options_are_usage_errors(args, message):
    line = usage_error(STEM, *args, fixture(STEM, "products.tsv"))
    assert message in line


def test_stdin_is_a_usage_error():
    assert "stdin" in usage_error(STEM, "-")
