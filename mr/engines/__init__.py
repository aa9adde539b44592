"""Real engines on one machine, from Maven Central jars: shared plumbing.

Each engine (hadoop, hbase, hive, pig; kerberos and libhadoop for the secure hadoop of
secure.py) has a pom in ``scripts/<engine>/pom.xml``; its jars are
copied into ``<state>/<engine>/lib`` and its state (configs, data, logs, pid files) lives under
``<state>/<engine>/``: ``.cluster`` in a checkout, ``~/.local/share/mrkit`` for an installed
mrkit, ``MRKIT_HOME`` wherever it says (mr.lib.config.state_root). MariaDB (mariadb.py) is the
exception to the jars: it comes from Debian's mariadb-server package, its state under
``<state>/mariadb/`` all the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mr.lib.config import PACKAGE_PARENT as PACKAGE_PARENT
from mr.lib.config import REPO_MRJOB_CONF as REPO_MRJOB_CONF
from mr.lib.config import RESOURCE_ROOT, state_root

SCRIPTS_DIR = RESOURCE_ROOT / "scripts"

# The --add-opens Hadoop itself adds on Java 17 (HADOOP-17177 and friends).
JAVA17_OPENS = [
    f"--add-opens=java.base/{p}=ALL-UNNAMED"
    for p in (
        "java.io",
        "java.lang",
        "java.lang.reflect",
        "java.math",
        "java.net",
        "java.nio",
        "java.text",
        "java.util",
        "java.util.concurrent",
        "java.util.concurrent.atomic",
        "java.util.regex",
        "java.util.zip",
        "java.time",
        "java.sql",
        "sun.nio.ch",
        "sun.security.util",
        "sun.security.x509",
    )
] + ["-XX:+IgnoreUnrecognizedVMOptions"]


class EngineError(RuntimeError):
    """An engine cannot be fetched, started or reached; the message says what to do."""


def state_dir(engine: str = "") -> Path:
    """Where generated state lives: $MRKIT_HOME or <repo>/.cluster, per engine."""
    root = state_root()
    path = root / engine if engine else root
    path.mkdir(parents=True, exist_ok=True)
    return path


def require_tool(name: str, hint: str) -> str:
    """Absolute path of a command on PATH, or EngineError with an install hint."""
    found = shutil.which(name)
    if not found:
        raise EngineError(f"{name} not found on PATH: {hint}")
    return found


def java_bin() -> str:
    """The java to run engines with ($JAVA_HOME/bin/java first)."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return require_tool(
        "java", "install a Java 17 runtime (apt-get install openjdk-17-jre-headless)"
    )


def lib_dir(engine: str) -> Path:
    return state_dir(engine) / "lib"


def fetch(engine: str, quiet: bool = True) -> Path:
    """Copy the engine's jars from Maven Central (once per pom version) and return the lib dir."""
    pom = SCRIPTS_DIR / engine / "pom.xml"
    if not pom.exists():
        raise EngineError(f"no pom for engine {engine!r} at {pom}")
    lib = lib_dir(engine)
    stamp = lib / ".pom-sha256"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest and any(lib.glob("*.jar")):
        return lib
    mvn = require_tool("mvn", "install Maven 3.8+ (apt-get install maven)")
    if lib.exists():
        shutil.rmtree(lib)
    lib.mkdir(parents=True)
    cmd = [
        mvn,
        "-B",
        "-f",
        str(pom),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={lib}",
        "-DincludeScope=runtime",
    ]
    if quiet:
        cmd.insert(1, "-q")
    result = subprocess.run(cmd, capture_output=quiet, text=True)
    if result.returncode != 0:
        tail = (result.stdout or "")[-2000:] if quiet else ""
        raise EngineError(f"fetching {engine} jars with Maven failed ({' '.join(cmd)}):\n{tail}")
    stamp.write_text(digest)
    return lib


def classpath(*parts: Path | str) -> str:
    """A Java classpath of dirs and `dir/*` wildcards."""
    return os.pathsep.join(str(p) for p in parts)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def check_ports_free(ports: dict[str, int], host: str = "127.0.0.1") -> None:
    """EngineError naming the first taken port (on host) and the setting that moves it."""
    for setting, port in ports.items():
        if port_in_use(port, host):
            raise EngineError(
                f"port {port} ({setting}) is already in use; stop what holds it or set {setting}"
            )


