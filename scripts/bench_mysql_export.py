#!/usr/bin/env python3
"""Benchmark the two ways to load rows into MySQL: multi-row INSERTs with parameters (what
`mrkit export mysql` does, PyMySQL's executemany) vs LOAD DATA LOCAL INFILE of a TSV file.

Both load the same generated rows (INT, DECIMAL, DATETIME, VARCHAR) into a fresh table of the
same shape in one database, one after the other, each timed from the first statement to the
commit; the whole `mrkit export mysql` (read, decode, stage, copy) is timed too. Prints rows per
second and checks that every table holds every row. The machine may be shared: compare the
ratios within one run, not the absolute numbers.

    mrkit mysql up
    .venv/bin/python scripts/bench_mysql_export.py                  # 100000 rows, batch 1000
    .venv/bin/python scripts/bench_mysql_export.py --rows 20000 --batch-rows 500

Exit code 1 if a table does not hold every row.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mr.clients import mysql  # noqa: E402
from mr.clients.mysql_export import export  # noqa: E402

TABLE = "(id INT PRIMARY KEY, price DECIMAL(12,2), at DATETIME, word VARCHAR(40)) ENGINE=InnoDB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-rows", type=int, default=1000)
    args = parser.parse_args()
    database = f"bench_{uuid.uuid4().hex[:8]}"
    conn = mysql.connect(local_infile=True)
    cur = conn.cursor()
    cur.execute(f"CREATE DATABASE `{database}`")
    cur.execute(f"USE `{database}`")
    try:
        for table in ("by_insert", "by_load_data", "by_export"):
            cur.execute(f"CREATE TABLE {table} {TABLE}")
        lines = [f"{i}\t{i % 1000}.{i % 100:02d}\t2026-01-05T10:{i % 60:02d}:00\tword {i}"
                 for i in range(args.rows)]  # fmt: skip
        rows = [(i, Decimal(p), a, w) for i, p, a, w in (line.split("\t") for line in lines)]
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            out.mkdir()
            (out / "part-00000").write_text("\n".join(lines) + "\n")
            (out / "_SUCCESS").write_text("")

            started = time.perf_counter()
            for i in range(0, len(rows), args.batch_rows):
                cur.executemany("INSERT INTO by_insert VALUES (%s, %s, %s, %s)",
                                rows[i : i + args.batch_rows])  # fmt: skip
            conn.commit()
            timings = {"multi-row INSERT (executemany)": time.perf_counter() - started}

            started = time.perf_counter()
            cur.execute(f"LOAD DATA LOCAL INFILE '{out / 'part-00000'}' INTO TABLE by_load_data")
            conn.commit()
            timings["LOAD DATA LOCAL INFILE"] = time.perf_counter() - started

            started = time.perf_counter()
            server = mysql.default_server()
            server = mysql.Server(server.host, server.port, server.user, database, server.socket)
            export(str(out), "by_export", server, batch_rows=args.batch_rows)
            timings["mrkit export mysql (all of it)"] = time.perf_counter() - started
        base = timings["multi-row INSERT (executemany)"]
        for what, seconds in timings.items():
            print(f"{what:32} {args.rows / seconds:>10,.0f} rows/s  ({seconds / base:.2f}x time)")
        ok = True
        for table in ("by_insert", "by_load_data", "by_export"):
            cur.execute(f"SELECT COUNT(*) FROM {table}")
            count = cur.fetchone()[0]
            if count != args.rows:
                print(f"{table} holds {count} rows, not {args.rows}", file=sys.stderr)
                ok = False
        return 0 if ok else 1
    finally:
        cur.execute(f"DROP DATABASE `{database}`")
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
