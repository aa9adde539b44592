"""A Kerberized Hadoop 3.4.1 on one machine: a MiniKdc, then HDFS + YARN + JobHistory in secure
mode (``mrkit cluster up --secure``).

Hadoop's MiniKdc (realm MRKIT.TEST, scripts/kerberos/MrkitKdc.java) and the CLI MiniCluster of
mr/engines/hadoop.py, configured by settings only (``-D``, and the same in the cluster's own
core-site.xml for the JVMs it starts): Kerberos RPC, SASL data transfer (no root, no privileged
ports), WebHDFS over HTTPS with SPNEGO, ``dfs.permissions.enabled=true``. The daemons' keytab
and secret paths stay out of the clients' conf/. Its state lives apart from the open cluster's,
under ``<state>/hadoop-secure/``, on its own ports (mr/lib/defaults.py ``SECURE_PORT_DEFAULTS``),
so that both can run at once; it uses the open cluster's jars.

- ``keytabs/``   0600, in a 0700 dir: ``cluster.keytab`` (``<os user>/localhost``, the
  service principal of every daemon, and ``HTTP/localhost`` for SPNEGO), ``<os user>.keytab``
  (the OS user running mrkit: its short name is the user the NodeManager runs containers as, so
  a job's shuffle passes Hadoop's owner check even outside uber mode), ``alice.keytab`` and
  ``bob.keytab`` (two more users, for permission tests)
  ``oozie.keytab`` (``oozie/localhost``, the secure Oozie server's own principal, and
  ``HTTP/localhost`` for its SPNEGO)
- ``krb5.conf``  the realm, for MIT tools and gssapi (KRB5_CONFIG) and for Java
  (``-Djava.security.krb5.conf`` on every JVM: the cluster, the ApplicationMaster, the tasks)
- ``ccache/``    ticket caches: ``krb5cc_<user>`` for the users, ``engine`` for mrkit's own
  set-up calls (made as the OS user, the HDFS superuser)
- ``ssl/``       the NameNode's and DataNode's HTTPS keystore (keytool, a random password kept
  only in 0600 files) and ``ca.pem``, the certificate clients trust (MRKIT_WEBHDFS_CA)
- ``conf/``      client configuration (HADOOP_CONF_DIR); ``mrjob.conf``; ``state.json``

The KDC starts first and the cluster after it: a KDC that starts again makes new keys, and the
keytabs the cluster holds stop working. libhadoop.so (needed for any reduce phase with security
on) comes from scripts/libhadoop/pom.xml, extracted into ``<state>/libhadoop/native``.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import secrets
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mr.engines import (
    JAVA17_OPENS,
    SCRIPTS_DIR,
    Daemon,
    EngineError,
    check_ports_free,
    classpath,
    fetch,
    hadoop,
    java_bin,
    require_tool,
    state_dir,
    wait_for,
)
from mr.lib.defaults import (
    HADOOP_START_TIMEOUT,
    SECURE_EXTRA_USERS,
    SECURE_PORT_DEFAULTS,
    SECURE_REALM,
)

ENGINE = "hadoop-secure"
REALM = SECURE_REALM
KDC_SOURCE = SCRIPTS_DIR / "kerberos" / "MrkitKdc.java"
#: where mrjob's hadoop runner keeps a job's files on the secure cluster (hadoop_tmp_dir)
MRJOB_TMP = "/tmp/mrkit/mrjob"
#: the JVM options every Java process of the secure cluster gets besides Hadoop's own
TASK_JAVA_OPTS = "-Xmx400m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
#: environment variables the cluster's JVM must not inherit from whoever starts it: YARN
#: passes its environment on to containers, and tasks get delegation tokens, not these
PRIVATE_ENV = ("MRKIT_KEYTAB", "MRKIT_PRINCIPAL", "HADOOP_CLIENT_OPTS")


def os_user() -> str:
    return getpass.getuser()


def service_principal() -> str:
    """One principal for NN, DN, RM, NM and JHS: its short name is the OS user running them."""
    return f"{os_user()}/localhost@{REALM}"


HTTP_PRINCIPAL = f"HTTP/localhost@{REALM}"
#: the secure Oozie server's own principal (``mrkit oozie up --secure``, oozie_secure.py):
#: its short name, ``oozie``, is the proxy user the cluster lets act for workflow users
OOZIE_SHORT_NAME = "oozie"
OOZIE_PRINCIPAL = f"{OOZIE_SHORT_NAME}/localhost@{REALM}"

#: the secure HBase's service principals (mr/engines/hbase_secure.py), each in its own keytab
#: <name>.keytab: HBase itself (master and region server in one JVM), and its Thrift gateway
HBASE_PRINCIPALS = {"hbase": f"hbase/localhost@{REALM}", "thrift": f"thrift/localhost@{REALM}"}


def users() -> tuple[str, ...]:
    """The KDC's users: the OS user running mrkit first, then alice and bob."""
    return (os_user(), *[u for u in SECURE_EXTRA_USERS if u != os_user()])


