"""Hadoop 3.4.1 on one machine: HDFS, YARN and the JobHistory server in one JVM.

Runs Hadoop's CLI MiniCluster (``org.apache.hadoop.mapreduce.MiniHadoopClusterManager``) from the
Maven Central jars of ``scripts/hadoop/pom.xml``. State under ``.cluster/hadoop/``:

- ``lib/``           the jars (``mr.engines.fetch('hadoop')``)
- ``run/``           the cluster's working directory (YARN wipes ``./target`` there at start)
- ``cluster-site.xml``  the configuration the cluster writes once HDFS and YARN are up
- ``conf/``          client configuration for ``scripts/hadoop/bin/hadoop`` (HADOOP_CONF_DIR)
- ``mrjob.conf``     hadoop runner settings; includes the repo's mrjob.conf (``-c`` or MRJOB_CONF)
- ``hdfscli.cfg``    an HdfsCLI config with the alias ``mrkit`` (HDFSCLI_CONFIG)
- ``state.json``     ports and URLs of the running cluster; ``logs/`` the cluster log and task logs

HDFS starts empty on every ``up`` (it is formatted): this is a scratch cluster.

Every port listens on the bind host (``MRKIT_BIND_HOST`` or ``--bind-host``, default 127.0.0.1:
mr.lib.config.bind_host), and each can be moved (mr.lib.defaults.HADOOP_PORT_DEFAULTS). The
ResourceManager's and the JobHistory server's admin ACLs are the user who starts the cluster,
not Hadoop's ``*``; under simple authentication anyone can claim that user's name
(HADOOP_USER_NAME), so the ACL keeps out mistakes, not attackers: Kerberos is what does that.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import shutil
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from mr.engines import (
    JAVA17_OPENS,
    PACKAGE_PARENT,
    REPO_MRJOB_CONF,
    SCRIPTS_DIR,
    Daemon,
    EngineError,
    check_ports_free,
    classpath,
    fetch,
    java_bin,
    lib_dir,
    state_dir,
    wait_for,
)
from mr.lib import config
from mr.lib.defaults import HADOOP_PORT_DEFAULTS, HADOOP_START_TIMEOUT

ENGINE = "hadoop"
MAIN_CLASS = "org.apache.hadoop.mapreduce.MiniHadoopClusterManager"
LAUNCHER = SCRIPTS_DIR / "hadoop" / "bin" / "hadoop"
HDFS_ALIAS = "mrkit"
# the start timeout and the ports (environment variable -> default): in mr/lib/defaults.py,
# which `mrkit cluster --help` reads without importing this module
DEFAULT_TIMEOUT = HADOOP_START_TIMEOUT
PORT_DEFAULTS = HADOOP_PORT_DEFAULTS

#: where finished jobs' history (.jhist: which container ran which task attempt) goes, on HDFS
HISTORY_DIR = "/tmp/mrkit/history"

# -D settings: what the MiniCluster needs to run jobs here (each found by a failure), plus what
# keeps one machine small and fast
CLUSTER_SETTINGS = {
    "dfs.permissions.enabled": "false",
    "dfs.replication": "1",
    "mapreduce.framework.name": "yarn",
    "yarn.is.minicluster": "true",
    # Client and cluster must agree on where job history goes. MiniMRYarnCluster replaces a
    # staging dir equal to Hadoop's default (/tmp/hadoop-yarn/staging) by its own test dir, and
    # its JobHistory server then watches <that>/history while the clients (which read the
    # written config, holding the default) make the ApplicationMaster write there instead: a
    # finished job was "Unknown Job" to the JobHistory server, so a client whose last status
    # poll came after the AM exited failed (seen as a flaky `Unknown Job job_..._0002` on a
    # busy machine). A non-default staging dir is kept as given, and explicit history dirs
    # say the same thing to both sides.
    "yarn.app.mapreduce.am.staging-dir": "/tmp/mrkit/staging",
    "mapreduce.jobhistory.intermediate-done-dir": f"{HISTORY_DIR}/done_intermediate",
    "mapreduce.jobhistory.done-dir": f"{HISTORY_DIR}/done",
    "yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage": "99.9",
    # containers inherit these from the NodeManager's (the cluster JVM's) environment: Hadoop's
    # defaults, and MRKIT_HOME (container_env), so that `mrkit` in an Oozie shell action and a
    # task's `hadoop fs` find this cluster's state when it is not the checkout's .cluster
    "yarn.nodemanager.env-whitelist": ",".join(
        ["JAVA_HOME", "HADOOP_COMMON_HOME", "HADOOP_HDFS_HOME", "HADOOP_CONF_DIR"]
        + ["CLASSPATH_PREPEND_DISTCACHE", "HADOOP_YARN_HOME", "HADOOP_HOME", "PATH", "LANG"]
        + ["TZ", config.STATE_ROOT_ENV]
    ),
    "yarn.scheduler.minimum-allocation-mb": "256",
    "yarn.app.mapreduce.am.resource.mb": "512",
    "mapreduce.map.memory.mb": "512",
    "mapreduce.reduce.memory.mb": "512",
    "mapreduce.jvm.add-opens-as-default": "true",
    # Small jobs run inside the ApplicationMaster's JVM (uber mode): one container per job
    # instead of 1+N, which is most of a small job's time on one machine. Uber tasks get one
    # attempt only; a job that wants Hadoop's task retries (a killed task run again) turns it off
    # with --jobconf mapreduce.job.ubertask.enable=false (tests/test_yarn_jobs.py does). With it
    # off by default, Pig's tasks failed at container launch and mrjob lost failed tasks'
    # tracebacks (seen in a CI run): both need work before the default can change.
    "mapreduce.job.ubertask.enable": "true",
    "mapreduce.job.ubertask.maxmaps": "16",
    # ApplicationMasters may take most of the one NodeManager (4 GB), not the default 10%: an
    # Oozie action's launcher is an AM that waits for the job it submits, whose AM must start
    # too; with two actions at once (a fork) the default let one AM run and the others wait
    # for ever (seen: a launcher RUNNING, two MapReduce AMs ACCEPTED)
    "yarn.scheduler.capacity.maximum-am-resource-percent": "0.8",
    # JVMs that start fast and stay small
    "yarn.app.mapreduce.am.command-opts": "-Xmx400m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    "mapreduce.map.java.opts": "-Xmx400m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    "mapreduce.reduce.java.opts": "-Xmx400m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
    "mapreduce.task.io.sort.mb": "32",
    # poll and heartbeat more often than a big cluster would: the jobs here take seconds
    "mapreduce.client.completion.pollinterval": "250",
    "mapreduce.client.progressmonitor.pollinterval": "250",
    "yarn.app.mapreduce.am.scheduler.heartbeat.interval-ms": "250",
    "yarn.resourcemanager.nodemanagers.heartbeat-interval-ms": "250",
}
# Task and ApplicationMaster attempts keep Hadoop's defaults (4 per task, 2 per AM), so a killed
# task is retried here as on a real cluster; `mrkit cluster up -D mapreduce.map.maxattempts=1`
# or a job's `--jobconf` changes them.

LOG4J_PROPERTIES = """\
# client logging for scripts/hadoop/bin/hadoop: everything on stderr (mrjob parses job ids and
# counters from INFO lines of `hadoop jar`; `hadoop fs` runs at WARN)
log4j.rootLogger=INFO,stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=%d{yy/MM/dd HH:mm:ss} %p %c{2}: %m%n
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
log4j.logger.org.apache.hadoop.yarn.util.resource.ResourceUtils=WARN
"""


@dataclass(frozen=True)
class Ports:
    """The cluster's ports (mr.lib.defaults.HADOOP_PORT_DEFAULTS says which is which)."""

    hdfs: int = PORT_DEFAULTS["MRKIT_HDFS_PORT"]
    webhdfs: int = PORT_DEFAULTS["MRKIT_WEBHDFS_PORT"]
    rm: int = PORT_DEFAULTS["MRKIT_RM_PORT"]
    jhs: int = PORT_DEFAULTS["MRKIT_JHS_PORT"]
    rm_scheduler: int = PORT_DEFAULTS["MRKIT_RM_SCHEDULER_PORT"]
    rm_tracker: int = PORT_DEFAULTS["MRKIT_RM_TRACKER_PORT"]
    rm_admin: int = PORT_DEFAULTS["MRKIT_RM_ADMIN_PORT"]
    rm_web: int = PORT_DEFAULTS["MRKIT_RM_WEB_PORT"]
    jhs_web: int = PORT_DEFAULTS["MRKIT_JHS_WEB_PORT"]
    jhs_admin: int = PORT_DEFAULTS["MRKIT_JHS_ADMIN_PORT"]

    @staticmethod
    def env_names() -> dict[str, str]:
        """{field: environment variable}."""
        return {f: f"MRKIT_{f.upper()}_PORT" for f in Ports.__dataclass_fields__}

    @classmethod
    def from_env(cls) -> Ports:
        """Ports from MRKIT_HDFS_PORT, MRKIT_RM_PORT, ... (the defaults where unset)."""
        values = {}
        for field, env in cls.env_names().items():
            raw = os.environ.get(env, "")
            try:
                values[field] = int(raw) if raw else PORT_DEFAULTS[env]
            except ValueError:
                raise EngineError(f"{env}={raw!r} is not a port number") from None
            if not 0 < values[field] < 65536:
                raise EngineError(f"{env}={raw!r} is not a port number")
        return cls(**values)

    def settings(self) -> dict[str, int]:
        """{environment variable: port}, for check_ports_free's messages."""
        return {env: getattr(self, f) for f, env in self.env_names().items()}

    def addresses(self, host: str) -> dict[str, str]:
        """The -D settings that put each daemon's port on `host` (the CLI's -nnport ... set the
        NameNode's, the RM's and the JobHistory RPC's port; their host is the bind-host keys')."""
        return {
            "yarn.resourcemanager.address": f"{host}:{self.rm}",
            "yarn.resourcemanager.scheduler.address": f"{host}:{self.rm_scheduler}",
            "yarn.resourcemanager.resource-tracker.address": f"{host}:{self.rm_tracker}",
            "yarn.resourcemanager.admin.address": f"{host}:{self.rm_admin}",
            "yarn.resourcemanager.webapp.address": f"{host}:{self.rm_web}",
            "mapreduce.jobhistory.address": f"{host}:{self.jhs}",
            "mapreduce.jobhistory.webapp.address": f"{host}:{self.jhs_web}",
            "mapreduce.jobhistory.admin.address": f"{host}:{self.jhs_admin}",
        }


