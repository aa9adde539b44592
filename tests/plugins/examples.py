"""Session fixtures: the example apps (mr.workflow.examples) run once on the real Oozie and with
the local runner, their results kept for every test that compares with them (the Oozie tests
assert Oozie == local; tests/test_airflow_live.py asserts Airflow == Oozie) so that no engine
runs an example twice in a session.

`every_action_runs`: every_action on Oozie and locally, with Hive, Pig and the HBase load.
`daily_report_on_oozie`: two days of the daily_report coordinator on Oozie (the streaming steps
only), the second day late: what its actions showed while it waited, and each day's rows.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

#: the HBase table every_action loads (a literal: job options are checked when rendered)
EVERY_ACTION_TABLE = "every_action"
#: what every_action writes besides its rows: marker files, and the counts it moves away
EVERY_ACTION_OUTPUTS = ("published", "frequent", "hive_counts", "pig_counts")
EVERY_ACTION_MARKERS = ("STARTED", "DONE", "RECOVERED")

#: daily_report on Oozie: two days, the streaming steps only (each day on YARN is two streaming
#: jobs and a launcher); the Hive step and the HBase load are compared locally and on Airflow
DAILY_DAYS = ("01", "02")
DAILY_PROPERTIES = {"end": "2026-01-03T00:00Z", "withHive": "false", "loadIndex": "false"}
DAILY_PARTS = ("report", "sessions")


@dataclass
class EngineResult:
    """One engine's run of every_action: its record and what it left behind."""

    run: Any  # mr.workflow.runs.WorkflowRun
    rows: dict[str, list[str]]  # output directory name -> sorted rows
    loaded: dict[str, str]  # the HBase rows it loaded: key -> f:count
    markers: dict[str, bool]  # marker file -> it exists
    counts_left: bool  # whether ${workDir}/counts is still there (the sub-workflow moves it)


@dataclass
class EveryActionRuns:
    workflow: Any  # mr.workflow.model.Workflow: every_action, as both engines ran it
    oozie: EngineResult
    local: EngineResult
    input_text: bytes


def every_action_index_options(hbase_server: Any) -> list[str]:
    """load_hbase's options naming the session's HBase: a container does not see this
    process's MRKIT_HBASE_*, so without them its tasks would load into 127.0.0.1:9090 (another
    run's HBase, or none) whenever the session's ports are not the defaults."""
    return ["--hbase-host", hbase_server.host, "--hbase-port", str(hbase_server.thrift_port)]


@dataclass
class DailyReportOnOozie:
    run: Any  # mr.workflow.runs.CoordRun, as followed to its end
    #: (status, missing) of each action when day 1 had run and day 2 waited
    waiting: list[tuple[str, list[str]]]
    #: whether day 2's report existed while it waited
    day2_written_early: bool
    flag: str  # day 2's done-flag, as Oozie named it
    rows: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # day -> part -> rows
    work: str = ""  # the HDFS directory of the run (logs/, reports/)
    logs: Path | None = None  # the same logs, locally (under `root`)
    root: Path | None = None
    run_dir: Path | None = None  # the coordinator's record (coord.json)


def _local_rows(directory: Path) -> list[str]:
    rows: list[str] = []
    for part in directory.iterdir():
        if part.is_file() and not part.name.startswith(("_", ".")):
            rows += part.read_text(encoding="utf-8").splitlines()
    return sorted(rows)


def _scan(index, table: str) -> dict[str, str]:
    """The table's rows ({} when no run made it: the tests then show the run's record)."""
    if table not in index.tables():
        return {}
    return {key: row["f:count"] for key, row in index.table(table).scan_range()}


