#!/usr/bin/env python3
"""Benchmark the HBase lookup path of mr/hbase_join.py against a replicated join of the same data.

Loads ``--keys`` rows (``word<N>`` -> ``f:count``) into a fresh HBase table and writes the same
pairs as a small TSV table; writes ``--records`` records (``word<N><TAB><i>``, keys drawn with a
fixed seed from 1.2 times the key range, so about one in six has no row). Then runs, each as its
own process on the inline runner, one after the other:

  replicated_join --small TABLE.tsv   (the small table in every map task's memory: the baseline)
  hbase_join --batch-size B           for each B of --batch-sizes (B = 1 on --single-records
                                      records only: one round trip per record is slow)

and prints, for each: wall time (whole process), records per second, round trips per record (the
job's ``lookups`` counter / records) and the time per record as a multiple of the replicated
join's on ``--records`` records (with --batch-size 1 the fewer records carry the start-up too).
Every hbase_join's rows must equal the replicated join's (key, record, count); exit 1 otherwise.
The machine may be shared: compare ratios from one run.

    mrkit hbase up
    .venv/bin/python scripts/bench_hbase_join.py                        # 20000 keys, 100000 records
    .venv/bin/python scripts/bench_hbase_join.py --records 20000 --batch-sizes 10,500
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mr.clients.hbase import Index, TableSpec, default_host, default_port  # noqa: E402


def count_of(i: int) -> str:
    return str(i * 7 % 1000)


def run(argv: list[str]) -> tuple[float, list[str], str]:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{argv[1]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return took, done.stdout.splitlines(), done.stderr


def counter(stderr: str, name: str) -> int:
    found = re.search(rf"\b{name}=(\d+)", stderr)
    return int(found.group(1)) if found else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--keys", type=int, default=20000, help="rows in the table (default 20000)")
    p.add_argument("--records", type=int, default=100000, help="records to join (default 100000)")
    p.add_argument("--single-records", type=int, default=2000,
                   help="records for --batch-size 1 (default 2000)")  # fmt: skip
    p.add_argument("--batch-sizes", default="1,10,100,500,2000",
                   help="hbase_join --batch-size values (default 1,10,100,500,2000)")  # fmt: skip
    p.add_argument("--host", default=default_host(), help="HBase Thrift host")
    p.add_argument("--port", type=int, default=default_port(), help="HBase Thrift port")
    args = p.parse_args(argv)

    rng = random.Random(1)
    work = Path(tempfile.mkdtemp(prefix="mrkit-bench-hbase-join-"))
    small = work / "small.tsv"
    small.write_text("".join(f"word{i:08d}\t{count_of(i)}\n" for i in range(args.keys)))

    def write_records(path: Path, n: int) -> Path:
        keys = (rng.randrange(int(args.keys * 1.2)) for _ in range(n))
        path.write_text("".join(f"word{k:08d}\t{i}\n" for i, k in enumerate(keys)))
        return path

    records = write_records(work / "records.tsv", args.records)
    single = write_records(work / "single.tsv", args.single_records)
    index = Index(args.host, args.port, pool_size=1)
    table = index.ensure_table(TableSpec(f"bench_join_{uuid.uuid4().hex[:6]}", {"f": 1}))
    ok = True
    results = []
    try:
        table.put_many(
            ((f"word{i:08d}", {"f:count": count_of(i)}) for i in range(args.keys)),
            batch_size=1000,
        )
        py = sys.executable

        def replicated(path: Path) -> tuple[float, set[tuple[str, ...]]]:
            took, rows, _ = run([py, "mr/replicated_join.py", "-r", "inline", "--small",
                                 str(small), path.as_posix()])  # fmt: skip
            # key, record (word, i), small record (word, count) -> word, i, count
            return took, {tuple(r.split("\t")[1:3] + r.split("\t")[4:5]) for r in rows}

        base_took, base_rows = replicated(records)
        _, single_base_rows = replicated(single)
        results.append(("replicated_join", args.records, base_took, 0, "(the baseline)"))
        for batch in (int(b) for b in args.batch_sizes.split(",")):
            path, n = (single, args.single_records) if batch == 1 else (records, args.records)
            took, rows, err = run([py, "mr/hbase_join.py", "-r", "inline", "--table",
                                   table.name, "--columns", "f:count", "--batch-size",
                                   str(batch), "--hbase-host", args.host, "--hbase-port",
                                   str(args.port), path.as_posix()])  # fmt: skip
            expected = single_base_rows if batch == 1 else base_rows
            got = {tuple(r.split("\t")) for r in rows}
            check = "same rows" if got == expected else "ROWS DIFFER"
            ok = ok and got == expected
            base = base_took / args.records  # the replicated join's time per record
            trips = counter(err, "lookups") / n
            note = f"{took / n / base:.1f}x  {check}"
            results.append((f"hbase_join --batch-size {batch}", n, took, trips, note))
    finally:
        index.drop_table(table.name)
        index.close()
        for f in work.iterdir():
            f.unlink()
        work.rmdir()

    print(f"{args.keys} keys, Thrift {args.host}:{args.port}, load1 {os.getloadavg()[0]:.2f}")
    print(f"{'contender':<28} {'records':>8} {'wall s':>8} {'records/s':>10} {'trips/rec':>10}"
          "  time per record vs replicated")  # fmt: skip
    for name, n, took, trips, note in results:
        print(f"{name:<28} {n:>8} {took:>8.2f} {n / took:>10.0f} {trips:>10.4f}  {note}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
