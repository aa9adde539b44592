"""Apache Airflow 3.3 on this machine, in a venv of its own, with mrkit's provider (mr/airflow).

``mrkit airflow up`` makes (once) a Python 3.12 venv with ``apache-airflow==3.3.2`` and mrkit's
own dependencies, registers this mrkit as an Airflow provider in it, migrates a SQLite database
and starts the four processes a scheduler run needs, each in a session of its own with a pid
file: ``airflow api-server`` (UI, REST API, and the execution API every task calls),
``airflow scheduler`` (the LocalExecutor, its workers are its children), ``airflow
dag-processor`` and ``airflow triggerer`` (deferred sensors). It waits until the api-server's
health endpoint answers with a healthy metadatabase, scheduler, dag-processor and triggerer
(each of the last three healthy means a heartbeat younger than Airflow's threshold), and its
execution API's health check answers (the api-server builds that API at its first request). ``down``
stops every process it started, by pid, and whatever those started (``airflow standalone`` was
measured to leave its children running after a SIGTERM, so mrkit does not use it): each
process's session and descendants get SIGTERM, then SIGKILL. ``status`` says what runs where.

The venv: ``~/.cache/mrkit/airflow-py3.12-<key>`` (``$XDG_CACHE_HOME``), keyed by its
requirement list and made from scratch when missing or half-made (about 20 s to 75 s with pip,
280 MB, for Airflow alone; with the CeleryExecutor's packages, which both executors share,
AIRFLOW_EXTRA_REQUIREMENTS, 95 s at a load average of 7 to 10, 380 MB); a lock lets two ``up``
share it. mrkit itself is not pip-installed there: ``up`` writes
``site/`` with a link to this ``mr`` package and an ``mrkit-<version>.dist-info`` holding the
``apache_airflow_provider`` entry point, and every Airflow process gets ``PYTHONPATH=site``, so
the provider is always the code of the mrkit that ran ``up`` and one venv serves every checkout.

State under ``<state>/airflow/``: ``home/`` (AIRFLOW_HOME: airflow.cfg, airflow.db, the admin
password file), ``dags/`` (the dags folder), ``logs/`` (one log per process and ``tasks/``,
the task logs), ``site/``, ``<process>.pid`` and ``state.json`` (pids, ports, URLs), and for
the CeleryExecutor ``postgres/`` and ``rabbitmq/``.

Ports on the bind host (MRKIT_BIND_HOST or ``up --bind-host``, default 127.0.0.1:
mr.lib.config.bind_host) (environment variable: default): MRKIT_AIRFLOW_PORT: 28080
(api-server); MRKIT_AIRFLOW_WORKER_LOG_PORT: 28793, MRKIT_AIRFLOW_TRIGGER_LOG_PORT: 28794 (the
scheduler's and the triggerer's log servers, which run only when the bind host is every
interface: Airflow 3.3.2 binds them to every interface whatever it is told, and on one machine
the api-server reads the task logs from the log folder itself, adding "Could not read served
logs" to a running task's log).
LocalExecutor with parallelism 2 (``MRKIT_AIRFLOW_PARALLELISM``); the dags folder is listed
every 5 s (``MRKIT_AIRFLOW_DAG_REFRESH``). The UI's user is ``admin``, its password in
``home/passwords.json``. Timeout: MRKIT_AIRFLOW_START_TIMEOUT (seconds, default 180). The
Python 3.12 that makes the venv: MRKIT_AIRFLOW_PYTHON (default python3.12, else pyenv's).

``up --executor celery`` (the default is ``local``) is how Airflow outgrows one machine: it
first starts PostgreSQL, the metadata database every process shares (SQLite cannot be shared),
and RabbitMQ, the broker, with an epmd of its own (mr/engines/airflow_backends.py: Debian's
packages, nodes of mrkit's own under ``<state>/airflow/``), then the four processes above with
the CeleryExecutor (Celery's results in PostgreSQL too), two ``airflow celery worker`` processes
(``worker-1@<host>``, ``worker-2@<host>``: one task at a time each,
``MRKIT_AIRFLOW_WORKER_CONCURRENCY``; each its own log-server port and ``MRKIT_AIRFLOW_WORKER``,
its Celery hostname, in its tasks' environment) and ``airflow celery flower``. It is ready when
the health endpoint is and both workers answer Flower's inspect broadcast (its
``/api/workers?refresh=1``; user ``admin``, password in ``home/flower-password``). A task
without a heartbeat for ``MRKIT_AIRFLOW_HEARTBEAT_TIMEOUT`` seconds (default 30, Airflow's
``[scheduler] task_instance_heartbeat_timeout``; 300 by default) is failed and, with retries
left, queued again: a killed worker's task runs again on the other. ``down`` stops the workers,
Flower and the rest, then the api-server, then RabbitMQ and epmd, then PostgreSQL (SIGINT, its
fast shutdown). Ports (default): MRKIT_AIRFLOW_AMQP_PORT 28672, MRKIT_AIRFLOW_EPMD_PORT 28369,
MRKIT_AIRFLOW_DIST_PORT 28673 (Erlang distribution), MRKIT_AIRFLOW_POSTGRES_PORT 28432,
MRKIT_AIRFLOW_FLOWER_PORT 28555, MRKIT_AIRFLOW_WORKER2_LOG_PORT 28795 (the first worker's is
MRKIT_AIRFLOW_WORKER_LOG_PORT). ``state.json`` records the executor, the database, the broker,
the workers and Flower's URL; an Airflow running with the other executor is restarted. The
api-server asks for a task's log at the task's host and its own worker log-server port, the
first worker's; on one machine both workers write one ``logs/tasks``, so every task's log reads
(tests/test_airflow_celery.py reads both workers' through the REST API).

The settings of the tasks of rendered DAGs (mr/airflow/runtime.py) are the server's, as Oozie's
retry codes are: ``up`` hands MRKIT_AIRFLOW_RETRY_CODES (error codes retried besides Oozie's,
``1`` for shell actions), MRKIT_AIRFLOW_POKE_SECONDS (how often a coordinator's input sensor
looks for its done-flags: default 60, at least 15), MRKIT_AIRFLOW_ROOT, MRKIT_AIRFLOW_RUNNER and
MRKIT_AIRFLOW_RUNS from its environment to every process; set differently from a running
Airflow's, ``up`` restarts it.
"""

