"""The `celery_airflow` session fixture: Apache Airflow 3.3 under the CeleryExecutor (`mrkit
airflow up --executor celery`: PostgreSQL, RabbitMQ, two Celery workers and Flower,
mr/engines/airflow.py), with the DAGs of tests/fixtures/airflow_celery in its dags folder.

It stays apart from the `airflow_server` fixture's Airflow: its state under
``<state>/airflow-celery`` (its own MRKIT_HOME), its nine ports consecutive from
MRKIT_TEST_CELERY_PORTS (default 28150), so the two share no port, pid file or database. The
`celery` tests run first (tests/conftest.py) and the last of them stops it, so the two do not
run at once either (2 cores). Started once for the session, stopped at its end also when tests
fail; fails under CI (skips otherwise) when it cannot start (rabbitmq-server or postgresql
missing). Tests that use it carry the `celery` marker; `celery_home` puts a test in its
environment (engine functions that read MRKIT_HOME and the ports).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator

import pytest

from tests.plugins.engines import unavailable
from tests.support import FIXTURES

PORTS_ENV = "MRKIT_TEST_CELERY_PORTS"


def celery_settings() -> dict[str, str]:
    """The environment of the fixture's Airflow: MRKIT_HOME and every port variable."""
    from mr.lib.config import state_root
    from mr.lib.defaults import AIRFLOW_CELERY_PORT_DEFAULTS, AIRFLOW_PORT_DEFAULTS

    base = int(os.environ.get(PORTS_ENV, "28150"))
    names = [*AIRFLOW_PORT_DEFAULTS, *AIRFLOW_CELERY_PORT_DEFAULTS]
    return {
        "MRKIT_HOME": str(state_root() / "airflow-celery"),
        **{name: str(base + i) for i, name in enumerate(names)},
    }


@contextlib.contextmanager
def environment(settings: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(scope="session")
def celery_airflow():
    from mr.engines import EngineError
    from mr.engines import airflow as engine

    settings = celery_settings()
    started = time.monotonic()
    with environment(settings):
        try:
            state = engine.up(executor="celery", task_settings={})
        except (EngineError, OSError) as e:
            unavailable("airflow (CeleryExecutor)", e)
            return
        state.extra["up_seconds"] = round(time.monotonic() - started, 1)
        state.extra["env"] = settings
        for dag_file in (FIXTURES / "airflow_celery").glob("*.py"):
            shutil.copy(dag_file, engine.dags_dir() / dag_file.name)
    try:
        yield state
    finally:
        with environment(settings):
            engine.down()


@pytest.fixture
def celery_home(celery_airflow, monkeypatch):
    """This test runs in the environment of the fixture's Airflow."""
    for name, value in celery_airflow.extra["env"].items():
        monkeypatch.setenv(name, value)
    return celery_airflow
