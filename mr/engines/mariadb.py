"""MariaDB on this machine, from Debian's ``mariadb-server`` package, for `mrkit export mysql`
and `mrkit import mysql`.

``mrkit mysql up`` makes a data directory of its own under the engine state
(``.cluster/mariadb/data``, with ``mariadb-install-db``: no system tables anywhere else), starts
``mariadbd`` on it with ``--no-defaults`` (so /etc/mysql/my.cnf and a system server on 3306 play
no part), and waits until a query answers. ``down`` stops it by its pid (SIGTERM: a clean
shutdown); ``status`` says where it runs and whether it answers.

- Port: ``MRKIT_MYSQL_PORT`` (default 3307, beside the system's 3306), bound to the bind host
  (``MRKIT_BIND_HOST`` or ``up --bind-host``, default 127.0.0.1: mr.lib.config.bind_host);
  unix socket ``.cluster/mariadb/mysqld.sock``; pid file ``.cluster/mariadb/mariadbd.pid``;
  log ``.cluster/mariadb/logs/mariadbd.log``.
- Users: root with no password, from 127.0.0.1 and the socket only (a local test server);
  clients reach it as ``mysql://root@127.0.0.1:3307/`` (mr.lib.config.mysql_url).
- utf8mb4 for everything; ``secure_file_priv`` is ``.cluster/mariadb/files`` (the only
  directory SELECT ... INTO OUTFILE may write); LOAD DATA LOCAL is allowed.
- As root, mariadbd runs only with ``--user=root``; it is given that, and otherwise nothing.
- Timeout: ``MRKIT_MYSQL_START_TIMEOUT`` (seconds, default 60).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mr.clients import mysql
from mr.engines import Daemon, EngineError, check_ports_free, state_dir, wait_for
from mr.lib import config
from mr.lib.errors import UsageError

ENGINE = "mariadb"
INSTALL_HINT = "apt-get install mariadb-server mariadb-client"
#: where Debian puts the server (not on a normal user's PATH)
SBIN_DIRS = ("/usr/sbin", "/usr/local/sbin", "/usr/libexec")
#: the longest unix socket path the kernel takes (sun_path is 108 bytes with its NUL)
MAX_SOCKET_PATH = 107


@dataclass(frozen=True)
class Settings:
    """Where MariaDB listens and keeps its state."""

    port: int
    socket: Path
    data: Path
    start_timeout: float
    #: where clients connect (the bind host's address, 127.0.0.1 for every interface)
    host: str = config.DEFAULT_BIND_HOST
    #: where mariadbd listens (mr.lib.config.bind_host)
    bind_host: str = config.DEFAULT_BIND_HOST

    @classmethod
    def from_env(cls) -> Settings:
        try:
            port = config.mysql_port()
            bind_host = config.bind_host()
        except UsageError as e:
            raise EngineError(str(e)) from None
        raw = os.environ.get("MRKIT_MYSQL_START_TIMEOUT", "60")
        try:
            timeout = float(raw)
        except ValueError:
            raise EngineError(f"MRKIT_MYSQL_START_TIMEOUT={raw!r} is not a number") from None
        return cls(
            port=port,
            socket=config.mysql_socket(),
            data=state_dir(ENGINE) / "data",
            start_timeout=timeout,
            host=config.connect_host(bind_host),
            bind_host=bind_host,
        )

    @property
    def server(self) -> mysql.Server:
        """How a client reaches it (over TCP: the socket is an alternative)."""
        return mysql.Server(host=self.host, port=self.port, user="root")

    @property
    def url(self) -> str:
        return self.server.url


def daemon() -> Daemon:
    return Daemon(ENGINE, "mariadbd")


def find_program(*names: str) -> str | None:
    """The first of `names` on PATH or in the sbin directories, or None."""
    path = os.pathsep.join([os.environ.get("PATH", ""), *SBIN_DIRS])
    for name in names:
        found = shutil.which(name, path=path)
        if found:
            return found
    return None


def programs() -> tuple[str, str]:
    """(server, install-db) programs; EngineError naming the apt-get line when missing."""
    server = find_program("mariadbd", "mysqld")
    install = find_program("mariadb-install-db", "mysql_install_db")
    if not server or not install:
        missing = "mariadbd" if not server else "mariadb-install-db"
        raise EngineError(f"MariaDB is not installed ({missing} not found): {INSTALL_HINT}")
    return server, install


def _user_args() -> list[str]:
    # mariadbd refuses to run as root unless told to; anyone else runs as themselves
    if os.geteuid() == 0:
        return ["--user=" + pwd.getpwuid(0).pw_name]
    return []


def initialize(settings: Settings, install_db: str) -> bool:
    """Make the data directory with its system tables unless it is there; True if made. Built
    beside it and renamed, so a half-made one never looks ready."""
    if (settings.data / "mysql").is_dir():
        return False
    building = settings.data.with_name("data.initializing")
    shutil.rmtree(building, ignore_errors=True)
    log = state_dir(ENGINE) / "logs" / "install-db.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        install_db,
        "--no-defaults",
        f"--datadir={building}",
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        "--skip-name-resolve",
        *_user_args(),
    ]
    with open(log, "wb") as out:
        result = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, cwd=state_dir(ENGINE))
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise EngineError(f"{' '.join(argv)} failed (exit {result.returncode}):\n{tail}")
    if settings.data.exists():
        shutil.rmtree(settings.data)
    building.rename(settings.data)
    return True


def server_argv(settings: Settings, server: str) -> list[str]:
    """The mariadbd command line (--no-defaults first: no my.cnf of the system's)."""
    home = state_dir(ENGINE)
    return [
        server,
        "--no-defaults",
        f"--datadir={settings.data}",
        f"--port={settings.port}",
        f"--bind-address={settings.bind_host}",
        f"--socket={settings.socket}",
        f"--pid-file={daemon().pidfile}",
        f"--log-error={home / 'logs' / 'mariadbd.log'}",
        f"--tmpdir={home / 'tmp'}",
        f"--secure-file-priv={home / 'files'}",
        "--skip-name-resolve",
        "--local-infile=1",
        "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_unicode_ci",
        "--innodb-buffer-pool-size=64M",
        "--max-allowed-packet=64M",
        *_user_args(),
    ]


def up(settings: Settings | None = None) -> Settings:
    """Start our MariaDB unless it already runs; wait until it answers a query."""
    settings = settings or Settings.from_env()
    d = daemon()
    if d.running() and mysql.answers(settings.server, password=""):
        return settings
    server, install_db = programs()
    if len(str(settings.socket)) > MAX_SOCKET_PATH:
        raise EngineError(
            f"the socket path {settings.socket} is longer than {MAX_SOCKET_PATH} bytes, which "
            "unix sockets cannot be: set MRKIT_HOME to a shorter directory"
        )
    if not d.running():
        check_ports_free({config.MYSQL_PORT_ENV: settings.port}, settings.host)
        initialize(settings, install_db)
        home = state_dir(ENGINE)
        for sub in ("logs", "tmp", "files"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        settings.socket.unlink(missing_ok=True)  # left by a server that was killed
        d.start(server_argv(settings, server), cwd=home)
    wait_for(
        lambda: mysql.answers(settings.server, password="") is not None,
        settings.start_timeout,
        f"MariaDB on {settings.host}:{settings.port}",
        alive=d.running,
        log=state_dir(ENGINE) / "logs" / "mariadbd.log",
        interval=0.3,
    )
    return settings


def down() -> bool:
    """Stop our MariaDB (clean shutdown on SIGTERM); True if it was running."""
    return daemon().stop(timeout=60)


def status(settings: Settings | None = None) -> dict[str, str]:
    """Where it runs and whether it answers: pid, port, socket, data dir, log, answer."""
    settings = settings or Settings.from_env()
    d = daemon()
    pid = d.pid()
    version = mysql.answers(settings.server, password="") if pid else None
    return {
        "mariadb": f"running (pid {pid})" if pid else "stopped",
        "answers": f"yes (MariaDB {version})" if version else "no",
        "port": f"{settings.host}:{settings.port} ({config.MYSQL_PORT_ENV})",
        "socket": str(settings.socket),
        "data": str(settings.data),
        "log": str(state_dir(ENGINE) / "logs" / "mariadbd.log"),
        "url": settings.url,
    }