from __future__ import annotations

import base64
import configparser
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, astuple, dataclass, field, replace
from pathlib import Path
from typing import Any

from mr.engines import (
    Daemon,
    EngineError,
    _alive,
    check_ports_free,
    port_in_use,
    process_tree,
    state_dir,
    wait_for,
)
from mr.engines import airflow_backends as backends
from mr.lib import config
from mr.lib.config import IS_CHECKOUT, PACKAGE_PARENT
from mr.lib.defaults import (
    AIRFLOW_CELERY_PORT_DEFAULTS,
    AIRFLOW_EXECUTORS,
    AIRFLOW_EXTRA_REQUIREMENTS,
    AIRFLOW_HEARTBEAT_TIMEOUT,
    AIRFLOW_HEARTBEAT_TIMEOUT_ENV,
    AIRFLOW_PORT_DEFAULTS,
    AIRFLOW_PYTHON_ENV,
    AIRFLOW_PYTHON_VERSION,
    AIRFLOW_START_TIMEOUT,
    AIRFLOW_TASK_SETTINGS,
    AIRFLOW_VERSION,
    AIRFLOW_WORKER_CONCURRENCY,
    AIRFLOW_WORKER_CONCURRENCY_ENV,
)

ENGINE = "airflow"
VERSION = AIRFLOW_VERSION
DEFAULT_TIMEOUT = AIRFLOW_START_TIMEOUT
#: the processes of `up`, in the order they start (and stop in reverse: the api-server last,
#: since running tasks report to it)
PROCESSES = ("api-server", "dag-processor", "triggerer", "scheduler")
#: the processes that start a log server (of running tasks' and triggers' logs)
LOG_SERVERS = ("scheduler", "triggerer")
#: the health endpoint's components that must answer "healthy" (metadatabase: the api-server
#: reads the database; the others: a heartbeat within scheduler_health_check_threshold)
HEALTHY = ("metadatabase", "scheduler", "dag_processor", "triggerer")
ADMIN = "admin"
EXECUTORS = AIRFLOW_EXECUTORS
#: the CeleryExecutor's processes besides those (started after them, stopped with them)
WORKERS = ("worker-1", "worker-2")
CELERY_PROCESSES = (*WORKERS, "flower")
#: the CeleryExecutor's broker and shared database (mr/engines/airflow_backends.py), in the
#: order they start: before Airflow, and stopped after it
BACKENDS = ("postgres", "epmd", "rabbitmq")
#: a Celery worker's hostname, in its environment and so in its tasks' (Airflow records the
#: machine's name for a task instance, the same for both workers)
WORKER_ENV = "MRKIT_AIRFLOW_WORKER"


