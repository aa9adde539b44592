"""A Kerberized standalone HBase and its Thrift gateway with SASL/GSSAPI (``mrkit hbase up
--secure``), on the KDC of the secure cluster (``mrkit cluster up --secure`` first).

The open HBase of mr/engines/hbase.py with ``hbase.security.authentication=kerberos``: HBase
logs in as ``hbase/localhost@MRKIT.TEST`` (master and region server in one JVM), the gateway
(scripts/hbase/thrift_gateway.py) as ``thrift/localhost@MRKIT.TEST``, each from its own keytab
(``<secure state>/keytabs/{hbase,thrift}.keytab``, made by the KDC). The gateway wants SASL/GSSAPI
from every client (``hbase.thrift.security.qop=auth``) and calls HBase as the caller, a proxy
user of its own login (``hbase.thrift.support.proxyuser``, ``hadoop.proxyuser.thrift.*``); it
issues delegation tokens for a job's tasks (mr/clients/hbase_tokens.py), kept in
``thrift-tokens.json`` (0600).
HBase checks permissions (AccessController): the OS user running mrkit is its superuser, alice
and bob have no grants. Its root dir is the local file system (no HDFS); the embedded ZooKeeper
is not authenticated.

State under ``<state>/hbase-secure/`` (conf/, data/: new at each start, logs/, state.json),
ports of its own (MRKIT_SECURE_HBASE_{ZK,MASTER,REGIONSERVER,THRIFT}_PORT, mr/lib/defaults.py),
on 127.0.0.1, so that it and the open HBase can run at once. Clients connect to ``localhost``
(the host in the gateway's principal) with ``--hbase-sasl auth`` and
``MRKIT_HBASE_SASL_SERVICE=thrift``: ``mrkit hbase env --secure`` prints that environment.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from mr.engines import (
    Daemon,
    EngineError,
    check_ports_free,
    fetch,
    port_in_use,
    secure,
    state_dir,
    wait_for,
)
from mr.engines import hbase as open_hbase
from mr.lib import config
from mr.lib.defaults import SECURE_HBASE_PORT_DEFAULTS

ENGINE = "hbase-secure"
#: the Thrift gateway's SASL quality of protection (hbase.thrift.security.qop)
QOP = "auth"
#: where clients connect: the host of the gateway's principal thrift/localhost
CLIENT_HOST = "localhost"
LOCAL = "127.0.0.1"
#: log4j 1 (reload4j through slf4j is what HBase's jars log with here; log4j2.properties is not
#: read): the security lines (logins, refusals) are what one needs from a secure HBase
LOG4J = """\
log4j.rootLogger=WARN,console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.err
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %-5p [%t] %c{2}: %m%n
log4j.logger.org.apache.hadoop.hbase.security=INFO
log4j.logger.SecurityLogger=INFO
"""


@dataclass
class SecureHBaseInfo:
    """What a client needs to reach the running secure HBase (saved in state.json)."""

    master_pid: int
    thrift_pid: int
    host: str
    thrift_port: int
    zk_port: int
    qop: str
    sasl_service: str
    principals: dict[str, str]
    krb5_conf: str

    def env(self) -> dict[str, str]:
        """A client's environment for it (the user's ticket is `mrkit cluster env --secure`'s)."""
        return {
            config.HBASE_HOST_ENV: self.host,
            config.HBASE_PORT_ENV: str(self.thrift_port),
            config.HBASE_SASL_ENV: self.qop,
            config.HBASE_SASL_SERVICE_ENV: self.sasl_service,
            "KRB5_CONFIG": self.krb5_conf,
        }


def ports() -> dict[str, int]:
    values = {}
    for env, default in SECURE_HBASE_PORT_DEFAULTS.items():
        raw = os.environ.get(env, "")
        try:
            values[env] = int(raw) if raw else default
        except ValueError:
            raise EngineError(f"{env}={raw!r} is not a port number") from None
        if not 0 < values[env] < 65536:
            raise EngineError(f"{env}={raw!r} is not a port number")
    return values


