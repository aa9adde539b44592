"""Tokenizers: what a "word" is, stated once for every job and every engine.

``regex`` (the default): a word is a maximal run of Unicode letters and digits, optionally joined
by single apostrophes inside it ("don't", "o'clock"), lowercased. Underscores, hyphens and all
other punctuation separate words. ``"Hello, World-wide don't_stop"`` ->
``['hello', 'world', 'wide', "don't", 'stop']``.

``whitespace``: Java's ``StringTokenizer`` defaults as Hadoop's WordCount uses them: split on
space, tab, newline, carriage return and form feed only; case and punctuation kept.
``"Hello, World-wide"`` -> ``['Hello,', 'World-wide']``. Nothing else separates words: not
\x0b, \x1c-\x1f, U+0085, U+00A0, U+2028, U+3000 (all whitespace to Python's str.split()), not
NUL. Its input is text as Hadoop's ``Text.toString()`` decodes it (:func:`hadoop_text`): bytes
that are not UTF-8 become U+FFFD, exactly as many as Java's decoder makes.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
#: java.util.StringTokenizer's default delimiters
JAVA_DELIMITERS = " \t\n\r\f"
JAVA_TOKEN_RE = re.compile(r"[^ \t\n\r\f]+")
#: the same tokens on UTF-8 bytes: the delimiters are ASCII, and ASCII bytes are never part of
#: an invalid sequence that the decoder replaces, so the tokens of the bytes decode to the tokens
#: of the text
JAVA_TOKEN_BYTES_RE = re.compile(rb"[^ \t\n\r\f]+")
#: the UTF-8 byte order mark that Hadoop's LineRecordReader drops from the start of a file
UTF8_BOM = codecs.BOM_UTF8

TOKENIZERS = ("regex", "whitespace")


def regex_words(line: str) -> list[str]:
    """Lowercased words of letters/digits with inner apostrophes."""
    return WORD_RE.findall(line.lower())


def whitespace_words(line: str) -> list[str]:
    """Tokens split on Java StringTokenizer's default delimiters ' \\t\\n\\r\\f'."""
    return JAVA_TOKEN_RE.findall(line)


def hadoop_text(data: bytes) -> str:
    """``new Text(data).toString()``: UTF-8 with each invalid sequence replaced by U+FFFD.

    Python's ``errors="replace"`` replaces the same sequences except the encoded surrogates
    (ED A0..BF ..): Java's decoder replaces such a sequence once, Python once per byte. The
    error handler below makes Python's decoder resume where Java's does.
    """
    return data.decode("utf-8", _HADOOP_TEXT_ERRORS)


def java_empty_lines(data: bytes) -> int:
    """How many of the lines in data hold no whitespace token: lines separated by \\n, \\r\\n or a
    lone \\r (LineRecordReader's line ends), so b"" is one empty line and b"a\\r" two lines."""
    if b"\r" in data:
        data = data.replace(b"\r", b"\n")
    # a line without a token holds only the other delimiters (space, \t, \f): deleted, it is
    # an empty piece between two \n
    return data.translate(None, _JAVA_BLANKS).split(b"\n").count(b"")


def bad_utf8_lines(data: bytes) -> int:
    """How many of the lines in data (as in java_empty_lines) are not valid UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return sum(not _is_utf8(line) for line in data.replace(b"\r", b"\n").split(b"\n"))
    return 0


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_JAVA_BLANKS = b" \t\f"


def _java_malformed_length(b: bytes, p: int) -> int:
    """How many bytes at b[p], an invalid UTF-8 sequence, Java's decoder replaces with one U+FFFD.

    sun.nio.cs.UTF_8.Decoder (JDK 8-21) on a whole array with endOfInput, as CharsetDecoder.decode()
    runs it: a sequence cut short by the end of the input is one malformed unit of all the bytes
    left.
    """

    def cont(i: int) -> bool:  # a continuation byte 10xxxxxx
        return i < len(b) and b[i] & 0xC0 == 0x80

    b1, left = b[p], len(b) - p
    if 0xE0 <= b1 <= 0xEF:  # three bytes
        b2 = b[p + 1] if left > 1 else 0
        bad2 = (b1 == 0xE0 and b2 & 0xE0 == 0x80) or not cont(p + 1)
        if left < 3:
            return 1 if left > 1 and bad2 else left
        if bad2:
            return 1
        if not cont(p + 2):
            return 2
        return 3  # ED A0..BF 80..BF: an encoded surrogate, replaced as a whole
    if 0xF0 <= b1 <= 0xF4:  # four bytes
        b2 = b[p + 1] if left > 1 else 0
        bad2 = (
            (b1 == 0xF0 and not 0x90 <= b2 <= 0xBF)
            or (b1 == 0xF4 and b2 & 0xF0 != 0x80)
            or not cont(p + 1)
        )
        if left < 4:
            if left > 1 and bad2:
                return 1
            if left > 2 and not cont(p + 2):
                return 2
            return left
        if bad2:
            return 1
        return 2 if not cont(p + 2) else 3
    return 1  # a stray continuation byte, C0, C1, F5..FF, or a two-byte lead without its tail


def _hadoop_text_errors(e: UnicodeError) -> tuple[str, int]:
    if not isinstance(e, UnicodeDecodeError):
        raise e
    return "\ufffd", e.start + _java_malformed_length(e.object, e.start)


_HADOOP_TEXT_ERRORS = "mrkit.hadoop_text"
codecs.register_error(_HADOOP_TEXT_ERRORS, _hadoop_text_errors)


def tokenizer(name: str) -> Callable[[str], list[str]]:
    """The tokenizer function for a name in TOKENIZERS."""
    if name == "regex":
        return regex_words
    if name == "whitespace":
        return whitespace_words
    raise ValueError(f"unknown tokenizer {name!r}; choose one of {', '.join(TOKENIZERS)}")
