#!/usr/bin/env python3
"""Benchmark word count on a generated Zipf corpus (default about 200 MB), side by side:

  counter      one Python process: ``for line in f: counts.update(regex_words(line))``
  ours-local   python mr/word_count.py -r local CORPUS      (repo mrjob.conf: 2 cores)
  ours-inline  python mr/word_count.py -r inline CORPUS
  stock-local  python -m mrjob.examples.mr_word_freq_count -r local CORPUS   (mrjob defaults)

Each runs as its own process, one after the other, and writes its rows to a file; the wall time
includes interpreter start-up and writing the output. Our rows must equal the Counter loop's
exactly (same tokenizer, mr.lib.text.regex_words); the stock example tokenizes with
``[\\w']+`` and is only compared, not required to agree. Prints a table, the ratios, and the
machine's load average before and after (the machine may be shared: compare ratios from one run).

The corpus is cached in --cache-dir (default .cluster/bench/) and reused when present.

    .venv/bin/python scripts/bench_word_count.py                # 200MB, all four
    .venv/bin/python scripts/bench_word_count.py --size 20MB    # a quick check

Exit code 1 when our rows differ from the Counter loop's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from gen_common import parse_size

REPO = Path(__file__).resolve().parents[1]
TARGET_VS_COUNTER = 1.0  # ours-local may take at most this times the Counter loop
TARGET_STOCK_VS_OURS = 5.0  # the stock example should take at least this times ours-local


def counter_loop(corpus: str, out: str) -> None:
    """The single-process baseline: a plain Counter over regex_words of every line."""
    sys.path.insert(0, str(REPO))
    from mr.lib.text import regex_words

    counts: Counter[str] = Counter()
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            counts.update(regex_words(line))
    with open(out, "w", encoding="utf-8") as f:
        f.writelines(f"{word}\t{n}\n" for word, n in counts.items())


def ensure_corpus(cache_dir: Path, size: int, seed: int) -> Path:
    path = cache_dir / f"corpus-{size}B-seed{seed}.txt"
    if path.exists():
        print(f"reusing corpus {path} ({path.stat().st_size:,} bytes)")
        return path
    print(f"generating corpus {path} ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "gen_corpus.py"),
            "--size",
            str(size),
            "--seed",
            str(seed),
            "-o",
            str(path),
        ],
        check=True,
    )
    print(f"  {path.stat().st_size:,} bytes in {time.perf_counter() - started:.1f} s")
    return path


def timed(name: str, argv: list[str], out: Path, env: dict[str, str]) -> dict:
    """Run argv with stdout to `out`; wall time and the child's CPU time."""
    print(f"running {name}: {' '.join(argv)}", flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(out, "wb") as f:
        done = subprocess.run(argv, stdout=f, stderr=subprocess.PIPE, cwd=REPO, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode("utf-8", "replace")[-3000:])
        raise SystemExit(f"{name} failed with exit code {done.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"name": name, "wall": wall, "cpu": cpu, "argv": argv}


def read_tsv(path: Path) -> dict[str, int]:
    rows = {}
    with open(path, encoding="utf-8", newline="\n") as f:
        for line in f:
            word, n = line.rstrip("\n").split("\t")
            rows[word] = int(n)
    return rows


def read_json_rows(path: Path) -> dict[str, int]:
    rows = {}
    with open(path, encoding="utf-8", newline="\n") as f:
        for line in f:
            key, value = line.rstrip("\n").split("\t")
            rows[json.loads(key)] = json.loads(value)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--size", type=parse_size, default=parse_size("200MB"), help="corpus size (default 200MB)"
    )
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=REPO / ".cluster" / "bench",
        help="where the corpus and the outputs are kept (default .cluster/bench)",
    )
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=("ours-inline", "stock-local"),
        help="leave out a contender (repeatable), e.g. the slow stock example for quick checks",
    )
    parser.add_argument(
        "--counter-loop", nargs=2, metavar=("CORPUS", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.counter_loop:
        counter_loop(*args.counter_loop)
        return 0

    args.cache_dir.mkdir(parents=True, exist_ok=True)
    corpus = ensure_corpus(args.cache_dir, args.size, args.seed)
    outs = args.cache_dir / "out"
    outs.mkdir(exist_ok=True)
    py = sys.executable
    ours_env = dict(os.environ)  # the job itself picks the repo's mrjob.conf
    stock_env = {k: v for k, v in os.environ.items() if k != "MRJOB_CONF"}
    contenders = [
        ("counter", [py, __file__, "--counter-loop", str(corpus), str(outs / "counter.tsv")]),
        ("ours-local", [py, "mr/word_count.py", "-r", "local", str(corpus)]),
        ("ours-inline", [py, "mr/word_count.py", "-r", "inline", str(corpus)]),
        (
            "stock-local",
            [py, "-m", "mrjob.examples.mr_word_freq_count", "-r", "local", str(corpus)],
        ),
    ]
    load_before = os.getloadavg()
    results = {}
    for name, cmd in contenders:
        if name in args.skip:
            continue
        out = outs / f"{name}.out"
        results[name] = timed(name, cmd, out, stock_env if name == "stock-local" else ours_env)
        results[name]["out"] = outs / "counter.tsv" if name == "counter" else out
    load_after = os.getloadavg()

    expected = read_tsv(results["counter"]["out"])
    ok = True
    for name, r in results.items():
        if name == "counter":
            r["check"] = f"{len(expected)} words, {sum(expected.values())} tokens"
            continue
        rows = read_json_rows(r["out"]) if name == "stock-local" else read_tsv(r["out"])
        if rows == expected:
            r["check"] = "same rows as counter"
        else:
            differ = sum(1 for w in expected.keys() | rows.keys() if expected.get(w) != rows.get(w))
            r["check"] = f"{differ} of {len(rows)} words differ from counter"
            if name != "stock-local":
                ok = False

    size = corpus.stat().st_size
    print()
    print(f"corpus: {corpus} ({size / 2**20:.1f} MiB), {os.cpu_count()} CPUs")
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    print(f"load average after:  {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print()
    print(f"{'contender':<12} {'wall s':>8} {'cpu s':>8} {'MiB/s':>7}  check")
    for name, r in results.items():
        mbs = size / 2**20 / r["wall"]
        print(f"{name:<12} {r['wall']:>8.2f} {r['cpu']:>8.2f} {mbs:>7.1f}  {r['check']}")
    print()
    wall = {name: r["wall"] for name, r in results.items()}
    ratios = [
        ("ours-local / counter", "ours-local", "counter", f"target <= {TARGET_VS_COUNTER:g}"),
        (
            "stock-local / ours-local",
            "stock-local",
            "ours-local",
            f"target >= {TARGET_STOCK_VS_OURS:g}",
        ),
        ("ours-inline / counter", "ours-inline", "counter", ""),
        ("stock-local / counter", "stock-local", "counter", ""),
        ("ours-inline / ours-local", "ours-inline", "ours-local", ""),
    ]
    print("ratios of wall time:")
    for label, a, b, target in ratios:
        if a in wall and b in wall:
            ratio = wall[a] / wall[b]
            met = ""
            if target:
                good = (
                    ratio <= TARGET_VS_COUNTER
                    if a == "ours-local"
                    else ratio >= TARGET_STOCK_VS_OURS
                )
                met = f"  ({target}: {'met' if good else 'NOT met'})"
            print(f"  {label:<26} {ratio:6.2f}{met}")
    if not ok:
        print("ERROR: our rows differ from the Counter loop's", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
