"""Apache Oozie 5.2.1 on the one-machine Hadoop cluster: the real server, from Maven Central jars.

``mrkit oozie up`` needs the cluster of ``mrkit cluster up`` (Oozie submits every action to its
YARN and keeps applications on its HDFS). It fetches the jars (scripts/oozie/pom.xml), uploads
the sharelib to HDFS, writes Oozie's configuration and starts
``org.apache.oozie.server.EmbeddedOozieServer`` (Jetty, with a Derby database), then waits until
``GET /oozie/v2/admin/status`` answers ``NORMAL``. ``down`` stops it by its recorded pid;
``status`` says what runs where. State under ``.cluster/oozie/``:

- ``lib/``          the server's jars
- ``home/conf/``    oozie-site.xml, oozie-log4j.properties, ``hadoop-conf/`` (the cluster's client
                    configuration, with the classpath YARN gives Oozie's launcher), ``action-conf/``
- ``classes/``      a classpath directory holding the ``webapp/`` resource Jetty serves
- ``data/``         the Derby database (``oozie-db``). It outlives the server: an ``up`` after
                    the server died (SIGKILL, a crash) or was stopped opens it again, and
                    Oozie's recovery carries on the workflows and coordinators it holds. It is
                    made anew only for another cluster (``data/cluster.json`` names the one
                    it belongs to): HDFS is formatted on every ``mrkit cluster up``, so old
                    jobs would point nowhere
- ``logs/``         ``oozie.log`` (what ``?show=log`` streams) and the JVM's own log
- ``state.json``    pid, port, URL, and the cluster's pid it was started against

The sharelib (``/user/<user>/share/lib/lib_<timestamp>/``): ``oozie`` (the launcher's classes and
commons-lang3) and ``mapreduce-streaming`` (Oozie's StreamingMain and Hadoop's streaming jar).
Hive and Pig twins run as shell actions (mr/workflow/twins.py says why), so no hive or pig
sharelib is needed. The cluster must let this user act for others (hadoop.proxyuser.<user>.*):
``mrkit cluster up`` sets that (mr.engines.hadoop.proxy_user_settings).

``mrkit oozie up --secure`` (mr/engines/oozie_secure.py) starts the same server, Kerberized, on
the secure cluster, with this layout under a state dir of its own (the ``state``/``root``
arguments below).

Port (environment variable: default): MRKIT_OOZIE_PORT: 11000, Oozie's only one (its admin API is
under the same REST base), on the bind host (MRKIT_BIND_HOST or ``up --bind-host``, default
127.0.0.1: mr.lib.config.bind_host). Error codes retried besides
Oozie's defaults: MRKIT_OOZIE_RETRY_CODES (or ``up --retry-codes``), e.g. ``1`` for shell actions
that exit 1. Timeout: MRKIT_OOZIE_START_TIMEOUT (seconds, default 180). The launcher's YARN
container: MRKIT_OOZIE_LAUNCHER_MB (default 512).
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from mr.engines import (
    JAVA17_OPENS,
    Daemon,
    EngineError,
    check_ports_free,
    classpath,
    fetch,
    hadoop,
    java_bin,
    state_dir,
    wait_for,
)
from mr.lib import config
from mr.lib.defaults import (
    OOZIE_DEFAULT_PORT,
    OOZIE_PORT_ENV,
    OOZIE_RETRY_CODES_ENV,
    OOZIE_START_TIMEOUT,
)

if TYPE_CHECKING:
    from mr.clients.hdfs import HDFS

ENGINE = "oozie"
VERSION = "5.2.1"
MAIN_CLASS = "org.apache.oozie.server.EmbeddedOozieServer"
# the port, the start timeout and the retry codes' variable: in mr/lib/defaults.py, which
# `mrkit oozie --help` reads without importing this module
PORT_ENV = OOZIE_PORT_ENV
DEFAULT_PORT = OOZIE_DEFAULT_PORT
DEFAULT_TIMEOUT = OOZIE_START_TIMEOUT
#: where Oozie looks for the sharelib (oozie.service.WorkflowAppService.system.libpath)
SHARELIB_ROOT = "/user/{user}/share/lib"
#: error codes retried besides Oozie's defaults (JA008 JA009 JA017 JA018 JA019 FS008 FS009
#: FS014); a shell action's exit code is its error code, so `1` retries shells that exit 1
RETRY_CODES_ENV = OOZIE_RETRY_CODES_ENV
RETRY_CODES_KEY = "oozie.service.LiteWorkflowStoreService.user.retry.error.code.ext"

#: oozie-site.xml: what this server needs (each line for a reason), {placeholders} filled by up()
SITE_SETTINGS = {
    # Derby, made by the server itself at start
    "oozie.service.JPAService.create.db.schema": "true",
    "oozie.service.JPAService.jdbc.driver": "org.apache.derby.jdbc.EmbeddedDriver",
    "oozie.service.JPAService.jdbc.url": "jdbc:derby:{data}/oozie-db;create=true",
    # the cluster's client configuration for every name node / resource manager
    "oozie.service.HadoopAccessorService.hadoop.configurations": "*={hadoop_conf}",
    "oozie.service.HadoopAccessorService.action.configurations": "*={action_conf}",
    "oozie.service.HadoopAccessorService.supported.filesystems": "*",
    # Jetty listens on this address only (the bind host)
    "oozie.http.hostname": "{bind_host}",
    "oozie.http.port": "{port}",
    # where launchers call back when an action ends (they run on this machine)
    "oozie.base.url": "{url}",
    # the launcher is one small YARN application per action (Oozie's default asks 2 GB)
    "oozie.launcher.default.memory.mb": "{launcher_mb}",
    "oozie.launcher.default.vcores": "1",
    # Oozie's default checks of running actions and coordinators are minutes apart; jobs here
    # take seconds
    "oozie.service.ActionCheckerService.action.check.interval": "5",
    "oozie.service.ActionCheckerService.action.check.delay": "5",
    "oozie.service.StatusTransitService.statusTransit.interval": "5",
    "oozie.service.CoordMaterializeTriggerService.lookup.interval": "5",
    "oozie.service.CoordMaterializeTriggerService.scheduling.interval": "5",
    "oozie.service.coord.input.check.requeue.interval": "5000",
    "oozie.service.coord.check.maximum.frequency": "false",
    "oozie.service.PurgeService.purge.interval": "86400",
    # after a restart, actions and coordinator actions left in a transient state (PREP,
    # START_RETRY, a callback the dead server missed) are requeued by the RecoveryService:
    # every 10 s for those older than 10 s, not Oozie's 60 s and 120 s
    "oozie.service.RecoveryService.interval": "10",
    "oozie.service.RecoveryService.wf.actions.older.than": "10",
    "oozie.service.RecoveryService.coord.older.than": "10",
    "oozie.service.RecoveryService.bundle.older.than": "10",
}

#: Oozie's own log layout: XLogService streams `?show=log` only from a file appender named
#: `oozie` that rolls hourly (otherwise: "Log streaming disabled")
LOG4J_PROPERTIES = """\
log4j.appender.oozie=org.apache.log4j.DailyRollingFileAppender
log4j.appender.oozie.File=${oozie.log.dir}/oozie.log
log4j.appender.oozie.DatePattern='.'yyyy-MM-dd-HH
log4j.appender.oozie.Append=true
log4j.appender.oozie.layout=org.apache.log4j.PatternLayout
log4j.appender.oozie.layout.ConversionPattern=%d{ISO8601} %5p %c{1}:%L - %m%n
log4j.appender.none=org.apache.log4j.varia.NullAppender
log4j.rootLogger=WARN, oozie
log4j.logger.org.apache.oozie=INFO, oozie
log4j.additivity.org.apache.oozie=false
log4j.logger.oozieops=NONE, none
log4j.logger.oozieinstrumentation=NONE, none
log4j.logger.oozieaudit=NONE, none
log4j.logger.org.apache.hadoop=WARN, oozie
log4j.additivity.org.apache.hadoop=false
"""


@dataclass
class OozieInfo:
    """The running server (saved in state.json)."""

    pid: int
    port: int
    url: str
    #: the pid of the Hadoop cluster it was started against: a new cluster needs a new server
    hadoop_pid: int
    sharelib: str
    user: str
    #: user.retry.error.code.ext: codes retried besides Oozie's defaults
    retry_codes: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def home() -> Path:
    return state_dir(ENGINE)


# the layout under a server's state dir: root, default home(); the secure server of
# mr/engines/oozie_secure.py keeps the same layout under its own
def oozie_home(root: Path | None = None) -> Path:
    return (root or home()) / "home"


def conf_dir(root: Path | None = None) -> Path:
    return oozie_home(root) / "conf"


def hadoop_conf_dir(root: Path | None = None) -> Path:
    return conf_dir(root) / "hadoop-conf"


def data_dir(root: Path | None = None) -> Path:
    return (root or home()) / "data"


def log_dir(root: Path | None = None) -> Path:
    return (root or home()) / "logs"


def state_path() -> Path:
    return home() / "state.json"


def daemon() -> Daemon:
    return Daemon(ENGINE, "oozie-server")


def port_from_env() -> int:
    raw = os.environ.get(PORT_ENV, "")
    try:
        return int(raw) if raw else DEFAULT_PORT
    except ValueError:
        raise EngineError(f"{PORT_ENV}={raw!r} is not a port number") from None


def base_url(port: int, bind_host: str = config.DEFAULT_BIND_HOST) -> str:
    """The server's URL when it listens on bind_host (localhost for 127.0.0.1, as before)."""
    host = config.connect_host(bind_host)
    return f"http://{'localhost' if host == config.DEFAULT_BIND_HOST else host}:{port}/oozie"


