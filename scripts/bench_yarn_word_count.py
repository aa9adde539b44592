#!/usr/bin/env python3
"""Benchmark word count on YARN: Hadoop's own Java WordCount against mr/word_count.py -r hadoop
(both tokenizers), side by side, on the same real text in HDFS, at 20 MB and 200 MB.

The text is the one of scripts/bench_word_count.py (Debian's dict-gcide, downloaded at benchmark
time; ``--text zipf`` or a file instead), repeated to each size and put into HDFS once. Each
contender is a whole process (``hadoop jar hadoop-mapreduce-examples wordcount IN OUT``; ``python
mr/word_count.py -r hadoop ... --output-dir OUT --no-cat-output``), timed from start to exit,
the contenders alternating when ``--repeat`` > 1. Java's rows must equal ours with
``--tokenizer whitespace`` (exit 1 otherwise). Prints the wall times, the ratios to Java (target:
at most 1.5x) and the load average: the machine may be shared, compare ratios from one run.

    mrkit cluster up
    .venv/bin/python scripts/bench_yarn_word_count.py                 # 20MB and 200MB
    .venv/bin/python scripts/bench_yarn_word_count.py --sizes 20MB --repeat 3
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

from bench_word_count import gcide_text, parse_label, sized_input, zipf_text
from gen_common import parse_size

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mr.clients.hdfs import client  # noqa: E402
from mr.engines import hadoop  # noqa: E402
from mr.lib.config import cluster_mrjob_conf  # noqa: E402

TARGET = 1.5  # ours may take at most this times Java's WordCount


def contenders(uri: str, out: str) -> list[tuple[str, list[str]]]:
    job = [sys.executable, str(REPO / "mr" / "word_count.py"), "-r", "hadoop",
           "-c", str(cluster_mrjob_conf()), "--no-cat-output"]  # fmt: skip
    return [
        (
            "java",
            [
                str(hadoop.LAUNCHER),
                "jar",
                str(hadoop.examples_jar()),
                "wordcount",
                uri,
                f"{out}/java",
            ],
        ),  # fmt: skip
        (
            "ours-whitespace",
            [*job, "--tokenizer", "whitespace", "--output-dir", f"{out}/ours-whitespace", uri],
        ),  # fmt: skip
        ("ours-regex", [*job, "--tokenizer", "regex", "--output-dir", f"{out}/ours-regex", uri]),
    ]


def run(name: str, argv: list[str]) -> float:
    print(f"  running {name} ...", flush=True)
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO)
    took = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return took


def rows(fs, directory: str) -> list[bytes]:
    found: list[bytes] = []
    for entry in fs.ls(directory):
        if Path(entry.path).name.startswith("part-"):
            found += fs.read_bytes(entry.path).split(b"\n")[:-1]
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--text", default="gcide", help="gcide (default), zipf, or a file")
    p.add_argument("--sizes", default="20MB,200MB", help="input sizes (default 20MB,200MB)")
    p.add_argument("--repeat", type=int, default=1, help="runs of each; the median is used")
    p.add_argument("--cache-dir", type=Path, default=REPO / ".cluster" / "bench",
                   help="where the text is kept (default .cluster/bench)")  # fmt: skip
    args = p.parse_args(argv)
    if not cluster_mrjob_conf().exists():
        print("no cluster: start one with `mrkit cluster up`", file=sys.stderr)
        return 2
    cache = args.cache_dir
    cache.mkdir(parents=True, exist_ok=True)
    source = {"gcide": gcide_text, "zipf": zipf_text}.get(args.text, lambda _: Path(args.text))(
        cache
    )
    fs = client()
    base = f"/bench/yarn-word-count-{uuid.uuid4().hex[:8]}"
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    load_before = os.getloadavg()
    table: dict[str, dict[int, float]] = {}
    ok = True
    try:
        for size in sizes:
            local = sized_input(source, size, cache)
            path = fs.put(local, f"{base}/in-{size}/{local.name}")
            uri = f"hdfs://{path}"
            print(f"{parse_label(size)}: {local.stat().st_size / 2**20:.0f} MiB in {uri}")
            walls: dict[str, list[float]] = {}
            for i in range(args.repeat):
                out = f"hdfs://{base}/out-{size}-{i}"
                for name, cmd in contenders(uri, out):
                    walls.setdefault(name, []).append(run(name, cmd))
                java = rows(fs, f"{base}/out-{size}-{i}/java")
                ours = rows(fs, f"{base}/out-{size}-{i}/ours-whitespace")
                if java != ours:
                    print(f"  ROWS DIFFER: java {len(java)}, ours-whitespace {len(ours)}")
                    ok = False
                else:
                    print(f"  rows: java = ours-whitespace ({len(java):,} words)")
            for name, times in walls.items():
                table.setdefault(name, {})[size] = statistics.median(times)
    finally:
        fs.rm(base, recursive=True)
    load_after = os.getloadavg()
    print("\nwall seconds (median) and ratio to Java's WordCount")
    print(f"  {'contender':<16}" + "".join(f"{parse_label(s):>18}" for s in sizes))
    for name, by_size in table.items():
        cells = ""
        for s in sizes:
            ratio = by_size[s] / table["java"][s]
            cells += f"{by_size[s]:>9.1f} s {ratio:>5.2f}x"
        print(f"  {name:<16}{cells}")
    for name in ("ours-whitespace", "ours-regex"):
        worst = max(table[name][s] / table["java"][s] for s in sizes)
        print(f"  {name}: at most {worst:.2f}x Java (target <= {TARGET:g}: "
              f"{'met' if worst <= TARGET else 'NOT met'})")  # fmt: skip
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in load_after)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
