import hashlib
from collections import defaultdict

import pytest

from mr.lib.stats import sample_hash, unit_interval
from mr.sample import Sample
from tests.support import BOTH_RUNNERS, fixture, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "sample"
ORDERS = fixture(STEM, "orders.tsv")


def records(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def md5(seed, text):
    return hashlib.md5(f"{seed}\t{text}".encode()).hexdigest()


def oracle_fraction(lines, fraction, seed=0):
    return sorted(t for t in lines if int(md5(seed, t)[:13], 16) / 2**52 < fraction)


def oracle_n(lines, n, seed=0, key_col=None):
    groups = defaultdict(list)
    for t in lines:
        fields = t.split("\t")
        if key_col is not None and len(fields) <= key_col:
            continue
        groups[fields[key_col] if key_col is not None else None].append((md5(seed, t), t))
    return sorted(t for g in groups.values() for _, t in sorted(g)[:n])


def test_empty(tmp_path, runner):
    path = write_lines(tmp_path / "empty.tsv", [])
    for args in (["--fraction", "0.5"], ["-n", "3"], ["-n", "3", "--key-col", "1"]):
        assert run_job(Sample, [path], args=args, runner=runner)[0] == []


@pytest.mark.parametrize("fraction,seed", [(0.25, 42), (0.5, 0), (0.5, 7)])
def test_fraction_matches_oracle(runner, fraction, seed):
    args = ["--fraction", str(fraction), "--seed", str(seed)]
    rows, counters = run_job(Sample, [ORDERS], args=args, runner=runner)
    assert rows == oracle_fraction(records(ORDERS), fraction, seed)
    assert counters[STEM]["kept"] == len(rows)
    assert counters[STEM]["empty_lines"] == 1


def test_fraction_bounds(runner):
    assert run_job(Sample, [ORDERS], args=["--fraction", "0"], runner=runner)[0] == []
    rows, _ = run_job(Sample, [ORDERS], args=["--fraction", "1"], runner=runner)
    assert rows == sorted(records(ORDERS))


@pytest.mark.parametrize("n,key_col,seed", [(2, 1, 42), (1, 3, 0), (5, None, 3), (100, None, 0)])
def test_n_per_key_matches_oracle(runner, n, key_col, seed):
    args = ["-n", str(n), "--seed", str(seed)]
    args += ["--key-col", str(key_col)] if key_col is not None else []
    rows, counters = run_job(Sample, [ORDERS], args=args, runner=runner)
    assert rows == oracle_n(records(ORDERS), n, seed, key_col)
    assert counters[STEM]["kept"] == len(rows)
    assert counters[STEM].get("too_few_fields", 0) == (1 if key_col is not None else 0)


def test_exactly_n_per_key_and_null_key(runner):
    rows, _ = run_job(
        Sample, [ORDERS], args=["-n", "2", "--key-col", "1", "--seed", "42"], runner=runner
    )
    per_key = defaultdict(int)
    for row in rows:
        per_key[row.split("\t")[1]] += 1
    assert per_key == {"berlin": 2, "paris": 2, "oslo": 2, "madrid": 2, "lisbon": 2, "\\N": 1}


@BOTH_RUNNERS
def test_independent_of_input_order_and_splits(tmp_path, runner):
    lines = records(ORDERS)
    parts = [
        write_lines(tmp_path / "a.tsv", lines[::-1][:15]),
        write_lines(tmp_path / "b.tsv", lines[::-1][15:]),
    ]
    for args in (["--fraction", "0.3", "--seed", "5"], ["-n", "3", "--key-col", "3"]):
        whole, _ = run_job(Sample, [ORDERS], args=args, runner=runner)
        split, _ = run_job(Sample, parts, args=args, runner=runner)
        assert whole == split


def test_seed_changes_the_sample(runner):
    a, _ = run_job(Sample, [ORDERS], args=["-n", "5", "--seed", "1"], runner=runner)
    b, _ = run_job(Sample, [ORDERS], args=["-n", "5", "--seed", "2"], runner=runner)
    assert len(a) == len(b) == 5 and a != b


def test_duplicates_are_separate_records_and_csv_is_written_as_tsv(tmp_path, runner):
    path = write_lines(tmp_path / "in.csv", ['"x",1', "x,1", '"y, z",\\N', '"bad'])
    rows, counters = run_job(Sample, [path], args=["--format", "csv", "-n", "5"], runner=runner)
    assert rows == sorted(["x\t1", "x\t1", "y, z\t\\N"])
    assert counters[STEM] == {"kept": 3, "malformed": 1}


def test_hash_helpers():
    assert sample_hash(42, "a\tb") == md5(42, "a\tb")
    assert unit_interval("f" * 32) < 1.0
    assert unit_interval("0" * 32) == 0.0
    assert unit_interval("8" + "0" * 31) == 0.5


@pytest.mark.parametrize(
    "args,message",
    [
        ([], "exactly one of --fraction and -n"),
        (["--fraction", "0.1", "-n", "3"], "exactly one"),
        (["--fraction", "1.5"], "from 0 to 1"),
        (["--fraction", "-0.1"], "from 0 to 1"),
        (["--fraction", "nan"], "from 0 to 1"),
        (["-n", "0"], "at least 1"),
        (["--fraction", "0.5", "--key-col", "1"], "--key-col goes with -n"),
        (["-n", "2", "--key-col", "-1"], "start at 0"),
        (["-n", "2", "--seed", "abc"], "invalid int value"),
    ],
)
def test_bad_options_exit_2(args, message):
    assert message in usage_error(STEM, *args, ORDERS)
