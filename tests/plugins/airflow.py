"""The `airflow_server` session fixture: Apache Airflow 3.3 of `mrkit airflow up`
(mr/engines/airflow.py), with mrkit's provider, and the DAGs of tests/fixtures/airflow in its
dags folder.

An Airflow already running from this state dir and healthy is reused and left running;
otherwise one is started once for the session (making its venv in ~/.cache/mrkit the first
time) and stopped at its end, also when tests fail. Fails under CI (skips otherwise) when it
cannot start. Tests that use it carry the `airflow` marker.
"""

from __future__ import annotations

import shutil
import time

import pytest

from tests.plugins.engines import unavailable
from tests.support import FIXTURES


@pytest.fixture(scope="session")
def airflow_server():
    from mr.engines import EngineError
    from mr.engines import airflow as engine

    started = time.monotonic()
    running = engine.info()
    reused = running is not None and not engine.unhealthy(engine.health(running.url))
    try:
        state = running if reused and running is not None else engine.up()
    except (EngineError, OSError) as e:
        unavailable("airflow", e)
        return
    state.extra["reused"] = reused
    state.extra["up_seconds"] = round(time.monotonic() - started, 1)
    for dag_file in (FIXTURES / "airflow").glob("*.py"):
        shutil.copy(dag_file, engine.dags_dir() / dag_file.name)
    try:
        yield state
    finally:
        for dag_file in (FIXTURES / "airflow").glob("*.py"):
            (engine.dags_dir() / dag_file.name).unlink(missing_ok=True)
        if not reused:
            engine.down()
