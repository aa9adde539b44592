from collections import Counter
from pathlib import Path

import pytest

from mr.cooccurrence import Cooccurrence, neighbor_pairs
from mr.lib.text import regex_words
from tests.support import fixture, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "cooccurrence"


def oracle(path, window):
    pairs = Counter()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        words = regex_words(line)
        for i, w in enumerate(words):
            for j, u in enumerate(words):
                if 0 < abs(i - j) <= window:
                    pairs[w, u] += 1
    return sorted(f"{w}\t{u}\t{n}" for (w, u), n in pairs.items())


def test_empty(tmp_path, runner):
    rows, _ = run_job(Cooccurrence, [write_lines(tmp_path / "empty.txt", [])], runner=runner)
    assert rows == []


@pytest.mark.parametrize("window", [1, 3])
@pytest.mark.parametrize("stripes", [False, True], ids=["pairs", "stripes"])
def test_fixture_matches_oracle(runner, window, stripes):
    args = ["--window", str(window)] + (["--stripes"] if stripes else [])
    rows, counters = run_job(Cooccurrence, [fixture(STEM)], args=args, runner=runner)
    assert rows == oracle(fixture(STEM), window)
    assert counters[STEM]["empty_lines"] == 1


def test_pairs_are_symmetric_and_stay_within_a_line(tmp_path, runner):
    path = write_lines(tmp_path / "in.txt", ["a b a", "c"])
    rows, _ = run_job(Cooccurrence, [path], args=["--window", "1"], runner=runner)
    assert rows == ["a\tb\t2", "b\ta\t2"]
    rows, _ = run_job(Cooccurrence, [path], args=["--window", "2"], runner=runner)
    assert rows == ["a\ta\t2", "a\tb\t2", "b\ta\t2"]


def test_bad_utf8_counted(tmp_path, runner):
    path = write_lines(tmp_path / "in.txt", [b"x y", b"\xff z"])
    rows, counters = run_job(Cooccurrence, [path], args=["--stripes"], runner=runner)
    assert rows == ["x\ty\t1", "y\tx\t1"]
    assert counters[STEM]["bad_utf8"] == 1


def test_neighbor_pairs():
    assert list(neighbor_pairs(["a", "b", "c"], 1)) == [
        ("a", "b"),
        ("b", "a"),
        ("b", "c"),
        ("c", "b"),
    ]
    assert list(neighbor_pairs(["a"], 3)) == []


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_bad_window_is_a_usage_error(value):
    line = usage_error(STEM, "--window", value, fixture(STEM))
    assert "--window" in line