def settings() -> open_hbase.Settings:
    p = ports()
    return open_hbase.Settings(
        host=CLIENT_HOST,
        zk_port=p["MRKIT_SECURE_HBASE_ZK_PORT"],
        master_port=p["MRKIT_SECURE_HBASE_MASTER_PORT"],
        regionserver_port=p["MRKIT_SECURE_HBASE_REGIONSERVER_PORT"],
        thrift_port=p["MRKIT_SECURE_HBASE_THRIFT_PORT"],
        start_timeout=float(os.environ.get("MRKIT_HBASE_START_TIMEOUT", "180")),
        bind_host=LOCAL,
    )


def master() -> Daemon:
    return Daemon(ENGINE, "hmaster")


def thrift() -> Daemon:
    return Daemon(ENGINE, "thrift")


def state_path() -> Path:
    return state_dir(ENGINE) / "state.json"


def token_store() -> Path:
    return state_dir(ENGINE) / "thrift-tokens.json"


def security_properties() -> dict[str, str]:
    """hbase-site.xml on top of the open HBase's: Kerberos, permissions, the gateway's SASL."""
    hbase_p, thrift_p = (secure.HBASE_PRINCIPALS[n] for n in ("hbase", "thrift"))
    hbase_kt, thrift_kt = (str(secure.keytab(n)) for n in ("hbase", "thrift"))
    gateway = thrift_p.split("/")[0]
    access = "org.apache.hadoop.hbase.security.access.AccessController"
    return {
        "hadoop.security.authentication": "kerberos",
        "hadoop.security.authorization": "true",
        "hbase.security.authentication": "kerberos",
        "hbase.security.authorization": "true",
        "hbase.coprocessor.master.classes": access,
        "hbase.coprocessor.region.classes": access,
        # mrkit's own user administers HBase, as it is the HDFS superuser of the secure cluster
        "hbase.superuser": secure.os_user(),
        "hbase.master.kerberos.principal": hbase_p,
        "hbase.master.keytab.file": hbase_kt,
        "hbase.regionserver.kerberos.principal": hbase_p,
        "hbase.regionserver.keytab.file": hbase_kt,
        "hbase.thrift.kerberos.principal": thrift_p,
        "hbase.thrift.keytab.file": thrift_kt,
        "hbase.thrift.security.qop": QOP,
        "hbase.thrift.support.proxyuser": "true",
        # the gateway's delegation tokens (master key, tokens outstanding), 0600: a restarted
        # gateway honours the tokens of running jobs
        "mrkit.thrift.token.store": str(token_store()),
        f"hadoop.proxyuser.{gateway}.hosts": "*",
        f"hadoop.proxyuser.{gateway}.groups": "*",
    }