@dataclass(frozen=True)
class Ports:
    """The ports of `up` (all on 127.0.0.1)."""

    api: int
    worker_log: int
    trigger_log: int
    # the CeleryExecutor's (AIRFLOW_CELERY_PORT_DEFAULTS, in its order)
    amqp: int = AIRFLOW_CELERY_PORT_DEFAULTS["MRKIT_AIRFLOW_AMQP_PORT"]
    epmd: int = AIRFLOW_CELERY_PORT_DEFAULTS["MRKIT_AIRFLOW_EPMD_PORT"]
    dist: int = AIRFLOW_CELERY_PORT_DEFAULTS["MRKIT_AIRFLOW_DIST_PORT"]
    postgres: int = AIRFLOW_CELERY_PORT_DEFAULTS["MRKIT_AIRFLOW_POSTGRES_PORT"]
    flower: int = AIRFLOW_CELERY_PORT_DEFAULTS["MRKIT_AIRFLOW_FLOWER_PORT"]
    worker2_log: int = AIRFLOW_CELERY_PORT_DEFAULTS["MRKIT_AIRFLOW_WORKER2_LOG_PORT"]

    @classmethod
    def from_env(cls, api: int | None = None, executor: str = "local") -> Ports:
        """The ports the environment sets (an executor's own read, the others' left at their
        defaults: a celery port's typo does not stop the LocalExecutor)."""
        values = []
        names = {**AIRFLOW_PORT_DEFAULTS}
        if executor == "celery":
            names.update(AIRFLOW_CELERY_PORT_DEFAULTS)
        for name, default in names.items():
            raw = os.environ.get(name, "")
            try:
                values.append(int(raw) if raw else default)
            except ValueError:
                raise EngineError(f"{name}={raw!r} is not a port number") from None
        ports = cls(*values)
        return replace(ports, api=api) if api else ports

    def settings(self, executor: str = "local") -> dict[str, int]:
        """{environment variable: port} of an executor's ports, for check_ports_free."""
        names = [*AIRFLOW_PORT_DEFAULTS]
        if executor == "celery":
            names += AIRFLOW_CELERY_PORT_DEFAULTS
        return dict(zip(names, astuple(self), strict=False))

    def worker_log_port(self, process: str) -> int:
        """The log server's port of a Celery worker process (the first one's is the
        LocalExecutor's)."""
        return self.worker2_log if process == WORKERS[1] else self.worker_log


@dataclass
class AirflowInfo:
    """The running Airflow (saved in state.json)."""

    pids: dict[str, int]
    ports: dict[str, int]
    url: str
    home: str
    dags: str
    venv: str
    version: str = VERSION
    user: str = ADMIN
    password_file: str = ""
    #: the task settings `up` was given (AIRFLOW_TASK_SETTINGS: value)
    task_settings: dict[str, str] = field(default_factory=dict)
    executor: str = "local"
    #: the metadata database's and the broker's URLs (no password), Flower's
    database: str = ""
    broker: str = ""
    flower: str = ""
    #: the Celery workers: process -> Celery hostname
    workers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    #: where the api-server listens (mr.lib.config.bind_host)
    bind_host: str = config.DEFAULT_BIND_HOST

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @property
    def airflow(self) -> str:
        """The venv's `airflow` command."""
        return str(Path(self.venv) / "bin" / "airflow")


# -- where things are ----------------------------------------------------------------------------


def root() -> Path:
    return state_dir(ENGINE)


def airflow_home() -> Path:
    return root() / "home"


def dags_dir() -> Path:
    return root() / "dags"


def log_dir() -> Path:
    return root() / "logs"


def site_dir() -> Path:
    return root() / "site"


def state_path() -> Path:
    return root() / "state.json"


def password_file() -> Path:
    return airflow_home() / "passwords.json"


def flower_password_file() -> Path:
    return airflow_home() / "flower-password"


def daemon(process: str) -> Daemon:
    return Daemon(ENGINE, process)


def processes(executor: str) -> tuple[str, ...]:
    """Airflow's processes under an executor, in the order they start."""
    return PROCESSES + (CELERY_PROCESSES if executor == "celery" else ())


#: every process `up` may start: `down` stops those with a pid file, whatever the executor
ALL_PROCESSES = (*BACKENDS, *PROCESSES, *CELERY_PROCESSES)


def celery_hostname(process: str) -> str:
    return f"{process}@{socket.gethostname()}"


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mrkit"


# -- the venv ------------------------------------------------------------------------------------


