#!/usr/bin/env python3
"""Benchmark `mrkit import mysql` against the server's own exports, in one run.

Loads a generated ``users(id, name, email)`` table of ``--rows`` rows (scripts/gen_mysql_seed.py,
seeded) into the database ``mrkit_bench`` of the server, then times, ``--repeat`` times each,
in rotating order:

- ``SELECT * FROM users INTO OUTFILE`` (the server writes a TAB-separated file itself: the
  baseline, the fastest an export of this table can be),
- ``mysqldump --tab`` (the same, through the client tool),
- ``mrkit import mysql -m 1`` and ``-m 2`` (mr/mysql_import.py on the local runner, TSV, whole
  command: planning, job, publish), through the driver and ``--direct`` (the tasks run the
  mysql client, mr/clients/mysql_direct.py),

after one untimed run of each (the table in the buffer pool), and prints each median as a ratio
to INTO OUTFILE's median, with the spread of the runs over that median (never lone times: they
say more about the machine than about the code), and the load average before and after (the
machine may be shared). Targets: an import within 2x of INTO OUTFILE, and ``--direct`` within
1.5x. Every output is checked to hold ``--rows`` records. ``--direct-only`` leaves out the
imports through the driver (the slow ones).

    .venv/bin/mrkit mysql up
    .venv/bin/python scripts/bench_mysql_import.py                 # 1,000,000 rows
    .venv/bin/python scripts/bench_mysql_import.py --rows 50000    # a quick check
    .venv/bin/python scripts/bench_mysql_import.py --direct-only   # --direct against the server
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from gen_mysql_seed import load, user_rows

from mr.clients import mysql
from mr.lib.records import ends_with_escape

DATABASE = "mrkit_bench"
#: `mrkit import mysql --direct` may take at most this times INTO OUTFILE (issue 27)
DIRECT_TARGET = 1.5
REPO = Path(__file__).resolve().parents[1]


def count_records(paths: list[Path]) -> int:
    """Records in files of one record per line, where INTO OUTFILE's escaped newline
    (a backslash before the line break) carries a record on to the next line."""
    n = 0
    for p in paths:
        with open(p, "rb") as f:
            n += sum(1 for line in f if not ends_with_escape(line))
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="the server (default $MRKIT_MYSQL_URL or mrkit's MariaDB)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--keep", action="store_true", help="keep the table for the next run")
    parser.add_argument("--direct-only", action="store_true",
                        help="time only the server's exports and --direct")  # fmt: skip
    args = parser.parse_args(argv)
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be at least 1")

    # bytecode for the `mr` package, as pip leaves an installed one: a Python that does not
    # write it (PYTHONDONTWRITEBYTECODE, as on CI machines) would compile every module in every
    # launcher and task
    compileall.compile_dir(str(REPO / "mr"), quiet=1)
    base = mysql.parse_url(args.url) if args.url else mysql.default_server()
    admin = mysql.connect(base, local_infile=True)
    with mysql.errors(base), admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE IF NOT EXISTS `{DATABASE}` CHARACTER SET utf8mb4")
        cur.execute(f"USE `{DATABASE}`")
        cur.execute("SELECT @@secure_file_priv, VERSION()")
        files_dir, version = cur.fetchone()
        have = 0
        cur.execute(
            "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
            "AND TABLE_NAME = 'users'",
            [DATABASE],
        )
        if cur.fetchone()[0]:
            cur.execute("SELECT COUNT(*) FROM users")
            have = cur.fetchone()[0]
    if have != args.rows:
        print(f"bench: loading {args.rows} users rows ...", file=sys.stderr)
        load(admin, "users", user_rows(args.rows, args.seed))
    if not files_dir:
        parser.error("the server's secure_file_priv is NULL: INTO OUTFILE is disabled there")
    server_dir = Path(files_dir)
    url = replace(base, database=DATABASE).url
    work = Path(tempfile.mkdtemp(prefix="mrkit-bench-import-"))
    mysqldump = shutil.which("mysqldump") or shutil.which("mariadb-dump")

    def into_outfile() -> list[Path]:
        out = server_dir / f"bench-users-{os.getpid()}.txt"
        out.unlink(missing_ok=True)
        with admin.cursor() as cur:
            cur.execute("SELECT * FROM users INTO OUTFILE %s", [str(out)])
        return [out]

    def dump_tab() -> list[Path]:
        for p in server_dir.glob("users.*"):
            p.unlink()
        where = ["-h", base.host, "-P", str(base.port)] if not base.socket else ["-S", base.socket]
        subprocess.run(
            [
                mysqldump or "mysqldump",
                "--no-defaults",
                *where,
                "-u",
                base.user,
                f"--tab={server_dir}",
                DATABASE,
                "users",
            ],  # fmt: skip
            check=True,
            capture_output=True,
        )
        return [server_dir / "users.txt"]

    def mrkit_import(tasks: int, *extra: str) -> Callable[[], list[Path]]:
        def run() -> list[Path]:
            target = work / f"m{tasks}{''.join(extra)}"
            shutil.rmtree(target, ignore_errors=True)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "mr.cli",
                    "import",
                    "mysql",
                    "--url",
                    url,
                    "--table",
                    "users",
                    "-m",
                    str(tasks),
                    "-r",
                    "local",
                    "-q",
                    "--target-dir",
                    str(target),
                    *extra,
                ],  # fmt: skip
                check=True,
                cwd=REPO,
            )
            return sorted(target.glob("part-*"))

        return run

    methods: dict[str, Callable[[], list[Path]]] = {"INTO OUTFILE": into_outfile}
    if mysqldump:
        methods["mysqldump --tab"] = dump_tab
    if not args.direct_only:
        methods["mrkit import -m 1"] = mrkit_import(1)
        methods["mrkit import -m 2"] = mrkit_import(2)
    methods["mrkit import --direct -m 1"] = mrkit_import(1, "--direct")
    methods["mrkit import --direct -m 2"] = mrkit_import(2, "--direct")
    times: dict[str, list[float]] = {name: [] for name in methods}
    names = list(methods)
    # untimed, once each: the table in the server's buffer pool (a server just started reads it
    # from disk in whichever method comes first) and the archive cache filled
    for name in names:
        methods[name]()
    load_before = os.getloadavg()
    try:
        for r in range(args.repeat):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                start = time.perf_counter()
                outputs = methods[name]()
                times[name].append(time.perf_counter() - start)
                lines = count_records(outputs)
                if lines != args.rows:
                    raise SystemExit(f"bench: {name} wrote {lines} records, not {args.rows}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for p in [*server_dir.glob("bench-users-*"), *server_dir.glob("users.*")]:
            p.unlink(missing_ok=True)
        if not args.keep:
            with admin.cursor() as cur:
                cur.execute("DROP TABLE IF EXISTS users")
        admin.close()

    load_after = os.getloadavg()
    baseline = statistics.median(times["INTO OUTFILE"])
    print(f"{args.rows} rows of users(id, name, email), {version}, median of {args.repeat} "
          f"rotating runs, {os.cpu_count()} cores; time as a multiple of INTO OUTFILE's "
          f"({baseline:.2f} s):")  # fmt: skip
    for name in names:
        low, high = min(times[name]) / baseline, max(times[name]) / baseline
        median = statistics.median(times[name])
        print(f"  {name:<28} {median / baseline:6.2f}x"
              f"   (runs {low:.2f}x to {high:.2f}x; {median:.2f} s)")  # fmt: skip
    best = min(statistics.median(times[n]) for n in names if n.startswith("mrkit"))
    verdict = "met" if best <= 2 * baseline else "not met"
    print(f"target (an import within 2x of INTO OUTFILE): {verdict}")
    direct = min(statistics.median(times[n]) for n in names if "--direct" in n)
    verdict = "met" if direct <= DIRECT_TARGET * baseline else "not met"
    print(f"target (--direct within {DIRECT_TARGET:g}x of INTO OUTFILE): {verdict} "
          f"({direct / baseline:.2f}x)")  # fmt: skip
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}; "
          f"after: {' '.join(f'{x:.2f}' for x in load_after)}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
