"""word_count counts lines in batches (mr/word_count.py BATCH_LINES): the rows and counters must be
those of counting one line at a time, whatever falls on a batch boundary."""

import io
from collections import Counter

import pytest

import mr.word_count
from mr.lib.text import (
    bad_utf8_lines,
    hadoop_text,
    java_empty_lines,
    regex_words,
    whitespace_words,
)
from mr.word_count import WordCount
from tests.support import run_job, write_lines

LINES = [
    "\u03a3\u039f\u03a6\u039f\u03a3",  # Greek capital sigma at the end: final-sigma lowercasing
    "\u039f\u0394\u039f\u03a3 \u03a3\u039f\u03a6\u039f\u03a3",
    "",
    "   \t ",
    "\u00a0\u2003",  # only Unicode whitespace: an empty line for str.strip()
    "a\x0bb c\x1cd e\u2028f",  # separators that are not line breaks for mrjob
    "Don't stop-me \u00c9T\u00c9 caf\u00e9",
    b"\xff\xfe not utf-8",
    "trailing \r",
    "a\rb\r\r c\x0c\r",  # lone \r: line ends for Hadoop
    b"bad \xed\xa0\x80 \xff\rx \xfe",
    "x" * 50 + " O'CLOCK",
    "",
    # pieces between ASCII separators that need regex_words (fast path's slow lane)
    "rock'n'roll 'quoted' a''b don't_stop 4x4 AbC-dEf",
    "na\u00efve\u2014word\u00a0x \u201cquoted\u201d \u212a\u0130stanbul \ufb01ne",
]
# Greek capital sigma: lowercase depends on the letters around it, through . and :
SIGMA_LINES = ["\u0391\u03a3:\u0392 \u0391\u03a3.\u0392 \u0391\u03a3 \u0392"]


def oracle(lines, words):
    if words is whitespace_words:
        return java_oracle(lines)
    counts, empty, bad = Counter(), 0, 0
    for line in lines:
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError:
                bad += 1
                continue
        if not line.strip():
            empty += 1
        counts.update(words(line))
    return sorted(f"{w}\t{n}" for w, n in counts.items()), empty, bad


def java_oracle(lines):
    """Hadoop's WordCount line by line: each line (written with a \\n after it, so a final \\r
    makes a CRLF) decoded as Text, bad lines kept, empty = no token."""
    counts, empty, bad = Counter(), 0, 0
    for line in lines:
        data = line if isinstance(line, bytes) else line.encode("utf-8")
        data = data.removesuffix(b"\r")
        bad += bad_utf8_lines(data)
        empty += java_empty_lines(data)
        counts.update(whitespace_words(hadoop_text(data)))
    return sorted(f"{w}\t{n}" for w, n in counts.items()), empty, bad


@pytest.mark.parametrize("batch", [1, 2, 3, 7, 64, 1 << 20])
@pytest.mark.parametrize("tok,words", [("regex", regex_words), ("whitespace", whitespace_words)])
def test_batches_count_like_single_lines(tmp_path, monkeypatch, batch, tok, words):
    """Blocks of input bytes cut anywhere (in a line, in a CRLF, in a UTF-8 sequence)."""
    monkeypatch.setattr(mr.word_count, "BATCH_BYTES", batch)  # inline runs in this process
    lines = LINES * 3
    path = write_lines(tmp_path / "in.txt", lines)
    rows, counters = run_job(WordCount, [path], args=["--tokenizer", tok], runner="inline")
    expected_rows, empty, bad = oracle(lines, words)
    assert rows == expected_rows
    assert counters["word_count"]["empty_lines"] == empty
    assert counters["word_count"]["bad_utf8"] == bad


@pytest.mark.parametrize("batch", [1, 1 << 20])
def test_greek_sigma_in_context(tmp_path, monkeypatch, batch):
    monkeypatch.setattr(mr.word_count, "BATCH_BYTES", batch)
    lines = LINES + SIGMA_LINES + LINES
    rows, _ = run_job(WordCount, [write_lines(tmp_path / "in.txt", lines)], runner="inline")
    assert rows == oracle(lines, regex_words)[0]
    assert "\u03b1\u03c3\t2" in rows  # medial sigma before ":" and "." + a capital letter


def test_flush_when_too_many_distinct_words(tmp_path, monkeypatch):
    monkeypatch.setattr(mr.word_count, "FLUSH_AT", 3)
    monkeypatch.setattr(mr.word_count, "BATCH_BYTES", 20)
    lines = [f"w{i} w{i % 5} common" for i in range(40)]
    rows, _ = run_job(WordCount, [write_lines(tmp_path / "in.txt", lines)], runner="inline")
    assert rows == oracle(lines, regex_words)[0]


@pytest.mark.parametrize("batch", [1, 3, 4096])
@pytest.mark.parametrize("tok,words", [("regex", regex_words), ("whitespace", whitespace_words)])
def test_line_by_line_mapper_counts_like_the_batch_one(monkeypatch, batch, tok, words):
    """The mapper and reducer of runners that call them per line and per key (Spark:
    map_pairs, reduce_pairs) give the rows that run_mapper and run_reducer give above."""
    monkeypatch.setattr(mr.word_count, "BATCH_LINES", batch)
    lines = [line if isinstance(line, bytes) else line.encode() for line in LINES * 2]
    lines = [line.removesuffix(b"\r") for line in lines]  # mrjob strips a line's \r\n
    job = WordCount(["--tokenizer", tok])
    job.sandbox()
    pairs = sorted(job.map_pairs((None, line) for line in lines))
    rows = sorted(f"{word.decode()}\t{n}" for word, n in job.reduce_pairs(pairs))
    assert rows == oracle(lines, words)[0]


@pytest.mark.parametrize("batch", [1, 3, 4096])
@pytest.mark.parametrize("tok,words", [("regex", regex_words), ("whitespace", whitespace_words)])
def test_mapper_of_files_named_on_the_command_line(tmp_path, monkeypatch, batch, tok, words):
    """`python mr/word_count.py --mapper FILE` (mrjob reads the file, line by line)."""
    monkeypatch.setattr(mr.word_count, "BATCH_LINES", batch)
    path = write_lines(tmp_path / "in.txt", LINES * 2)
    job = WordCount(["--step-num=0", "--mapper", "--tokenizer", tok, path])
    out = io.BytesIO()
    job.sandbox(stdout=out)
    job.execute()
    totals = Counter()
    for line in out.getvalue().splitlines():
        word, n = line.rsplit(b"\t", 1)
        totals[word.decode()] += int(n)
    assert sorted(f"{w}\t{n}" for w, n in totals.items()) == oracle(LINES * 2, words)[0]