@dataclass
class ClusterInfo:
    """What a client needs to reach the running cluster (saved in state.json)."""

    pid: int
    ports: Ports
    fs_uri: str
    webhdfs_url: str
    rm_url: str
    conf_dir: str
    mrjob_conf: str
    hdfscli_config: str
    #: the address every port listens on (mr.lib.config.bind_host)
    bind_host: str = config.DEFAULT_BIND_HOST
    #: the NodeManager's shuffle port, on every interface (shuffle_port() says why); 0: unknown
    shuffle_port: int = 0

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> ClusterInfo:
        data = json.loads(text)
        data["ports"] = Ports(**data["ports"])
        return cls(**data)


def home() -> Path:
    return state_dir(ENGINE)


def daemon() -> Daemon:
    return Daemon(ENGINE, "minicluster")


def written_config() -> Path:
    return home() / "cluster-site.xml"


def conf_dir() -> Path:
    return home() / "conf"


def mrjob_conf_path() -> Path:
    return config.cluster_mrjob_conf()


def hdfscli_config_path() -> Path:
    return config.cluster_hdfscli_config()


def state_path() -> Path:
    return home() / "state.json"


def task_log_dir() -> Path:
    """mrjob's hadoop_log_dirs entry: <dir>/userlogs links to the NodeManager's log dirs."""
    return home() / "logs" / "tasks"


