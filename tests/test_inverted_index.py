from collections import Counter
from pathlib import Path

from mr.inverted_index import InvertedIndex
from mr.lib.text import regex_words, whitespace_words
from tests.support import BOTH_RUNNERS, FIXTURES, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "inverted_index"
DOCS = [str(FIXTURES / STEM / name) for name in ("moby.txt", "pride.txt", "tale.txt")]


def oracle(paths, words=regex_words):
    postings = Counter()
    for p in paths:
        for line in Path(p).read_text(encoding="utf-8").splitlines():
            for w in words(line):
                postings[w, Path(p).name] += 1
    return sorted(f"{w}\t{doc}\t{n}" for (w, doc), n in postings.items())


def test_empty(tmp_path, runner):
    rows, _ = run_job(InvertedIndex, [write_lines(tmp_path / "empty.txt", [])], runner=runner)
    assert rows == []


def test_fixture_matches_oracle(runner):
    rows, counters = run_job(InvertedIndex, DOCS, runner=runner)
    assert rows == oracle(DOCS)
    assert "the\tmoby.txt\t2" in rows and "the\ttale.txt\t4" in rows
    assert "don't\ttale.txt\t2" in rows
    assert counters[STEM]["empty_lines"] == 1


def test_whitespace_tokenizer(tmp_path, runner):
    a = write_lines(tmp_path / "a.txt", ["The cat, the hat"])
    b = write_lines(tmp_path / "b.txt", ["the the"])
    rows, _ = run_job(InvertedIndex, [a, b], args=["--tokenizer", "whitespace"], runner=runner)
    assert rows == oracle([a, b], whitespace_words)
    assert rows == sorted(
        ["The\ta.txt\t1", "cat,\ta.txt\t1", "the\ta.txt\t1", "hat\ta.txt\t1", "the\tb.txt\t2"]
    )


@BOTH_RUNNERS
def test_documents_are_basenames_and_bad_utf8_counted(tmp_path, runner):
    a = write_lines(tmp_path / "x" / "doc.txt", ["alpha beta", b"\xff bad"])
    b = write_lines(tmp_path / "y" / "doc2.txt", ["alpha"])
    rows, counters = run_job(InvertedIndex, [a, b], runner=runner)
    assert rows == ["alpha\tdoc.txt\t1", "alpha\tdoc2.txt\t1", "beta\tdoc.txt\t1"]
    assert counters[STEM]["bad_utf8"] == 1


def test_bad_tokenizer_is_a_usage_error():
    line = usage_error(STEM, "--tokenizer", "ngram", DOCS[0])
    assert "--tokenizer" in line
