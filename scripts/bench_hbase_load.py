#!/usr/bin/env python3
"""Benchmark loading rows into HBase: batched puts (mr.clients.hbase's writer) vs one put per row.

Both load the same generated rows (``word<N>`` -> ``f:count``) into two fresh tables through the
same Thrift server in the same run, one after the other; each is timed from the first put to the
last acknowledged one. Prints rows per second for both and the ratio batched / one-by-one, checks
that both tables hold every row, and drops them. The machine may be shared: compare the ratio,
not the absolute numbers, and only within one run.

    mrkit hbase up
    .venv/bin/python scripts/bench_hbase_load.py                  # 20000 rows, batch 1000
    .venv/bin/python scripts/bench_hbase_load.py --rows 5000 --batch-size 500

Exit code 1 if a table does not hold every row.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mr.clients.hbase import Index, TableSpec, default_host, default_port  # noqa: E402


def rows(n: int):
    for i in range(n):
        yield f"word{i:08d}", {"f:count": str(i * 7 % 1000)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--rows", type=int, default=20000, help="rows loaded by batched puts (default 20000)"
    )
    p.add_argument(
        "--single-rows",
        type=int,
        default=None,
        help="rows loaded one put each (default: the same as --rows, at most 5000: it is slow)",
    )
    p.add_argument(
        "--batch-size", type=int, default=1000, help="rows per batched round trip (default 1000)"
    )
    p.add_argument(
        "--host",
        default=default_host(),
        help="HBase Thrift host (default $MRKIT_HBASE_HOST or "
        "127.0.0.1; `mrkit hbase up` starts one)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=default_port(),
        help="HBase Thrift port (default $MRKIT_HBASE_THRIFT_PORT or 9090)",
    )
    args = p.parse_args(argv)
    single_n = args.single_rows or min(args.rows, 5000)

    index = Index(args.host, args.port, pool_size=1)
    tag = uuid.uuid4().hex[:6]
    batched = index.ensure_table(TableSpec(f"bench_batched_{tag}", {"f": 1}))
    single = index.ensure_table(TableSpec(f"bench_single_{tag}", {"f": 1}))
    ok = True
    try:
        start = time.perf_counter()
        batched.put_many(rows(args.rows), batch_size=args.batch_size)
        batched_s = time.perf_counter() - start

        start = time.perf_counter()
        for key, data in rows(single_n):
            single.put(key, data)
        single_s = time.perf_counter() - start

        for table, n in ((batched, args.rows), (single, single_n)):
            if table.count() != n:
                print(f"{table.name}: holds {table.count()} rows, not {n}", file=sys.stderr)
                ok = False
    finally:
        index.drop_table(batched.name)
        index.drop_table(single.name)
        index.close()

    batched_rate = args.rows / batched_s
    single_rate = single_n / single_s
    print(f"load1: {os.getloadavg()[0]:.2f}   Thrift {args.host}:{args.port}")
    print(f"{'mode':<22} {'rows':>8} {'seconds':>9} {'rows/s':>10}")
    label = f"batched ({args.batch_size}/put)"
    print(f"{label:<22} {args.rows:>8} {batched_s:>9.2f} {batched_rate:>10.0f}")
    print(f"{'one put per row':<22} {single_n:>8} {single_s:>9.2f} {single_rate:>10.0f}")
    print(f"ratio batched/one-by-one: {batched_rate / single_rate:.1f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