@dataclass(frozen=True)
class SecurePorts:
    """Every port of the secure cluster (see mr/lib/defaults.py SECURE_PORT_DEFAULTS)."""

    values: dict[str, int] = field(default_factory=lambda: dict(SECURE_PORT_DEFAULTS))

    @classmethod
    def from_env(cls) -> SecurePorts:
        values = {}
        for env, default in SECURE_PORT_DEFAULTS.items():
            raw = os.environ.get(env, "")
            try:
                values[env] = int(raw) if raw else default
            except ValueError:
                raise EngineError(f"{env}={raw!r} is not a port number") from None
            if not 0 < values[env] < 65536:
                raise EngineError(f"{env}={raw!r} is not a port number")
        return cls(values)

    def __getitem__(self, name: str) -> int:
        return self.values[f"MRKIT_SECURE_{name.upper()}_PORT"]


@dataclass
class SecureInfo:
    """What a client needs to reach the running secure cluster (saved in state.json)."""

    pid: int
    kdc_pid: int
    ports: dict[str, int]
    realm: str
    fs_uri: str
    webhdfs_url: str
    conf_dir: str
    mrjob_conf: str
    krb5_conf: str
    ca_file: str
    ccache_dir: str
    keytabs: dict[str, str]
    principals: dict[str, str]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> SecureInfo:
        return cls(**json.loads(text))

    def ccache(self, user: str) -> str:
        return f"FILE:{self.ccache_dir}/krb5cc_{user}"

    def env(self, user: str | None = None) -> dict[str, str]:
        """The environment of a client acting as `user` (default: the OS user): what
        `mrkit cluster env --secure` prints."""
        user = user or os_user()
        return {
            "HADOOP_CONF_DIR": self.conf_dir,
            "KRB5_CONFIG": self.krb5_conf,
            "KRB5CCNAME": self.ccache(user),
            "MRKIT_PRINCIPAL": self.principals[user],
            "MRKIT_KEYTAB": self.keytabs[user],
            "MRKIT_WEBHDFS_URL": self.webhdfs_url,
            "MRKIT_WEBHDFS_CA": self.ca_file,
            "MRJOB_CONF": self.mrjob_conf,
            "HADOOP_CLIENT_OPTS": f"-Djava.security.krb5.conf={self.krb5_conf}",
        }


def home() -> Path:
    return state_dir(ENGINE)


def kdc_daemon() -> Daemon:
    return Daemon(ENGINE, "kdc")


def daemon() -> Daemon:
    return Daemon(ENGINE, "minicluster")


def state_path() -> Path:
    return home() / "state.json"


def written_config() -> Path:
    return home() / "cluster-site.xml"


def conf_dir() -> Path:
    return home() / "conf"


def server_conf_dir() -> Path:
    return home() / "server-conf"


def keytab_dir() -> Path:
    return home() / "keytabs"


def krb5_conf_path() -> Path:
    return home() / "krb5.conf"


def ccache_dir() -> Path:
    return home() / "ccache"


def ssl_dir() -> Path:
    return home() / "ssl"