def info() -> OozieInfo | None:
    """The running server started by `mrkit oozie up`, else None."""
    try:
        state = OozieInfo(**json.loads(state_path().read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if daemon().pid() != state.pid:
        return None
    return state


def system_mode(url: str, timeout: float = 3.0) -> str | None:
    """The server's system mode (NORMAL, NOWEBSERVICE, SAFEMODE), None if it does not answer."""
    try:
        with urllib.request.urlopen(f"{url}/v2/admin/status", timeout=timeout) as response:
            return str(json.load(response).get("systemMode"))
    except (OSError, ValueError, urllib.error.URLError):
        return None


def site_xml(settings: dict[str, str]) -> str:
    lines = ['<?xml version="1.0"?>', "<configuration>"]
    for key, value in settings.items():
        lines.append(
            f"  <property><name>{escape(key)}</name><value>{escape(value)}</value></property>"
        )
    return "\n".join([*lines, "</configuration>", ""])


def proxy_user_allowed(cluster_config: Path, user: str) -> bool:
    """Whether the cluster's configuration lets user impersonate others from any host (Oozie
    submits each action as the workflow's user)."""
    try:
        root = ET.parse(cluster_config).getroot()
    except (OSError, ET.ParseError):
        return False
    values = {p.findtext("name"): p.findtext("value") for p in root.findall("property")}
    return values.get(f"hadoop.proxyuser.{user}.hosts") == "*"


def launcher_classpath(cluster: hadoop.ClusterInfo) -> str:
    """What YARN puts on the classpath of Oozie's launcher and of the jobs it submits: the
    cluster's client configuration and Hadoop's jars (Hadoop's default, $HADOOP_*_HOME/share,
    points nowhere here)."""
    return ",".join([cluster.conf_dir, f"{hadoop.lib_dir(hadoop.ENGINE)}/*"])


def write_hadoop_conf(
    cluster: hadoop.ClusterInfo | None,
    source: Path | None = None,
    app_classpath: str | None = None,
    state: Path | None = None,
) -> Path:
    """hadoop-conf/: the cluster's written configuration (source, default the open cluster's),
    with the application classpaths (default launcher_classpath(cluster))."""
    tree = ET.parse(source or hadoop.written_config())
    root = tree.getroot()
    if app_classpath is None:
        assert cluster is not None, "the open cluster, or an application classpath"
        app_classpath = launcher_classpath(cluster)
    overrides = {
        "yarn.application.classpath": app_classpath,
        "mapreduce.application.classpath": app_classpath,
    }
    for prop in root.findall("property"):
        if prop.findtext("name") in overrides:
            root.remove(prop)
    for name, value in overrides.items():
        prop = ET.SubElement(root, "property")
        ET.SubElement(prop, "name").text = name
        ET.SubElement(prop, "value").text = value
    conf = hadoop_conf_dir(state)
    shutil.rmtree(conf, ignore_errors=True)
    conf.mkdir(parents=True)
    text = ET.tostring(root, encoding="unicode")
    for name in ("core-site.xml", "hdfs-site.xml", "mapred-site.xml", "yarn-site.xml"):
        (conf / name).write_text(f'<?xml version="1.0"?>\n{text}\n')
    return conf


def sharelib_jars(lib: Path) -> dict[str, list[Path]]:
    """{sharelib name: the jars that go into it}."""

    def one(pattern: str) -> Path:
        found = sorted(lib.glob(pattern))
        if not found:
            raise EngineError(f"no {pattern} in {lib}: fetch again (rm -r {lib})")
        return found[-1]

    return {
        "oozie": [one(f"oozie-sharelib-oozie-{VERSION}.jar"), one("commons-lang3-*.jar")],
        "mapreduce-streaming": [
            one(f"oozie-sharelib-streaming-{VERSION}.jar"),
            hadoop.streaming_jar(),
        ],
    }


def upload_sharelib(
    lib: Path,
    user: str,
    say: Callable[[str], None],
    fs: HDFS | None = None,
    state: Path | None = None,
) -> str:
    """Put the sharelib on HDFS (once per cluster: HDFS is new on every `cluster up`), with fs
    (default: the configured client)."""
    from mr.clients.hdfs import client

    fs = fs or client()
    root = SHARELIB_ROOT.format(user=user)
    existing = [e for e in (fs.ls(root) if fs.exists(root) else []) if e.is_dir]
    if existing:
        return existing[-1].path
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    target = f"{root}/lib_{stamp}"
    say(f"oozie: uploading the sharelib to {target}")
    staging = (state or home()) / "sharelib"
    shutil.rmtree(staging, ignore_errors=True)
    for name, jars in sharelib_jars(lib).items():
        (staging / name).mkdir(parents=True)
        for jar in jars:
            shutil.copy(jar, staging / name / jar.name)
    fs.put(staging, target)
    shutil.rmtree(staging, ignore_errors=True)
    return target


#: how often the server looks at its log4j file for changes (Oozie's default is 10 s)
LOG4J_RELOAD_SECONDS = 3600


def java_command(
    lib: Path, port: int, state: Path | None = None, jvm: tuple[str, ...] = ()
) -> list[str]:
    """The server's command line (state: its state dir, default home(); jvm: more options)."""
    return [
        java_bin(),
        f"-Xmx{os.environ.get('MRKIT_OOZIE_HEAP', '512m')}",
        *JAVA17_OPENS,
        *jvm,
        "-XX:TieredStopAtLevel=1",
        f"-Doozie.home.dir={oozie_home(state)}",
        f"-Doozie.config.dir={conf_dir(state)}",
        f"-Doozie.data.dir={data_dir(state)}",
        f"-Doozie.log.dir={log_dir(state)}",
        "-Doozie.log4j.file=oozie-log4j.properties",
        # seconds between checks of the log4j file for changes: 0 makes log4j's FileWatchdog
        # check without pause, a core busy for nothing (it doubled every YARN test's time)
        f"-Doozie.log4j.reload={LOG4J_RELOAD_SECONDS}",
        f"-Doozie.http.port={port}",
        f"-Dderby.stream.error.file={log_dir(state) / 'derby.log'}",
        "-cp",
        classpath((state or home()) / "classes", f"{lib}/*"),
        MAIN_CLASS,
    ]


def write_conf(
    port: int,
    retry_codes: str = "",
    bind_host: str = config.DEFAULT_BIND_HOST,
    state: Path | None = None,
    extra: dict[str, str] | None = None,
) -> None:
    """oozie-site.xml (SITE_SETTINGS, then extra), the log4j file and the webapp resource
    under state (default home())."""
    conf = conf_dir(state)
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "action-conf").mkdir(exist_ok=True)
    values = {
        "data": str(data_dir(state)),
        "hadoop_conf": str(hadoop_conf_dir(state)),
        "action_conf": str(conf / "action-conf"),
        "port": str(port),
        "bind_host": bind_host,
        "url": base_url(port, bind_host),
        "launcher_mb": os.environ.get("MRKIT_OOZIE_LAUNCHER_MB", "512"),
    }
    settings = {key: value.format(**values) for key, value in SITE_SETTINGS.items()}
    if retry_codes:
        settings[RETRY_CODES_KEY] = retry_codes
    settings.update(extra or {})
    (conf / "oozie-site.xml").write_text(site_xml(settings))
    (conf / "oozie-log4j.properties").write_text(LOG4J_PROPERTIES)
    webapp = (state or home()) / "classes" / "webapp"
    webapp.mkdir(parents=True, exist_ok=True)
    (webapp / "index.html").write_text(
        "<html><body>Oozie (mrkit): REST API under /oozie/v2</body></html>\n"
    )


def up(
    port: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    say: Callable[[str], None] | None = None,
    retry_codes: str | None = None,
) -> OozieInfo:
    """Start the server against the running cluster and wait until it answers NORMAL;
    harmless if it already runs against this cluster with the same retry codes.

    retry_codes: comma-separated error codes retried besides Oozie's defaults (ALL: every
    code), default $MRKIT_OOZIE_RETRY_CODES."""
    say = say or (lambda message: None)
    if retry_codes is None:
        retry_codes = os.environ.get(RETRY_CODES_ENV, "")
    retry_codes = ",".join(c.strip() for c in retry_codes.split(",") if c.strip())
    cluster = hadoop.info()
    if cluster is None:
        raise EngineError("the Hadoop cluster is not running: start it first (`mrkit cluster up`)")
    if not proxy_user_allowed(hadoop.written_config(), getpass.getuser()):
        raise EngineError(
            f"the running cluster does not let {getpass.getuser()} act for others, which Oozie "
            "needs (a cluster started by an older mrkit): restart it (`mrkit cluster down && "
            "mrkit cluster up`)"
        )
    running = info()
    if running is not None:
        if running.hadoop_pid == cluster.pid and running.retry_codes == retry_codes:
            say(f"oozie: already running (pid {running.pid}) at {running.url}")
            return running
        why = "an older cluster" if running.hadoop_pid != cluster.pid else "other retry codes"
        say(f"oozie: pid {running.pid} runs with {why}; restarting it")
        down()
    port = port or port_from_env()
    bind_host = config.bind_host()
    java = java_bin()
    check_ports_free({PORT_ENV: port}, config.connect_host(bind_host))
    say("oozie: fetching jars (Maven, first time only)...")
    lib = fetch(ENGINE)
    user = getpass.getuser()
    sharelib = upload_sharelib(lib, user, say)
    write_hadoop_conf(cluster)
    write_conf(port, retry_codes, bind_host)
    _keep_or_renew_database(cluster.pid, say)
    log_dir().mkdir(parents=True, exist_ok=True)
    state_path().unlink(missing_ok=True)
    d = daemon()
    argv = java_command(lib, port)
    argv[0] = java
    # Oozie's launcher gives each action the server's PATH (with . first), not YARN's: this
    # venv's bin goes first there too, so shell actions find its `mrkit` (and `python`)
    pid = d.start(argv, cwd=home(), env=hadoop.container_env())
    url = base_url(port, bind_host)
    say(f"oozie: started pid {pid}, log {d.log}; waiting up to {timeout:.0f}s for {url}")
    try:
        wait_for(
            lambda: system_mode(url) == "NORMAL",
            timeout=timeout,
            what=f"Oozie server (pid {pid})",
            alive=lambda: d.pid() == pid,
            log=d.log,
        )
    except BaseException:
        d.stop()
        raise
    state = OozieInfo(
        pid=pid,
        port=port,
        url=url,
        hadoop_pid=cluster.pid,
        sharelib=sharelib,
        user=user,
        retry_codes=retry_codes,
    )
    state_path().write_text(state.to_json())
    return state


def _keep_or_renew_database(
    hadoop_pid: int, say: Callable[[str], None], state: Path | None = None
) -> None:
    """Keep the database of this cluster (the server's workflows outlive it); a new one for
    another cluster, whose HDFS holds none of the old jobs' files."""
    data = data_dir(state)
    marker = data / "cluster.json"
    try:
        same = json.loads(marker.read_text()).get("hadoop_pid") == hadoop_pid
    except (OSError, ValueError, AttributeError):
        same = False
    if same and (data / "oozie-db").is_dir():
        say(f"oozie: reopening the database in {data} (jobs of this cluster)")
        return
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    marker.write_text(json.dumps({"hadoop_pid": hadoop_pid}))


def down() -> bool:
    """Stop the server we started (by its recorded pid only); True if one was running."""
    stopped = daemon().stop()
    state_path().unlink(missing_ok=True)
    return stopped


def status() -> dict:
    """{'running': bool, ...}: pid, port, URL, system mode, and whether its cluster still runs."""
    state = info()
    if state is None:
        return {"running": False, "pid": daemon().pid()}
    cluster = hadoop.info()
    return {
        "running": True,
        **asdict(state),
        "system_mode": system_mode(state.url),
        "cluster_running": cluster is not None and cluster.pid == state.hadoop_pid,
        "log": str(log_dir() / "oozie.log"),
    }