def info() -> SecureHBaseInfo | None:
    """The running secure HBase, else None."""
    try:
        state = SecureHBaseInfo(**json.loads(state_path().read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if master().pid() != state.master_pid or thrift().pid() != state.thrift_pid:
        return None
    return state


def answers(s: open_hbase.Settings) -> bool:
    """True if the gateway lists tables for the OS user over SASL (its engine ticket)."""
    from mr.clients.hbase_sasl import SaslConnection

    service = secure.HBASE_PRINCIPALS["thrift"].split("/")[0]
    with secure.kerberos_env(secure.engine_ccache()):
        try:
            conn = SaslConnection(s.host, s.thrift_port, service=service, qop=QOP, timeout=5000)
            try:
                conn.tables()
            finally:
                conn.close()
            return True
        except Exception:  # any transport, SASL or server error means "not ready yet"
            return False


def up(say: Callable[[str], None] | None = None) -> SecureHBaseInfo:
    """Start the secure HBase, then its gateway, and wait until the gateway answers over SASL;
    harmless if running. Needs the secure cluster's KDC and keytabs."""
    say = say or (lambda message: None)
    running = info()
    if running is not None:
        say(f"hbase-secure: already running (pid {running.master_pid})")
        return running
    cluster = secure.info()
    if cluster is None:
        raise EngineError(
            "the secure HBase uses the secure cluster's KDC: `mrkit cluster up --secure` first"
        )
    missing = [n for n in secure.HBASE_PRINCIPALS if not secure.keytab(n).exists()]
    if missing:
        raise EngineError(
            f"the secure cluster has no {', '.join(missing)} keytab (started by an older mrkit): "
            "`mrkit cluster down --secure` and up again"
        )
    if master().running() or thrift().running():
        raise EngineError("a secure HBase is half-started: `mrkit hbase down --secure` first")
    s = settings()
    check_ports_free(ports(), LOCAL)
    lib = fetch(open_hbase.ENGINE)
    # a fresh HBase each start, as the secure cluster is: its users and keys are the KDC's of now
    shutil.rmtree(state_dir(ENGINE) / "data", ignore_errors=True)
    token_store().unlink(missing_ok=True)  # tokens of the HBase of before
    conf = open_hbase.write_conf(s, ENGINE, security_properties())
    (conf / "log4j.properties").write_text(LOG4J)
    # Hadoop's UserGroupInformation reads core-site.xml, not hbase-site.xml: without it HBase
    # did not log in from its keytab and ran as the OS user ("Kerberos principal does NOT
    # contain an instance (hostname): root" on every RPC)
    core = {k: v for k, v in security_properties().items() if k.startswith("hadoop.")}
    (conf / "core-site.xml").write_text(secure._site_xml(core))
    state_path().unlink(missing_ok=True)
    krb5 = cluster.krb5_conf
    # the servers log in from their keytabs, never from a user's ticket cache
    env = {"KRB5_CONFIG": krb5, "KRB5CCNAME": f"FILE:{state_dir(ENGINE)}/no-ticket"}
    start = time.monotonic()
    try:
        hm_pid = master().start(
            open_hbase._java_argv(
                lib,
                conf,
                "org.apache.hadoop.hbase.master.HMaster",
                "start",
                engine=ENGINE,
                opts=(f"-Djava.security.krb5.conf={krb5}",),
            ),
            cwd=state_dir(ENGINE),
            env=env,
            unset=secure.PRIVATE_ENV,
        )
        say(f"hbase-secure: HBase started pid {hm_pid}; waiting for it")
        wait_for(
            lambda: port_in_use(s.regionserver_port, LOCAL) and port_in_use(s.zk_port, LOCAL),
            s.start_timeout,
            "secure HBase master",
            alive=master().running,
            log=master().log,
        )
        argv = open_hbase.thrift_argv(s, lib, conf)
        ts_pid = thrift().start(
            argv,
            cwd=state_dir(ENGINE),
            env={**env, "KRB5_KTNAME": f"FILE:{secure.keytab('thrift')}"},
            unset=secure.PRIVATE_ENV,
        )
        wait_for(
            lambda: answers(s),
            s.start_timeout,
            f"secure HBase Thrift gateway on {s.host}:{s.thrift_port}",
            alive=lambda: thrift().running() and master().running(),
            log=thrift().log,
            interval=2.0,
        )
    except BaseException:
        down()
        raise
    state = SecureHBaseInfo(
        master_pid=hm_pid,
        thrift_pid=ts_pid,
        host=s.host,
        thrift_port=s.thrift_port,
        zk_port=s.zk_port,
        qop=QOP,
        sasl_service=secure.HBASE_PRINCIPALS["thrift"].split("/")[0],
        principals=dict(secure.HBASE_PRINCIPALS),
        krb5_conf=krb5,
    )
    state_path().write_text(json.dumps(asdict(state), indent=2))
    say(f"hbase-secure: ready in {time.monotonic() - start:.0f}s")
    return state


def down() -> list[str]:
    """Stop the gateway, then HBase (their recorded pids); the names of what was stopped."""
    stopped = [d.name for d in (thrift(), master()) if d.stop(timeout=30)]
    state_path().unlink(missing_ok=True)
    return stopped


def status() -> dict[str, str]:
    """{daemon: 'running (pid N)' | 'stopped'} and where the gateway listens."""
    out = {}
    for daemon in (master(), thrift()):
        pid = daemon.pid()
        out[daemon.name] = f"running (pid {pid})" if pid else "stopped"
    state = info()
    out["thrift"] = (
        f"{state.host}:{state.thrift_port} (SASL/GSSAPI qop {state.qop}, service "
        f"{state.sasl_service})"
        if state
        else "not running"
    )
    return out
