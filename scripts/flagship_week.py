#!/usr/bin/env python3
"""The flagship's whole week on the real Oozie and on the local coordinator, compared.

Needs the engines up (`mrkit cluster up`, `mrkit hbase up`, `mrkit oozie up`). Generates seven
days of access logs (scripts/gen_daily_logs.py), puts them on HDFS under a fresh directory,
backfills `mr.workflow.examples:daily_report` over the week on Oozie, then locally over the same
logs (under a temporary root), and checks, day by day: the same action statuses; the same rows
of log_report, sessionize and (unless --no-hive) the Hive twin; and the day's HBase rows
(``<day>/<dimension>/<value>``) equal to its report. One line per day and a verdict; exit 0
when everything matches. Too slow for CI (each day is three jobs and a Hive query on YARN):
tests/test_coord_oozie.py runs two days there.

    .venv/bin/python scripts/flagship_week.py [--no-hive] [--lines 40]
"""

from __future__ import annotations

import argparse
import getpass
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mr.cli.workflow import oozie_settings  # noqa: E402
from mr.clients.hbase import Index  # noqa: E402
from mr.workflow.coord_local import CoordSettings, run_coordinator  # noqa: E402
from mr.workflow.coord_remote import run_coordinator_on_oozie  # noqa: E402
from mr.workflow.examples import REPORT_TABLE, daily_report  # noqa: E402
from mr.workflow.local import LocalSettings  # noqa: E402

DAYS = 7


def hdfs_rows(fs, directory: str) -> list[str]:
    rows: list[str] = []
    for entry in fs.ls(directory):
        name = entry.path.rsplit("/", 1)[-1]
        if entry.kind == "file" and not name.startswith(("_", ".")):
            rows += fs.read_bytes(entry.path).decode("utf-8").splitlines()
    return sorted(rows)


def local_rows(directory: Path) -> list[str]:
    return sorted(r for p in directory.glob("part-*") for r in p.read_text().splitlines())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--no-hive", action="store_true", help="leave the Hive step out")
    p.add_argument("--lines", default="40", help="requests per day (default 40)")
    args = p.parse_args()
    with_hive = "false" if args.no_hive else "true"
    settings = oozie_settings({}, {}, quiet=True)
    fs, nn = settings.fs, settings.name_node
    work = f"/user/{getpass.getuser()}/flagship-week-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="flagship-week-") as tmp:
        root = Path(tmp) / "root"
        logs = root / "user" / getpass.getuser() / "daily-report" / "logs"
        subprocess.run([sys.executable, str(REPO / "scripts" / "gen_daily_logs.py"), "--out",
                        str(logs), "--days", str(DAYS), "--lines", args.lines],
                       check=True, capture_output=True)  # fmt: skip
        fs.put(logs, f"{work}/logs")
        common = {"withHive": with_hive, "loadIndex": "true"}
        index = Index()
        index.drop_table(REPORT_TABLE)
        started = time.monotonic()
        on_oozie = run_coordinator_on_oozie(
            daily_report(), settings,
            properties={**common, "logsRoot": f"{nn}{work}/logs",
                        "reportsRoot": f"{nn}{work}/reports"},
            run_dir=Path(tmp) / "oozie-run",
        )  # fmt: skip
        oozie_seconds = time.monotonic() - started
        loaded = {key: row for key, row in index.table(REPORT_TABLE).scan_range()}
        started = time.monotonic()
        local = run_coordinator(
            daily_report(), CoordSettings(workflow=LocalSettings(root=root), poll=0.5),
            properties=common, run_dir=Path(tmp) / "local-run",
        )  # fmt: skip
        local_seconds = time.monotonic() - started
        print(f"oozie {on_oozie.id}: {on_oozie.status} in {oozie_seconds:.0f} s; "
              f"local: {local.status} in {local_seconds:.0f} s")  # fmt: skip
        same = on_oozie.comparable() == local.comparable() and on_oozie.status == "SUCCEEDED"
        reports = root / "user" / getpass.getuser() / "daily-report" / "reports"
        parts = ["report", "sessions"] + ([] if args.no_hive else ["hive_report"])
        for action in on_oozie.actions:
            day = action.nominal_time[:10]
            verdicts = []
            for part in parts:
                ok = hdfs_rows(fs, f"{work}/reports/{day}/{part}") == local_rows(
                    reports / day / part
                )
                verdicts.append(f"{part} {'same' if ok else 'DIFFERENT'}")
                same &= ok
            report = local_rows(reports / day / "report")
            in_hbase = {
                f"{day}/{d}/{v}": {"f:hits": h, "f:bytes": b, "f:error_rate": e}
                for d, v, h, b, e in (r.split("\t") for r in report)
            }
            ok = {k: v for k, v in loaded.items() if k.startswith(f"{day}/")} == in_hbase
            verdicts.append(f"hbase {len(in_hbase)} rows {'same' if ok else 'DIFFERENT'}")
            same &= ok
            print(f"  {day} {action.status}: " + ", ".join(verdicts))
        fs.rm(work, recursive=True)
    print("the week on Oozie matches the local run" if same else "MISMATCH")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
