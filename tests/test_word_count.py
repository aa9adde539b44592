from collections import Counter

import pytest

from mr.lib.text import regex_words, whitespace_words
from mr.word_count import WordCount
from tests.support import fixture, run_job, write_lines

STEM = "word_count"


def oracle(path, words=regex_words):
    with open(path, encoding="utf-8") as f:
        counts = Counter(w for line in f for w in words(line))
    return sorted(f"{w}\t{n}" for w, n in counts.items())


def test_empty(tmp_path, runner):
    rows, _ = run_job(WordCount, [write_lines(tmp_path / "empty.txt", [])], runner=runner)
    assert rows == []


def test_fixture_matches_oracle(runner):
    rows, counters = run_job(WordCount, [fixture(STEM)], runner=runner)
    assert rows == oracle(fixture(STEM))
    assert counters[STEM]["empty_lines"] >= 1


def test_whitespace_tokenizer_is_java_string_tokenizer(tmp_path, runner):
    path = write_lines(tmp_path / "in.txt", ["Hello, World-wide\tHello,", "a\x0bb  c\fd\r"])
    rows, _ = run_job(WordCount, [path], args=["--tokenizer", "whitespace"], runner=runner)
    # vertical tab (\x0b) is not a StringTokenizer delimiter; case and punctuation are kept
    assert rows == sorted(["Hello,\t2", "World-wide\t1", "a\x0bb\t1", "c\t1", "d\t1"])


def test_bad_utf8_counted_and_skipped(tmp_path, runner):
    path = write_lines(tmp_path / "in.txt", [b"good words", b"\xff\xfe broken", b"good"])
    rows, counters = run_job(WordCount, [path], runner=runner)
    assert rows == ["good\t2", "words\t1"]
    assert counters["word_count"]["bad_utf8"] == 1


@pytest.mark.parametrize(
    "line,words",
    [
        ("Hello, World-wide don't_stop", ["hello", "world", "wide", "don't", "stop"]),
        ("'quoted' 42 caf\u00e9", ["quoted", "42", "caf\u00e9"]),
        ("", []),
    ],
)
def test_regex_words(line, words):
    assert regex_words(line) == words


def test_whitespace_words_keeps_case_and_punctuation():
    assert whitespace_words(" A,b\tC\n") == ["A,b", "C"]
