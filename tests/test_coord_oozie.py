"""The flagship coordinator (mr.workflow.examples.daily_report) on the real Oozie 5.2.1 server,
against its local run on the same logs: the same actions, the same rows; a late day waits on
Oozie for its _SUCCESS, and a deleted day comes back byte for byte from a coord-rerun.

CI keeps it to two days without the Hive step and the HBase load (each day on YARN is two
streaming jobs and a launcher): the week with every step is the README's walk-through."""

from __future__ import annotations

import getpass
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mr.workflow.coord_local import CoordSettings, run_coordinator
from mr.workflow.coord_remote import follow_coordinator, rerun_on_oozie
from mr.workflow.examples import daily_report
from mr.workflow.local import LocalSettings
from tests.plugins.examples import DAILY_DAYS as DAYS
from tests.plugins.examples import DAILY_PROPERTIES as PROPERTIES
from tests.support import REPO, part_rows, reports_dir

pytestmark = [pytest.mark.oozie, pytest.mark.hadoop]


def test_a_late_day_waits_on_oozie_and_the_rows_are_the_local_runs(
    daily_report_on_oozie, oozie_settings, hdfs, tmp_path
):
    """The Oozie run is the session's (tests/plugins/examples.py: tests/test_airflow_live.py
    compares Airflow's days with it too)."""
    ran = daily_report_on_oozie
    on_oozie, work = ran.run, ran.work
    # day 1 ran while day 2 waited for its flag, and wrote nothing meanwhile
    assert [s for s, _ in ran.waiting] == ["SUCCEEDED", "WAITING"]
    assert ran.waiting[1][1] == [ran.flag]
    assert not ran.day2_written_early
    assert on_oozie.status == "SUCCEEDED", on_oozie.summary_lines()

    local_root = tmp_path / "root"
    shutil.copytree(ran.root, local_root)  # the same logs, every day done by now
    settings = CoordSettings(workflow=LocalSettings(root=local_root), poll=0.1)
    local = run_coordinator(daily_report(), settings, properties=PROPERTIES,
                            run_dir=tmp_path / "local-run")  # fmt: skip
    assert local.comparable() == on_oozie.comparable()
    for day in DAYS:
        for part in ("report", "sessions"):
            local_rows = part_rows(reports_dir(local_root) / f"2026-01-{day}" / part)
            assert ran.rows[day][part] == local_rows, day
            assert local_rows, day

    # a lost day: deleted, then run again by a coord-rerun, comes back byte for byte
    day1 = f"{work}/reports/2026-01-01"
    before = {e.path: hdfs.read_bytes(e.path) for e in hdfs.ls(day1, recursive=True)
              if e.kind == "file"}  # fmt: skip
    hdfs.rm(day1, recursive=True)
    reran = rerun_on_oozie(oozie_settings, on_oozie, [1])
    on_oozie = follow_coordinator(oozie_settings, on_oozie, ran.run_dir, rerun=reran)
    assert on_oozie.action(1).status == "SUCCEEDED", on_oozie.summary_lines()
    after = {e.path: hdfs.read_bytes(e.path) for e in hdfs.ls(day1, recursive=True)
             if e.kind == "file"}  # fmt: skip
    assert after == before


def test_the_cli_runs_the_flagship_with_its_default_roots_then_status_and_kill(
    oozie_server, oozie_settings, tmp_path
):
    """`mrkit coord run APP --engine oozie` with the flagship's own defaults (logsRoot and
    reportsRoot under ${nameNode}/user/${user.name}): its actions wait for their days; `mrkit
    coord status` lists them with what they miss; `mrkit coord kill` ends the coordinator."""
    env = {**os.environ, "OOZIE_URL": oozie_server.url}

    def mrkit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "mr.cli", "coord", *args], cwd=REPO,
                              env=env, capture_output=True, text=True, timeout=600)  # fmt: skip

    started = mrkit("run", "mr.workflow.examples:daily_report", "--engine", "oozie", "--no-wait",
                    "--property", "end=2026-01-03T00:00Z",
                    "--property", "withHive=false", "--property", "loadIndex=false")  # fmt: skip
    assert started.returncode == 0, started.stderr
    coord_id, _, where = started.stdout.split()  # ID STATUS RUN_DIR
    run_dir = Path(where)
    assert json.loads((run_dir / "coord.json").read_text())["id"] == coord_id
    user = getpass.getuser()
    logs = f"{oozie_settings.name_node}/user/{user}/daily-report/logs/2026/01"
    try:
        deadline = time.monotonic() + 300
        while True:
            status = mrkit("status", str(run_dir))
            assert status.returncode == 0, status.stderr
            rows = [line.split() for line in status.stdout.splitlines()[1:]]
            if len(rows) == 2 and all(r[2] == "WAITING" for r in rows):
                break
            assert "FAILED" not in status.stdout and "KILLED" not in status.stdout, status.stdout
            assert time.monotonic() < deadline, status.stdout
            time.sleep(2)
        assert f"{logs}/01/_SUCCESS" in status.stdout and f"{logs}/02/_SUCCESS" in status.stdout
        by_id = mrkit("status", coord_id)  # the run's id finds it too
        assert by_id.returncode == 0 and by_id.stdout.split()[0] == coord_id, by_id.stderr
    finally:
        killed = mrkit("kill", str(run_dir))
    assert killed.returncode == 0, killed.stderr
    final = json.loads((run_dir / "coord.json").read_text())
    assert final["status"] == "KILLED", final
    assert oozie_server_status(oozie_server.url, coord_id) == "KILLED"


def oozie_server_status(url: str, job_id: str) -> str:
    from mr.clients.oozie import Oozie

    return str(Oozie(url).info(job_id)["status"])
