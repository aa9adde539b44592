"""A Kerberized Oozie 5.2.1 on the secure cluster (``mrkit oozie up --secure``).

The server of mr/engines/oozie.py (same jars, same layout and settings), against the cluster of
``mrkit cluster up --secure`` (mr/engines/secure.py), with Kerberos on both of its sides:

- towards Hadoop: Oozie logs in from ``keytabs/oozie.keytab`` as ``oozie/localhost@MRKIT.TEST``
  (``oozie.service.HadoopAccessorService.kerberos.*``) and acts for each workflow's user as a
  proxy user: the secure cluster lets ``oozie`` do so (``hadoop.proxyuser.oozie.*`` in
  secure.secure_settings). Oozie gets the delegation tokens the launcher and its jobs use.
- towards its clients: the REST API wants SPNEGO (``oozie.authentication.type=kerberos``) as
  ``HTTP/localhost``; ``?user.name=`` alone is refused with 401. ``oozie.keytab`` holds that
  key too, exported by the KDC from the principal it made for the cluster (made again, it would
  get new keys and cluster.keytab's would stop working), so the server never reads
  ``cluster.keytab``, which holds the keys of every Hadoop daemon.

State under ``<state>/oozie-secure/`` (the layout of mr/engines/oozie.py), port
MRKIT_SECURE_OOZIE_PORT (default 18011) on localhost; the sharelib under
``/user/<os user>/share/lib`` on the secure HDFS, uploaded as the OS user (the HDFS superuser).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mr.engines import (
    Daemon,
    EngineError,
    check_ports_free,
    fetch,
    hadoop,
    java_bin,
    oozie,
    secure,
    state_dir,
    wait_for,
)
from mr.lib.defaults import (
    OOZIE_START_TIMEOUT,
    SECURE_OOZIE_DEFAULT_PORT,
    SECURE_OOZIE_PORT_ENV,
)

ENGINE = "oozie-secure"
PORT_ENV = SECURE_OOZIE_PORT_ENV
DEFAULT_PORT = SECURE_OOZIE_DEFAULT_PORT


@dataclass
class SecureOozieInfo:
    """The running secure server (saved in state.json)."""

    pid: int
    port: int
    url: str
    #: the pid of the secure cluster it was started against
    hadoop_pid: int
    sharelib: str
    user: str
    principal: str
    http_principal: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def home() -> Path:
    return state_dir(ENGINE)


def state_path() -> Path:
    return home() / "state.json"


def daemon() -> Daemon:
    return Daemon(ENGINE, "oozie-server")


def port_from_env() -> int:
    raw = os.environ.get(PORT_ENV, "")
    try:
        port = int(raw) if raw else DEFAULT_PORT
    except ValueError:
        raise EngineError(f"{PORT_ENV}={raw!r} is not a port number") from None
    if not 0 < port < 65536:
        raise EngineError(f"{PORT_ENV}={raw!r} is not a port number")
    return port


def info() -> SecureOozieInfo | None:
    """The running server started by `mrkit oozie up --secure`, else None."""
    try:
        state = SecureOozieInfo(**json.loads(state_path().read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if daemon().pid() != state.pid:
        return None
    return state


def kerberos_settings() -> dict[str, str]:
    """oozie-site.xml on top of oozie.SITE_SETTINGS: Kerberos towards Hadoop and clients."""
    return {
        "local.realm": secure.REALM,
        "oozie.service.HadoopAccessorService.kerberos.enabled": "true",
        "oozie.service.HadoopAccessorService.kerberos.principal": secure.OOZIE_PRINCIPAL,
        "oozie.service.HadoopAccessorService.keytab.file": str(
            secure.keytab(secure.OOZIE_SHORT_NAME)
        ),
        "oozie.authentication.type": "kerberos",
        "oozie.authentication.kerberos.principal": secure.HTTP_PRINCIPAL,
        "oozie.authentication.kerberos.keytab": str(secure.keytab(secure.OOZIE_SHORT_NAME)),
        "oozie.authentication.kerberos.name.rules": "DEFAULT",
        "oozie.authentication.simple.anonymous.allowed": "false",
        # the sharelib of the OS user, not of the server's Kerberos short name (oozie)
        "oozie.service.WorkflowAppService.system.libpath": oozie.SHARELIB_ROOT.format(
            user=secure.os_user()
        ),
    }


def url_for(port: int) -> str:
    # localhost, not 127.0.0.1: SPNEGO clients ask for a ticket of HTTP/<the URL's host>
    return f"http://localhost:{port}/oozie"


def _superuser_fs(cluster: secure.SecureInfo) -> Any:
    from mr.clients.hdfs import HDFS
    from mr.lib.webhdfs import raw_client

    return HDFS(raw_client(url=cluster.webhdfs_url))


def up(
    port: int | None = None,
    timeout: float = OOZIE_START_TIMEOUT,
    say: Callable[[str], None] | None = None,
) -> SecureOozieInfo:
    """Start the server against the running secure cluster and wait until it answers NORMAL
    over SPNEGO; harmless if it already runs against this cluster."""
    say = say or (lambda message: None)
    cluster = secure.info()
    if cluster is None:
        raise EngineError(
            "the secure cluster is not running: start it first (`mrkit cluster up --secure`)"
        )
    if not oozie.proxy_user_allowed(secure.written_config(), secure.OOZIE_SHORT_NAME):
        raise EngineError(
            f"the running secure cluster does not let {secure.OOZIE_SHORT_NAME} act for others "
            "(a cluster started by an older mrkit): restart it (`mrkit cluster down --secure "
            "&& mrkit cluster up --secure`)"
        )
    if not secure.keytab(secure.OOZIE_SHORT_NAME).exists():
        raise EngineError(
            f"no {secure.keytab(secure.OOZIE_SHORT_NAME)} (a cluster started by an older "
            "mrkit): restart it (`mrkit cluster down --secure && mrkit cluster up --secure`)"
        )
    running = info()
    if running is not None:
        if running.hadoop_pid == cluster.pid:
            say(f"oozie-secure: already running (pid {running.pid}) at {running.url}")
            return running
        say(f"oozie-secure: pid {running.pid} runs with an older cluster; restarting it")
        down()
    port = port or port_from_env()
    java = java_bin()
    check_ports_free({PORT_ENV: port})
    say("oozie-secure: fetching jars (Maven, first time only)...")
    lib = fetch(oozie.ENGINE)
    root = home()
    with secure.kerberos_env(secure.engine_ccache()):
        sharelib = oozie.upload_sharelib(
            lib, secure.os_user(), say, fs=_superuser_fs(cluster), state=root
        )
    app_classpath = ",".join([cluster.conf_dir, f"{hadoop.lib_dir(hadoop.ENGINE)}/*"])
    oozie.write_hadoop_conf(
        None,
        source=Path(cluster.conf_dir) / "core-site.xml",
        app_classpath=app_classpath,
        state=root,
    )
    url = url_for(port)
    # the launchers call back oozie.base.url (localhost): the callback servlet is outside
    # the authentication filter
    oozie.write_conf(port, "", "127.0.0.1", state=root, extra=kerberos_settings())
    # every action's launcher (a YARN AM) is a Java Hadoop client in a secure cluster: Java
    # reads /etc/krb5.conf, not KRB5_CONFIG, and without the realm its UGI failed ("No rules
    # applied to oozie/localhost@MRKIT.TEST")
    launcher_opts = f"-Djava.security.krb5.conf={cluster.krb5_conf}"
    (oozie.conf_dir(root) / "action-conf" / "default.xml").write_text(
        oozie.site_xml({"oozie.launcher.javaopts": launcher_opts})
    )
    oozie._keep_or_renew_database(cluster.pid, say, state=root)
    oozie.log_dir(root).mkdir(parents=True, exist_ok=True)
    state_path().unlink(missing_ok=True)
    d = daemon()
    argv = oozie.java_command(
        lib, port, state=root, jvm=(f"-Djava.security.krb5.conf={cluster.krb5_conf}",)
    )
    argv[0] = java
    # no user's ticket cache: the server logs in from its keytab
    env = {**hadoop.container_env(), "KRB5CCNAME": f"FILE:{cluster.ccache_dir}/server-none"}
    pid = d.start(argv, cwd=root, env=env, unset=secure.PRIVATE_ENV)
    say(f"oozie-secure: started pid {pid}, log {d.log}; waiting up to {timeout:.0f}s for {url}")
    start = time.monotonic()
    try:
        wait_for(
            lambda: system_mode(url, cluster) == "NORMAL",
            timeout=timeout,
            what=f"secure Oozie server (pid {pid})",
            alive=lambda: d.pid() == pid,
            log=d.log,
        )
    except BaseException:
        d.stop()
        raise
    say(f"oozie-secure: ready in {time.monotonic() - start:.0f}s")
    state = SecureOozieInfo(
        pid=pid,
        port=port,
        url=url,
        hadoop_pid=cluster.pid,
        sharelib=sharelib,
        user=secure.os_user(),
        principal=secure.OOZIE_PRINCIPAL,
        http_principal=secure.HTTP_PRINCIPAL,
    )
    state_path().write_text(state.to_json())
    return state


def system_mode(url: str, cluster: secure.SecureInfo) -> str | None:
    """The server's system mode, asked over SPNEGO as the OS user; None if it does not answer."""
    from mr.lib import auth

    with secure.kerberos_env(secure.engine_ccache()):
        try:
            session = auth.http_session()
            answer = session.get(f"{url}/v2/admin/status", timeout=3)
            if answer.status_code != 200:
                return None
            return str(answer.json().get("systemMode"))
        except (OSError, ValueError, auth.NoTicket):
            return None
        except Exception as e:  # requests' own errors (ConnectionError ...)
            if type(e).__module__.startswith("requests"):
                return None
            raise


def down() -> bool:
    """Stop the server we started (by its recorded pid only); True if one was running."""
    stopped = daemon().stop()
    state_path().unlink(missing_ok=True)
    return stopped


def status() -> dict[str, Any]:
    """{'running': bool, ...}: pid, port, URL, principals, system mode, its cluster."""
    state = info()
    if state is None:
        return {"running": False, "pid": daemon().pid()}
    cluster = secure.info()
    return {
        "running": True,
        "secure": True,
        **asdict(state),
        "system_mode": system_mode(state.url, cluster) if cluster else None,
        "cluster_running": cluster is not None and cluster.pid == state.hadoop_pid,
        "log": str(oozie.log_dir(home()) / "oozie.log"),
    }
