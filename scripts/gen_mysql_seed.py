#!/usr/bin/env python3
"""Load the example schema of `mrkit import mysql` into MySQL/MariaDB, deterministically from a
seed: the same seed and sizes give the same rows on every run and machine.

Tables (dropped and created again; the database is created if missing):
    users(id INT PRIMARY KEY, name VARCHAR(100), email VARCHAR(120) NULL)
        7	Kai O'Brien	kai7@example.com
    film(film_id INT PRIMARY KEY, title VARCHAR(200), director VARCHAR(100),
         released DATE, rating DECIMAL(3,1) NULL, updated_at DATETIME(6))
        3	The Brave Sea	Ada Ruiz	1987-05-02	7.5	2026-01-01 00:00:00.000000
    directors_notes(note_id INT PRIMARY KEY, film_id INT NULL, note TEXT,
                    written_at TIMESTAMP(6) NULL)
        11	3	On set: "take 2"\\tthen lunch	2026-01-03 10:00:00.000000

Values are hostile on purpose, as real tables are: names and notes hold quotes, commas,
backslashes, tabs, line breaks, ``\\N`` as text, and text beyond ASCII (é, 😀); some emails,
ratings and notes' film ids are NULL (a note about no film); film ids have gaps (every film id
is a multiple of 3), so a key range split sees sparse keys. Rows go in with ``LOAD DATA LOCAL
INFILE`` (fast enough for the benchmark's million users).

    .venv/bin/python scripts/gen_mysql_seed.py --url mysql://root@127.0.0.1:3307/demo --users 1000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from random import Random

from gen_common import make_vocabulary

from mr.clients import mysql
from mr.lib.tsv import NULL, escape_field

SCHEMA = {
    "users": "CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, "
    "email VARCHAR(120) NULL) CHARACTER SET utf8mb4",
    "film": "CREATE TABLE film (film_id INT PRIMARY KEY, title VARCHAR(200) NOT NULL, "
    "director VARCHAR(100) NOT NULL, released DATE NOT NULL, rating DECIMAL(3,1) NULL, "
    "updated_at DATETIME(6) NOT NULL) CHARACTER SET utf8mb4",
    "directors_notes": "CREATE TABLE directors_notes (note_id INT PRIMARY KEY, film_id INT NULL, "
    "note TEXT NOT NULL, written_at TIMESTAMP(6) NULL) CHARACTER SET utf8mb4",
}
_ODD = ["O'Brien", 'the "Kid"', "Smith, Jr.", "back\\slash", "tab\there", "two\nlines",
        "\\N", "Caf\u00e9", "\U0001f600 smile", "NULL"]  # fmt: skip
_DOMAINS = ("example.com", "example.net", "example.org")
_START = datetime(2026, 1, 1)


def _name(rng: Random, vocab: list[str]) -> str:
    first, last = rng.choice(vocab).capitalize(), rng.choice(vocab).capitalize()
    if rng.random() < 0.05:
        return f"{first} {rng.choice(_ODD)}"
    return f"{first} {last}"


def user_rows(n: int, seed: int) -> Iterator[tuple[object, ...]]:
    """(id, name, email) for ids 1..n."""
    rng = Random(seed)
    vocab = make_vocabulary(rng, 2000)
    for uid in range(1, n + 1):
        name = _name(rng, vocab)
        email = None if rng.random() < 0.03 else f"{vocab[uid % 2000]}{uid}@{rng.choice(_DOMAINS)}"
        yield uid, name, email


def film_rows(n: int, seed: int) -> Iterator[tuple[object, ...]]:
    """(film_id, title, director, released, rating, updated_at); film ids 3, 6, 9, ..."""
    rng = Random(seed + 1)
    vocab = make_vocabulary(rng, 500)
    for i in range(1, n + 1):
        title = " ".join(w.capitalize() for w in rng.sample(vocab, rng.randint(1, 4)))
        if rng.random() < 0.1:
            title += " " + rng.choice(_ODD)
        released = date(1950, 1, 1) + timedelta(days=rng.randrange(27_000))
        rating = None if rng.random() < 0.1 else f"{rng.randrange(10, 100) / 10:.1f}"
        updated = _START + timedelta(
            seconds=rng.randrange(86_400), microseconds=rng.randrange(10**6)
        )
        yield 3 * i, title, _name(rng, vocab), released.isoformat(), rating, str(updated)


def note_rows(n: int, films: int, seed: int) -> Iterator[tuple[object, ...]]:
    """(note_id, film_id, note, written_at): about n notes, some about no film (NULL)."""
    rng = Random(seed + 2)
    vocab = make_vocabulary(rng, 300)
    for note_id in range(1, n + 1):
        film = None if rng.random() < 0.05 or not films else 3 * rng.randint(1, films)
        words = rng.sample(vocab, rng.randint(2, 8))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words) + 1), rng.choice(_ODD))
        written = None if rng.random() < 0.05 else str(_START + timedelta(minutes=note_id))
        yield note_id, film, " ".join(words), written


def _load_file(rows: Iterator[tuple[object, ...]]) -> str:
    """The rows in LOAD DATA's default format (TAB, backslash escapes, \\N): mrkit's TSV."""
    fd, path = tempfile.mkstemp(prefix="mrkit-seed-", suffix=".tsv")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for row in rows:
            f.write("\t".join(NULL if v is None else escape_field(str(v)) for v in row) + "\n")
    return path


def load(conn: object, table: str, rows: Iterator[tuple[object, ...]]) -> int:
    """Drop, create and fill one table; the number of rows."""
    path = _load_file(rows)
    try:
        with conn.cursor() as cur:  # type: ignore[attr-defined]
            cur.execute(f"DROP TABLE IF EXISTS `{table}`")
            cur.execute(SCHEMA[table])
            cur.execute(
                f"LOAD DATA LOCAL INFILE %s INTO TABLE `{table}` CHARACTER SET utf8mb4", [path]
            )
            count = cur.rowcount
        conn.commit()  # type: ignore[attr-defined]
        return int(count)
    finally:
        os.unlink(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=None, help="mysql://user@host:port/database")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--users", type=int, default=1000, help="users rows (default 1000)")
    parser.add_argument("--films", type=int, default=100, help="film rows (default 100)")
    parser.add_argument("--notes", type=int, default=300, help="directors_notes rows (300)")
    parser.add_argument(
        "--tables",
        default="users,film,directors_notes",
        help="which tables to load, comma-separated (default all three)",
    )
    args = parser.parse_args(argv)
    server = mysql.parse_url(args.url) if args.url else mysql.default_server()
    if not server.database:
        parser.error("name the database in --url (mysql://user@host:port/DATABASE)")
    conn = mysql.connect(server, local_infile=True, database="")
    with mysql.errors(server), conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE IF NOT EXISTS `{server.database}` CHARACTER SET utf8mb4")
        cur.execute(f"USE `{server.database}`")
    makers = {
        "users": lambda: user_rows(args.users, args.seed),
        "film": lambda: film_rows(args.films, args.seed),
        "directors_notes": lambda: note_rows(args.notes, args.films, args.seed),
    }
    try:
        with mysql.errors(server):
            for table in args.tables.split(","):
                if table not in makers:
                    parser.error(f"--tables: no table {table!r} (users, film, directors_notes)")
                print(f"{table}\t{load(conn, table, makers[table]())}")
    finally:
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