@pytest.fixture(scope="session")
def every_action_runs(oozie_server, hadoop_cluster, hdfs, hbase_server, hive_engine, pig_engine,
                      tmp_path_factory) -> Any:  # fmt: skip
    """every_action on Oozie, then locally (the same extra retry code, no retry wait), the
    HBase table scanned after each and dropped."""
    from mr.clients.hbase import Index
    from mr.clients.oozie import Oozie
    from mr.workflow.examples import every_action
    from mr.workflow.local import DEFAULT_RETRY_CODES, LocalSettings, run_workflow
    from mr.workflow.remote import OozieSettings, run_on_oozie
    from tests.plugins.oozie import RETRY_CODES
    from tests.support import fixture, hdfs_rows

    tmp = tmp_path_factory.mktemp("every-action")
    work = f"/mrkit-tests/wf-{uuid.uuid4().hex[:10]}"
    settings = OozieSettings(
        oozie=Oozie(oozie_server.url), fs=hdfs, name_node=hadoop_cluster.fs_uri,
        resource_manager=f"localhost:{hadoop_cluster.ports.rm}", poll=0.5,
    )  # fmt: skip
    index = Index(hbase_server.host, hbase_server.thrift_port)
    wf = every_action(every_action_index_options(hbase_server))
    text = Path(fixture("word_count")).read_bytes()
    books = f"{work}/books"
    hdfs.mkdir(work)
    hdfs.write_bytes(f"{books}/input.txt", text)
    local_books = tmp / "root" / books.lstrip("/")
    local_books.mkdir(parents=True)
    (local_books / "input.txt").write_bytes(text)

    def properties(engine: str) -> dict[str, str]:
        return {"input": books, "workDir": f"{work}/out", "flagFile": str(tmp / f"flag-{engine}"),
                "loadIndex": "true"}  # fmt: skip

    index.drop_table(EVERY_ACTION_TABLE)
    try:
        on_oozie = run_on_oozie(wf, settings, properties=properties("oozie"),
                                run_dir=tmp / "oozie-run")  # fmt: skip
        assert on_oozie.status == "SUCCEEDED", "\n".join(on_oozie.summary_lines())
        loaded = _scan(index, EVERY_ACTION_TABLE)
        index.drop_table(EVERY_ACTION_TABLE)
        local_settings = LocalSettings(root=tmp / "root", minute_seconds=0,
                                       retry_codes=DEFAULT_RETRY_CODES | {RETRY_CODES})  # fmt: skip
        local = run_workflow(wf, local_settings, properties=properties("local"),
                             run_dir=tmp / "local-run")  # fmt: skip
        loaded_locally = _scan(index, EVERY_ACTION_TABLE)
    finally:
        index.drop_table(EVERY_ACTION_TABLE)
        index.close()
    root = tmp / "root" / work.lstrip("/") / "out"
    try:
        yield EveryActionRuns(
            workflow=wf,
            oozie=EngineResult(
                on_oozie,
                {name: hdfs_rows(hdfs, f"{work}/out/{name}") for name in EVERY_ACTION_OUTPUTS},
                loaded,
                {m: hdfs.exists(f"{work}/out/{m}") for m in EVERY_ACTION_MARKERS},
                hdfs.exists(f"{work}/out/counts"),
            ),
            local=EngineResult(
                local,
                {name: _local_rows(root / name) for name in EVERY_ACTION_OUTPUTS},
                loaded_locally,
                {m: (root / m).is_file() for m in EVERY_ACTION_MARKERS},
                (root / "counts").exists(),
            ),
            input_text=text,
        )
    finally:
        hdfs.rm(work, recursive=True)


@pytest.fixture(scope="session")
def daily_report_on_oozie(oozie_server, hadoop_cluster, hdfs, tmp_path_factory) -> Any:
    """daily_report's first two days on Oozie, day 2's logs without _SUCCESS until day 1 has
    run and day 2 waits; then its flag, and the coordinator followed to its end."""
    from mr.clients.oozie import Oozie
    from mr.workflow.coord_remote import (
        follow_coordinator,
        refresh_coordinator,
        run_coordinator_on_oozie,
    )
    from mr.workflow.examples import daily_report
    from mr.workflow.remote import OozieSettings
    from tests.support import daily_logs, hdfs_rows

    tmp = tmp_path_factory.mktemp("daily-report-oozie")
    work = f"/mrkit-tests/wf-{uuid.uuid4().hex[:10]}"
    settings = OozieSettings(
        oozie=Oozie(oozie_server.url), fs=hdfs, name_node=hadoop_cluster.fs_uri,
        resource_manager=f"localhost:{hadoop_cluster.ports.rm}", poll=0.5,
    )  # fmt: skip
    root = tmp / "root"
    logs = daily_logs(root, len(DAILY_DAYS), "2026-01-02")
    hdfs.mkdir(work)
    for day in DAILY_DAYS:  # the same logs on HDFS, day 2 not marked done yet
        hdfs.write_bytes(f"{work}/logs/2026/01/{day}/access.log",
                         (logs / "2026" / "01" / day / "access.log").read_bytes())  # fmt: skip
    hdfs.write_bytes(f"{work}/logs/2026/01/01/_SUCCESS", b"")
    nn = settings.name_node
    where = {"logsRoot": f"{nn}{work}/logs", "reportsRoot": f"{nn}{work}/reports"}
    on_oozie = run_coordinator_on_oozie(
        daily_report(), settings, properties={**DAILY_PROPERTIES, **where},
        run_dir=tmp / "oozie-run", wait=False,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 600
        while True:  # day 1 runs, day 2 waits for its flag
            refresh_coordinator(settings, on_oozie)
            state = [(a.status, list(a.missing)) for a in on_oozie.actions]
            if [s for s, _ in state] == ["SUCCEEDED", "WAITING"]:
                break
            assert time.monotonic() < deadline, on_oozie.summary_lines()
            assert on_oozie.status not in ("KILLED", "FAILED"), on_oozie.summary_lines()
            time.sleep(2)
        early = hdfs.exists(f"{work}/reports/2026-01-02")
        hdfs.write_bytes(f"{work}/logs/2026/01/02/_SUCCESS", b"")
        (logs / "2026" / "01" / "02" / "_SUCCESS").touch()
        on_oozie = follow_coordinator(settings, on_oozie, tmp / "oozie-run")
    finally:
        if on_oozie.status not in ("SUCCEEDED", "DONEWITHERROR"):
            settings.oozie.kill(on_oozie.id)
    rows = {
        day: {part: hdfs_rows(hdfs, f"{work}/reports/2026-01-{day}/{part}") for part in DAILY_PARTS}
        for day in DAILY_DAYS
    }  # fmt: skip
    try:
        yield DailyReportOnOozie(on_oozie, state, early, f"{nn}{work}/logs/2026/01/02/_SUCCESS",
                                 rows, work, logs, root, tmp / "oozie-run")  # fmt: skip
    finally:
        hdfs.rm(work, recursive=True)
