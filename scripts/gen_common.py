"""Shared pieces of the data generators (scripts/gen_*.py): sizes, Zipf weights, a synthetic
vocabulary, seeded randomness and atomic output.

Everything is a pure function of the seed: the same seed and options give the same bytes on every
run and every machine (Python's ``random.Random`` with an integer seed is stable across CPython
versions). No third-party or copyrighted text is used: words are built from syllables.
"""

from __future__ import annotations

import argparse
import itertools
import operator
import os
import re
import sys
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from random import Random
from typing import BinaryIO

_LOW5 = bytes(b & 0x1F for b in range(256))
_UNITS = {"": 1, "B": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*$", re.IGNORECASE)


_ONSETS = "b c d f g h j k l m n p r s t v w z br ch cr dr fl gr kl pr sh st th tr".split()
_VOWELS = "a e i o u a e i o u ai ea ie ou y".split()
_RARE_VOWELS = ["\u00e9", "\u00f6", "\u00e5", "\u00fc"]  # é ö å ü: some words are not ASCII
_CODAS = ["", "", "", "n", "r", "s", "l", "t", "nd", "st", "rk"]


def parse_size(text: str) -> int:
    """Bytes in a size like ``200MB``, ``1.5G``, ``64k`` or ``1000`` (binary units: 1K = 1024)."""
    m = _SIZE_RE.match(text)
    if not m:
        raise argparse.ArgumentTypeError(
            f"bad size {text!r}: use a number with an optional K, M, G or T suffix (e.g. 200MB)"
        )
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def zipf_cum_weights(n: int, s: float) -> list[float]:
    """Cumulative weights of ranks 1..n under Zipf's law: weight(rank) = 1 / rank**s."""
    return list(itertools.accumulate(1.0 / rank**s for rank in range(1, n + 1)))


class ZipfSampler:
    """Draws items with probability proportional to 1 / rank**s, exactly, and fast.

    ``random.choices`` with weights bisects for every draw; most draws instead pick uniformly from
    a table in which item i fills floor(p_i * TABLE) slots. The leftover slots (the fractional
    parts, at most ``len(items)`` of them) stand for a second, weighted draw from the remainders.
    """

    TABLE = 2**21

    def __init__(self, items: list[str], s: float) -> None:
        cum = zipf_cum_weights(len(items), s)
        total = cum[-1]
        self.items = items
        self.table: list[str | None] = []
        remainders = []
        prev = 0.0
        for item, c in zip(items, cum, strict=True):
            share = (c - prev) / total * self.TABLE
            prev = c
            whole = int(share)
            self.table.extend([item] * whole)
            remainders.append(share - whole)
        self.table.extend([None] * (self.TABLE - len(self.table)))
        self.remainder_cum = list(itertools.accumulate(remainders))

    def sample(self, rng: Random, k: int) -> list[str]:
        """k seeded draws."""
        if k < 2:
            return [self.sample(rng, 2)[0]] if k == 1 else []
        # k uniform 21-bit table indices without a Python-level loop: 32 random bits each, the
        # top 11 of them masked off with translate() (byte 3 zeroed, byte 2 cut to 5 bits)
        raw = bytearray(rng.getrandbits(32 * k).to_bytes(4 * k, "little"))
        raw[3::4] = bytes(k)
        raw[2::4] = raw[2::4].translate(_LOW5)
        indices = array("I", bytes(raw))  # C unsigned int: 4 bytes wherever CPython runs
        if sys.byteorder != "little":
            indices.byteswap()
        drawn = list(operator.itemgetter(*indices)(self.table))
        missing = drawn.count(None)
        if not missing:
            return drawn  # type: ignore[return-value]
        extra = iter(rng.choices(self.items, cum_weights=self.remainder_cum, k=missing))
        return [w if w is not None else next(extra) for w in drawn]


def make_vocabulary(rng: Random, size: int) -> list[str]:
    """`size` distinct synthetic lowercase words; shorter words come first (they get the high
    Zipf ranks, as in natural language). About 1% are not ASCII and 1% hold an inner
    apostrophe."""
    words: set[str] = set()
    ordered: list[str] = []
    while len(ordered) < size:
        syllables = rng.choices((1, 2, 3, 4), weights=(3, 5, 3, 1))[0]
        parts = []
        for _ in range(syllables):
            vowel = rng.choice(_RARE_VOWELS) if rng.random() < 0.003 else rng.choice(_VOWELS)
            parts.append(rng.choice(_ONSETS) + vowel + rng.choice(_CODAS))
        word = "".join(parts)
        if syllables > 1 and rng.random() < 0.01:
            word = parts[0] + "'" + "".join(parts[1:])
        if word not in words:
            words.add(word)
            ordered.append(word)
    ordered.sort(key=len)  # stable: equal lengths keep their seeded order
    return ordered


@contextmanager
def atomic_output(path: str) -> Iterator[BinaryIO]:
    """A binary file that appears at `path` only when complete ('-' is stdout)."""
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_limited(out: BinaryIO, chunks: Iterable[bytes], limit: int | None) -> int:
    """Write byte chunks of whole lines until `limit` bytes (None: all of them); the output ends
    at the last line boundary at or before the limit. Returns the bytes written."""
    written = 0
    for chunk in chunks:
        if limit is not None and written + len(chunk) > limit:
            cut = chunk.rfind(b"\n", 0, limit - written) + 1
            out.write(chunk[:cut])
            return written + cut
        out.write(chunk)
        written += len(chunk)
    return written


def base_parser(description: str) -> argparse.ArgumentParser:
    """An argument parser with the options every generator shares: --seed and -o."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="random seed; same seed, same bytes (default 1)"
    )
    parser.add_argument(
        "-o",
        "--output",
        default="-",
        help="output file, written atomically ('-' or omitted: stdout)",
    )
    return parser
