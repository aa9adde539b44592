import os
import signal
import subprocess

import pytest

# Start children with fork(), not vfork(). CPython 3.11 drops the GIL around vfork(); with several
# threads starting and reading processes (tests/test_spark.py runs jobs from a thread pool), CI saw
# "OSError: [Errno 14] Bad address" from Popen here, twice. _USE_VFORK is CPython's documented
# fail-safe switch for such cases (gh-91401); it costs a little start-up time per child.
subprocess._USE_VFORK = False

# SIGINT and SIGTERM stop the session as Ctrl-C does, so the session fixtures stop their engines.
# A pytest started in the background by a non-interactive shell (scripts/test runs one beside the
# main run) inherits SIGINT ignored, and Python then installs no handler of its own: restore it.
# SIGTERM (a CI timeout, `kill`) would otherwise end the process with every engine left running.
# Only in this process: a child it forks (multiprocessing) dies of SIGTERM as before.
_SESSION_PID = os.getpid()


def _stop_the_session(signum, frame):
    if os.getpid() != _SESSION_PID:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise KeyboardInterrupt(f"signal {signum}")


signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, _stop_the_session)

# Session-scoped engine fixtures (each engine starts once per test session, stops at its end).
pytest_plugins = [
    "tests.plugins.engines",
    "tests.plugins.hadoop",
    "tests.plugins.hbase",
    "tests.plugins.hive",
    "tests.plugins.pig",
    "tests.plugins.oozie",
    "tests.plugins.mysql",
    "tests.plugins.airflow",
    "tests.plugins.airflow_celery",
    "tests.plugins.secure",
    "tests.plugins.secure_hbase",
    "tests.plugins.examples",
    "tests.plugins.nodes",
]


#: the test that stops the session's Airflow (tests/test_airflow.py): after every other test,
#: whatever the files' order, since the `airflow_server` fixture's Airflow is gone after it
STOPS_AIRFLOW = "test_down_stops_every_process_it_started"


def pytest_configure(config):
    """`--group beside`: this pytest runs beside the main one (scripts/test), in its own state
    root and on ports of its own (tests.plugins.engines.beside_environment)."""
    if config.getoption("--group") == "beside":
        from tests.plugins.engines import beside_environment

        os.environ.update(beside_environment())


def pytest_collection_modifyitems(config, items):
    """The CeleryExecutor's Airflow first, started and stopped by its own tests before other
    engines load the 2 cores (tests/plugins/airflow_celery.py); then the wheel's tests, which
    build venvs. The test that stops the session's Airflow last. (scripts/test runs the celery,
    wheel, secure and fault tests in a pytest of their own beside the rest.)"""
    group = config.getoption("--group")
    if group:
        from tests.plugins.engines import group_of

        kept = [item for item in items if group_of(item) == group]
        config.hook.pytest_deselected(items=[item for item in items if group_of(item) != group])
        items[:] = kept
    items.sort(
        key=lambda item: (
            item.get_closest_marker("celery") is None,
            item.get_closest_marker("wheel") is None,
            getattr(item, "originalname", item.name) == STOPS_AIRFLOW,
        )
    )


def pytest_addoption(parser):
    parser.addoption(
        "--group",
        choices=("main", "beside"),
        help="only the tests of one of the two pytests scripts/test runs at once: `beside`, the "
        "tests whose engines are their own (markers faults, celery, secure, wheel, spark; none "
        "using the main pytest's cluster, HBase, Oozie or Airflow: tests.plugins.engines), in a "
        "state root and on ports of their own; `main`, the others",
    )
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/fixtures/<stem>/expected.tsv from the MR run (review the diff)",
    )


@pytest.fixture
def runner():
    """Job tests run on the inline runner: a job's logic is the same in one process. The tests
    whose point crosses a process boundary (every golden case, output publishing, input listing,
    side files shipped to tasks, partitioning over two reducers, a file split between two
    mappers) run on the local runner too: they are decorated with tests.support.BOTH_RUNNERS,
    which parametrizes this name. A local run costs 3-4 Python starts per task and step, ten
    times an inline run on a loaded machine, so it is kept where it proves something."""
    return "inline"


@pytest.fixture
def no_java(monkeypatch, tmp_path):
    """No java anywhere: a twin that got as far as the JVM would fail with exit code 1, so a test
    can show that a usage error comes before any JVM."""
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("MRKIT_HOME", str(tmp_path / "home"))
