"""HBase 2.6 standalone (master + region server + ZooKeeper in one JVM) and its Thrift server.

``mrkit hbase up`` fetches the jars (scripts/hbase/pom.xml), writes ``.cluster/hbase/conf/
hbase-site.xml``, starts ``HMaster start`` and then the Thrift server, and waits until
``happybase.Connection(host, port).tables()`` answers. ``mrkit hbase down`` stops both by their
recorded pids; ``mrkit hbase status`` says what runs where.

The Thrift server is HBase's own ``org.apache.hadoop.hbase.thrift.ThriftServer`` when an
``hbase-thrift-*.jar`` is in the lib dir; Maven Central as reached here does not serve that
artifact, so by default it is scripts/hbase/thrift_gateway.py, which speaks the same Thrift 1 API
(happybase's) over the real HBase Java client.

Ports (environment variable: default): MRKIT_HBASE_ZK_PORT: 2181 (ZooKeeper client),
MRKIT_HBASE_MASTER_PORT: 16000, MRKIT_HBASE_REGIONSERVER_PORT: 16020,
MRKIT_HBASE_THRIFT_PORT: 9090; MRKIT_HBASE_HOST: where clients connect (default: 127.0.0.1, or
the bind host when that is one address). Every port listens on the bind host (MRKIT_BIND_HOST or
``up --bind-host``, default 127.0.0.1: mr.lib.config.bind_host), ZooKeeper's too.
Thrift: MRKIT_HBASE_TRANSPORT (buffered|framed) and MRKIT_HBASE_PROTOCOL (binary|compact), for
the server `up` starts and for every client (mr.lib.config).
Web UIs are off (info ports -1). Timeouts: MRKIT_HBASE_START_TIMEOUT (seconds, default 180).
``--secure``: a Kerberized HBase and its SASL/GSSAPI gateway, mr/engines/hbase_secure.py.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from mr.engines import (
    SCRIPTS_DIR,
    Daemon,
    EngineError,
    check_ports_free,
    classpath,
    fetch,
    java_bin,
    port_in_use,
    state_dir,
    wait_for,
)
from mr.lib import config

ENGINE = "hbase"

# the flags HBase's bin/hbase adds on Java 17
HBASE_JAVA17_FLAGS = [
    "-XX:+IgnoreUnrecognizedVMOptions",
    "-Dorg.apache.hbase.thirdparty.io.netty.tryReflectionSetAccessible=true",
    "--add-modules=jdk.unsupported",
    *[
        f"--add-opens=java.base/{p}=ALL-UNNAMED"
        for p in (
            "java.nio",
            "sun.nio.ch",
            "java.lang",
            "jdk.internal.ref",
            "java.lang.reflect",
            "java.io",
            "java.util",
            "java.util.concurrent",
        )
    ],
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.base/sun.net.dns=ALL-UNNAMED",
    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
]

LOG4J2 = """\
status = warn
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{ISO8601} %-5p [%t] %c{2}: %m%n
rootLogger = INFO,console
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = WARN
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = WARN
logger.hbase.name = org.apache.hadoop.hbase
logger.hbase.level = INFO
"""


@dataclass(frozen=True)
class Settings:
    """Where HBase listens and keeps its state."""

    host: str
    zk_port: int
    master_port: int
    regionserver_port: int
    thrift_port: int
    start_timeout: float
    #: the Thrift server's transport and protocol (mr.lib.config: MRKIT_HBASE_TRANSPORT/PROTOCOL)
    transport: str = "buffered"
    protocol: str = "binary"
    #: where every server listens (mr.lib.config.bind_host)
    bind_host: str = config.DEFAULT_BIND_HOST

    @classmethod
    def from_env(cls) -> Settings:
        def port(name: str, default: int) -> int:
            raw = os.environ.get(name, str(default))
            try:
                value = int(raw)
            except ValueError:
                raise EngineError(f"{name}={raw!r} is not a port number") from None
            if not 0 < value < 65536:
                raise EngineError(f"{name}={value} is not a port number")
            return value

        bind_host = config.bind_host()
        return cls(
            host=os.environ.get(config.HBASE_HOST_ENV) or config.connect_host(bind_host),
            zk_port=port("MRKIT_HBASE_ZK_PORT", 2181),
            master_port=port("MRKIT_HBASE_MASTER_PORT", 16000),
            regionserver_port=port("MRKIT_HBASE_REGIONSERVER_PORT", 16020),
            thrift_port=port("MRKIT_HBASE_THRIFT_PORT", 9090),
            start_timeout=float(os.environ.get("MRKIT_HBASE_START_TIMEOUT", "180")),
            transport=config.hbase_transport(),
            protocol=config.hbase_protocol(),
            bind_host=bind_host,
        )


def master() -> Daemon:
    return Daemon(ENGINE, "hmaster")


def thrift() -> Daemon:
    return Daemon(ENGINE, "thrift")


def conf_dir(engine: str = ENGINE) -> Path:
    return state_dir(engine) / "conf"


def site_properties(settings: Settings, engine: str = ENGINE) -> dict[str, str]:
    """hbase-site.xml for a one-machine standalone HBase with its state under .cluster/<engine>
    (hbase; hbase-secure for mr/engines/hbase_secure.py)."""
    data = state_dir(engine) / "data"
    # where servers listen (bind host) and what they tell clients to connect to (its address,
    # or 127.0.0.1 for every interface)
    listen, connect = settings.bind_host, config.connect_host(settings.bind_host)
    return {
        "hbase.cluster.distributed": "false",
        "hbase.rootdir": f"file://{data / 'hbase'}",
        "hbase.tmp.dir": str(data / "tmp"),
        "hbase.zookeeper.quorum": connect,
        "hbase.zookeeper.property.clientPort": str(settings.zk_port),
        "hbase.zookeeper.property.clientPortAddress": listen,
        "hbase.zookeeper.property.dataDir": str(data / "zk"),
        # the local file system has no hflush/hsync capability: allow the WAL on it anyway
        "hbase.unsafe.stream.capability.enforce": "false",
        "hbase.master.port": str(settings.master_port),
        "hbase.regionserver.port": str(settings.regionserver_port),
        "hbase.master.hostname": connect,
        "hbase.regionserver.hostname": connect,
        "hbase.master.ipc.address": listen,
        "hbase.regionserver.ipc.address": listen,
        # no web UIs: nothing here reads them
        "hbase.master.info.port": "-1",
        "hbase.regionserver.info.port": "-1",
        # Thrift server (ThriftServer ignores -D: its settings live here)
        "hbase.regionserver.thrift.port": str(settings.thrift_port),
        "hbase.regionserver.thrift.ipaddress": listen,
        "hbase.thrift.info.port": "-1",
        "hbase.regionserver.thrift.framed": "false",
        "hbase.regionserver.thrift.compact": "false",
        "hbase.thrift.server.socket.read.timeout": "60000",
        # fail fast instead of retrying for minutes when the cluster is gone
        "hbase.client.retries.number": "10",
        "zookeeper.session.timeout": "30000",
    }


def write_conf(
    settings: Settings, engine: str = ENGINE, extra: dict[str, str] | None = None
) -> Path:
    """Write hbase-site.xml (site_properties, then extra) and log4j2.properties; the conf dir."""
    conf = conf_dir(engine)
    conf.mkdir(parents=True, exist_ok=True)
    props = "".join(
        f"  <property><name>{escape(k)}</name><value>{escape(v)}</value></property>\n"
        for k, v in {**site_properties(settings, engine), **(extra or {})}.items()
    )
    (conf / "hbase-site.xml").write_text(
        f'<?xml version="1.0"?>\n<!-- written by mrkit hbase up -->\n<configuration>\n'
        f"{props}</configuration>\n"
    )
    (conf / "log4j2.properties").write_text(LOG4J2)
    return conf


def _java_argv(
    lib: Path, conf: Path, main: str, *args: str, engine: str = ENGINE, opts: tuple[str, ...] = ()
) -> list[str]:
    return [
        java_bin(),
        *HBASE_JAVA17_FLAGS,
        "-Xmx1g",
        *opts,
        f"-Dlog4j2.configurationFile={conf / 'log4j2.properties'}",
        f"-Dhbase.log.dir={state_dir(engine) / 'logs'}",
        "-cp",
        classpath(conf, lib / "*"),
        main,
        *args,
    ]


def thrift_argv(settings: Settings, lib: Path, conf: Path) -> list[str]:
    """HBase's ThriftServer if its jar is there, else the Thrift gateway (same API)."""
    if any(lib.glob("hbase-thrift-*.jar")):
        return _java_argv(
            lib,
            conf,
            "org.apache.hadoop.hbase.thrift.ThriftServer",
            "-b",
            settings.bind_host,
            "-p",
            str(settings.thrift_port),
            *(["-f"] if settings.transport == "framed" else []),
            *(["-c"] if settings.protocol == "compact" else []),
            "start",
        )
    return [
        sys.executable,
        str(SCRIPTS_DIR / "hbase" / "thrift_gateway.py"),
        "--host",
        settings.bind_host,
        "--port",
        str(settings.thrift_port),
        "--conf",
        str(conf),
        "--lib",
        str(lib),
        "--transport",
        settings.transport,
        "--protocol",
        settings.protocol,
    ]