def find_python(version: str = AIRFLOW_PYTHON_VERSION) -> str:
    """$MRKIT_AIRFLOW_PYTHON, else pythonX.Y on PATH, else pyenv's; EngineError if none."""
    chosen = os.environ.get(AIRFLOW_PYTHON_ENV)
    candidates = [chosen] if chosen else []
    if not chosen:
        found = shutil.which(f"python{version}")
        if found:
            candidates.append(found)
        pyenv = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
        candidates += sorted(glob.glob(f"{pyenv}/versions/{version}.*/bin/python{version}"))
    for python in candidates:
        probe = subprocess.run(
            [python, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return python
    where = f"{AIRFLOW_PYTHON_ENV}={chosen}" if chosen else f"python{version} (PATH or pyenv)"
    raise EngineError(
        f"Airflow {VERSION} needs a Python {version} with venv: {where} not found or not "
        f"{version} (apt-get install python{version} python{version}-venv, or `pyenv install "
        f"{version}`, or point {AIRFLOW_PYTHON_ENV} at one)"
    )


def mrkit_requirements() -> list[str]:
    """mrkit's own dependencies (not its extras): from setup.cfg in a checkout, else from the
    installed distribution's metadata."""
    if IS_CHECKOUT:
        cfg = configparser.ConfigParser()
        cfg.read(PACKAGE_PARENT / "setup.cfg")
        lines = cfg["options"]["install_requires"].splitlines()
        return [s.strip() for s in lines if s.strip() and not s.strip().startswith("#")]
    from importlib import metadata

    return [r for r in metadata.requires("mrkit") or [] if "extra ==" not in r]


def mrkit_version() -> str:
    if IS_CHECKOUT:
        cfg = configparser.ConfigParser()
        cfg.read(PACKAGE_PARENT / "setup.cfg")
        return cfg["metadata"]["version"]
    from importlib import metadata

    return metadata.version("mrkit")


def requirements() -> list[str]:
    """What the Airflow venv holds: Airflow itself, what mrkit's provider imports, and the
    CeleryExecutor's provider, broker client, Flower and PostgreSQL driver."""
    return [f"apache-airflow=={VERSION}", *mrkit_requirements(), *AIRFLOW_EXTRA_REQUIREMENTS]


def venv_path(wanted: list[str] | None = None) -> Path:
    wanted = requirements() if wanted is None else wanted
    key = hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:12]
    return cache_dir() / f"airflow-py{AIRFLOW_PYTHON_VERSION}-{key}"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_venv(say: Callable[[str], None] | None = None) -> Path:
    """The Airflow venv, made when missing or half-made (a `.complete` stamp marks a whole
    one); two callers at once wait for each other."""
    say = say or (lambda message: None)
    wanted = requirements()
    venv = venv_path(wanted)
    stamp = venv / ".complete"
    with _locked(venv.with_name(venv.name + ".lock")):
        if stamp.is_file() and (venv / "bin" / "airflow").exists():
            return venv
        python = find_python()
        say(f"airflow: making its venv {venv} (apache-airflow=={VERSION}; first time only)...")
        started = time.monotonic()
        log = venv.with_name(venv.name + ".log")
        with open(log, "w") as out:
            for argv in (
                [python, "-m", "venv", "--clear", str(venv)],
                [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *wanted],
            ):
                out.write(f"$ {' '.join(argv)}\n")
                out.flush()
                done = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT)
                if done.returncode != 0:
                    tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
                    raise EngineError(f"making the Airflow venv failed ({' '.join(argv)}):\n{tail}")
        stamp.write_text("\n".join(wanted) + "\n")
        say(f"airflow: venv made in {time.monotonic() - started:.0f}s")
    return venv


def write_site() -> Path:
    """site/: this `mr` package (a link) and the dist-info that registers it as the provider
    `mrkit` (Airflow checks that the entry point's distribution is named like the provider's
    package-name)."""
    site = site_dir()
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    (site / "mr").symlink_to(PACKAGE_PARENT / "mr", target_is_directory=True)
    version = mrkit_version()
    info = site / f"mrkit-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: mrkit\nVersion: {version}\n"
        "Summary: mrkit, registered by `mrkit airflow up` (mr/engines/airflow.py)\n"
    )
    (info / "entry_points.txt").write_text(
        "[apache_airflow_provider]\nprovider_info = mr.airflow:get_provider_info\n"
    )
    return site


# -- configuration -------------------------------------------------------------------------------


