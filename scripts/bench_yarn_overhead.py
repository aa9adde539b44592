#!/usr/bin/env python3
"""Benchmark the fixed cost of a small `-r hadoop` job: mrjob's HDFS calls over WebHDFS (mrkit's
default) against its own `hadoop fs` calls, a JVM each (``MRKIT_JOB_FS=hadoop``).

The same tiny word_count job on the same HDFS input runs ``--runs`` times in each mode, the modes
alternating, so both see the same machine; whole-process wall time. Prints each run, the median
of each mode and their ratio, and checks that every run gives the same rows. The machine may be
shared: compare the ratio, not the absolute numbers, and only within one run.

    mrkit cluster up
    .venv/bin/python scripts/bench_yarn_overhead.py            # 3 runs of each
    .venv/bin/python scripts/bench_yarn_overhead.py --runs 5

Exit code 1 if a run fails or the rows differ.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mr.clients.hdfs import client  # noqa: E402
from mr.lib.config import cluster_mrjob_conf  # noqa: E402

TEXT = b"the cat sat\non the mat\n"


def one_run(mode: str, uri: str) -> tuple[float, list[str]]:
    env = {**os.environ, "MRKIT_JOB_FS": mode}
    argv = [sys.executable, str(REPO / "mr" / "word_count.py"), "-r", "hadoop", "-c",
            str(cluster_mrjob_conf()), uri]  # fmt: skip
    start = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=REPO)
    took = time.monotonic() - start
    if done.returncode != 0:
        raise SystemExit(f"{mode}: the job failed:\n{done.stderr[-2000:]}")
    return took, sorted(done.stdout.splitlines())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3, help="runs of each mode (default 3)")
    args = p.parse_args(argv)
    if not cluster_mrjob_conf().exists():
        print("no cluster: start one with `mrkit cluster up`", file=sys.stderr)
        return 2
    fs = client()
    path = f"/bench/yarn-overhead-{uuid.uuid4().hex[:8]}/words.txt"
    fs.write_bytes(path, TEXT)
    times: dict[str, list[float]] = {"webhdfs": [], "hadoop": []}
    rows: set[tuple[str, ...]] = set()
    try:
        for i in range(args.runs):
            for mode in times:
                took, got = one_run(mode, f"hdfs://{path}")
                times[mode].append(took)
                rows.add(tuple(got))
                print(f"run {i + 1} {mode:<8} {took:6.1f} s", flush=True)
    finally:
        fs.rm(path.rsplit("/", 1)[0], recursive=True)
    web, jvm = (statistics.median(times[m]) for m in ("webhdfs", "hadoop"))
    print(f"median: webhdfs {web:.1f} s, hadoop fs {jvm:.1f} s; ratio {web / jvm:.2f}")
    if len(rows) != 1:
        print(f"the rows differ between runs: {rows}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
