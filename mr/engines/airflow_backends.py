"""The broker and the shared metadata database of ``mrkit airflow up --executor celery``:
RabbitMQ and PostgreSQL from Debian's packages, as nodes of mrkit's own under
``<state>/airflow/`` (mr/engines/airflow.py starts them, waits for them and stops them by pid,
like its own processes; the packages' system services play no part).

- RabbitMQ (``rabbitmq-server``): ``/usr/lib/rabbitmq/bin/rabbitmq-server`` (not /usr/sbin's
  wrapper, which switches to the ``rabbitmq`` user and its /var/lib dirs), node
  ``mrkit@localhost``, its database, logs, config and Erlang cookie (HOME) in ``rabbitmq/``,
  AMQP, the Erlang distribution and an ``epmd`` of its own (started first, in the foreground,
  so it is a pid of ours and not a daemon left behind) on 127.0.0.1 and mrkit's ports. User
  ``airflow``, its password in ``rabbitmq/password`` (0600), made with the node's database: a
  database without that file is made again.
- PostgreSQL (``postgresql``): ``initdb`` and ``postgres`` of the newest
  ``/usr/lib/postgresql/*/bin``, data in ``postgres/data``, TCP on 127.0.0.1 only (no unix
  socket), user ``airflow`` with a scram-sha-256 password (``postgres/password``, 0600), database
  ``airflow``. PostgreSQL refuses to run as root: as root, ``postgres/`` belongs to the Debian
  ``postgres`` user and initdb and the server run as it (``setpriv``, which execs: the pid is the
  postmaster's); when a directory above the state dir lets no other user through (a checkout
  under /root), the data lives in ``$TMPDIR/mrkit-postgres-<hash of its place>`` instead.
  Stopped with SIGINT (a fast shutdown).
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

from mr.engines import EngineError, state_dir

RABBITMQ_HINT = "apt-get install rabbitmq-server (scripts/bootstrap does)"
POSTGRES_HINT = "apt-get install postgresql (scripts/bootstrap does)"
#: the node's name: one per epmd, and the epmd is ours
RABBITMQ_NODE = "mrkit@localhost"
USER = "airflow"
DATABASE = "airflow"
#: the Debian user PostgreSQL runs as when mrkit runs as root
POSTGRES_OS_USER = "postgres"


def rabbitmq_dir() -> Path:
    return state_dir("airflow") / "rabbitmq"


def postgres_dir() -> Path:
    """``<state>/airflow/postgres``; as root, when a directory above it lets no other user through
    (a checkout under /root), a directory named for it under the temporary directory instead:
    PostgreSQL runs as the postgres user, which must reach its data."""
    home = state_dir("airflow") / "postgres"
    if os.geteuid() != 0 or others_reach(home.parent):
        return home
    key = hashlib.sha256(str(home).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"mrkit-postgres-{key}"


def others_reach(path: Path) -> bool:
    """Whether a user other than the owner may pass through path and every directory above."""
    return all(p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents) if p.exists())


def read_secret(path: Path) -> str:
    """A password file's content; EngineError if it is not there."""
    try:
        return path.read_text().strip()
    except OSError:
        raise EngineError(f"{path} is missing: `mrkit airflow up --executor celery` makes it")


def _write_secret(path: Path, uid: int | None = None) -> str:
    value = secrets.token_hex(16)  # hex: nothing to escape in a URL or a config file
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    if uid is not None:
        os.chown(path, uid, -1)
    return value


# -- RabbitMQ ------------------------------------------------------------------------------------


def rabbitmq_programs() -> tuple[str, str]:
    """(epmd, rabbitmq-server); EngineError naming the package when missing."""
    server = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
    epmd = shutil.which("epmd") or "/usr/lib/erlang/bin/epmd"
    if not server.exists() or not Path(epmd).exists():
        raise EngineError(
            f"RabbitMQ is not installed ({server} or epmd not found): {RABBITMQ_HINT}"
        )
    return epmd, str(server)


def prepare_rabbitmq(amqp_port: int) -> None:
    """rabbitmq/: config (listener on 127.0.0.1, the airflow user), no plugins, the password;
    a node database left without its password file is removed (its user has another)."""
    home = rabbitmq_dir()
    home.mkdir(parents=True, exist_ok=True)
    password_file = home / "password"
    if not password_file.is_file():
        shutil.rmtree(home / "mnesia", ignore_errors=True)
        _write_secret(password_file)
    password = read_secret(password_file)
    # default_user/default_pass are applied when the node makes its database (first start)
    (home / "rabbitmq.conf").write_text(
        f"listeners.tcp.default = 127.0.0.1:{amqp_port}\n"
        f"default_user = {USER}\n"
        f"default_pass = {password}\n"
    )
    (home / "enabled_plugins").write_text("[].\n")