def thrift_answers(settings: Settings, timeout_ms: int = 5000) -> bool:
    """True if happybase can list tables through the Thrift server."""
    import happybase

    try:
        conn = happybase.Connection(
            settings.host,
            settings.thrift_port,
            timeout=timeout_ms,
            transport=settings.transport,
            protocol=settings.protocol,
        )
        try:
            conn.tables()
        finally:
            conn.close()
        return True
    except Exception:  # any transport or server error means "not ready yet"
        return False


def up(settings: Settings | None = None) -> Settings:
    """Start HBase and its Thrift server unless ours already run; wait until they answer."""
    settings = settings or Settings.from_env()
    hm, ts = master(), thrift()
    if hm.running() and ts.running() and thrift_answers(settings):
        return settings
    lib = fetch(ENGINE)
    conf = write_conf(settings)
    at = config.connect_host(settings.bind_host)
    if not hm.running():
        check_ports_free(
            {
                "MRKIT_HBASE_ZK_PORT": settings.zk_port,
                "MRKIT_HBASE_MASTER_PORT": settings.master_port,
                "MRKIT_HBASE_REGIONSERVER_PORT": settings.regionserver_port,
            },
            at,
        )
        hm.start(
            _java_argv(lib, conf, "org.apache.hadoop.hbase.master.HMaster", "start"),
            cwd=state_dir(ENGINE),
        )
        wait_for(
            lambda: (
                port_in_use(settings.regionserver_port, at) and port_in_use(settings.zk_port, at)
            ),
            settings.start_timeout,
            "HBase master",
            alive=hm.running,
            log=hm.log,
        )
    if not ts.running():
        check_ports_free({"MRKIT_HBASE_THRIFT_PORT": settings.thrift_port}, at)
        ts.start(thrift_argv(settings, lib, conf), cwd=state_dir(ENGINE))
    wait_for(
        lambda: thrift_answers(settings),
        settings.start_timeout,
        f"HBase Thrift server on {settings.host}:{settings.thrift_port}",
        alive=lambda: ts.running() and hm.running(),
        log=ts.log,
        interval=2.0,
    )
    return settings


