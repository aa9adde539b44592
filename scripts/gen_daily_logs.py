#!/usr/bin/env python3
"""Generate days of access logs in dated directories, each marked done, as a pipeline gets them.

    OUT/2026/01/01/access.log  OUT/2026/01/01/_SUCCESS
    OUT/2026/01/02/access.log  OUT/2026/01/02/_SUCCESS ...

Each day's log (scripts/gen_access_log.py, seeded with --seed plus the day's number, so a day
is the same whatever --days says) holds --lines requests spread over that day, about 1% of them
malformed. A day's file is written under a hidden name, then renamed, and only then is its
``_SUCCESS`` written: a reader that waits for the flag never sees half a day. With --late DAY
the day's log is written but not marked done (a late day: ``touch OUT/Y/M/D/_SUCCESS`` later).
With --every SECONDS the days are marked done one after another, that many seconds apart.

    .venv/bin/python scripts/gen_daily_logs.py --out /tmp/logs --days 7 --start 2026-01-01
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_access_log import log_lines  # noqa: E402

UTC = timezone.utc  # noqa: UP017 (3.10)
SECONDS_PER_DAY = 86_400


def day_dir(out: Path, day: datetime) -> Path:
    return out / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}"


def write_day(out: Path, day: datetime, number: int, lines: int, seed: int) -> Path:
    """One day's log, in place under its final name (not yet marked done)."""
    directory = day_dir(out, day)
    directory.mkdir(parents=True, exist_ok=True)
    # the requests of the day fill about 90% of it, so none spills into the next
    source = log_lines(seed=seed + number, start=day, bad_fraction=0.01,
                       mean_gap=0.9 * SECONDS_PER_DAY / max(lines, 1))  # fmt: skip
    tmp = directory / ".access.log.tmp"
    with open(tmp, "w", encoding="ascii") as f:
        for _ in range(lines):
            f.write(next(source) + "\n")
    os.replace(tmp, directory / "access.log")
    return directory


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="the root of the dated directories")
    p.add_argument("--start", default="2026-01-01", help="the first day, YYYY-MM-DD (UTC)")
    p.add_argument("--days", type=int, default=7, help="how many days (default 7)")
    p.add_argument("--lines", type=int, default=300, help="requests per day (default 300)")
    p.add_argument("--seed", type=int, default=7, help="the generator's seed (default 7)")
    p.add_argument("--late", action="append", default=[], metavar="DAY",
                   help="a day (YYYY-MM-DD) written, not marked done; repeat for more")  # fmt: skip
    p.add_argument("--every", type=float, default=0.0, metavar="SECONDS",
                   help="mark the days done one after another, this far apart")  # fmt: skip
    args = p.parse_args(argv)
    try:
        first = datetime.strptime(args.start, "%Y-%m-%d").replace(tzinfo=UTC)
        late = {datetime.strptime(d, "%Y-%m-%d").date() for d in args.late}
    except ValueError as e:
        p.error(f"a day is YYYY-MM-DD: {e}")
    if args.days < 1 or args.lines < 0:
        p.error("--days must be at least 1 and --lines not negative")
    out = Path(args.out)
    for number in range(args.days):
        day = first + timedelta(days=number)
        directory = write_day(out, day, number, args.lines, args.seed)
        if day.date() in late:
            print(f"{directory} (late: not marked done)")
            continue
        if args.every and number:
            time.sleep(args.every)
        (directory / "_SUCCESS").touch()
        print(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
