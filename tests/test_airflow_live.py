"""Airflow against the real engines, compared with Oozie's runs of the same apps.

- every_action by `airflow dags test` (an AIRFLOW_HOME of the test's own; the Hive and Pig
  twins, the HBase load): each node's outcome and attempts, the captured output, the rows, the
  markers and the HBase rows are those of its Oozie run (tests/plugins/examples.py runs it once
  for the session; tests/test_workflow_oozie.py checks it against the local runner).
- the flagship daily_report coordinator, deployed on the session's Airflow with its start three
  days back, which its scheduler catches up on (Oozie's backfill of a past start), with the
  Hive step and the HBase load on: each day's rows are those of `mrkit coord run --engine
  local` (and of the session's Oozie run, days 1 and 2); a late day waits in its sensor until
  its _SUCCESS comes.
- the provider's twin (Hive, Pig), HBase index-load and MySQL export/import operators in one
  DAG (tests/fixtures/airflow/mrkit_test_dags.py) against the session's HBase and MariaDB.

A failing task retried as the workflow says, then the kill node's message and no _SUCCESS:
tests/test_airflow_deploy.py (its third day). These tests must run before the test that stops
the session's Airflow (tests/conftest.py orders it last)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from mr.airflow.render import workflow_dag, write_dags
from mr.airflow.runtime import task_id
from mr.workflow.examples import REPORT_TABLE
from tests.plugins.examples import (
    DAILY_DAYS,
    DAILY_PARTS,
    EVERY_ACTION_MARKERS,
    EVERY_ACTION_OUTPUTS,
    EVERY_ACTION_TABLE,
)
from tests.support import REPO, mrkit, part_rows
from tests.test_airflow_render import airflow_env

pytestmark = [pytest.mark.airflow]


def sqlite_rows(db: Path, query: str, *args: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(query, args).fetchall()


def xcom_value(raw) -> object:
    """An XCom value as the metadata database keeps it (JSON, sometimes JSON of JSON)."""
    value = json.loads(raw) if isinstance(raw, str | bytes) else raw
    return json.loads(value) if isinstance(value, str) else value


def dir_rows(directory: Path) -> list[str]:
    rows: list[str] = []
    for part in directory.iterdir():
        if part.is_file() and not part.name.startswith(("_", ".")):
            rows += part.read_text(encoding="utf-8").splitlines()
    return sorted(rows)


# -- every_action: dags test against its Oozie run ---------------------------------------------


@pytest.mark.oozie
@pytest.mark.hadoop
@pytest.mark.hbase
@pytest.mark.hive
@pytest.mark.pig
def test_every_action_by_dags_test_gives_each_actions_oozie_result(
    every_action_runs, airflow_python, hbase_index, tmp_path
):
    oozie, wf = every_action_runs.oozie, every_action_runs.workflow
    dags = tmp_path / "dags"
    write_dags([workflow_dag(wf, {}, source="tests/test_airflow_live.py")], dags,
               python=airflow_python)  # fmt: skip
    home, root = tmp_path / "home", tmp_path / "root"
    env = airflow_env(home, dags, root)
    env["MRKIT_AIRFLOW_RETRY_CODES"] = "1"  # as the session's Oozie (mrkit oozie up --retry-codes)
    airflow = airflow_python.parent / "airflow"
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    (root / "books").mkdir(parents=True)
    (root / "books" / "input.txt").write_bytes(every_action_runs.input_text)
    conf = {"input": "/books", "workDir": "/out", "flagFile": str(tmp_path / "flag"),
            "loadIndex": "true"}  # fmt: skip
    hbase_index.drop_table(EVERY_ACTION_TABLE)
    try:
        started = time.monotonic()
        done = subprocess.run(
            [airflow, "dags", "test", wf.name, "2026-01-01", "-c", json.dumps(conf)],
            env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        seconds = time.monotonic() - started
        loaded = {
            k: row["f:count"] for k, row in hbase_index.table(EVERY_ACTION_TABLE).scan_range()
        }
    finally:
        hbase_index.drop_table(EVERY_ACTION_TABLE)
    print(f"airflow dags test {wf.name}: {seconds:.1f}s, exit {done.returncode}")
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]

    db = home / "airflow.db"
    [(run_id, run_state)] = sqlite_rows(
        db, "select run_id, state from dag_run where dag_id = ?", wf.name
    )
    assert run_state == "success"
    tis = sqlite_rows(db, "select task_id, state, try_number from task_instance where "
                          "dag_id = ? and run_id = ?", wf.name, run_id)  # fmt: skip
    states = {t: s for t, s, _ in tis}
    tries = {t: n for t, _, n in tis}
    # each node as Oozie ran it: OK -> success, ERROR -> failed (its error transition taken);
    # the nodes Oozie never reached are skipped
    expected = {task_id(n.name): "failed" if n.status == "ERROR" else "success"
                for n in oozie.run.nodes if n.kind != ":START:"}  # fmt: skip
    ran = {t: s for t, s in states.items() if s in ("success", "failed")}
    assert ran == expected, states
    assert set(states) - set(ran) == {"fail"} and states["fail"] == "skipped"
    attempts = {task_id(n.name): n.attempts for n in oozie.run.nodes if n.attempts > 1}
    assert attempts == {"notify": 2}
    assert {t: tries[t] for t in attempts} == attempts
    # the captured output, which the decision read
    [(raw,)] = sqlite_rows(
        db, "select value from xcom where dag_id = ? and run_id = ? and task_id = 'check' "
        "and key = 'return_value'", wf.name, run_id,
    )  # fmt: skip
    assert xcom_value(raw) == oozie.run.node("check").data == {"checked": "true"}
    # the same rows (streaming, chained streaming, Hive, Pig, the sub-workflow's move), markers
    # and HBase rows as on Oozie
    out = root / "out"
    for name in EVERY_ACTION_OUTPUTS:
        assert dir_rows(out / name) == oozie.rows[name], name
    assert loaded == oozie.loaded and loaded
    assert {m: (out / m).is_file() for m in EVERY_ACTION_MARKERS} == oozie.markers
    assert not (out / "counts").exists() and not oozie.counts_left


# -- the flagship: deployed and backfilled on the real scheduler ---------------------------------

DAG_ID = "daily-report"
APP = "mr.workflow.examples:daily_report"
DAYS = ["2026-01-01", "2026-01-02", "2026-01-03"]


class Rest:
    def __init__(self, state):
        from mr.engines import airflow as engine

        self.engine, self.state = engine, state
        self.bearer = engine.token(state)

    def __call__(self, method: str, path: str, body=None):
        return self.engine.api(self.state, method, path, body, bearer=self.bearer)

    def run_id(self, day: str) -> str:
        runs = self("GET", f"dags/{DAG_ID}/dagRuns?logical_date_gte={day}T00:00:00Z"
                    f"&logical_date_lte={day}T00:00:00Z")["dag_runs"]  # fmt: skip
        assert len(runs) == 1, runs
        return str(runs[0]["dag_run_id"])

    def ti(self, day: str, task: str) -> dict:
        run = urllib.parse.quote(self.run_id(day), safe="")
        return dict(self("GET", f"dags/{DAG_ID}/dagRuns/{run}/taskInstances/{task}"))

    def forget_dag(self) -> None:
        """Delete the DAG and its runs (an earlier session's: a date with a run is skipped)."""
        from mr.engines import EngineError

        try:
            self("DELETE", f"dags/{DAG_ID}")
        except EngineError as e:
            assert "HTTP 404" in str(e), e


def gen_logs(logs: Path, *late: str) -> None:
    """The three days of logs the Oozie fixture's first two are (same seed, 40 lines a day)."""
    args = ["--out", str(logs), "--days", str(len(DAYS)), "--lines", "40"]
    for day in late:
        args += ["--late", day]
    subprocess.run([sys.executable, str(REPO / "scripts" / "gen_daily_logs.py"), *args],
                   check=True, capture_output=True)  # fmt: skip


def indexed(day: str, report_rows: list[str]) -> dict[str, dict[str, str]]:
    """The HBase rows load-index makes of a day's report rows: key day/dimension/value."""
    rows = {}
    for row in report_rows:
        dimension, value, hits, size, error_rate = row.split("\t")
        rows[f"{day}/{dimension}/{value}"] = {"f:hits": hits, "f:bytes": size,
                                              "f:error_rate": error_rate}  # fmt: skip
    return rows


@pytest.mark.oozie
@pytest.mark.hadoop
@pytest.mark.hbase
@pytest.mark.hive
def test_daily_report_backfilled_by_airflow_gives_each_days_local_and_oozie_rows(
    airflow_server, daily_report_on_oozie, hive_engine, hbase_index, tmp_path
):
    """Deployed with its start three days back, as Oozie backfills a coordinator whose start is
    past: its execution FIFO is catchup=True, so the scheduler runs the three days itself, one
    at a time (concurrency 1). (`mrkit airflow backfill` is for catchup=False DAGs,
    tests/test_airflow_deploy.py: here it would race the scheduler for the first day.)"""
    from mr.engines import EngineError
    from mr.engines import airflow as engine

    rest = Rest(airflow_server)
    base, local = tmp_path / "airflow", tmp_path / "local"
    gen_logs(base / "logs", DAYS[1])  # the second day's _SUCCESS comes later
    gen_logs(local / "logs")
    oozie_logs = daily_report_on_oozie.logs
    for day in DAILY_DAYS:  # the logs the Oozie run read
        name = f"2026/01/{day}/access.log"
        assert (base / "logs" / name).read_bytes() == (oozie_logs / name).read_bytes()
    given = {"logsRoot": f"file://{base}/logs", "reportsRoot": f"file://{base}/reports",
             "start": "2026-01-01T00:00Z", "end": "2026-01-04T00:00Z"}  # fmt: skip
    properties = tmp_path / "job.properties"
    properties.write_text("".join(f"{k}={v}\n" for k, v in given.items()))
    hbase_index.drop_table(REPORT_TABLE)
    rest.forget_dag()
    try:
        started = time.monotonic()
        deployed = mrkit("airflow", "deploy", APP, "--properties", str(properties))
        assert deployed.returncode == 0, deployed.stderr
        deploy_seconds = time.monotonic() - started
        # day 1 runs; day 2 waits in its sensor, its worker slot free, until its flag comes
        deadline = time.monotonic() + 600
        while True:
            try:
                state = rest.ti(DAYS[1], "wait-for-logs")["state"]
            except (AssertionError, EngineError):  # the run is not made yet
                state = None
            if state == "up_for_reschedule":
                break
            assert state not in ("success", "failed"), state
            assert time.monotonic() < deadline, f"wait-for-logs of {DAYS[1]} is {state}"
            time.sleep(1)
        waited_at = time.monotonic()
        assert rest.ti(DAYS[0], "end")["state"] == "success"
        assert not (base / "reports" / "2026-01-02").exists()
        time.sleep(16)  # a poke more (AIRFLOW_POKE_MIN): still waiting, nothing after it ran
        # (between pokes up_for_reschedule; a poke caught while it runs is "running")
        assert rest.ti(DAYS[1], "wait-for-logs")["state"] in ("up_for_reschedule", "running")
        assert rest.ti(DAYS[1], "prepare")["state"] is None
        assert not (base / "reports" / "2026-01-02").exists()
        (base / "logs" / "2026" / "01" / "02" / "_SUCCESS").write_text("")
        flagged = time.monotonic()
        # meanwhile: the same three days with mrkit's local runner, without the HBase load
        # (the table holds Airflow's rows alone, compared with the local report rows below)
        # and the Hive step (the twin's rows are the report's: tests/test_parity.py; three Hive
        # runs fewer on a 2-core machine)
        ran = mrkit("coord", "run", APP, "--engine", "local", "--poll", "0.2", "-q",
                    "--property", f"logsRoot=file://{local}/logs",
                    "--property", f"reportsRoot=file://{local}/reports",
                    "--property", "end=2026-01-04T00:00Z", "--property", "loadIndex=false",
                    "--property", "withHive=false",
                    "--run-dir", str(tmp_path / "local-run"))  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        deadline = time.monotonic() + 900
        while True:
            runs = rest("GET", f"dags/{DAG_ID}/dagRuns?limit=100")["dag_runs"]
            if len(runs) == len(DAYS) and all(r["state"] in ("success", "failed") for r in runs):
                break
            assert time.monotonic() < deadline, [(r["dag_run_id"], r["state"]) for r in runs]
            time.sleep(2)
        seconds = time.monotonic() - started
        loaded = {key: dict(row) for key, row in hbase_index.table(REPORT_TABLE).scan_range()}
    finally:
        rest("PATCH", f"dags/{DAG_ID}", {"is_paused": True})
        hbase_index.drop_table(REPORT_TABLE)
    print(f"mrkit airflow deploy {DAG_ID}: {deploy_seconds:.1f}s; 3 days run by the scheduler "
          f"in {seconds:.1f}s from the deploy (the second day waited {flagged - waited_at:.0f}s "
          f"more for its flag, the local coordinator ran meanwhile; "
          f"{time.monotonic() - flagged:.1f}s after the flag)")  # fmt: skip
    assert {r["logical_date"][:10]: (r["state"], r["run_type"]) for r in runs} == dict.fromkeys(
        DAYS, ("success", "scheduled")
    )

    expected_index: dict[str, dict[str, str]] = {}
    for day in DAYS:
        airflow_day, local_day = base / "reports" / day, local / "reports" / day
        assert (airflow_day / "_SUCCESS").is_file(), day
        for part in DAILY_PARTS:
            rows = part_rows(airflow_day / part)
            assert rows == part_rows(local_day / part) and rows, (day, part)
        assert part_rows(airflow_day / "hive_report") == part_rows(local_day / "report")
        assert not (local_day / "hive_report").exists()  # the local run had no Hive step
        expected_index.update(indexed(day, part_rows(local_day / "report")))
        if day[-2:] in DAILY_DAYS:
            for part in DAILY_PARTS:
                assert part_rows(airflow_day / part) == daily_report_on_oozie.rows[day[-2:]][part]
    assert loaded == expected_index
    rest("DELETE", f"dags/{DAG_ID}")
    (engine.dags_dir() / f"{DAG_ID}.py").unlink()


# -- the provider's operators against the real engines -------------------------------------------


@pytest.mark.hive
@pytest.mark.pig
@pytest.mark.hbase
@pytest.mark.mysql
def test_twin_index_load_and_mysql_operators_against_the_real_engines(
    airflow_server, hive_engine, pig_engine, hbase_server, hbase_index, new_table_name,
    mysql_server, mysql_db, mysql_conn, tmp_path,
):  # fmt: skip
    from tests.support import fixture
    from tests.test_airflow import Api

    api = Api(airflow_server)
    api.connection("mrkit_test_hbase_live", conn_type="mrkit_hbase", host=hbase_server.host,
                   port=hbase_server.thrift_port)  # fmt: skip
    api.connection("mrkit_test_mysql_live", conn_type="mrkit_mysql", host=mysql_db.host,
                   port=mysql_db.port, login=mysql_db.user, schema=mysql_db.database)  # fmt: skip
    with mysql_conn.cursor() as cur:
        cur.execute("CREATE TABLE word_counts (id INT AUTO_INCREMENT PRIMARY KEY, "
                    "word VARCHAR(64) NOT NULL, n INT NOT NULL) ENGINE=InnoDB")  # fmt: skip
    table = new_table_name("live_ops")
    words = Path(fixture("word_count")).read_text()
    (tmp_path / "in.txt").write_text(words)
    conf = {"input": str(tmp_path / "in.txt"), "hive_out": str(tmp_path / "hive"),
            "pig_out": str(tmp_path / "pig"), "imported": str(tmp_path / "imported"),
            "table": table}  # fmt: skip
    dag = "mrkit_test_live_operators"
    started = time.monotonic()
    run = api.trigger(dag, conf)
    state = api.wait_run(dag, run, timeout=600)
    print(f"{dag}: {state} in {time.monotonic() - started:.1f}s")
    assert state == "success", {t: api.ti_state(dag, run, t) for t in
                                ("hive_count", "pig_count", "load_index", "export_counts",
                                 "import_counts")}  # fmt: skip
    counts = sorted(Path(fixture("word_count", "expected.tsv")).read_text().splitlines())
    assert part_rows(tmp_path / "hive") == counts
    assert part_rows(tmp_path / "pig") == counts
    loaded = {k: row["f:count"] for k, row in hbase_index.table(table).scan_range()}
    assert loaded == dict(row.split("\t") for row in counts)
    assert api.xcom(dag, run, "load_index") == {table: len(counts)}
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT word, n FROM word_counts")
        assert sorted(f"{w}\t{n}" for w, n in cur.fetchall()) == counts
    assert part_rows(tmp_path / "imported") == counts
    imported = api.xcom(dag, run, "import_counts")
    assert imported["target_dir"] == conf["imported"]
