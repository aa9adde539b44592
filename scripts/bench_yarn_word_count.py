#!/usr/bin/env python3
"""Benchmark word count on YARN: Hadoop's own Java WordCount against mr/word_count.py -r hadoop,
side by side, on the same real text in HDFS: one line (the fixed cost: YARN's own floor), 20 MB
and 200 MB.

The text is the one of scripts/bench_word_count.py (Debian's dict-gcide, downloaded at benchmark
time; ``--text zipf`` or a file instead), repeated to each size (``line``: its first line) and
put into HDFS once. Each contender is a whole process (``hadoop jar hadoop-mapreduce-examples
wordcount IN OUT``; ``python mr/word_count.py -r hadoop --tokenizer whitespace ... --output-dir
OUT --no-cat-output``), timed from start to exit. Each round runs every contender once, in an
order that rotates from round to round (so the contenders alternate and none always goes
first); ``--repeat`` rounds (default 3). Java's rows must equal ours (exit 1 otherwise).

Prints, per size, each contender's median wall time, the ratio of medians to Java, the spread
of the per-round ratios (min-max), and whether the goal holds for the median ratio (the goals of
issue 27: at most 1.1x Java on one line, 0.9x at 20 MB, 0.6x at 200 MB); then the load average
and the NodeManagers the ResourceManager reports. ``--regex`` adds the default tokenizer
(rows not compared), ``--uncached`` a run with ``MRKIT_JOB_CACHE=0`` (mrjob's uploads and
``hadoop version`` every run, mr/lib/job_cache.py), to show what the caches save.

    mrkit cluster up                                  # or: --nodemanagers 2 (scaling)
    .venv/bin/python scripts/bench_yarn_word_count.py                 # line, 20MB, 200MB, x3
    .venv/bin/python scripts/bench_yarn_word_count.py --sizes line --repeat 5 --uncached
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from bench_word_count import gcide_text, parse_label, sized_input, zipf_text
from gen_common import parse_size

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mr.clients.hdfs import client  # noqa: E402
from mr.engines import hadoop  # noqa: E402
from mr.lib.config import cluster_mrjob_conf  # noqa: E402

#: size 0 stands for one line of the text
LINE = 0
#: ours / Java's WordCount, at most (issue 27); sizes not named here have no goal
GOALS = {LINE: 1.1, 20 * 2**20: 0.9, 200 * 2**20: 0.6}


def size_label(size: int) -> str:
    return "1 line" if size == LINE else parse_label(size)


def contenders(
    uri: str, out: str, regex: bool, uncached: bool
) -> list[tuple[str, list[str], dict]]:
    job = [sys.executable, str(REPO / "mr" / "word_count.py"), "-r", "hadoop",
           "-c", str(cluster_mrjob_conf()), "--no-cat-output"]  # fmt: skip
    java = [str(hadoop.LAUNCHER), "jar", str(hadoop.examples_jar()), "wordcount", uri]
    found: list[tuple[str, list[str], dict]] = [
        ("java", [*java, f"{out}/java"], {}),
        ("ours", [*job, "--tokenizer", "whitespace", "--output-dir", f"{out}/ours", uri], {}),
    ]
    if uncached:
        found.append(("ours-uncached",
                      [*job, "--tokenizer", "whitespace", "--output-dir", f"{out}/uncached", uri],
                      {"MRKIT_JOB_CACHE": "0"}))  # fmt: skip
    if regex:
        regex_job = [*job, "--tokenizer", "regex", "--output-dir", f"{out}/regex", uri]
        found.append(("ours-regex", regex_job, {}))
    return found


def run(name: str, argv: list[str], env: dict) -> float:
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, **env})  # fmt: skip
    took = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    print(f"  {name:<14} {took:6.1f} s", flush=True)
    return took


def rows(fs, directory: str) -> list[bytes]:
    found: list[bytes] = []
    for entry in fs.ls(directory):
        if Path(entry.path).name.startswith("part-"):
            found += fs.read_bytes(entry.path).split(b"\n")[:-1]
    return sorted(found)


def one_line(source: Path, cache: Path) -> Path:
    """The first non-empty line of the text, alone in a file."""
    path = cache / f"{source.stem}-line.txt"
    with open(source, "rb") as f:
        line = next(line for line in f if line.strip())
    path.write_bytes(line)
    return path


def nodemanagers() -> str:
    """The RUNNING NodeManagers the ResourceManager counts (its REST metrics)."""
    state = hadoop.info()
    if state is None:
        return "?"
    try:
        with urllib.request.urlopen(f"{state.rm_url}/ws/v1/cluster/metrics", timeout=5) as r:
            return str(json.load(r)["clusterMetrics"]["activeNodes"])
    except (OSError, ValueError, KeyError):
        return "?"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--text", default="gcide", help="gcide (default), zipf, or a file")
    p.add_argument("--sizes", default="line,20MB,200MB",
                   help="line (one line), 20MB, ... (default line,20MB,200MB)")  # fmt: skip
    p.add_argument("--repeat", type=int, default=3, help="rounds; the median is used (default 3)")
    p.add_argument("--regex", action="store_true", help="also the default tokenizer")
    p.add_argument("--uncached", action="store_true",
                   help="also ours with MRKIT_JOB_CACHE=0 (no upload, version cache)")  # fmt: skip
    p.add_argument("--cache-dir", type=Path, default=REPO / ".cluster" / "bench",
                   help="where the text is kept (default .cluster/bench)")  # fmt: skip
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if not cluster_mrjob_conf().exists():
        print("no cluster: start one with `mrkit cluster up`", file=sys.stderr)
        return 2
    sizes = [LINE if s.strip() == "line" else parse_size(s) for s in args.sizes.split(",")]
    cache = args.cache_dir
    cache.mkdir(parents=True, exist_ok=True)
    source = {"gcide": gcide_text, "zipf": zipf_text}.get(args.text, lambda _: Path(args.text))(
        cache
    )
    fs = client()
    base = f"/bench/yarn-word-count-{uuid.uuid4().hex[:8]}"
    load_before = os.getloadavg()
    nms = nodemanagers()
    walls: dict[int, dict[str, list[float]]] = {}
    ok = True
    try:
        for size in sizes:
            local = one_line(source, cache) if size == LINE else sized_input(source, size, cache)
            path = fs.put(local, f"{base}/in-{size}/{local.name}")
            uri = f"hdfs://{path}"
            print(f"{size_label(size)}: {local.stat().st_size:,} bytes in {uri}", flush=True)
            by_name = walls.setdefault(size, {})
            for i in range(args.repeat):
                out = f"hdfs://{base}/out-{size}-{i}"
                runs = contenders(uri, out, args.regex, args.uncached)
                shift = i % len(runs)
                for name, cmd, env in runs[shift:] + runs[:shift]:
                    by_name.setdefault(name, []).append(run(name, cmd, env))
                java = rows(fs, f"{base}/out-{size}-{i}/java")
                ours = rows(fs, f"{base}/out-{size}-{i}/ours")
                if java != ours:
                    print(f"  ROWS DIFFER: java {len(java)}, ours {len(ours)}")
                    ok = False
                fs.rm(f"{base}/out-{size}-{i}", recursive=True)
    finally:
        fs.rm(base, recursive=True)
    load_after = os.getloadavg()
    print(f"\nwall seconds, median of {args.repeat} alternating rounds; ratio of medians to "
          f"Java's WordCount [min-max of the per-round ratios]; NodeManagers: {nms}")  # fmt: skip
    for size in sizes:
        by_name = walls[size]
        java = by_name["java"]
        print(f"{size_label(size)}:")
        for name, times in by_name.items():
            ratio = statistics.median(times) / statistics.median(java)
            rounds = [t / j for t, j in zip(times, java, strict=True)]
            line = (f"  {name:<14} {statistics.median(times):7.1f} s  {ratio:5.2f}x"
                    f"  [{min(rounds):.2f}-{max(rounds):.2f}]"
                    f"  runs: {' '.join(f'{t:.1f}' for t in times)}")  # fmt: skip
            goal = GOALS.get(size)
            if name == "ours" and goal is not None:
                line += f"  goal <= {goal:g}x: {'met' if ratio <= goal else 'NOT met'}"
            print(line)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}")
    print(f"load average after:  {' '.join(f'{x:.2f}' for x in load_after)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
