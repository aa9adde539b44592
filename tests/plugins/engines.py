"""Engine fixtures: one real server per test session, stopped at the end (also on failure).

A fixture that cannot start its engine skips its tests locally, and fails them under CI=true or
MRKIT_REQUIRE_ENGINES=1 (set by scripts/test). `session_engine` is the shape the session
fixtures share: reuse the engine that runs, else start it, stop at the end what was started.
"""

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, NoReturn, TypeVar

import pytest

from tests.support import engines_required

State = TypeVar("State")


def unavailable(engine: str, error: Exception) -> NoReturn:
    """Fail under CI, skip otherwise, with the engine's own error message."""
    message = f"{engine} is not available: {error}"
    if engines_required():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@contextlib.contextmanager
def session_engine(
    name: str,
    find: Callable[[], State | None],
    start: Callable[[], State],
    stop: Callable[[], Any],
    reuse: Callable[[State], Any] = lambda found: True,
    errors: tuple[type[Exception], ...] = (),
) -> Iterator[State]:
    """The engine's state: what find() gives when reuse() accepts it (left running: someone
    else started it), else what start() gives, stopped by stop() when the block ends, also when
    tests fail. An EngineError or OSError (or one of `errors`) on the way: unavailable(name)."""
    from mr.engines import EngineError

    try:
        found = find()
        reused = found is not None and bool(reuse(found))
        state = found if found is not None and reused else start()
    except (EngineError, OSError, *errors) as e:
        unavailable(name, e)
    if reused:
        yield state
        return
    try:
        yield state
    finally:
        stop()


# -- two pytests at once (scripts/test): the main one, and one beside it -------------------------

#: markers of the tests that run beside the main pytest (`--group beside`): their engines are
#: their own (the fault cluster, the CeleryExecutor's Airflow, the Kerberized cluster), or they
#: need none that runs (the wheel in fresh venvs, Spark on local[2]), and most of their time is
#: waiting or CPU the main pytest leaves idle
BESIDE_MARKERS = ("faults", "celery", "secure", "wheel", "spark")
#: the main pytest's servers: a test that uses one of these runs in the main pytest, whatever
#: its markers (Spark on YARN needs the open cluster)
MAIN_SERVERS = frozenset({"hadoop_cluster", "hbase_server", "oozie_server", "airflow_server"})


def group_of(item) -> str:
    """`beside` or `main`: where scripts/test runs this test."""
    marked = any(item.get_closest_marker(m) for m in BESIDE_MARKERS)
    return "beside" if marked and not MAIN_SERVERS & set(item.fixturenames) else "main"


#: the state root of the pytest beside the main one, below the main one's (<state root>/beside):
#: the engines both may start (MariaDB, Hive's metastore template) then never share a directory
BESIDE_ROOT = "beside"
#: the engines whose jars the pytest beside links to the main state root's, instead of fetching
BESIDE_LINKED_LIBS = ("hadoop", "hbase", "hive", "pig", "oozie", "kerberos", "libhadoop")
#: the first of the ports the pytest beside gives the engines the main pytest runs, in case one
#: of its tests starts one of them too (MariaDB for MySQL on the secure cluster)
BESIDE_PORT_BASE = 27000


def beside_environment() -> dict[str, str]:
    """The environment of the pytest beside the main one: a state root of its own, the main
    one's jars linked into it, and every port of the main pytest's engines moved."""
    from mr.lib.config import state_root
    from mr.lib.defaults import AIRFLOW_PORT_DEFAULTS, HADOOP_PORT_DEFAULTS, OOZIE_PORT_ENV

    main = state_root()
    root = main / BESIDE_ROOT
    for engine in BESIDE_LINKED_LIBS:
        lib, link = main / engine / "lib", root / engine / "lib"
        if lib.is_dir() and not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(lib, target_is_directory=True)
    names = [
        *HADOOP_PORT_DEFAULTS,
        "MRKIT_HBASE_ZK_PORT",
        "MRKIT_HBASE_MASTER_PORT",
        "MRKIT_HBASE_REGIONSERVER_PORT",
        "MRKIT_HBASE_THRIFT_PORT",
        OOZIE_PORT_ENV,
        "MRKIT_MYSQL_PORT",
        *AIRFLOW_PORT_DEFAULTS,
    ]
    env = {name: str(BESIDE_PORT_BASE + i) for i, name in enumerate(names)}
    env["MRKIT_HOME"] = str(root)
    return env