def _secrets() -> dict[str, str]:
    """Keys every process must share (made once, kept in home/secrets.json, mode 600): the
    JWT secret of the execution API, the api secret key of the log servers, the Fernet key
    that encrypts connection passwords in the database."""
    path = airflow_home() / "secrets.json"
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        pass
    made = {
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW__CORE__FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(made, f)
    return made


def url_of(ports: Ports, bind_host: str = config.DEFAULT_BIND_HOST) -> str:
    return f"http://{config.connect_host(bind_host)}:{ports.api}"


def task_settings_from_env() -> dict[str, str]:
    """The task settings (AIRFLOW_TASK_SETTINGS) set in this process's environment."""
    return {k: os.environ[k] for k in AIRFLOW_TASK_SETTINGS if os.environ.get(k)}


def _int_setting(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw else default
    except ValueError:
        value = 0
    if value < 1:
        raise EngineError(f"{name}={raw!r} is not a whole number of at least 1")
    return value


def environment(
    ports: Ports,
    venv: Path,
    task_settings: dict[str, str] | None = None,
    executor: str = "local",
    bind_host: str = config.DEFAULT_BIND_HOST,
) -> dict[str, str]:
    """The environment of every Airflow process (and of `airflow` commands run against it)."""
    url = url_of(ports, bind_host)
    # a task setting of the caller's environment that the server was not given is not the
    # server's: every process and `airflow` command sees the server's alone
    unset = {k: "" for k in AIRFLOW_TASK_SETTINGS}
    return {
        **unset,
        **(task_settings or {}),
        "AIRFLOW_HOME": str(airflow_home()),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_dir()),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": os.environ.get("MRKIT_AIRFLOW_PARALLELISM", "2"),
        # tasks report to the api-server: with it down, every task fails (connection refused)
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(password_file()),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home() / 'airflow.db'}",
        "AIRFLOW__API__HOST": bind_host,
        "AIRFLOW__API__PORT": str(ports.api),
        "AIRFLOW__API__BASE_URL": url,
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(log_dir() / "tasks"),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(ports.worker_log),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(ports.trigger_log),
        # new DAG files are seen within seconds (Airflow's default lists the folder every 5 min)
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": os.environ.get(
            "MRKIT_AIRFLOW_DAG_REFRESH", "5"
        ),
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        **_secrets(),
        # the provider (site/) and the state every mrkit command of a task reads
        "PYTHONPATH": str(site_dir()),
        "MRKIT_HOME": str(root().parent),
        "PATH": os.pathsep.join([str(venv / "bin"), os.environ.get("PATH", "")]),
        **(celery_environment(ports, bind_host) if executor == "celery" else {}),
    }


def celery_environment(ports: Ports, bind_host: str = config.DEFAULT_BIND_HOST) -> dict[str, str]:
    """What the CeleryExecutor changes: PostgreSQL for the metadata and Celery's results,
    RabbitMQ, the workers' concurrency, Flower, and how soon a silent task is failed."""
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": backends.database_url(
            ports.postgres, "postgresql+psycopg2"
        ),
        "AIRFLOW__CELERY__RESULT_BACKEND": backends.database_url(
            ports.postgres, "db+postgresql+psycopg2"
        ),
        "AIRFLOW__CELERY__BROKER_URL": backends.broker_url(ports.amqp),
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(
            _int_setting(AIRFLOW_WORKER_CONCURRENCY_ENV, AIRFLOW_WORKER_CONCURRENCY)
        ),
        "AIRFLOW__CELERY__FLOWER_HOST": bind_host,
        "AIRFLOW__CELERY__FLOWER_PORT": str(ports.flower),
        "AIRFLOW__CELERY__FLOWER_BASIC_AUTH": f"{ADMIN}:{backends.secret(flower_password_file())}",
        # a killed worker's task is failed (and retried) after this, not Airflow's 300 s
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(
            _int_setting(AIRFLOW_HEARTBEAT_TIMEOUT_ENV, AIRFLOW_HEARTBEAT_TIMEOUT)
        ),
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
    }


def process_environment(process: str, ports: Ports) -> dict[str, str]:
    """What one process's environment adds: a worker's log-server port and hostname."""
    if process not in WORKERS:
        return {}
    return {
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(ports.worker_log_port(process)),
        WORKER_ENV: celery_hostname(process),
    }


def argv_of(
    process: str, venv: Path, ports: Ports, bind_host: str = config.DEFAULT_BIND_HOST
) -> list[str]:
    """The command line of one of Airflow's processes: the api-server and Flower on the bind
    host; the log servers of the scheduler, triggerer and workers, which Airflow binds to every
    interface (serve_logs: uvicorn host ""), only when the bind host is every interface."""
    airflow = str(venv / "bin" / "airflow")
    no_log_server = [] if bind_host in config.WILDCARD_HOSTS else ["--skip-serve-logs"]
    if process == "api-server":
        return [airflow, process, "--host", bind_host, "--port", str(ports.api)]
    if process in WORKERS:
        # --pid: each worker its own (both would write home/airflow-worker.pid)
        pid_file = root() / f"{process}.celery.pid"
        return [airflow, "celery", "worker", "--celery-hostname", celery_hostname(process),
                "--pid", str(pid_file), *no_log_server]  # fmt: skip
    if process == "flower":
        return [airflow, "celery", "flower", "--hostname", bind_host, "--port", str(ports.flower)]
    if process in LOG_SERVERS:
        return [airflow, process, *no_log_server]
    return [airflow, process]


# -- the running processes -----------------------------------------------------------------------