def wait_for(
    ready: Callable[[], bool],
    timeout: float,
    what: str,
    alive: Callable[[], bool] | None = None,
    log: Path | None = None,
    interval: float = 1.0,
) -> None:
    """Poll ready() until true; EngineError (with the log's tail) on timeout or early death."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if alive is not None and not alive():
            raise EngineError(f"{what} exited before it was ready{_log_tail(log)}")
        time.sleep(interval)
    raise EngineError(f"{what} was not ready after {timeout:.0f}s{_log_tail(log)}")


def _log_tail(log: Path | None, lines: int = 30) -> str:
    if log is None or not log.exists():
        return ""
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    return f"\n--- last lines of {log} ---\n" + "\n".join(tail)


class Daemon:
    """One background JVM with a pid file and a log, stopped by its recorded pid only."""

    def __init__(self, engine: str, name: str):
        self.dir = state_dir(engine)
        self.name = name
        self.pidfile = self.dir / f"{name}.pid"
        self.log = self.dir / "logs" / f"{name}.log"

    def pid(self) -> int | None:
        """The recorded pid while it runs; None for a zombie, which has exited already."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if running(pid) else None

    def running(self) -> bool:
        return self.pid() is not None

    def start(
        self,
        argv: Sequence[str],
        cwd: Path,
        env: dict[str, str] | None = None,
        unset: Sequence[str] = (),
    ) -> int:
        """Start argv in its own session, output to the log; return its pid. ``env`` goes on
        top of this process's environment, without the variables named in ``unset``."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        cwd.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            log.write(f"\n=== {time.strftime('%F %T')} {' '.join(argv)}\n".encode())
            log.flush()
            proc = subprocess.Popen(
                list(argv),
                cwd=cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={k: v for k, v in {**os.environ, **(env or {})}.items() if k not in unset},
                start_new_session=True,
            )
        self.pidfile.write_text(str(proc.pid))
        return proc.pid

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop our process, its session and every descendant (SIGTERM, SIGKILL after
        timeout), the tree taken before any signal: a child that made a session of its own
        (a YARN container: the NodeManager starts each with setsid) and would be orphaned by its
        parent's death is stopped too. True if something was stopped."""
        pid = self.pid()
        if pid is None:
            self.pidfile.unlink(missing_ok=True)
            return False
        stop_processes([pid], timeout)
        self.pidfile.unlink(missing_ok=True)
        return True


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: there, all the same
        pass
    return True


# -- processes and the sockets they listen on ----------------------------------------------------


def _proc_table() -> dict[int, tuple[int, int]]:
    """{pid: (parent pid, session id)} of every process, from /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: split after its last ')'
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(entry)] = (int(fields[1]), int(fields[3]))
    return table


def process_tree(pid: int) -> set[int]:
    """pid, every process of its session (it leads one: Daemon.start), and their descendants
    by parent pid (a child that left the session too)."""
    table = _proc_table()
    found = {pid} | {p for p, (_, sid) in table.items() if sid == pid}
    grew = True
    while grew:
        children = {p for p, (ppid, _) in table.items() if ppid in found} - found
        found |= children
        grew = bool(children)
    return {p for p in found if p in table}


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


@dataclass(frozen=True)
class Listener:
    """A TCP socket in LISTEN state and the process that holds it."""

    pid: int
    address: str
    port: int

    @property
    def loopback(self) -> bool:
        """True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z (what only this machine reaches)."""
        ip = ipaddress.ip_address(self.address)
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return ip.is_loopback

    def __str__(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port} (pid {self.pid})"


_TCP_LISTEN = "0A"


def _proc_net_address(hexed: str) -> str:
    """An address of /proc/net/tcp*: 32-bit words in host (little-endian) byte order; an
    IPv4-mapped IPv6 address (Java's sockets) as its IPv4 address."""
    raw = bytes.fromhex(hexed)
    ip = ipaddress.ip_address(b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4)))
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped or ip)


def listening_sockets(pids: Iterable[int]) -> list[Listener]:
    """The TCP sockets in LISTEN state held by pids (IPv4 and IPv6), from /proc/net/tcp and
    /proc/net/tcp6 and the pids' open file descriptors: what `ss -ltnp` shows, without ss."""
    owner: dict[str, int] = {}
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:  # gone, or not ours to read
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                owner[target[8:-1]] = pid
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != _TCP_LISTEN or fields[9] not in owner:
                continue
            address, port = fields[1].rsplit(":", 1)
            found.append(Listener(owner[fields[9]], _proc_net_address(address), int(port, 16)))
    return sorted(found, key=lambda x: (x.port, x.address, x.pid))
