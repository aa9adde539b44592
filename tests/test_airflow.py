"""mrkit's provider on a real Airflow 3.3 (`mrkit airflow up`, started once for the session by
tests/plugins/airflow.py): DAGs of tests/fixtures/airflow run by the real scheduler, with
LocalExecutor workers and the triggerer, watched through the REST API.

The last test stops Airflow (`mrkit airflow down`) and checks, by pid, that no process of it is
left; it starts it again if the session had found it running."""

from __future__ import annotations

import json
import os
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.support import mrkit

pytestmark = pytest.mark.airflow

WORDS = "the cat\nthe dog\n\nthe end\n"
FAILING_JOB = """\
from mrjob.job import MRJob


class Boom(MRJob):
    def mapper(self, _, line):
        if "poison" in line:
            raise ValueError("cannot count " + line)
        yield line.split()[0], 1

    def reducer(self, key, values):
        yield key, sum(values)


if __name__ == "__main__":
    Boom.run()
"""


class Api:
    """The REST API of the session's Airflow, one token for the module."""

    def __init__(self, state):
        from mr.engines import airflow as engine

        self.engine = engine
        self.state = state
        self.bearer = engine.token(state)

    def __call__(self, method: str, path: str, body=None):
        return self.engine.api(self.state, method, path, body, bearer=self.bearer)

    def wait_for_dag(self, dag_id: str, timeout: float = 120) -> None:
        """Until the dag-processor has parsed the DAG; then unpause it (new DAGs start paused).
        A DAG an earlier session left is known but stale (its file was removed at that
        session's end) until the dag-processor parses the file again: a run of it is refused
        (HTTP 404) until then."""
        from mr.engines import EngineError

        deadline = time.monotonic() + timeout
        while True:
            try:
                if not self("GET", f"dags/{dag_id}")["is_stale"]:
                    break
            except EngineError:
                pass
            assert time.monotonic() < deadline, f"{dag_id}: not parsed in {timeout}s"
            time.sleep(1)
        self("PATCH", f"dags/{dag_id}", {"is_paused": False})

    def trigger(self, dag_id: str, conf: dict) -> str:
        self.wait_for_dag(dag_id)
        run = self("POST", f"dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf})
        return str(run["dag_run_id"])

    def run_path(self, dag_id: str, run_id: str) -> str:
        return f"dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}"

    def run_state(self, dag_id: str, run_id: str) -> str:
        return str(self("GET", self.run_path(dag_id, run_id))["state"])

    def ti_state(self, dag_id: str, run_id: str, task_id: str) -> str | None:
        ti = self("GET", f"{self.run_path(dag_id, run_id)}/taskInstances/{task_id}")
        return ti["state"]

    def wait_run(self, dag_id: str, run_id: str, timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        while (state := self.run_state(dag_id, run_id)) not in ("success", "failed"):
            assert time.monotonic() < deadline, f"{dag_id} {run_id} still {state}"
            time.sleep(1)
        return state

    def wait_ti(self, dag_id: str, run_id: str, task_id: str, wanted: str, timeout=180) -> None:
        deadline = time.monotonic() + timeout
        while (state := self.ti_state(dag_id, run_id, task_id)) != wanted:
            assert state not in ("failed", "upstream_failed"), f"{task_id} is {state}"
            assert time.monotonic() < deadline, f"{task_id} still {state}, not {wanted}"
            time.sleep(0.5)

    def xcom(self, dag_id: str, run_id: str, task_id: str):
        path = f"{self.run_path(dag_id, run_id)}/taskInstances/{task_id}/xcomEntries/return_value"
        value = self("GET", path)["value"]
        return json.loads(value) if isinstance(value, str) else value

    def log(self, dag_id: str, run_id: str, task_id: str, try_number: int = 1) -> str:
        path = f"{self.run_path(dag_id, run_id)}/taskInstances/{task_id}/logs/{try_number}"
        return json.dumps(self("GET", path))

    def connection(self, conn_id: str, **fields) -> None:
        from mr.engines import EngineError

        try:
            self("DELETE", f"connections/{conn_id}")
        except EngineError:
            pass  # not there yet
        self("POST", "connections", {"connection_id": conn_id, **fields})


@pytest.fixture(scope="module")
def api(airflow_server):
    return Api(airflow_server)


def test_status_says_where_it_runs_and_all_is_healthy(airflow_server):
    done = mrkit("airflow", "status", "--json")
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["running"] and set(status["pids"]) == {
        "api-server",
        "scheduler",
        "dag-processor",
        "triggerer",
    }
    assert set(status["health"].values()) == {"healthy"}, status["health"]
    assert status["url"].startswith("http://127.0.0.1:") and status["ports"]["api"] != 8080
    again = mrkit("airflow", "up")  # harmless while running
    assert again.returncode == 0 and "already running" in again.stderr
    print(f"airflow up: {airflow_server.extra['up_seconds']}s (reused: {airflow_server.extra})")


def test_the_provider_is_registered(airflow_server):
    from mr.engines import airflow as engine

    listed = engine.run_airflow(airflow_server, "providers", "list", "--output", "json")
    assert listed.returncode == 0, listed.stderr[-2000:]
    names = {p["package_name"] for p in json.loads(listed.stdout)}
    assert "mrkit" in names


def test_a_job_counts_to_xcom_and_a_deferred_sensor_waits_for_a_local_flag(api, tmp_path):
    (tmp_path / "in.txt").write_text(WORDS)
    flag_dir = tmp_path / "arriving"
    conf = {"input": str(tmp_path / "in.txt"), "out": str(tmp_path / "out"),
            "flag_dir": str(flag_dir)}  # fmt: skip
    dag = "mrkit_test_count_then_wait"
    run = api.trigger(dag, conf)
    api.wait_ti(dag, run, "count", "success")
    result = api.xcom(dag, run, "count")
    assert result["output_dir"] == conf["out"]
    assert result["counters"] and result["step_counters"], result
    rows = sorted((tmp_path / "out").glob("part-*"))
    assert rows and (tmp_path / "out" / "_SUCCESS").is_file()
    got = sorted(line for p in rows for line in p.read_text().splitlines())
    assert got == ["cat\t1", "dog\t1", "end\t1", "the\t3"]
    # the sensor waits in the triggerer: deferred, no worker slot, until the flag comes
    api.wait_ti(dag, run, "wait", "deferred", timeout=60)
    time.sleep(3)
    assert api.ti_state(dag, run, "wait") == "deferred"
    flag_dir.mkdir()
    (flag_dir / "_SUCCESS").write_text("")
    assert api.wait_run(dag, run, timeout=90) == "success"


def test_a_failing_job_shows_its_record_and_traceback_in_the_task_log(api, tmp_path):
    job = tmp_path / "boom_job.py"
    job.write_text(FAILING_JOB)
    (tmp_path / "in.txt").write_text("a b\npoison pill\nc d\n")
    dag = "mrkit_test_failing_job"
    conf = {"job": str(job), "input": str(tmp_path / "in.txt"), "out": str(tmp_path / "out")}
    run = api.trigger(dag, conf)
    assert api.wait_run(dag, run) == "failed"
    log = api.log(dag, run, "boom")
    assert "mrkit: mapper of step 1 failed on input record 2" in log, log[-3000:]
    assert "ValueError: cannot count poison pill" in log
    assert not (tmp_path / "out").exists()


def test_hooks_make_mrkit_clients_from_connections(api):
    extra = json.dumps({"urls": "http://nn1:9870;http://nn2:9870"})
    api.connection("mrkit_test_webhdfs_ha", conn_type="mrkit_webhdfs", login="etl", extra=extra)
    api.connection(
        "mrkit_test_hbase",
        conn_type="mrkit_hbase",
        host="hbase.example",
        port=9091,
        extra=json.dumps({"transport": "framed", "protocol": "compact"}),
    )
    api.connection(
        "mrkit_test_mysql",
        conn_type="mrkit_mysql",
        host="db.example",
        port=3307,
        login="loader",
        password="s3cret",
        schema="shop",
    )
    dag = "mrkit_test_hooks"
    run = api.trigger(dag, {})
    assert api.wait_run(dag, run) == "success"
    got = api.xcom(dag, run, "hook_settings")
    assert got["webhdfs_url"] == "http://nn1:9870;http://nn2:9870"
    assert got["webhdfs_user"] == "etl"
    assert got["webhdfs_client_url"] == "http://nn1:9870;http://nn2:9870"
    assert got["hbase_args"] == [
        *("--hbase-host", "hbase.example", "--hbase-port", "9091"),
        *("--hbase-transport", "framed", "--hbase-protocol", "compact"),
    ]
    assert got["hbase_client"] == ["hbase.example", 9091, "framed", "compact"]
    assert got["mysql_args"] == ["--url", "mysql://loader@db.example:3307/shop"]
    assert got["mysql_server"] == ["db.example", 3307, "loader", "shop"]
    assert got["mysql_password_in_env"] is True


@pytest.mark.hadoop
def test_a_deferred_sensor_polls_webhdfs_for_a_flag_on_hdfs(api, hadoop_cluster, hdfs, hdfs_dir):
    api.connection(
        "mrkit_test_webhdfs", conn_type="mrkit_webhdfs", extra=json.dumps(
            {"urls": f"http://127.0.0.1:1;{hadoop_cluster.webhdfs_url}"})  # a dead one first
    )  # fmt: skip
    dag = "mrkit_test_hdfs_flag"
    target = f"{hdfs_dir}/day=1"
    run = api.trigger(dag, {"hdfs_dir": f"hdfs://{target}"})
    api.wait_ti(dag, run, "wait_hdfs", "deferred", timeout=60)
    time.sleep(2)
    assert api.ti_state(dag, run, "wait_hdfs") == "deferred"
    hdfs.mkdir(target)
    hdfs.mark_success(target)
    assert api.wait_run(dag, run, timeout=90) == "success"


def test_down_stops_every_process_it_started(airflow_server):
    """Last in this file: the session's Airflow goes down here (and up again if it was found
    running)."""
    from mr import engines
    from mr.engines import airflow as engine

    tree = set()
    for pid in airflow_server.pids.values():
        tree |= engines.process_tree(pid)
    assert len(tree) >= 4
    started = time.monotonic()
    done = mrkit("airflow", "down")
    assert done.returncode == 0 and "stopped" in done.stdout, done.stderr
    print(f"airflow down: {time.monotonic() - started:.1f}s, {len(tree)} processes")
    assert [pid for pid in tree if engines.running(pid)] == []
    status = mrkit("airflow", "status")
    assert status.returncode == 3 and "not running" in status.stdout
    assert not engine.state_path().exists()
    assert not any(Path(engine.root()).glob("*.pid"))
    if airflow_server.extra.get("reused"):
        assert mrkit("airflow", "up").returncode == 0
    assert os.environ.get("AIRFLOW_HOME") is None  # the tests' own process is not Airflow's
