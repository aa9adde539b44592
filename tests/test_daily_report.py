"""The flagship pipeline (mr.workflow.examples.daily_report) on the local coordinator runner, from
the command line: a week's backfill whose rows are those of the jobs run directly on each day,
a late day that waits for its _SUCCESS, a deleted day restored by a rerun, a dry run, the graph.
(On Oozie: tests/test_coord_oozie.py.)"""

from __future__ import annotations

import getpass
import html
import json
import shutil
import subprocess
import sys
import time

import pytest

from mr.log_report import LogReport
from mr.sessionize import Sessionize
from tests.support import REPO, daily_logs, mrkit, part_rows, reports_dir, run_job

APP = "mr.workflow.examples:daily_report"
#: the engine-free pipeline: no Hive twin, no HBase load (tests of those need their engines)
LOCAL_ONLY = ["--property", "withHive=false", "--property", "loadIndex=false", "--poll", "0.1"]


def end(days: int) -> list[str]:
    return ["--property", f"end=2026-01-{1 + days:02d}T00:00Z"]


def test_a_week_backfills_with_the_rows_of_the_jobs_run_directly(tmp_path):
    root = tmp_path / "root"
    logs = daily_logs(root, 7)
    run = mrkit("coord", "run", APP, "--root", str(root), "--run-dir", str(tmp_path / "run"),
                *LOCAL_ONLY)  # fmt: skip
    assert run.returncode == 0, run.stderr
    record = json.loads((tmp_path / "run" / "coord.json").read_text())
    assert [a["status"] for a in record["actions"]] == ["SUCCEEDED"] * 7
    for day in range(1, 8):
        log = logs / "2026" / "01" / f"{day:02d}" / "access.log"
        out = reports_dir(root) / f"2026-01-{day:02d}"
        assert (out / "_SUCCESS").is_file()
        expected, _ = run_job(LogReport, [str(log)])
        assert part_rows(out / "report") == sorted(expected), day
        as_records = ["--format", "access-log", "--user-col", "0", "--time-col", "3"]
        sessions, _ = run_job(Sessionize, [str(log)], as_records)
        assert part_rows(out / "sessions") == sorted(sessions), day
        assert any(r.startswith(f"hour\t2026-01-{day:02d}T") for r in part_rows(out / "report"))


def test_a_late_day_waits_then_runs_when_its_success_appears(tmp_path):
    root = tmp_path / "root"
    logs = daily_logs(root, 3, "2026-01-02")
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "mr.cli", "coord", "run", APP, "--root", str(root),
         "--run-dir", str(run_dir), *LOCAL_ONLY, *end(3)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 600  # against a hang; loaded machines are slow
        while True:  # until days 1 and 3 are done and day 2 still waits for its flag
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the other days never finished"
            if (run_dir / "coord.json").is_file():
                actions = json.loads((run_dir / "coord.json").read_text())["actions"]
                state = [(a["status"], a["missing"]) for a in actions]
                if [s for s, _ in state] == ["SUCCEEDED", "WAITING", "SUCCEEDED"]:
                    break
            time.sleep(0.2)
        assert state[1][1] == [
            f"hdfs://localhost/user/{getpass.getuser()}/daily-report/logs/2026/01/02/_SUCCESS"
        ]
        assert not (reports_dir(root) / "2026-01-02").exists()
        (logs / "2026" / "01" / "02" / "_SUCCESS").touch()
        out, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert (reports_dir(root) / "2026-01-02" / "_SUCCESS").is_file()


