"""`mrkit airflow up --executor celery` (tests/plugins/airflow_celery.py starts it once):
parallel tasks spread over both Celery workers, a worker killed mid-task has the task retried by
the other, and `down` leaves no process of the ones it started. The task's Celery hostname
comes from the environment each worker gives its tasks (tests/fixtures/airflow_celery)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import pytest

from tests.support import mrkit
from tests.test_airflow import Api

pytestmark = pytest.mark.celery


def xcom(api: Api, dag: str, run: str, task: str, key: str = "return_value") -> str | None:
    """A task's string XCom, None while it has none."""
    from mr.engines import EngineError

    path = f"{api.run_path(dag, run)}/taskInstances/{task}/xcomEntries/{key}"
    try:
        return str(api("GET", path)["value"]).strip('"')
    except EngineError as e:
        if "HTTP 404" in str(e):
            return None
        raise


def test_parallel_tasks_run_on_both_workers(celery_airflow):
    api = Api(celery_airflow)
    dag = "mrkit_celery_fan_out"
    started = time.monotonic()
    run = api.trigger(dag, {})
    assert api.wait_run(dag, run, timeout=150) == "success"
    ran_on = {n: xcom(api, dag, run, f"where_{n}") for n in range(4)}
    print(f"fan-out: {time.monotonic() - started:.1f}s, {ran_on}")
    assert set(ran_on.values()) == set(celery_airflow.workers.values())
    # each task's log, whichever worker wrote it, reads through the api-server
    for n, worker in ran_on.items():
        assert f"Returned value was: {worker}" in api.log(dag, run, f"where_{n}")


def test_a_killed_workers_task_is_retried_on_the_other(celery_airflow):
    from mr import engines

    api = Api(celery_airflow)
    dag, task = "mrkit_celery_retry", "survive_a_kill"
    run = api.trigger(dag, {})
    ti_path = f"{api.run_path(dag, run)}/taskInstances/{task}"
    deadline = time.monotonic() + 120
    while (first := xcom(api, dag, run, task, "running_on")) is None:
        assert time.monotonic() < deadline, "the first try did not start"
        time.sleep(1)
    process = {host: name for name, host in celery_airflow.workers.items()}[first]
    tree = engines.process_tree(celery_airflow.pids[process])
    killed = time.monotonic()
    for pid in tree:
        # a process of the tree may have ended since it was listed (a short-lived child):
        # the others must still die
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert api.wait_run(dag, run, timeout=150) == "success"
    print(
        f"killed {process} ({len(tree)} processes); run done {time.monotonic() - killed:.1f}s later"
    )
    ti = api("GET", ti_path)
    assert ti["try_number"] == 2
    (other,) = set(celery_airflow.workers.values()) - {first}
    assert xcom(api, dag, run, task) == other
    tries = api("GET", f"{ti_path}/tries")["task_instances"]
    assert [t["state"] for t in sorted(tries, key=lambda t: t["try_number"])] == [
        "failed",
        "success",
    ]


def test_down_stops_the_broker_database_workers_and_flower(celery_home):
    """Last of the celery tests: the fixture's Airflow goes down here."""
    from mr import engines
    from mr.engines import airflow as engine

    state = celery_home
    tree: set[int] = set()
    for pid in state.pids.values():
        tree |= engines.process_tree(pid)
    assert len(tree) >= 10
    started = time.monotonic()
    done = mrkit("airflow", "down")
    assert done.returncode == 0 and "stopped" in done.stdout, done.stderr
    print(f"airflow down (celery): {time.monotonic() - started:.1f}s, {len(tree)} processes")
    assert [pid for pid in tree if engines.running(pid)] == []
    status = mrkit("airflow", "status")
    assert status.returncode == 3 and "not running" in status.stdout
    assert not engine.state_path().exists()
    assert not any(Path(engine.root()).glob("*.pid"))


@pytest.mark.parametrize(
    "setting, value, message",
    [
        (
            "MRKIT_AIRFLOW_HEARTBEAT_TIMEOUT",
            "soon",
            "MRKIT_AIRFLOW_HEARTBEAT_TIMEOUT='soon' is not",
        ),
        ("MRKIT_AIRFLOW_WORKER_CONCURRENCY", "0", "MRKIT_AIRFLOW_WORKER_CONCURRENCY='0' is not"),
        (
            "MRKIT_AIRFLOW_POSTGRES_PORT",
            "5432x",
            "MRKIT_AIRFLOW_POSTGRES_PORT='5432x' is not a port",
        ),
    ],
)
def test_a_bad_setting_is_one_line_before_anything_starts(tmp_path, setting, value, message):
    """No engine needed: the settings are checked first (nothing of tmp_path's is made)."""
    done = mrkit(
        "airflow", "up", "--executor", "celery", env={"MRKIT_HOME": str(tmp_path), setting: value}
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert not (tmp_path / "airflow" / "postgres").exists()
