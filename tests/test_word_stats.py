import statistics

import pytest

from mr.lib.stats import histogram_stats
from mr.lib.text import regex_words, whitespace_words
from mr.word_stats import WordStats
from tests.support import fixture, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "word_stats"


def oracle(lengths):
    return sorted(
        [
            f"count\t{len(lengths)}",
            f"mean\t{statistics.mean(lengths):.6f}",
            f"median\t{statistics.median(lengths):.6f}",
            f"stddev\t{statistics.pstdev(lengths):.6f}",
        ]
    )


def lengths_of(path, words):
    with open(path, encoding="utf-8") as f:
        return [len(w) for line in f for w in words(line)]


def test_empty(tmp_path, runner):
    rows, _ = run_job(WordStats, [write_lines(tmp_path / "empty.txt", [])], runner=runner)
    assert rows == []


def test_only_punctuation_gives_no_rows(tmp_path, runner):
    path = write_lines(tmp_path / "in.txt", ["... !!! --", ""])
    rows, counters = run_job(WordStats, [path], runner=runner)
    assert rows == []
    assert counters[STEM]["empty_lines"] == 1


@pytest.mark.parametrize("name,words", [("regex", regex_words), ("whitespace", whitespace_words)])
def test_fixture_matches_oracle(runner, name, words):
    rows, counters = run_job(WordStats, [fixture(STEM)], args=["--tokenizer", name], runner=runner)
    assert rows == oracle(lengths_of(fixture(STEM), words))
    assert counters[STEM]["empty_lines"] == 1


def test_even_count_median_is_mean_of_two_middle(tmp_path, runner):
    path = write_lines(tmp_path / "in.txt", ["The quick", b"\xff\xfe", "brown fox"])
    rows, counters = run_job(WordStats, [path], runner=runner)
    assert rows == sorted(["count\t4", "mean\t4.000000", "median\t4.000000", "stddev\t1.000000"])
    assert counters[STEM]["bad_utf8"] == 1


def test_odd_count_and_code_point_lengths(tmp_path, runner):
    path = write_lines(tmp_path / "in.txt", ["a bb", "caf\u00e9"])
    rows, _ = run_job(WordStats, [path], runner=runner)
    assert "median\t2.000000" in rows and "count\t3" in rows and "mean\t2.333333" in rows


@pytest.mark.parametrize(
    "histogram",
    [{1: 1}, {3: 2, 5: 2}, {2: 1, 9: 4, 4: 3}, {1: 5, 2: 5}, {7: 1, 8: 1, 100: 1}],
)
def test_histogram_stats_equal_statistics_module(histogram):
    values = [v for v, c in histogram.items() for _ in range(c)]
    stats = histogram_stats(histogram)
    assert stats["count"] == len(values)
    assert stats["mean"] == pytest.approx(statistics.mean(values))
    assert stats["median"] == statistics.median(values)
    assert stats["stddev"] == pytest.approx(statistics.pstdev(values))


def test_histogram_stats_empty():
    assert histogram_stats({}) is None


def test_bad_tokenizer_exit_2():
    assert "--tokenizer" in usage_error(STEM, "--tokenizer", "nltk", fixture(STEM))
