"""The `airflow_server` session fixture: Apache Airflow 3.3 of `mrkit airflow up`
(mr/engines/airflow.py), with mrkit's provider, and the DAGs of tests/fixtures/airflow in its
dags folder.

An Airflow already running from this state dir, healthy and with the tests' task settings
(TASK_SETTINGS: shell actions' exit code retried, a coordinator's input sensor poking every
15 s) is reused and left running; otherwise one is started (restarted, with other settings)
once for the session (making its venv in ~/.cache/mrkit the first time) and stopped at its
end, also when tests fail. Fails under CI (skips otherwise) when it
cannot start. Tests that use it carry the `airflow` marker.

`airflow_python` (session): the python of that venv alone, for `airflow dags test` runs of an
AIRFLOW_HOME of a test's own (no server).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from tests.plugins.engines import session_engine, unavailable
from tests.support import FIXTURES

#: the task settings of the session's Airflow (mr/engines/airflow.py): error code 1 (a shell
#: action's) is retried, as `mrkit oozie up --retry-codes 1` does for the Oozie tests
TASK_SETTINGS = {"MRKIT_AIRFLOW_RETRY_CODES": "1", "MRKIT_AIRFLOW_POKE_SECONDS": "15"}


@pytest.fixture(scope="session")
def airflow_server():
    from mr.engines import airflow as engine

    began = time.monotonic()
    reused = True

    def start():
        nonlocal reused
        reused = False
        return engine.up(task_settings=TASK_SETTINGS)

    def ours(running) -> bool:  # its health asked only then: an HTTP call
        if running.task_settings != TASK_SETTINGS:
            return False
        return not engine.unhealthy(engine.health(running.url))

    with session_engine("airflow", engine.info, start, engine.down, reuse=ours) as state:
        state.extra["reused"] = reused
        state.extra["up_seconds"] = round(time.monotonic() - began, 1)
        for dag_file in (FIXTURES / "airflow").glob("*.py"):  # whole, never half written
            staged = engine.dags_dir().parent / f".{dag_file.name}.copying"
            shutil.copy(dag_file, staged)
            os.replace(staged, engine.dags_dir() / dag_file.name)
        try:
            yield state
        finally:
            for dag_file in (FIXTURES / "airflow").glob("*.py"):
                (engine.dags_dir() / dag_file.name).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def airflow_python() -> Path:
    """The python of the Airflow venv of `mrkit airflow up` (mr/engines/airflow.py), made
    when missing; a venv that cannot be made fails the tests under CI and skips them
    otherwise."""
    from mr.engines import EngineError
    from mr.engines import airflow as engine

    try:
        venv = engine.ensure_venv()
    except (EngineError, OSError) as e:
        unavailable("airflow venv", e)
    return venv / "bin" / "python"