def rabbitmq_env(epmd_port: int, dist_port: int) -> dict[str, str]:
    """The environment of the node and of epmd (and of rabbitmqctl, to reach them)."""
    home = rabbitmq_dir()
    return {
        "HOME": str(home),  # the Erlang cookie
        "ERL_EPMD_PORT": str(epmd_port),
        "ERL_EPMD_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODENAME": RABBITMQ_NODE,
        "RABBITMQ_DIST_PORT": str(dist_port),
        "RABBITMQ_CONFIG_FILE": str(home / "rabbitmq.conf"),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(home / "advanced.config"),
        "RABBITMQ_CONF_ENV_FILE": str(home / "rabbitmq-env.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(home / "enabled_plugins"),
        "RABBITMQ_MNESIA_BASE": str(home / "mnesia"),
        "RABBITMQ_LOG_BASE": str(home / "log"),
        "RABBITMQ_PID_FILE": str(home / "node.pid"),
        # the distribution listens on loopback only
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
    }


def epmd_argv(epmd: str, port: int) -> list[str]:
    return [epmd, "-port", str(port), "-address", "127.0.0.1"]


def broker_url(amqp_port: int, with_password: bool = True) -> str:
    password = f":{read_secret(rabbitmq_dir() / 'password')}" if with_password else ""
    return f"amqp://{USER}{password}@127.0.0.1:{amqp_port}//"


# -- PostgreSQL ----------------------------------------------------------------------------------


def postgres_bindir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin with initdb and postgres."""
    found = [
        Path(d)
        for d in glob.glob("/usr/lib/postgresql/*/bin")
        if (Path(d) / "initdb").exists() and (Path(d) / "postgres").exists()
    ]
    if not found:
        raise EngineError(f"PostgreSQL is not installed (no initdb/postgres): {POSTGRES_HINT}")
    return max(found, key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0)


def _os_user() -> tuple[list[str], int | None]:
    """(the argv prefix that runs a command as the database's owner, its uid): as root, the
    Debian postgres user (PostgreSQL exits when run as root); otherwise the caller."""
    if os.geteuid() != 0:
        return [], None
    try:
        uid = pwd.getpwnam(POSTGRES_OS_USER).pw_uid
    except KeyError:
        raise EngineError(
            f"PostgreSQL refuses to run as root and there is no {POSTGRES_OS_USER} user: "
            f"{POSTGRES_HINT}"
        ) from None
    setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
    prefix = [setpriv, f"--reuid={uid}", f"--regid={pwd.getpwuid(uid).pw_gid}", "--init-groups"]
    return [*prefix, "--"], uid


def prepare_postgres() -> None:
    """postgres/data with the airflow user and database, unless there (built beside it and
    renamed, so a half-made one never looks ready; remade when its password file is gone)."""
    home = postgres_dir()
    home.mkdir(parents=True, exist_ok=True)
    as_owner, uid = _os_user()
    if uid is not None:
        os.chown(home, uid, -1)
        reach = subprocess.run([*as_owner, "test", "-w", str(home)], capture_output=True)
        if reach.returncode != 0:
            raise EngineError(
                f"PostgreSQL runs as the {POSTGRES_OS_USER} user, which cannot reach {home} (a "
                "directory above it lets no other user through, such as /root): set MRKIT_HOME "
                "to a directory it can reach"
            )
    data, password_file = home / "data", home / "password"
    if (data / "PG_VERSION").is_file() and password_file.is_file():
        return
    bindir = postgres_bindir()
    building = home / "data.initializing"
    shutil.rmtree(building, ignore_errors=True)
    shutil.rmtree(data, ignore_errors=True)
    _write_secret(password_file, uid)
    log = state_dir("airflow") / "logs" / "initdb.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    steps = [
        (
            [
                *as_owner,
                str(bindir / "initdb"),
                f"--pgdata={building}",
                f"--username={USER}",
                f"--pwfile={password_file}",
                "--auth-host=scram-sha-256",
                "--auth-local=reject",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            None,
        ),
        # single-user mode: the database is made before any server listens
        (
            [*as_owner, str(bindir / "postgres"), "--single", "-D", str(building), "postgres"],
            f"CREATE DATABASE {DATABASE};\n",
        ),
    ]
    with open(log, "w") as out:
        for argv, stdin in steps:
            out.write(f"$ {' '.join(argv)}\n")
            out.flush()
            done = subprocess.run(
                argv, input=stdin, stdout=out, stderr=subprocess.STDOUT, text=True, cwd=home
            )
            if done.returncode != 0:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
                raise EngineError(f"{argv[len(as_owner)]} failed (exit {done.returncode}):\n{tail}")
    building.rename(data)


def postgres_argv(port: int) -> list[str]:
    as_owner, _ = _os_user()
    return [
        *as_owner,
        str(postgres_bindir() / "postgres"),
        "-D",
        str(postgres_dir() / "data"),
        "-p",
        str(port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "unix_socket_directories=",
    ]


def postgres_ready(port: int) -> bool:
    """pg_isready: the server accepts connections."""
    probe = subprocess.run(
        [str(postgres_bindir() / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)],
        capture_output=True,
    )
    return probe.returncode == 0


def database_url(port: int, driver: str = "postgresql", with_password: bool = True) -> str:
    password = f":{read_secret(postgres_dir() / 'password')}" if with_password else ""
    return f"{driver}://{USER}{password}@127.0.0.1:{port}/{DATABASE}"


def secret(path: Path) -> str:
    """The password in path, made (0600) when missing."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        return _write_secret(path)
    return read_secret(path)
