#!/usr/bin/env python3
"""Generate a users table as MySQL exports it, deterministically from a seed.

The CSV is what ``SELECT * FROM users INTO OUTFILE 'users.csv' FIELDS TERMINATED BY ','
ENCLOSED BY '"' LINES TERMINATED BY '\\n'`` writes (escape character ``\\``): every value in double
quotes, ``"`` inside a value written as ``\\"``, ``\\`` as ``\\\\``, NULL as a bare ``\\N``; no
header row. mr/lib/records.py parse_mysql_csv reads it back.

Columns: id, username, full_name, email, country, signup_time, age, score, bio
    "7","kaimor","O'Brien, Kai","kaimor@example.com","DE","2024-03-01 17:04:55","34","81.25",\\N
    "8","lenfi","Len Fi","lenfi7@example.net","US","2024-03-02 08:00:12",\\N,"3.5","says \\"hi\\""

Names contain commas and apostrophes, bios quotes and backslashes, some values are NULL and
some not ASCII; no value holds a tab or a line break. ``--format tsv`` writes the same rows as
mrkit's TSV (``\\N`` for NULL, ``\\\\`` for a backslash) for tests that want both.

    .venv/bin/python scripts/gen_users.py --rows 10000 -o users.csv
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from random import Random

from gen_common import ZipfSampler, atomic_output, base_parser, make_vocabulary, write_limited

COLUMNS = (
    "id",
    "username",
    "full_name",
    "email",
    "country",
    "signup_time",
    "age",
    "score",
    "bio",
)
_COUNTRIES = ("US", "DE", "FR", "BR", "IN", "JP", "GB", "NG", "CA", "ES")
_DOMAINS = ("example.com", "example.net", "example.org")
_BIOS = (
    "Loves {w} and {v}.",
    'Says "{w}" a lot',
    "Works at {W}, Inc.",
    "Path: C:\\Users\\{w}",
    "{W} & {V}; 50% off",
    "Caf\u00e9 owner in {W}",
    "",
)


def user_rows(seed: int = 1) -> Iterator[list[str | None]]:
    """An endless stream of user rows: lists of str values, None for NULL."""
    rng = Random(seed)
    vocab = make_vocabulary(rng, 5_000)
    names = ZipfSampler(vocab, 0.8)
    t = datetime(2024, 1, 1)
    taken: set[str] = set()
    uid = 0
    while True:
        uid += 1
        first, last, w, v = names.sample(rng, 4)
        username = first + last[:3]
        if username in taken:
            username += str(uid)
        taken.add(username)
        style = rng.random()
        if style < 0.05:
            full = f"O'{last.capitalize()}, {first.capitalize()}"
        elif style < 0.08:
            full = f"{first.capitalize()} {last.capitalize()}, Jr."
        else:
            full = f"{first.capitalize()} {last.capitalize()}"
        email = f"{username}@{rng.choice(_DOMAINS)}"
        t += timedelta(seconds=rng.randrange(1, 86_400))
        age = str(rng.randrange(16, 90)) if rng.random() > 0.1 else None
        score = f"{rng.randrange(0, 10_000) / 100:g}" if rng.random() > 0.05 else None
        bio: str | None = rng.choice(_BIOS).format(w=w, v=v, W=w.capitalize(), V=v.capitalize())
        if rng.random() < 0.2:
            bio = None
        yield [
            str(uid),
            username,
            full,
            email if rng.random() > 0.03 else None,
            rng.choice(_COUNTRIES),
            t.strftime("%Y-%m-%d %H:%M:%S"),
            age,
            score,
            bio,
        ]


_MYSQL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\0": "\\0"})


def mysql_csv_line(row: list[str | None]) -> str:
    """One row as MySQL INTO OUTFILE writes it with FIELDS TERMINATED BY ',' ENCLOSED BY '"'."""
    return ",".join("\\N" if v is None else '"' + v.translate(_MYSQL_ESCAPES) + '"' for v in row)


def tsv_line(row: list[str | None]) -> str:
    """One row as mrkit's TSV (mr/lib/tsv.py): \\N for NULL, a backslash as \\\\ (values
    hold no tabs or line breaks)."""
    return "\t".join("\\N" if v is None else v.replace("\\", "\\\\") for v in row)


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__)
    parser.add_argument("--rows", type=int, default=1000, help="rows to write (default 1000)")
    parser.add_argument(
        "--format",
        choices=("csv", "tsv"),
        default="csv",
        help="csv: MySQL INTO OUTFILE (default); tsv: TAB-separated, \\N for NULL",
    )
    args = parser.parse_args(argv)
    if args.rows < 0:
        parser.error("--rows must not be negative")
    fmt = mysql_csv_line if args.format == "csv" else tsv_line
    rows = user_rows(args.seed)

    def chunks() -> Iterator[bytes]:
        left = args.rows
        while left > 0:
            n = min(left, 10_000)
            yield "".join(fmt(next(rows)) + "\n" for _ in range(n)).encode("utf-8")
            left -= n

    with atomic_output(args.output) as out:
        write_limited(out, chunks(), None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