def restart_thrift(settings: Settings | None = None) -> None:
    """Stop and start the Thrift server only (HBase keeps running); wait until it answers."""
    settings = settings or Settings.from_env()
    ts = thrift()
    ts.stop()
    at = config.connect_host(settings.bind_host)
    wait_for(
        lambda: not port_in_use(settings.thrift_port, at), 30, "the old Thrift server to let go"
    )
    ts.start(thrift_argv(settings, fetch(ENGINE), write_conf(settings)), cwd=state_dir(ENGINE))
    wait_for(
        lambda: thrift_answers(settings),
        settings.start_timeout,
        "HBase Thrift server",
        alive=ts.running,
        log=ts.log,
        interval=0.5,
    )


def down() -> list[str]:
    """Stop the Thrift server, then HBase; return the names of what was stopped."""
    stopped = []
    for daemon in (thrift(), master()):
        if daemon.stop(timeout=30):
            stopped.append(daemon.name)
    return stopped


def status(settings: Settings | None = None) -> dict[str, str]:
    """{daemon: 'running (pid N)' | 'stopped'} plus whether Thrift answers."""
    settings = settings or Settings.from_env()
    out = {}
    for daemon in (master(), thrift()):
        pid = daemon.pid()
        out[daemon.name] = f"running (pid {pid})" if pid else "stopped"
    where = f"{settings.host}:{settings.thrift_port} ({settings.transport}, {settings.protocol})"
    out["thrift answers"] = f"yes at {where}" if thrift_answers(settings) else f"no at {where}"
    return out
