#!/usr/bin/env python3
"""Generate a Zipf-distributed text corpus of any size, deterministically from a seed.

Words come from a synthetic vocabulary (syllables, no real text) and are drawn with
probability proportional to 1 / rank**s. Lines hold 1 to 24 words as sentences: the first word
capitalized, some commas, a final period; about 1 line in 40 is empty (a paragraph break).
About 1% of the words are not ASCII (é, ö, å, ü) and 1% hold an inner apostrophe.

    .venv/bin/python scripts/gen_corpus.py --size 200MB --seed 1 -o corpus.txt

The output is UTF-8, ends with a newline, and is at most --size bytes (it stops at the last whole
line that fits, so it is a few dozen bytes short at most).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from random import Random

from gen_common import (
    ZipfSampler,
    atomic_output,
    base_parser,
    make_vocabulary,
    parse_size,
    write_limited,
)

# words drawn per batch: about 4 MB of text (big writes, little per-call overhead)
WORDS_PER_BATCH = 600_000
MAX_WORDS_PER_LINE = 24


def corpus_chunks(seed: int = 1, vocabulary: int = 50_000, s: float = 1.0) -> Iterator[bytes]:
    """An endless stream of UTF-8 chunks of whole lines of Zipf text."""
    rng = Random(seed)
    vocab = make_vocabulary(rng, vocabulary)
    zipf = ZipfSampler(vocab, s)
    # line lengths: mostly 6-18 words, a few short ones; 0 is an empty line
    lengths = [0] + [n for n in range(1, MAX_WORDS_PER_LINE + 1) for _ in range(min(n, 25 - n))]
    choices = rng.choices
    while True:
        words = zipf.sample(rng, WORDS_PER_BATCH)
        sizes = choices(lengths, k=WORDS_PER_BATCH // 10)
        commas = choices((0, 0, 0, 2, 3, 4), k=len(sizes))
        lines = []
        i = 0
        for n, comma in zip(sizes, commas, strict=True):
            if n == 0:
                lines.append("")
                continue
            if i + n > WORDS_PER_BATCH:
                break
            line = words[i : i + n]
            i += n
            line[0] = line[0].capitalize()
            if comma and comma < n:
                line[comma - 1] += ","
            lines.append(" ".join(line) + ".")
        lines.append("")
        yield "\n".join(lines).encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__)
    parser.add_argument(
        "--size", type=parse_size, default=parse_size("10MB"), help="bytes to write (default 10MB)"
    )
    parser.add_argument(
        "--vocabulary", type=int, default=50_000, help="distinct words (default 50000)"
    )
    parser.add_argument(
        "--zipf-s", type=float, default=1.0, help="Zipf exponent s: weight = 1/rank**s (default 1)"
    )
    args = parser.parse_args(argv)
    if args.vocabulary < 1:
        parser.error("--vocabulary must be at least 1")
    if args.zipf_s <= 0:
        parser.error("--zipf-s must be positive")
    with atomic_output(args.output) as out:
        write_limited(out, corpus_chunks(args.seed, args.vocabulary, args.zipf_s), args.size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