def info() -> AirflowInfo | None:
    """The Airflow started by `mrkit airflow up` whose processes all run, else None."""
    try:
        state = AirflowInfo(**json.loads(state_path().read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if any(daemon(name).pid() != pid for name, pid in state.pids.items()):
        return None
    return state


def health(url: str, timeout: float = 3.0) -> dict[str, Any] | None:
    """The api-server's /api/v2/monitor/health answer, None if it does not answer."""
    try:
        with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=timeout) as response:
            return dict(json.load(response))
    except (OSError, ValueError, urllib.error.URLError):
        return None


def unhealthy(answer: dict[str, Any] | None) -> list[str]:
    """The components of a health answer that are not healthy (all of them if no answer)."""
    if answer is None:
        return ["api-server"]
    return [c for c in HEALTHY if (answer.get(c) or {}).get("status") != "healthy"]


def running(pid: int) -> bool:
    """Whether pid is a live process: not gone, not a zombie (a process that exited and that
    its parent, e.g. the test session that started Airflow, has not reaped yet: only the
    parent can, so waiting for it from `mrkit airflow down` would wait for nothing)."""
    if not _alive(pid):
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2 :].split()[0] != "Z"


def _signal_all(pids: set[int], sig: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def stop_processes(
    pids: list[int], timeout: float = 20.0, leader_signal: signal.Signals | None = None
) -> set[int]:
    """SIGTERM the trees of pids (taken before any signal), SIGKILL what is left after
    timeout; return every pid that was signalled. leader_signal: sent to pids alone instead
    (PostgreSQL's postmaster stops its children itself: SIGINT is its fast shutdown)."""
    tree: set[int] = set()
    for pid in pids:
        tree |= process_tree(pid)
    if leader_signal is None:
        _signal_all(tree, signal.SIGTERM)
    else:
        _signal_all(set(pids), leader_signal)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(running(p) for p in tree):
        time.sleep(0.2)
    left = {p for p in tree if running(p)}
    # children started while we waited (a LocalExecutor worker taking one more task)
    for pid in pids:
        left |= process_tree(pid) if running(pid) else set()
    if left:
        _signal_all(left, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(running(p) for p in left):
            time.sleep(0.1)
    return tree | left


def migrate(venv: Path, env: dict[str, str]) -> None:
    """`airflow db migrate` (creates the database's tables the first time)."""
    log = log_dir() / "db-migrate.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as out:
        done = subprocess.run(
            [str(venv / "bin" / "airflow"), "db", "migrate"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            cwd=root(),
        )
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise EngineError(f"airflow db migrate failed (exit {done.returncode}):\n{tail}")


def _wait_started(name: str, pid: int, ready: Callable[[], bool], timeout: float) -> None:
    wait_for(ready, timeout=timeout, what=name, alive=lambda: running(pid), log=daemon(name).log)


def start_backends(ports: Ports, pids: dict[str, int], timeout: float) -> Callable[[], None]:
    """Start PostgreSQL (and wait for it), epmd and RabbitMQ (mr/engines/airflow_backends.py)
    into pids; return the wait for RabbitMQ (about 5 s), to run after the migration."""
    epmd, rabbitmq_server = backends.rabbitmq_programs()
    backends.prepare_postgres()
    backends.prepare_rabbitmq(ports.amqp)
    rabbit_env = backends.rabbitmq_env(ports.epmd, ports.dist)
    pids["postgres"] = daemon("postgres").start(
        backends.postgres_argv(ports.postgres), cwd=backends.postgres_dir()
    )
    pids["epmd"] = daemon("epmd").start(
        backends.epmd_argv(epmd, ports.epmd), cwd=backends.rabbitmq_dir(), env=rabbit_env
    )
    _wait_started("epmd", pids["epmd"], lambda: port_in_use(ports.epmd), 20)
    pids["rabbitmq"] = daemon("rabbitmq").start(
        [rabbitmq_server], cwd=backends.rabbitmq_dir(), env=rabbit_env
    )
    _wait_started(
        "postgres", pids["postgres"], lambda: backends.postgres_ready(ports.postgres), timeout
    )
    return lambda: _wait_started(
        "rabbitmq", pids["rabbitmq"], lambda: port_in_use(ports.amqp), timeout
    )


def flower_workers(
    state: AirflowInfo, refresh: bool = True, timeout: float = 10.0
) -> dict[str, Any] | None:
    """Flower's /api/workers: {Celery hostname: its stats}, of the workers that answered
    Flower's inspect broadcast (refresh) or that it last saw; None if Flower does not answer."""
    try:
        password = backends.read_secret(flower_password_file())
    except EngineError:
        return None
    auth = base64.b64encode(f"{ADMIN}:{password}".encode()).decode()
    request = urllib.request.Request(
        f"{state.flower}/api/workers" + ("?refresh=1" if refresh else ""),
        headers={"Authorization": f"Basic {auth}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return dict(json.load(response))
    except (OSError, ValueError, urllib.error.URLError):
        return None


def execution_api_ready(url: str, timeout: float = 10.0) -> bool:
    """Whether the execution API answers its health check. The api-server builds that API at
    its first request, blocking every other request meanwhile: 11 s at a load average of 14,
    and 40 s at 25, when the first two tasks of a run timed out (the workers wait 5 s, 5
    times) and failed. `up` makes that first request itself."""
    try:
        with urllib.request.urlopen(f"{url}/execution/health", timeout=timeout) as response:
            return bool(response.status == 200)
    except (OSError, ValueError, urllib.error.URLError):
        return False


def not_ready(state: AirflowInfo) -> list[str]:
    """What is not ready yet: the health endpoint's unhealthy components, the execution API,
    and under the CeleryExecutor the workers that do not answer Flower's broadcast (all, if
    Flower does not answer)."""
    missing = unhealthy(health(state.url))
    if not missing and not execution_api_ready(state.url):
        missing.append("execution API")
    if state.executor == "celery" and not missing:
        answered = flower_workers(state)
        if answered is None:
            return ["flower"]
        missing += [w for w in state.workers.values() if w not in answered]
    return missing


def up(
    port: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    say: Callable[[str], None] | None = None,
    task_settings: dict[str, str] | None = None,
    executor: str = "local",
) -> AirflowInfo:
    """Make the venv (once), start the processes of the executor (and, for celery, its broker
    and database first) and wait until they are healthy; harmless if already running with the
    same executor and task settings.

    task_settings: {AIRFLOW_TASK_SETTINGS name: value} for the tasks of rendered DAGs
    (default: those set in this environment); a running Airflow given other values (a name
    set here to another value) or another executor is restarted."""
    say = say or (lambda message: None)
    if executor not in EXECUTORS:
        raise EngineError(f"unknown executor {executor!r} (one of {', '.join(EXECUTORS)})")
    settings = task_settings_from_env() if task_settings is None else dict(task_settings)
    current = info()
    if current is not None:
        changed = {k: v for k, v in settings.items() if current.task_settings.get(k, "") != v}
        if task_settings is not None and settings != current.task_settings:
            changed = changed or {"task settings": "none"}
        if not changed and current.executor == executor:
            say(f"airflow: already running at {current.url} (pids {current.pids})")
            return current
        say(f"airflow: running with executor {current.executor} and task settings "
            f"{current.task_settings}; restarting it with {executor} and {settings}")  # fmt: skip
    # settings checked before anything stops or starts: a typo costs nothing
    ports = Ports.from_env(port, executor)
    if executor == "celery":
        _int_setting(AIRFLOW_HEARTBEAT_TIMEOUT_ENV, AIRFLOW_HEARTBEAT_TIMEOUT)
        _int_setting(AIRFLOW_WORKER_CONCURRENCY_ENV, AIRFLOW_WORKER_CONCURRENCY)
    down()  # what is left of a partial start: processes whose partners died
    bind_host = config.bind_host()
    check_ports_free(ports.settings(executor), config.connect_host(bind_host))
    venv = ensure_venv(say)
    for path in (airflow_home(), dags_dir(), log_dir() / "tasks"):
        path.mkdir(parents=True, exist_ok=True)
    write_site()
    url = url_of(ports, bind_host)
    celery = executor == "celery"
    state = AirflowInfo(
        pids={},
        ports=asdict(ports),
        url=url,
        home=str(airflow_home()),
        dags=str(dags_dir()),
        venv=str(venv),
        password_file=str(password_file()),
        task_settings=settings,
        bind_host=bind_host,
        executor=executor,
        flower=f"http://{config.connect_host(bind_host)}:{ports.flower}" if celery else "",
        workers={w: celery_hostname(w) for w in WORKERS} if celery else {},
    )
    pids = state.pids
    try:
        wait_for_broker = None
        if celery:
            say("airflow: starting PostgreSQL and RabbitMQ...")
            wait_for_broker = start_backends(ports, pids, timeout)
            state.database = backends.database_url(ports.postgres, with_password=False)
            state.broker = backends.broker_url(ports.amqp, with_password=False)
        else:
            state.database = f"sqlite:///{airflow_home() / 'airflow.db'}"
        env = environment(ports, venv, settings, executor, bind_host)
        say(f"airflow: migrating its database ({'PostgreSQL' if celery else 'SQLite'})...")
        migrate(venv, env)
        if wait_for_broker is not None:
            wait_for_broker()
        for name in processes(executor):
            pids[name] = daemon(name).start(
                argv_of(name, venv, ports, bind_host),
                cwd=root(),
                env={**env, **process_environment(name, ports)},
            )
        say(f"airflow: started {pids}; waiting up to {timeout:.0f}s for {url}")

        def all_alive() -> bool:
            return all(running(pid) for pid in pids.values())

        def dead_log() -> Path:
            dead = [n for n, p in pids.items() if not running(p)]
            return daemon(dead[0] if dead else "api-server").log

        try:
            wait_for(
                lambda: not not_ready(state),
                timeout=timeout,
                what=f"Airflow at {url}",
                alive=all_alive,
                interval=1.0,
            )
        except EngineError as e:
            missing = not_ready(state)
            raise EngineError(f"{e} (not ready: {', '.join(missing)}); see {dead_log()}") from e
    except BaseException:
        stop_started(pids)
        raise
    state_path().write_text(state.to_json())
    return state


#: the order `down` stops in, each group at once, with the signal for its leaders alone (None:
#: SIGTERM to every process of the trees). The api-server after the others: signalled together
#: with it, they were measured to take 30 s (SIGKILL) instead of 3 s, reporting to a server
#: gone. The broker and the database last, when nothing uses them
STOP_ORDER: tuple[tuple[tuple[str, ...], signal.Signals | None], ...] = (
    ((*PROCESSES[1:], *CELERY_PROCESSES), None),
    (PROCESSES[:1], None),
    (("rabbitmq", "epmd"), None),
    (("postgres",), signal.SIGINT),
)


def stop_started(pids: dict[str, int]) -> set[int]:
    """Stop the processes of {name: pid} (and their trees) in STOP_ORDER, remove pid files."""
    stopped: set[int] = set()
    for names, leader_signal in STOP_ORDER:
        group = [pids[name] for name in names if name in pids]
        if group:
            stopped |= stop_processes(group, leader_signal=leader_signal)
    for name in pids:
        daemon(name).pidfile.unlink(missing_ok=True)
    return stopped


def down() -> list[int]:
    """Stop every process `up` started (by its pid file) and what they started; the pids
    that were signalled (none: nothing was running)."""
    found = {name: daemon(name).pid() for name in ALL_PROCESSES}
    stopped = stop_started({name: pid for name, pid in found.items() if pid is not None})
    for name in ALL_PROCESSES:
        daemon(name).pidfile.unlink(missing_ok=True)
    state_path().unlink(missing_ok=True)
    return sorted(stopped)


def status() -> dict[str, Any]:
    """{'running': bool, ...}: pids, ports, URLs, each component's health (and under the
    CeleryExecutor, whether each worker answers Flower's broadcast)."""
    state = info()
    if state is None:
        partial = {name: daemon(name).pid() for name in ALL_PROCESSES}
        return {"running": False, "pids": {n: p for n, p in partial.items() if p}}
    answer = health(state.url)
    found: dict[str, Any] = {
        "running": True,
        **asdict(state),
        "health": {c: (answer or {}).get(c, {}).get("status", "no answer") for c in HEALTHY},
        "logs": str(log_dir()),
    }
    if state.executor == "celery":
        answered = flower_workers(state) or {}
        found["health"].update(
            {w: "answers" if w in answered else "no answer" for w in state.workers.values()}
        )
    return found


# -- the REST API and the venv's `airflow` command -----------------------------------------------


def admin_password(state: AirflowInfo) -> str:
    """The UI/REST user's password (Airflow's simple auth manager writes it at start)."""
    try:
        return str(json.loads(Path(state.password_file).read_text())[state.user])
    except (OSError, ValueError, KeyError):
        raise EngineError(f"no password for {state.user} in {state.password_file}") from None


def token(state: AirflowInfo) -> str:
    """A JWT for the REST API (POST /auth/token with the admin's password)."""
    body = json.dumps({"username": state.user, "password": admin_password(state)}).encode()
    request = urllib.request.Request(
        f"{state.url}/auth/token",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.load(response)["access_token"])


def api(
    state: AirflowInfo,
    method: str,
    path: str,
    body: Any = None,
    bearer: str | None = None,
) -> Any:
    """One REST call (/api/v2/...), its JSON answer; EngineError with the server's text on an
    HTTP error."""
    bearer = bearer or token(state)
    request = urllib.request.Request(
        f"{state.url}/api/v2/{path.lstrip('/')}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {bearer}"},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
    except urllib.error.HTTPError as e:
        detail = e.read().decode(errors="replace")[:2000]
        raise EngineError(f"{method} {path}: HTTP {e.code}: {detail}") from None
    return json.loads(text) if text else None


def run_airflow(
    state: AirflowInfo, *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """The venv's `airflow ARGS...` against the running instance (its environment)."""
    ports = Ports(**state.ports)
    env = environment(ports, Path(state.venv), state.task_settings, state.executor, state.bind_host)
    return subprocess.run(
        [state.airflow, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=root(),
    )