def ca_path() -> Path:
    return ssl_dir() / "ca.pem"


def native_dir() -> Path:
    """Where libhadoop.so is extracted (shared by every secure cluster of this state root)."""
    return state_dir("libhadoop") / "native"


def info() -> SecureInfo | None:
    """The running secure cluster, else None."""
    try:
        state = SecureInfo.from_json(state_path().read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if daemon().pid() != state.pid or kdc_daemon().pid() != state.kdc_pid:
        return None
    return state


# -- libhadoop ------------------------------------------------------------------------------------

NATIVE_MEMBER = "nativelib/Linux-amd64/libhadoop.so"


def ensure_native() -> Path:
    """libhadoop.so in native_dir() (fetched with Maven the first time); its directory."""
    target = native_dir() / "libhadoop.so"
    if target.exists():
        return native_dir()
    if os.uname().machine not in ("x86_64", "amd64"):
        raise EngineError(
            f"the secure cluster's libhadoop.so is the x86_64 one; this is {os.uname().machine}"
        )
    lib = fetch("libhadoop")
    jars = sorted(lib.glob("hadoop-apache-*.jar"))
    if not jars:
        raise EngineError(f"no io.trino.hadoop hadoop-apache jar in {lib}")
    native_dir().mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(jars[-1]) as jar:
        data = jar.read(NATIVE_MEMBER)
    partial = target.with_suffix(".so.partial")
    partial.write_bytes(data)
    partial.chmod(0o755)
    partial.replace(target)
    return native_dir()


# -- the KDC --------------------------------------------------------------------------------------


def keytab(name: str) -> Path:
    return keytab_dir() / f"{name}.keytab"


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def start_kdc(port: int, timeout: float, say: Callable[[str], None]) -> int:
    """Start the MiniKdc and write every keytab (each principal created once); its pid."""
    lib = fetch("kerberos")
    kdc = kdc_daemon()
    shutil.rmtree(keytab_dir(), ignore_errors=True)
    _private_dir(keytab_dir())
    groups = [f"{keytab('cluster')}={service_principal()},{HTTP_PRINCIPAL}"]
    groups += [f"{keytab(user)}={user}" for user in users()]
    # Oozie's own keytab holds HTTP/localhost too (exported, same keys) for its SPNEGO: the
    # Oozie JVM never reads cluster.keytab, which holds the keys of every Hadoop daemon
    groups.append(f"{keytab(OOZIE_SHORT_NAME)}={OOZIE_PRINCIPAL},+{HTTP_PRINCIPAL}")
    groups += [f"{keytab(name)}={principal}" for name, principal in HBASE_PRINCIPALS.items()]
    work = home() / "kdc"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    argv = [java_bin(), "-cp", classpath(f"{lib}/*"), str(KDC_SOURCE), str(work), str(port)]
    log_size = kdc.log.stat().st_size if kdc.log.exists() else 0
    pid = kdc.start([*argv, *groups], cwd=work)
    say(f"kerberos: KDC started pid {pid} (realm {REALM}, port {port})")

    def ready() -> bool:
        with open(kdc.log, "rb") as log:
            log.seek(log_size)
            return b"KDC READY" in log.read()

    wait_for(ready, timeout=timeout, what=f"MiniKdc (pid {pid})", alive=kdc.running, log=kdc.log)
    for path in keytab_dir().iterdir():
        path.chmod(0o600)  # MrkitKdc.java writes them so; kept so whatever wrote them
    return pid


def write_krb5_conf(port: int) -> Path:
    path = krb5_conf_path()
    path.write_text(
        "# written by `mrkit cluster up --secure`: the realm of its MiniKdc\n"
        "[libdefaults]\n"
        f"  default_realm = {REALM}\n"
        "  dns_lookup_realm = false\n"
        "  dns_lookup_kdc = false\n"
        "  dns_canonicalize_hostname = false\n"
        "  rdns = false\n"
        "  udp_preference_limit = 1\n"
        "  forwardable = true\n"
        "[realms]\n"
        f"  {REALM} = {{\n    kdc = localhost:{port}\n  }}\n"
        "[domain_realm]\n"
        f"  localhost = {REALM}\n"
    )
    return path


def kinit(user: str, ccache: str) -> None:
    """Log `user` in from its keytab into `ccache` (MIT kinit; the keytab's path, not its keys,
    is on the command line)."""
    kinit_bin = require_tool("kinit", "install MIT Kerberos' tools (apt-get install krb5-user)")
    env = {**os.environ, "KRB5_CONFIG": str(krb5_conf_path()), "KRB5CCNAME": ccache}
    principal = f"{user}@{REALM}"
    result = subprocess.run(
        [kinit_bin, "-kt", str(keytab(user)), principal], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise EngineError(f"kinit as {principal} failed: {result.stderr.strip()}")


@contextlib.contextmanager
def kerberos_env(ccache: str) -> Iterator[None]:
    """This process's Kerberos environment set to the secure cluster and `ccache` for the block
    (gssapi reads KRB5_CONFIG and KRB5CCNAME from the environment), then restored."""
    keys = ("KRB5_CONFIG", "KRB5CCNAME", "HADOOP_CONF_DIR", "MRKIT_AUTH", "MRKIT_WEBHDFS_CA")
    saved = {key: os.environ.get(key) for key in keys}
    os.environ.update(
        KRB5_CONFIG=str(krb5_conf_path()),
        KRB5CCNAME=ccache,
        HADOOP_CONF_DIR=str(conf_dir()),
        MRKIT_AUTH="kerberos",
        MRKIT_WEBHDFS_CA=str(ca_path()),
    )
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# -- TLS ------------------------------------------------------------------------------------------


def make_keystore() -> dict[str, str]:
    """A self-signed localhost certificate in a JKS keystore, its truststore and ca.pem; the
    keystore password (random, given to keytool through its environment, never argv)."""
    keytool = require_tool("keytool", "install a Java 17 JDK or JRE (it brings keytool)")
    ssl = _private_dir(ssl_dir())
    for old in ssl.iterdir():
        old.unlink()
    password = secrets.token_urlsafe(18)
    env = {**os.environ, "MRKIT_KEYSTORE_PASS": password}
    keystore, truststore = ssl / "keystore.jks", ssl / "truststore.jks"
    steps = [
        ["-genkeypair", "-alias", "localhost", "-keyalg", "RSA", "-keysize", "2048",
         "-validity", "365", "-dname", "CN=localhost",
         "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", str(keystore),
         "-storepass:env", "MRKIT_KEYSTORE_PASS", "-keypass:env", "MRKIT_KEYSTORE_PASS",
         "-storetype", "JKS"],
        ["-exportcert", "-rfc", "-alias", "localhost", "-keystore", str(keystore),
         "-storepass:env", "MRKIT_KEYSTORE_PASS", "-file", str(ca_path())],
        ["-importcert", "-noprompt", "-alias", "localhost", "-file", str(ca_path()),
         "-keystore", str(truststore), "-storepass:env", "MRKIT_KEYSTORE_PASS",
         "-storetype", "JKS"],
    ]  # fmt: skip
    for step in steps:
        result = subprocess.run([keytool, *step], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise EngineError(f"keytool {step[0]} failed: {result.stdout}{result.stderr}")
    for path in (keystore, truststore):
        path.chmod(0o600)
    ca_path().chmod(0o644)  # a certificate: public
    return {"keystore": str(keystore), "truststore": str(truststore), "password": password}


def _site_xml(properties: dict[str, str]) -> str:
    from xml.sax.saxutils import escape

    body = "".join(
        f"  <property><name>{escape(k)}</name><value>{escape(v)}</value></property>\n"
        for k, v in properties.items()
    )
    return f'<?xml version="1.0"?>\n<configuration>\n{body}</configuration>\n'


def _write_private(path: Path, text: str) -> None:
    """Write a file that holds a secret: 0600 from its first byte."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def write_ssl_confs(store: dict[str, str]) -> None:
    """ssl-server.xml (with the password: 0600, the cluster's classpath only) and
    ssl-client.xml (the truststore, no password: a truststore reads without one)."""
    server = _private_dir(server_conf_dir())
    _write_private(
        server / "ssl-server.xml",
        _site_xml(
            {
                "ssl.server.keystore.location": store["keystore"],
                "ssl.server.keystore.password": store["password"],
                "ssl.server.keystore.keypassword": store["password"],
                "ssl.server.keystore.type": "jks",
                "ssl.server.truststore.location": store["truststore"],
                "ssl.server.truststore.password": store["password"],
                "ssl.server.truststore.type": "jks",
            }
        ),
    )
    client = {
        "ssl.client.truststore.location": store["truststore"],
        "ssl.client.truststore.type": "jks",
    }
    for conf in (server, conf_dir()):
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "ssl-client.xml").write_text(_site_xml(client))
    _write_private(server / "http-secret", secrets.token_urlsafe(32))


# -- the cluster ----------------------------------------------------------------------------------


def secure_settings(ports: SecurePorts) -> dict[str, str]:
    """The -D settings of the secure cluster on top of mr/engines/hadoop.py's."""
    kt = str(keytab("cluster"))
    svc = service_principal()
    native = str(native_dir())
    krb5 = str(krb5_conf_path())
    java_opts = f"{TASK_JAVA_OPTS} -Djava.security.krb5.conf={krb5} -Djava.library.path={native}"
    local = "127.0.0.1"
    return {
        **hadoop.CLUSTER_SETTINGS,
        **hadoop.proxy_user_settings(),
        # the secure Oozie submits each action as the workflow's user
        **hadoop.proxy_user_settings(OOZIE_SHORT_NAME),
        "dfs.permissions.enabled": "true",
        "hadoop.security.authentication": "kerberos",
        "hadoop.security.authorization": "true",
        "hadoop.rpc.protection": "authentication",
        # WebHDFS's filter in 3.4 reads these (dfs.web.authentication.* alone: 403 for all)
        "hadoop.http.authentication.type": "kerberos",
        "hadoop.http.authentication.kerberos.principal": HTTP_PRINCIPAL,
        "hadoop.http.authentication.kerberos.keytab": kt,
        "hadoop.http.authentication.simple.anonymous.allowed": "false",
        "hadoop.http.authentication.signature.secret.file": str(server_conf_dir() / "http-secret"),
        "dfs.namenode.kerberos.principal": svc,
        "dfs.namenode.keytab.file": kt,
        "dfs.datanode.kerberos.principal": svc,
        "dfs.datanode.keytab.file": kt,
        "dfs.namenode.kerberos.internal.spnego.principal": HTTP_PRINCIPAL,
        "dfs.web.authentication.kerberos.principal": HTTP_PRINCIPAL,
        "dfs.web.authentication.kerberos.keytab": kt,
        "dfs.block.access.token.enable": "true",
        # SASL on the DataNode's data transfer: no root, no jsvc, no privileged ports; the
        # DataNode then insists on HTTPS only
        "dfs.data.transfer.protection": "authentication",
        "dfs.http.policy": "HTTPS_ONLY",
        "dfs.namenode.https-address": f"localhost:{ports['webhdfs']}",
        "dfs.datanode.https.address": "localhost:0",
        "dfs.datanode.address": "localhost:0",
        "dfs.datanode.ipc.address": "localhost:0",
        "yarn.nodemanager.address": "127.0.0.1:0",
        "yarn.resourcemanager.principal": svc,
        "yarn.resourcemanager.keytab": kt,
        "yarn.nodemanager.principal": svc,
        "yarn.nodemanager.keytab": kt,
        "mapreduce.jobhistory.principal": svc,
        "mapreduce.jobhistory.keytab": kt,
        # every daemon port, or the unset ones take Hadoop's defaults (the open cluster's)
        "yarn.resourcemanager.address": f"{local}:{ports['rm']}",
        "yarn.resourcemanager.scheduler.address": f"{local}:{ports['rm_scheduler']}",
        "yarn.resourcemanager.resource-tracker.address": f"{local}:{ports['rm_tracker']}",
        "yarn.resourcemanager.admin.address": f"{local}:{ports['rm_admin']}",
        "yarn.resourcemanager.webapp.address": f"{local}:{ports['rm_web']}",
        "yarn.nodemanager.webapp.address": f"{local}:{ports['nm_web']}",
        "yarn.nodemanager.localizer.address": f"{local}:{ports['nm_localizer']}",
        "mapreduce.jobhistory.address": f"{local}:{ports['jhs']}",
        "mapreduce.jobhistory.webapp.address": f"{local}:{ports['jhs_web']}",
        "mapreduce.jobhistory.admin.address": f"{local}:{ports['jhs_admin']}",
        # Java's krb5.conf and libhadoop (SecureIOUtils in the shuffle) in the AM and tasks
        "yarn.app.mapreduce.am.command-opts": java_opts,
        "mapreduce.map.java.opts": java_opts,
        "mapreduce.reduce.java.opts": java_opts,
    }


def java_command(ports: SecurePorts, lib: Path, extra: dict[str, str]) -> list[str]:
    argv = [
        java_bin(),
        f"-Xmx{os.environ.get('MRKIT_HADOOP_HEAP', '1g')}",
        *JAVA17_OPENS,
        f"-Djava.security.krb5.conf={krb5_conf_path()}",
        f"-Djava.library.path={native_dir()}",
        "-cp",
        # server-conf first: ssl-server.xml and ssl-client.xml are read as classpath resources
        classpath(server_conf_dir(), f"{lib}/*"),
        hadoop.MAIN_CLASS,
        "-format",
        "-nnport",
        str(ports["hdfs"]),
        "-nnhttpport",  # ignored with HTTPS_ONLY; WebHDFS is dfs.namenode.https-address
        str(ports["webhdfs"]),
        "-rmport",
        str(ports["rm"]),
        "-jhsport",
        str(ports["jhs"]),
        "-datanodes",
        "1",
        "-nodemanagers",
        "1",
        "-writeConfig",
        str(written_config()),
    ]
    settings = {**secure_settings(ports), **extra}
    # also as the cluster's core-site.xml: the JVMs it starts besides its own (the NodeManager's
    # ContainerLocalizer) read their configuration from the classpath, not from -D. Without it
    # the localizer spoke plain data transfer to the SASL-only DataNode ("Received 1c5195
    # instead of deadbeef") and a job's localization failed
    _write_private(server_conf_dir() / "core-site.xml", _site_xml(settings))
    for key, value in settings.items():
        argv += ["-D", f"{key}={value}"]
    return argv


def up(
    ports: SecurePorts | None = None,
    timeout: float = HADOOP_START_TIMEOUT,
    extra: dict[str, str] | None = None,
    say: Callable[[str], None] | None = None,
) -> SecureInfo:
    """Start the KDC, then the secure cluster, and wait until WebHDFS answers over SPNEGO;
    harmless if running. A KDC left from an earlier start is stopped first (its keys would not
    match fresh keytabs)."""
    say = say or (lambda message: None)
    running = info()
    if running is not None:
        say(f"hadoop-secure: already running (pid {running.pid}, KDC pid {running.kdc_pid})")
        return running
    if daemon().running():
        raise EngineError(
            f"a secure cluster (pid {daemon().pid()}) is starting or half-started: "
            "`mrkit cluster down --secure` first"
        )
    ports = ports or SecurePorts.from_env()
    java_bin()
    kdc_daemon().stop()
    check_ports_free(ports.values)
    for stale in (written_config(), state_path()):
        stale.unlink(missing_ok=True)
    say("hadoop-secure: fetching jars (Maven, first time only)...")
    lib = fetch(hadoop.ENGINE)
    ensure_native()
    start = time.monotonic()
    try:
        kdc_pid = start_kdc(ports["kdc"], timeout, say)
        write_krb5_conf(ports["kdc"])
        shutil.rmtree(ccache_dir(), ignore_errors=True)
        _private_dir(ccache_dir())
        write_ssl_confs(make_keystore())
        for conf in (conf_dir(), server_conf_dir()):
            conf.mkdir(parents=True, exist_ok=True)
            (conf / "log4j.properties").write_text(hadoop.LOG4J_PROPERTIES)
        run = home() / "run"
        shutil.rmtree(run, ignore_errors=True)
        run.mkdir(parents=True)
        argv = java_command(ports, lib, extra or {})
        # no user's ticket cache for the daemons: they log in from their keytab
        env = {**hadoop.container_env(), "KRB5CCNAME": f"FILE:{ccache_dir()}/server-none"}
        pid = daemon().start(argv, cwd=run, env=env, unset=PRIVATE_ENV)
        say(f"hadoop-secure: started pid {pid}, log {daemon().log}; waiting for HDFS and YARN")
        _wait_ready(pid, ports, timeout)
        state = _finish(pid, kdc_pid, ports)
    except BaseException:
        daemon().stop()
        kdc_daemon().stop()
        raise
    say(f"hadoop-secure: ready in {time.monotonic() - start:.0f}s")
    return state


def engine_ccache() -> str:
    return f"FILE:{ccache_dir()}/engine"


def _webhdfs_url(ports: SecurePorts) -> str:
    return f"https://localhost:{ports['webhdfs']}"


def _wait_ready(pid: int, ports: SecurePorts, timeout: float) -> None:
    def answers() -> bool:
        return _superuser_call(ports, lambda fs: fs.status("/")) is not None

    kinit(os_user(), engine_ccache())
    wait_for(
        answers,
        timeout=timeout,
        what=f"secure Hadoop MiniCluster (pid {pid})",
        alive=lambda: daemon().pid() == pid,
        log=daemon().log,
    )


def _superuser_call(ports: SecurePorts, call: Callable[[Any], Any]) -> Any:
    """call(HDFS client) as the OS user (the HDFS superuser); None if WebHDFS does not answer."""
    from mr.clients.hdfs import HDFS
    from mr.lib.webhdfs import HdfsError, raw_client

    if not _write_client_conf():
        return None
    with kerberos_env(engine_ccache()):
        try:
            return call(HDFS(raw_client(url=_webhdfs_url(ports))))
        except (HdfsError, OSError):
            return None


#: settings of the daemons only, left out of the clients' configuration: a job's configuration
#: is made from it and reaches every task (streaming even exports it as environment variables)
SERVER_ONLY = ("keytab", "signature.secret")


def _write_client_conf() -> bool:
    """conf/: the written configuration without the daemons' keytab and secret paths; False
    while the cluster has not written it whole."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.parse(written_config()).getroot()
    except (OSError, ET.ParseError):
        return False
    for prop in list(root.iter("property")):
        if any(word in (prop.findtext("name") or "") for word in SERVER_ONLY):
            root.remove(prop)
    text = ET.tostring(root, encoding="unicode")
    for name in ("core-site.xml", "hdfs-site.xml", "mapred-site.xml", "yarn-site.xml"):
        (conf_dir() / name).write_text(text)
    return True


#: HDFS directories made at start, as Hadoop needs them with permissions on: (path, mode, owner)
def _hdfs_layout() -> list[tuple[str, str, str | None]]:
    sticky = "1777"
    dirs: list[tuple[str, str, str | None]] = [
        ("/tmp", sticky, None),
        ("/tmp/mrkit", sticky, None),
        ("/tmp/mrkit/staging", sticky, None),
        (hadoop.HISTORY_DIR, sticky, None),
        (f"{hadoop.HISTORY_DIR}/done_intermediate", sticky, None),
        (f"{hadoop.HISTORY_DIR}/done", sticky, None),
        # mrjob's temporary dirs (MRJOB_TMP below): its default, /user/<OS user>/tmp/mrjob, is
        # the OS user's home, where a job of alice (a principal, not an OS user) may not write
        (MRJOB_TMP, sticky, None),
        ("/user", "755", None),
    ]
    dirs += [(f"/user/{user}", "755", user) for user in users()]
    return dirs


def _finish(pid: int, kdc_pid: int, ports: SecurePorts) -> SecureInfo:
    """The HDFS layout, conf/, mrjob.conf, the users' ticket caches; the state (saved)."""

    def layout(fs: Any) -> bool:
        for path, mode, owner in _hdfs_layout():
            fs.mkdir(path)
            fs.raw.set_permission(path, permission=mode)
            if owner:
                fs.raw.set_owner(path, owner=owner)
        return True

    if _superuser_call(ports, layout) is None:
        raise EngineError(f"could not make the HDFS directories of the secure cluster{_tail()}")
    log_dirs = []
    for n, nm_dir in enumerate(
        sorted(p for p in (home() / "run" / "target").rglob("*-logDir-nm-*") if p.is_dir())
    ):
        link_root = home() / "logs" / "tasks" / str(n)
        link_root.mkdir(parents=True, exist_ok=True)
        link = link_root / "userlogs"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(nm_dir)
        log_dirs.append(str(link_root))
    mrjob_conf = home() / "mrjob.conf"
    mrjob_conf.write_text(
        hadoop.render_mrjob_conf(
            hadoop.LAUNCHER,
            hadoop.streaming_jar(),
            hadoop.python_for_tasks(),
            [*log_dirs, f"hdfs://{hadoop.HISTORY_DIR}"],
        )
        .replace("`mrkit cluster up`", "`mrkit cluster up --secure`")
        .replace(".cluster/hadoop/mrjob.conf", ".cluster/hadoop-secure/mrjob.conf")
        + f"    hadoop_tmp_dir: hdfs://{MRJOB_TMP}\n"
    )
    state = SecureInfo(
        pid=pid,
        kdc_pid=kdc_pid,
        ports=dict(ports.values),
        realm=REALM,
        fs_uri=f"hdfs://localhost:{ports['hdfs']}",
        webhdfs_url=_webhdfs_url(ports),
        conf_dir=str(conf_dir()),
        mrjob_conf=str(mrjob_conf),
        krb5_conf=str(krb5_conf_path()),
        ca_file=str(ca_path()),
        ccache_dir=str(ccache_dir()),
        keytabs={user: str(keytab(user)) for user in users()},
        principals={user: f"{user}@{REALM}" for user in users()},
    )
    state_path().write_text(state.to_json())
    return state


def _tail() -> str:
    from mr.engines import _log_tail

    return _log_tail(daemon().log)


def down() -> bool:
    """Stop the cluster, then the KDC (by their recorded pids only); drop the ticket caches and
    keytabs (stale once the KDC is gone). True if something was running."""
    stopped = daemon().stop()
    stopped = kdc_daemon().stop() or stopped
    for path in (state_path(), home() / "mrjob.conf"):
        path.unlink(missing_ok=True)
    shutil.rmtree(ccache_dir(), ignore_errors=True)
    shutil.rmtree(keytab_dir(), ignore_errors=True)
    return stopped


def status() -> dict[str, Any]:
    """{'running': bool, ...}: pids, ports, URLs, the realm, and who the ticket cache in use
    holds (KRB5CCNAME; None without a valid ticket), and whose ticket expired there (None
    unless one did; '?' when klist cannot say)."""
    state = info()
    if state is None:
        return {
            "running": False,
            "starting": daemon().running(),
            "pid": daemon().pid(),
            "kdc_pid": kdc_daemon().pid(),
        }
    from mr.lib import auth

    saved = os.environ.get("KRB5_CONFIG")
    os.environ.setdefault("KRB5_CONFIG", state.krb5_conf)
    try:
        held = auth.ticket()
        expired = None if held else auth.expired_holder()
    finally:
        if saved is None:
            os.environ.pop("KRB5_CONFIG", None)
    return {
        "running": True,
        "secure": True,
        **asdict(state),
        "ticket_cache": os.environ.get("KRB5CCNAME", "(MIT default)"),
        "ticket": held.principal if held else None,
        "ticket_expired": expired,
        "log": str(daemon().log),
    }