def test_a_deleted_day_is_restored_byte_for_byte_by_a_rerun(tmp_path):
    root = tmp_path / "root"
    daily_logs(root, 3)
    run_dir = tmp_path / "run"
    first = mrkit("coord", "run", APP, "--root", str(root), "--run-dir", str(run_dir),
                  *LOCAL_ONLY, *end(3))  # fmt: skip
    assert first.returncode == 0, first.stderr
    day = reports_dir(root) / "2026-01-02"
    before = {p.relative_to(day): p.read_bytes() for p in day.rglob("*") if p.is_file()}
    shutil.rmtree(day)
    again = mrkit("coord", "rerun", str(run_dir), "--date", "2026-01-02", "--root", str(root),
                  "--poll", "0.1")  # fmt: skip
    assert again.returncode == 0, again.stderr
    after = {p.relative_to(day): p.read_bytes() for p in day.rglob("*") if p.is_file()}
    assert after == before
    status = mrkit("coord", "status", str(run_dir))
    assert status.returncode == 0
    assert [line.split()[2] for line in status.stdout.splitlines()[1:]] == ["SUCCEEDED"] * 3
    ids = [line.split()[3] for line in status.stdout.splitlines()[1:]]
    # a range: days 2 and 3 run again (new workflow runs), day 1 does not
    both = mrkit("coord", "rerun", str(run_dir), "--date", "2026-01-02..2026-01-03",
                 "--root", str(root), "--poll", "0.1")  # fmt: skip
    assert both.returncode == 0, both.stderr
    later = mrkit("coord", "status", str(run_dir)).stdout.splitlines()[1:]
    assert [a == line.split()[3] for a, line in zip(ids, later, strict=True)] == [
        True,
        False,
        False,
    ]
    # by number: action 1 only
    first_again = mrkit("coord", "rerun", str(run_dir), "--action", "1", "--root", str(root),
                        "--poll", "0.1")  # fmt: skip
    assert first_again.returncode == 0, first_again.stderr
    last = mrkit("coord", "status", str(run_dir)).stdout.splitlines()[1:]
    assert [a == b for a, b in zip(later, last, strict=True)][1:] == [True, True]
    assert last[0].split()[3] != ids[0]
    bad = mrkit("coord", "rerun", str(run_dir), "--date", "2026-02-30")
    assert bad.returncode == 2 and "give a day (2026-01-05)" in bad.stderr


def test_dry_run_lists_each_day_and_runs_nothing(tmp_path):
    root = tmp_path / "root"
    dry = mrkit("coord", "run", APP, "--root", str(root), "--run-dir", str(tmp_path / "run"),
                "--dry-run", *LOCAL_ONLY)  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert len(lines) == 7
    assert lines[0].split()[:3] == ["1", "2026-01-01T00:00Z", "WAITING"]  # no logs yet
    assert "day=2026-01-01" in lines[0] and "day=2026-01-07" in lines[6]
    assert not reports_dir(root).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["coord", "run", "mr.workflow.examples:word_pipeline"], "not a Coordinator"),
        (["coord", "run", APP, "--property", "start=yesterday"], "'yesterday' is not a time"),
        (
            ["coord", "run", APP, "--engine", "oozie", "--dry-run"],
            "--dry-run is for --engine local",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(tmp_path, args, message):
    result = mrkit(*args)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


def test_the_graph_of_the_daily_workflow(tmp_path):
    if shutil.which("dot") is None:
        from tests.plugins.engines import unavailable

        unavailable("graphviz", RuntimeError("no dot on PATH (scripts/bootstrap installs it)"))
    out = tmp_path / "daily.svg"
    drawn = mrkit("workflow", "graph", "mr.workflow.examples:daily_report_workflow",
                  "--out", str(out))  # fmt: skip
    assert drawn.returncode == 0, drawn.stderr
    svg = html.unescape(out.read_text())
    for node in ("prepare", "report", "sessions", "hive-report", "load-index", "done"):
        assert f">{node}<" in svg, node


@pytest.mark.parametrize("command", ["status", "rerun", "kill"])
def test_a_coordinator_run_that_is_not_there_is_one_line_and_exit_1(tmp_path, command):
    extra = ["--action", "1"] if command == "rerun" else []
    result = mrkit("coord", command, str(tmp_path / "nothing"), *extra)
    assert result.returncode == 1, result.stderr
    assert result.stderr == (
        f"mrkit coord {command}: error: {tmp_path / 'nothing'}: no such coordinator run "
        "(give a run id or a run directory)\n"
    )
