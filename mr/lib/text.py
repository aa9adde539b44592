"""Tokenizers: what a "word" is, stated once for every job and every engine.

``regex`` (the default): a word is a maximal run of Unicode letters and digits, optionally joined
by single apostrophes inside it ("don't", "o'clock"), lowercased. Underscores, hyphens and all
other punctuation separate words. ``"Hello, World-wide don't_stop"`` ->
``['hello', 'world', 'wide', "don't", 'stop']``.

``whitespace``: Java's ``StringTokenizer`` defaults as Hadoop's WordCount uses them: split on
space, tab, newline, carriage return and form feed only; case and punctuation kept.
``"Hello, World-wide"`` -> ``['Hello,', 'World-wide']``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
JAVA_WHITESPACE_RE = re.compile(r"[ \t\n\r\f]+")

TOKENIZERS = ("regex", "whitespace")


def regex_words(line: str) -> list[str]:
    """Lowercased words of letters/digits with inner apostrophes."""
    return WORD_RE.findall(line.lower())


def whitespace_words(line: str) -> list[str]:
    """Tokens split on Java StringTokenizer's default delimiters ' \\t\\n\\r\\f'."""
    return [t for t in JAVA_WHITESPACE_RE.split(line) if t]


def tokenizer(name: str) -> Callable[[str], list[str]]:
    """The tokenizer function for a name in TOKENIZERS."""
    if name == "regex":
        return regex_words
    if name == "whitespace":
        return whitespace_words
    raise ValueError(f"unknown tokenizer {name!r}; choose one of {', '.join(TOKENIZERS)}")
