#!/usr/bin/env python3
"""Load checks on the real engines: concurrent YARN jobs, and HBase readers during a load.

1. ``--jobs N`` (default 4) word_count jobs submitted at the same time with ``-r hadoop`` on one
   generated input in HDFS: every job must succeed and give the rows of the inline runner.
2. ``--readers R`` (default 8) threads look up known rows of an HBase table while a load_hbase
   job writes ``--rows`` new rows into the same table: no reader may see an error or a wrong
   value, and every new row must be there at the end.

Prints one line per check with its figures (wall time of the whole check, lookups per second);
the machine may be shared, so read them as a record of one run, not as a benchmark.

    mrkit cluster up && mrkit hbase up
    .venv/bin/python scripts/load_check.py                    # both checks
    .venv/bin/python scripts/load_check.py --skip-hbase --jobs 6

Exit code 1 if a check fails.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mr.clients import hdfs as hdfs_client  # noqa: E402
from mr.clients.hbase import Index, TableSpec  # noqa: E402
from mr.engines import hadoop  # noqa: E402


def words_file(path: Path, lines: int, seed: int) -> Counter[str]:
    """A seeded text of `lines` lines; returns its word counts (the oracle)."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(500)]
    counts: Counter[str] = Counter()
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(lines):
            words = rng.choices(vocab, k=rng.randint(1, 12))
            counts.update(words)
            f.write(" ".join(words) + "\n")
    return counts


def check_yarn(jobs: int, lines: int) -> bool:
    state = hadoop.info()
    if state is None:
        print("yarn: no cluster (`mrkit cluster up`)", file=sys.stderr)
        return False
    fs = hdfs_client.client(url=state.webhdfs_url)
    root = f"/load-check/{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "words.txt"
        expected = sorted(f"{w}\t{n}" for w, n in words_file(text, lines, seed=7).items())
        fs.put(text, f"{root}/in/words.txt")

    def run(i: int) -> tuple[int, list[str], str]:
        out = f"{root}/out{i}"
        proc = subprocess.run(
            [sys.executable, str(REPO / "mr" / "word_count.py"), "-r", "hadoop", "-c",
             state.mrjob_conf, "--tokenizer", "whitespace", "--output-dir", f"hdfs://{out}",
             "--no-cat-output", f"hdfs://{root}/in/"],
            capture_output=True, text=True, cwd=REPO,
        )  # fmt: skip
        rows: list[str] = []
        if proc.returncode == 0:
            for entry in fs.ls(out):
                if entry.path.rsplit("/", 1)[-1].startswith("part-"):
                    rows += fs.read_bytes(entry.path).decode().split("\n")[:-1]
        return proc.returncode, sorted(rows), proc.stderr[-2000:]

    # one job alone first, in the same run, so the figure is a ratio and not a lone time
    start = time.monotonic()
    alone = run(jobs)
    alone_wall = time.monotonic() - start
    start = time.monotonic()
    with ThreadPoolExecutor(jobs) as pool:
        results = list(pool.map(run, range(jobs)))
    wall = time.monotonic() - start
    results.append(alone)
    fs.rm(root, recursive=True)
    ok = True
    for i, (code, rows, err) in enumerate(results):
        if code != 0 or rows != expected:
            ok = False
            why = f"exit {code}" if code else f"{len(rows)} rows, expected {len(expected)}"
            print(f"yarn: job {i} failed ({why})\n{err}", file=sys.stderr)
    good = sum(code == 0 and rows == expected for code, rows, _ in results[:jobs])
    print(
        f"yarn: {good}/{jobs} concurrent -r hadoop jobs succeeded with the inline rows "
        f"({len(expected)} rows each, {lines} input lines); {jobs} at once took "
        f"{wall / alone_wall:.1f}x the wall time of one job alone "
        f"({wall:.0f} s vs {alone_wall:.0f} s)"
    )
    return ok


def check_hbase(readers: int, rows: int, known: int) -> bool:
    index = Index(pool_size=readers + 1)
    table_name = f"load_check_{uuid.uuid4().hex[:8]}"
    table = index.ensure_table(TableSpec(table_name, {"f": 1}))
    table.put_many((f"k{i:06d}", {"f:v": str(i * 3)}) for i in range(known))
    stop = threading.Event()
    errors: list[str] = []
    wrong: list[str] = []
    lookups = [0] * readers

    def read(n: int) -> None:
        rng = random.Random(n)
        while not stop.is_set():
            i = rng.randrange(known)
            try:
                row = table.lookup(f"k{i:06d}")
            except Exception as e:  # noqa: BLE001 - every failure is a finding here
                errors.append(f"{type(e).__name__}: {e}")
                continue
            if row != {"f:v": str(i * 3)}:
                wrong.append(f"k{i:06d}: {row}")
            lookups[n] += 1

    def idle_rate(seconds: float = 5.0) -> float:
        """Lookups per second of the same readers with no load running (the baseline)."""
        threads = [threading.Thread(target=read, args=(n,)) for n in range(readers)]
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join()
        stop.clear()
        rate = sum(lookups) / seconds
        lookups[:] = [0] * readers
        return rate

    baseline = idle_rate()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "new.tsv"
        data.write_text("".join(f"n{i:06d}\t{i}\n" for i in range(rows)))
        threads = [threading.Thread(target=read, args=(n,)) for n in range(readers)]
        start = time.monotonic()
        for t in threads:
            t.start()
        load = subprocess.run(
            [sys.executable, "-m", "mr.cli", "index", "load", table_name, str(data),
             "--columns", "f:v", "-r", "local"],
            capture_output=True, text=True, cwd=REPO,
        )  # fmt: skip
        stop.set()
        for t in threads:
            t.join()
        wall = time.monotonic() - start
    loaded = sum(1 for key, _ in table.scan_prefix("n"))
    index.drop_table(table_name)
    index.close()
    ok = load.returncode == 0 and not errors and not wrong and loaded == rows
    print(
        f"hbase: {readers} readers made {sum(lookups)} lookups, "
        f"{sum(lookups) / wall / baseline:.2f}x their rate without a load "
        f"({sum(lookups) / wall:.0f}/s vs {baseline:.0f}/s), while load_hbase wrote {rows} rows "
        f"in {wall:.1f} s: {len(errors)} errors, "
        f"{len(wrong)} wrong values, {loaded}/{rows} new rows present, load exit "
        f"{load.returncode}"
    )
    if load.returncode:
        print(load.stderr[-2000:], file=sys.stderr)
    for line in (errors + wrong)[:5]:
        print(f"  {line}", file=sys.stderr)
    return ok


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jobs", type=int, default=4, help="concurrent -r hadoop jobs (default 4)")
    p.add_argument("--lines", type=int, default=20000, help="input lines per job (default 20000)")
    p.add_argument("--readers", type=int, default=8, help="HBase reader threads (default 8)")
    p.add_argument("--rows", type=int, default=20000, help="rows the load writes (default 20000)")
    p.add_argument("--known", type=int, default=2000, help="rows the readers look up")
    p.add_argument("--skip-yarn", action="store_true", help="only the HBase check")
    p.add_argument("--skip-hbase", action="store_true", help="only the YARN check")
    args = p.parse_args(argv)
    ok = True
    if not args.skip_yarn:
        ok = check_yarn(args.jobs, args.lines) and ok
    if not args.skip_hbase:
        ok = check_hbase(args.readers, args.rows, args.known) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