def info() -> ClusterInfo | None:
    """The running cluster started by `mrkit cluster up` (or a test session), else None."""
    try:
        state = ClusterInfo.from_json(state_path().read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if daemon().pid() != state.pid:
        return None
    return state


def webhdfs_answers(url: str, timeout: float = 3.0) -> bool:
    """True if the NameNode's WebHDFS answers a status call on /."""
    try:
        with urllib.request.urlopen(
            f"{url}/webhdfs/v1/?op=GETFILESTATUS&user.name={getpass.getuser()}", timeout=timeout
        ) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def python_for_tasks() -> str:
    """Absolute path of the Python that runs tasks: the repo's venv, else this interpreter."""
    venv = PACKAGE_PARENT / ".venv" / "bin" / "python"
    return str(venv if venv.exists() else Path(sys.executable).absolute())


def streaming_jar(lib: Path | None = None) -> Path:
    jars = sorted((lib or lib_dir(ENGINE)).glob("hadoop-streaming-*.jar"))
    if not jars:
        raise EngineError(f"no hadoop-streaming jar in {lib or lib_dir(ENGINE)}")
    return jars[-1]


def examples_jar(lib: Path | None = None) -> Path:
    """hadoop-mapreduce-examples: Hadoop's own Java WordCount (``jar ... wordcount IN OUT``)."""
    jars = sorted((lib or lib_dir(ENGINE)).glob("hadoop-mapreduce-examples-*.jar"))
    if not jars:
        raise EngineError(f"no hadoop-mapreduce-examples jar in {lib or lib_dir(ENGINE)}")
    return jars[-1]


def java_command(
    ports: Ports, lib: Path, extra: dict[str, str], bind_host: str = config.DEFAULT_BIND_HOST
) -> list[str]:
    """The java command line of the MiniCluster."""
    argv = [
        java_bin(),
        f"-Xmx{os.environ.get('MRKIT_HADOOP_HEAP', '1g')}",
        *JAVA17_OPENS,
        "-cp",
        classpath(server_conf_dir(), f"{lib}/*"),
        MAIN_CLASS,
        "-format",
        "-nnport",
        str(ports.hdfs),
        "-nnhttpport",
        str(ports.webhdfs),
        "-rmport",
        str(ports.rm),
        "-jhsport",
        str(ports.jhs),
        "-datanodes",
        "1",
        "-nodemanagers",
        "1",
        "-writeConfig",
        str(written_config()),
    ]
    settings = {
        **CLUSTER_SETTINGS,
        **listen_settings(ports, bind_host),
        **admin_acl_settings(),
        **proxy_user_settings(),
        **extra,
    }
    for key, value in settings.items():
        argv += ["-D", f"{key}={value}"]
    return argv


def listen_settings(ports: Ports, bind_host: str) -> dict[str, str]:
    """Every daemon's address on bind_host. The addresses say where clients connect (the CLI
    sets the RM's and the JobHistory's to the machine's host name, which need not be loopback);
    the bind-host keys say where the servers listen, whatever the addresses say. The NameNode and
    the DataNode listen on 127.0.0.1 (MiniDFSCluster's choice); only an every-interface bind host
    moves the NameNode (the DataNode has no bind-host key)."""
    connect = config.connect_host(bind_host)
    hdfs = (
        {
            f"dfs.namenode.{key}-bind-host": bind_host
            for key in ("rpc", "servicerpc", "lifeline.rpc", "http", "https")
        }
        if bind_host in config.WILDCARD_HOSTS
        else {}
    )
    return {
        # MiniYARNCluster replaces every address by <hostname>:0 unless told to keep them
        "yarn.minicluster.fixed.ports": "true",
        **ports.addresses(connect),
        "yarn.resourcemanager.bind-host": bind_host,
        "yarn.nodemanager.bind-host": bind_host,
        "mapreduce.jobhistory.bind-host": bind_host,
        "yarn.timeline-service.bind-host": bind_host,
        **hdfs,
    }


def proxy_user_settings(user: str | None = None) -> dict[str, str]:
    """Let the user who starts the cluster act for others: the Oozie server (`mrkit oozie up`)
    runs as that user and submits each workflow's actions as the workflow's user."""
    user = user or getpass.getuser()
    return {f"hadoop.proxyuser.{user}.hosts": "*", f"hadoop.proxyuser.{user}.groups": "*"}


def admin_acl_settings(user: str | None = None) -> dict[str, str]:
    """Only the user who starts the cluster may administer it (`yarn rmadmin`, `mapred
    hsadmin`): Hadoop's default ACL, `*`, lets anyone refresh nodes and queues."""
    user = user or getpass.getuser()
    return {"yarn.admin.acl": user, "mapreduce.jobhistory.admin.acl": user}


def up(
    ports: Ports | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    extra: dict[str, str] | None = None,
    say: Callable[[str], None] | None = None,
) -> ClusterInfo:
    """Start the cluster (fetching jars first) and wait until it is ready; harmless if running.

    ``say`` receives a line about each stage (the CLI prints them on stderr); default: silent."""
    say = say or (lambda message: None)
    running = info()
    if running is not None:
        say(f"hadoop: already running (pid {running.pid})")
        return running
    d = daemon()
    if d.running():
        # started but not ready yet (another `up` is waiting for it): wait for it too
        pid = d.pid()
        assert pid is not None
        ports = _ports_of_starting_cluster() or ports or Ports.from_env()
        say(f"hadoop: pid {pid} is starting; waiting for it")
        return _wait_ready(pid, ports, timeout, config.bind_host())

    ports = ports or Ports.from_env()
    bind_host = config.bind_host()
    java = java_bin()  # a clear error before Maven, if Java is missing
    check_ports_free(ports.settings(), config.connect_host(bind_host))
    say("hadoop: fetching jars (Maven, first time only)...")
    lib = fetch(ENGINE)

    run = home() / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    for stale in (written_config(), state_path(), mrjob_conf_path()):
        stale.unlink(missing_ok=True)
    _write_log4j()
    argv = java_command(ports, lib, extra or {}, bind_host)
    argv[0] = java
    pid = d.start(argv, cwd=run, env=container_env())
    (home() / "starting.json").write_text(json.dumps(asdict(ports)))
    say(f"hadoop: started pid {pid}, log {d.log}; waiting up to {timeout:.0f}s for HDFS and YARN")
    try:
        return _wait_ready(pid, ports, timeout, bind_host)
    except BaseException:
        d.stop()
        raise


def container_env() -> dict[str, str]:
    """The cluster's environment, which YARN passes on to containers (PATH and MRKIT_HOME are
    in the NodeManager's env-whitelist): this Python's bin directory goes first on PATH, so a
    shell action of an Oozie workflow finds this venv's `mrkit` and `python`
    (mr/workflow/twins.py), and MRKIT_HOME names this state root, so that `mrkit` finds the
    cluster's configuration and jars there."""
    env = {config.STATE_ROOT_ENV: str(config.state_root().resolve())}
    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if scripts not in path.split(os.pathsep):
        env["PATH"] = os.pathsep.join([scripts, path]) if path else scripts
    return env


def _ports_of_starting_cluster() -> Ports | None:
    try:
        return Ports(**json.loads((home() / "starting.json").read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _wait_ready(
    pid: int, ports: Ports, timeout: float, bind_host: str = config.DEFAULT_BIND_HOST
) -> ClusterInfo:
    d = daemon()
    url = f"http://127.0.0.1:{ports.webhdfs}"
    wait_for(
        lambda: written_config().exists() and webhdfs_answers(url),
        timeout=timeout,
        what=f"Hadoop MiniCluster (pid {pid})",
        alive=lambda: d.pid() == pid,
        log=d.log,
    )
    state = _write_client_files(pid, ports, bind_host)
    state_path().write_text(state.to_json())
    (home() / "starting.json").unlink(missing_ok=True)
    return state


def server_conf_dir() -> Path:
    """The cluster JVM's own classpath dir: log4j.properties only. Not conf/: the *-site.xml
    files written there for clients would be read back by the next cluster as its defaults, so
    every setting of the previous start (an old -D, a removed default) came back."""
    return home() / "server-conf"


def _write_log4j() -> None:
    for conf in (conf_dir(), server_conf_dir()):
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "log4j.properties").write_text(LOG4J_PROPERTIES)


def _nodemanager_log_dirs() -> list[Path]:
    return sorted(p for p in (home() / "run" / "target").rglob("*-logDir-nm-*") if p.is_dir())


SHUFFLE_LISTENING = re.compile(r"mapreduce_shuffle listening on port (\d+)")


def shuffle_port(log: Path | None = None) -> int:
    """The port of the NodeManager's shuffle service (reducers fetch map output there), from the
    cluster's log of its last start; 0 if not found. Hadoop 3.4.1's ShuffleHandler binds every
    interface and has no setting for the address, and MiniMRYarnCluster sets its port to 0
    whatever -D says: the one port of the cluster not on the bind host. It serves only requests
    signed with a running job's secret token (a URL hash checked against the job's key)."""
    log = log or daemon().log
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return 0
    text = text[text.rfind("\n=== ") + 1 :]  # Daemon.start marks each start so
    found = SHUFFLE_LISTENING.findall(text)
    return int(found[-1]) if found else 0


def _write_client_files(pid: int, ports: Ports, bind_host: str) -> ClusterInfo:
    """conf/ (copies of the written config), mrjob.conf, hdfscli.cfg; return the state."""
    conf = conf_dir()
    _write_log4j()
    written = written_config().read_text()
    for name in ("core-site.xml", "hdfs-site.xml", "mapred-site.xml", "yarn-site.xml"):
        (conf / name).write_text(written)

    # mrjob finds failed tasks' stderr under <log dir>/userlogs/<application>/<container>/
    log_dirs = []
    for n, nm_dir in enumerate(_nodemanager_log_dirs()):
        link_root = task_log_dir() / str(n)
        link_root.mkdir(parents=True, exist_ok=True)
        link = link_root / "userlogs"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(nm_dir)
        log_dirs.append(str(link_root))

    webhdfs = f"http://127.0.0.1:{ports.webhdfs}"
    state = ClusterInfo(
        pid=pid,
        ports=ports,
        fs_uri=f"hdfs://localhost:{ports.hdfs}",
        webhdfs_url=webhdfs,
        rm_url=f"http://{config.connect_host(bind_host)}:{ports.rm_web}",
        conf_dir=str(conf),
        mrjob_conf=str(mrjob_conf_path()),
        hdfscli_config=str(hdfscli_config_path()),
        bind_host=bind_host,
        shuffle_port=shuffle_port(),
    )
    mrjob_conf_path().write_text(
        # the history dir too: from the .jhist of a failed job mrjob learns which container ran
        # each failed attempt, and so finds the task's stderr (the Python traceback)
        render_mrjob_conf(
            LAUNCHER, streaming_jar(), python_for_tasks(), [*log_dirs, f"hdfs://{HISTORY_DIR}"]
        )
    )
    hdfscli_config_path().write_text(
        f"# HdfsCLI configuration of the cluster of `mrkit cluster up` (HDFSCLI_CONFIG=this file)\n"
        f"[global]\ndefault.alias = {HDFS_ALIAS}\n\n"
        f"[{HDFS_ALIAS}.alias]\nurl = {webhdfs}\nuser = {getpass.getuser()}\n"
    )
    return state


def render_mrjob_conf(launcher: Path, jar: Path, python: str, log_dirs: list[str]) -> str:
    """mrjob.conf for the hadoop and spark runners on this cluster; it includes the repo's
    mrjob.conf."""
    lines = [
        "# Written by `mrkit cluster up` for the cluster it started; rewritten on every start.",
        "# Use it with -c (python mr/word_count.py -r hadoop -c .cluster/hadoop/mrjob.conf ...)",
        "# or MRJOB_CONF. The runner settings of the repo's mrjob.conf come first.",
        f"include: {json.dumps(str(REPO_MRJOB_CONF))}",
        "runners:",
        "  hadoop:",
        f"    hadoop_bin: {json.dumps(str(launcher))}",
        f"    hadoop_streaming_jar: {json.dumps(str(jar))}",
        "    # absolute: YARN containers do not inherit the PATH of the shell",
        f"    python_bin: {json.dumps(python)}",
        "    hadoop_log_dirs:",
        *[f"    - {json.dumps(d)}" for d in log_dirs],
        "    cmdenv:",
        "      LC_ALL: C.UTF-8",
        "      PYTHONIOENCODING: utf-8",
        "  spark:",
        "    # the executors' Python with --spark-master yarn (PYSPARK_PYTHON): the same one",
        f"    python_bin: {json.dumps(python)}",
    ]
    return "\n".join(lines) + "\n"


def down() -> bool:
    """Stop the cluster we started (by its recorded pid only); True if one was running."""
    stopped = daemon().stop()
    for path in (state_path(), mrjob_conf_path(), hdfscli_config_path(), home() / "starting.json"):
        path.unlink(missing_ok=True)
    return stopped


def status() -> dict:
    """{'running': bool, ...}: pid, ports, URLs and whether WebHDFS answers."""
    state = info()
    pid = daemon().pid()
    if state is None:
        return {"running": False, "starting": pid is not None, "pid": pid}
    return {
        "running": True,
        "webhdfs_answers": webhdfs_answers(state.webhdfs_url),
        **asdict(state),
        "log": str(daemon().log),
    }
