import random
from collections import Counter

import pytest

from mr.lib.text import (
    JAVA_TOKEN_BYTES_RE,
    bad_utf8_lines,
    hadoop_text,
    java_empty_lines,
    regex_words,
    whitespace_words,
)
from mr.word_count import WordCount
from tests.support import BOTH_RUNNERS, fixture, run_job, write_lines

STEM = "word_count"


def oracle(path, words=regex_words):
    with open(path, encoding="utf-8") as f:
        counts = Counter(w for line in f for w in words(line))
    return sorted(f"{w}\t{n}" for w, n in counts.items())


@BOTH_RUNNERS
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


@BOTH_RUNNERS
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


# --tokenizer whitespace is Hadoop's WordCount: StringTokenizer(new Text(bytes).toString()).
# Expected tokens as Java gives them (checked with hadoop-common 3.4.1's Text and JDK 17's
# StringTokenizer; tests/test_wordcount_parity.py compares whole jobs).
JAVA_TOKENS = [
    (b"", []),
    (b" \t\r\n\x0c", []),
    (b"Hello, World-wide", ["Hello,", "World-wide"]),
    (b"a\x0bb", ["a\x0bb"]),  # vertical tab: not a delimiter (str.split() splits there)
    (b"\x1c\x1d\x1e\x1f", ["\x1c\x1d\x1e\x1f"]),  # nor the information separators
    (b"\x0b", ["\x0b"]),
    (b"nul\x00x \x00", ["nul\x00x", "\x00"]),
    ("\u00a0\u3000".encode(), ["\u00a0\u3000"]),  # Unicode spaces are part of words
    ("a\u2028b\u0085c".encode(), ["a\u2028b\u0085c"]),
    (b"\xef\xbb\xbfx", ["\ufeffx"]),  # a BOM inside the text is a character like any other
    (b"cr\rlf\nff\x0cx", ["cr", "lf", "ff", "x"]),
    (b"\xff bad\xfe", ["\ufffd", "bad\ufffd"]),
    (b"\xc3(", ["\ufffd("]),  # a lead byte without its tail
    (b"\xe2\x82", ["\ufffd"]),  # cut short by the end: one U+FFFD for the rest
    (b"\xe2\x82 x", ["\ufffd", "x"]),
    (b"\xf0\x9f\x98", ["\ufffd"]),
    (b"\xed\xa0\x80", ["\ufffd"]),  # an encoded surrogate: ONE U+FFFD (Python's replace: 3)
    (b"\xed\xa0\xbd\xed\xb8\x80", ["\ufffd\ufffd"]),  # CESU-8 pair: two
    (b"\xed\xa0", ["\ufffd"]),  # Python's replace: 2
    (b"\xed\xa0A", ["\ufffdA"]),  # Python's replace: 2
    (b"\xc0\x80", ["\ufffd\ufffd"]),  # overlong
    (b"\xe0\x80\x80", ["\ufffd\ufffd\ufffd"]),
    (b"\xf0\x80\x80\x80", ["\ufffd\ufffd\ufffd\ufffd"]),
    (b"\xf4\x90\x80\x80", ["\ufffd\ufffd\ufffd\ufffd"]),  # above U+10FFFF
    (b"\xf8\x88\x80\x80\x80", ["\ufffd" * 5]),
    (b"\x80\xbf", ["\ufffd\ufffd"]),
    ("\U0001f600 caf\u00e9".encode(), ["\U0001f600", "caf\u00e9"]),
]


@pytest.mark.parametrize("data,tokens", JAVA_TOKENS, ids=[repr(d) for d, _ in JAVA_TOKENS])
def test_whitespace_tokens_are_java_wordcount_tokens(data, tokens):
    assert whitespace_words(hadoop_text(data)) == tokens
    # the bytes fast path of word_count: tokens of the bytes, each decoded alone
    assert [hadoop_text(t) for t in JAVA_TOKEN_BYTES_RE.findall(data)] == tokens


def test_hadoop_text_is_java_text_on_random_bytes():
    # the decoder's rule, stated independently: Python's replacement, except that an encoded
    # surrogate (ED A0..BF, then a continuation byte or the end) is one U+FFFD, as in Java
    rng = random.Random(5)
    pool = bytes([0x20, 0x41, 0x80, 0x9F, 0xA0, 0xBF, 0xC2, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xFF])
    for _ in range(20_000):
        data = bytes(rng.choice(pool) for _ in range(rng.randint(0, 6)))
        if b"\xed" not in data:
            assert hadoop_text(data) == data.decode("utf-8", "replace")


@pytest.mark.parametrize(
    "data,empty,bad",
    [
        (b"", 1, 0),
        (b" \t\x0c", 1, 0),
        (b"\x0b", 0, 0),
        ("\u00a0\u3000".encode(), 0, 0),
        (b"a\rb", 0, 0),  # a lone \r ends a line (LineRecordReader)
        (b"a\r\rb\r \r", 3, 0),  # lines are separated by the line ends: the last one is ""
        (b"\xff\r\xfe x\rok", 0, 2),
        (b"\xff\nok\n", 1, 1),
    ],
)
def test_java_lines(data, empty, bad):
    assert java_empty_lines(data) == empty
    assert bad_utf8_lines(data) == bad


def test_whitespace_mode_keeps_bad_utf8_lines(tmp_path, runner):
    lines = [b"good \xff\xfe bad\xc3 word", "\u00a0\u3000".encode(), b"", b" \t", b"\x0b"]
    path = write_lines(tmp_path / "in.txt", lines)
    rows, counters = run_job(WordCount, [path], args=["--tokenizer", "whitespace"], runner=runner)
    assert rows == sorted(
        ["good\t1", "\ufffd\ufffd\t1", "bad\ufffd\t1", "word\t1", "\u00a0\u3000\t1", "\x0b\t1"]
    )
    assert counters["word_count"] == {"bad_utf8": 1, "empty_lines": 2}


@BOTH_RUNNERS
def test_whitespace_mode_drops_the_bom_at_the_start_of_a_file(tmp_path, runner):
    bom = b"\xef\xbb\xbf"
    path = write_lines(tmp_path / "in.txt", [bom + b"first", bom + b"second", b"x" + bom])
    rows, _ = run_job(WordCount, [path], args=["--tokenizer", "whitespace"], runner=runner)
    assert rows == sorted(["first\t1", "\ufeffsecond\t1", "x\ufeff\t1"])


def test_whitespace_rows_are_not_tsv_escaped(tmp_path, runner):
    path = write_lines(tmp_path / "in.txt", [b"C:\\dir \\N \\"])
    rows, _ = run_job(WordCount, [path], args=["--tokenizer", "whitespace"], runner=runner)
    assert rows == sorted(["C:\\dir\t1", "\\N\t1", "\\\t1"])
