"""Hadoop 3.4.1 as real daemons, one JVM per node: a NameNode, N DataNodes, a ResourceManager,
M NodeManagers and a JobHistory server, so that one node can be stopped and started while the
rest runs (`mrkit cluster up --datanodes N --nodemanagers M`, `mrkit cluster stop-node` and
`start-node`).

Why separate daemons and not a harness over MiniDFSCluster and MiniYARNCluster: a stopped node
here is what it is on a real cluster (its process is gone, its containers die with it, the
masters notice it by its missing heartbeats), HDFS and YARN are driven by their own main classes
(nothing to compile) and a node starts again from its own data directory. The price is one JVM
start per node, so the one-JVM MiniCluster of mr/engines/hadoop.py stays the default (1 and 1).

State in the hadoop state dir (``.cluster/hadoop``), so that everything that finds the cluster
through ``mr.engines.hadoop.info()`` (jobs, `mrkit hdfs`, Oozie) finds this one too:

- ``nodes/nodes.json``   the layout: node counts and every port
- ``nodes/<node>/``      each node's configuration (``conf/``) and data; ``nodes/<node>.pid``
- ``logs/nodes/<node>.log``
- ``conf/``, ``mrjob.conf``, ``hdfscli.cfg``, ``state.json``: the client files, as hadoop.py
  writes them; ``minicluster.pid`` holds the NameNode's pid, the cluster's pid for
  ``hadoop.info()``

Ports: the NameNode, WebHDFS, the ResourceManager and the JobHistory server take
MRKIT_HDFS_PORT, MRKIT_WEBHDFS_PORT, MRKIT_RM_PORT and MRKIT_JHS_PORT as in hadoop.py; every
other one is MRKIT_NODES_PORT (default 18100) plus an offset (:func:`layout`). Every address is
127.0.0.1.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
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
    wait_for,
)
from mr.lib.defaults import HADOOP_MAX_NODES, HADOOP_NODE_KINDS

ENGINE = hadoop.ENGINE
NODES_PORT_ENV = "MRKIT_NODES_PORT"
DEFAULT_NODES_PORT = 18100
MAX_NODES = HADOOP_MAX_NODES
KINDS = HADOOP_NODE_KINDS
#: YARN's node states (the REST API has no "all")
NODE_STATES = (
    "NEW",
    "RUNNING",
    "UNHEALTHY",
    "DECOMMISSIONING",
    "DECOMMISSIONED",
    "LOST",
    "REBOOTED",
    "SHUTDOWN",
)

MAIN_CLASSES = {
    "namenode": "org.apache.hadoop.hdfs.server.namenode.NameNode",
    "datanode": "org.apache.hadoop.hdfs.server.datanode.DataNode",
    "resourcemanager": "org.apache.hadoop.yarn.server.resourcemanager.ResourceManager",
    "nodemanager": "org.apache.hadoop.yarn.server.nodemanager.NodeManager",
    "jobhistory": "org.apache.hadoop.mapreduce.v2.hs.JobHistoryServer",
}
HEAP = {"namenode": "384m", "resourcemanager": "384m", "jobhistory": "256m"}

SHUFFLE_HANDLER = "org.apache.hadoop.mapred.ShuffleHandler"

# What differs from hadoop.CLUSTER_SETTINGS (which are kept: staging and history dirs, small
# JVMs, uber mode): heartbeats and the masters' patience, short enough that a stopped node is
# seen dead within seconds (a DataNode after 2 * recheck + 10 * heartbeat = 15 s), and no 30 s
# safe mode extension at every start
NODE_SETTINGS = {
    "dfs.heartbeat.interval": "1",
    "dfs.namenode.heartbeat.recheck-interval": "2500",
    "dfs.namenode.safemode.extension": "0",
    "dfs.namenode.safemode.min.datanodes": "0",
    # a write pipeline that loses a node goes on with the others when no spare node is left
    # (3 DataNodes and replication 3 have none)
    "dfs.client.block.write.replace-datanode-on-failure.best-effort": "true",
    "yarn.nm.liveness-monitor.expiry-interval-ms": "10000",
    # one container per node heartbeat, so that a job's containers spread over the nodes as on
    # a real cluster (by default the first node to heartbeat took the AM and every task)
    "yarn.scheduler.capacity.per-node-heartbeat.multiple-assignments-enabled": "false",
    "yarn.nodemanager.aux-services": "mapreduce_shuffle",
    "yarn.nodemanager.aux-services.mapreduce_shuffle.class": SHUFFLE_HANDLER,
    "yarn.nodemanager.resource.memory-mb": "3072",
    "yarn.nodemanager.vmem-check-enabled": "false",
    "yarn.nodemanager.pmem-check-enabled": "false",
    # keep a finished container's files for mrjob, which reads failed tasks' stderr
    "yarn.nodemanager.delete.debug-delay-sec": "600",
    "yarn.nodemanager.recovery.enabled": "false",
}


def home() -> Path:
    return hadoop.home()


def nodes_dir() -> Path:
    path = home() / "nodes"
    path.mkdir(parents=True, exist_ok=True)
    return path


def layout_path() -> Path:
    return nodes_dir() / "nodes.json"


def base_port() -> int:
    raw = os.environ.get(NODES_PORT_ENV, "")
    try:
        return int(raw) if raw else DEFAULT_NODES_PORT
    except ValueError:
        raise EngineError(f"{NODES_PORT_ENV}={raw!r} is not a port number") from None


def layout(datanodes: int, nodemanagers: int) -> dict:
    """Node counts and every port: {"datanodes": N, "nodemanagers": M, "ports": {...}}."""
    for what, n in (("datanodes", datanodes), ("nodemanagers", nodemanagers)):
        if not 1 <= n <= MAX_NODES:
            raise EngineError(f"--{what} must be 1 to {MAX_NODES}, not {n}")
    main = hadoop.Ports.from_env()
    b = base_port()
    ports = {
        "namenode": main.hdfs,
        "webhdfs": main.webhdfs,
        "rm": main.rm,
        "jhs": main.jhs,
        "rm_scheduler": b,
        "rm_tracker": b + 1,
        "rm_admin": b + 2,
        "rm_web": b + 3,
        "jhs_web": b + 4,
        "jhs_admin": b + 5,
    }
    for i in range(datanodes):
        for k, name in enumerate(("xfer", "http", "ipc")):
            ports[f"datanode-{i}.{name}"] = b + 10 + 3 * i + k
    for i in range(nodemanagers):
        for k, name in enumerate(("rpc", "localizer", "web", "shuffle")):
            ports[f"nodemanager-{i}.{name}"] = b + 40 + 4 * i + k
    return {"datanodes": datanodes, "nodemanagers": nodemanagers, "ports": ports}


def _addr(port: int) -> str:
    return f"127.0.0.1:{port}"


def common_settings(lay: dict) -> dict[str, str]:
    """The settings every daemon and every client share."""
    p = lay["ports"]
    settings = {
        **hadoop.CLUSTER_SETTINGS,
        **hadoop.proxy_user_settings(),
        **NODE_SETTINGS,
        "dfs.replication": str(min(3, lay["datanodes"])),
        "fs.defaultFS": f"hdfs://{_addr(p['namenode'])}",
        "hadoop.tmp.dir": str(nodes_dir() / "tmp"),
        "dfs.namenode.rpc-address": _addr(p["namenode"]),
        "dfs.namenode.http-address": _addr(p["webhdfs"]),
        "dfs.namenode.name.dir": str(nodes_dir() / "namenode" / "name"),
        "yarn.resourcemanager.hostname": "127.0.0.1",
        "yarn.resourcemanager.address": _addr(p["rm"]),
        "yarn.resourcemanager.scheduler.address": _addr(p["rm_scheduler"]),
        "yarn.resourcemanager.resource-tracker.address": _addr(p["rm_tracker"]),
        "yarn.resourcemanager.admin.address": _addr(p["rm_admin"]),
        "yarn.resourcemanager.webapp.address": _addr(p["rm_web"]),
        "mapreduce.jobhistory.address": _addr(p["jhs"]),
        "mapreduce.jobhistory.webapp.address": _addr(p["jhs_web"]),
        "mapreduce.jobhistory.admin.address": _addr(p["jhs_admin"]),
        "yarn.nodemanager.hostname": "127.0.0.1",
    }
    return settings


def node_settings(lay: dict, node: str) -> dict[str, str]:
    """One node's own addresses and directories."""
    p = lay["ports"]
    d = nodes_dir() / node
    if node.startswith("datanode-"):
        return {
            "dfs.datanode.address": _addr(p[f"{node}.xfer"]),
            "dfs.datanode.http.address": _addr(p[f"{node}.http"]),
            "dfs.datanode.ipc.address": _addr(p[f"{node}.ipc"]),
            "dfs.datanode.data.dir": str(d / "data"),
        }
    if node.startswith("nodemanager-"):
        return {
            "yarn.nodemanager.address": _addr(p[f"{node}.rpc"]),
            "yarn.nodemanager.localizer.address": _addr(p[f"{node}.localizer"]),
            "yarn.nodemanager.webapp.address": _addr(p[f"{node}.web"]),
            "mapreduce.shuffle.port": str(p[f"{node}.shuffle"]),
            "yarn.nodemanager.local-dirs": str(d / "local"),
            "yarn.nodemanager.log-dirs": str(d / "userlogs"),
        }
    return {}


def site_xml(settings: dict[str, str]) -> str:
    props = "".join(
        f"  <property><name>{escape(k)}</name><value>{escape(v)}</value></property>\n"
        for k, v in sorted(settings.items())
    )
    return f'<?xml version="1.0"?>\n<configuration>\n{props}</configuration>\n'


def write_conf(conf: Path, settings: dict[str, str]) -> None:
    """The same settings in the four site files (each daemon reads its own), plus log4j."""
    conf.mkdir(parents=True, exist_ok=True)
    text = site_xml(settings)
    for name in ("core-site.xml", "hdfs-site.xml", "mapred-site.xml", "yarn-site.xml"):
        (conf / name).write_text(text)
    (conf / "log4j.properties").write_text(hadoop.LOG4J_PROPERTIES)


def node_names(lay: dict) -> list[str]:
    return [
        "namenode",
        *(f"datanode-{i}" for i in range(lay["datanodes"])),
        "resourcemanager",
        *(f"nodemanager-{i}" for i in range(lay["nodemanagers"])),
        "jobhistory",
    ]


def daemon(node: str) -> Daemon:
    nodes_dir()
    return Daemon(ENGINE, f"nodes/{node}")


def _kind(node: str) -> str:
    return node.split("-")[0]


def java_command(node: str, lib: Path, *args: str) -> list[str]:
    return [
        java_bin(),
        f"-Xmx{HEAP.get(_kind(node), '256m')}",
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        *JAVA17_OPENS,
        "-cp",
        classpath(nodes_dir() / node / "conf", f"{lib}/*"),
        MAIN_CLASSES[_kind(node)],
        *args,
    ]


def node_env() -> dict[str, str]:
    """PATH as hadoop.container_env; JAVA_HOME for the containers' launch scripts."""
    env = hadoop.container_env()
    java = Path(java_bin()).resolve()
    env.setdefault("JAVA_HOME", str(java.parent.parent))
    if "JAVA_HOME" in os.environ:
        env["JAVA_HOME"] = os.environ["JAVA_HOME"]
    return env


def read_layout() -> dict | None:
    try:
        return json.loads(layout_path().read_text())
    except (OSError, ValueError):
        return None


def info() -> hadoop.ClusterInfo | None:
    """The running multi-node cluster's client state, else None."""
    if read_layout() is None:
        return None
    return hadoop.info()


def up(
    datanodes: int,
    nodemanagers: int,
    timeout: float = hadoop.DEFAULT_TIMEOUT,
    extra: dict[str, str] | None = None,
    say: Callable[[str], None] | None = None,
) -> hadoop.ClusterInfo:
    """Format HDFS, start every node and wait until all of them have joined."""
    say = say or (lambda message: None)
    running = hadoop.info()
    if running is not None:
        lay = read_layout() or {"datanodes": 1, "nodemanagers": 1}
        if (lay["datanodes"], lay["nodemanagers"]) != (datanodes, nodemanagers):
            raise EngineError(
                f"a cluster of {lay['datanodes']} DataNode(s) and {lay['nodemanagers']} "
                f"NodeManager(s) runs (pid {running.pid}); `mrkit cluster down` first"
            )
        say(f"hadoop: already running (pid {running.pid})")
        return running
    lay = layout(datanodes, nodemanagers)
    check_ports_free({f"{NODES_PORT_ENV} layout: {k}": v for k, v in lay["ports"].items()})
    say("hadoop: fetching jars (Maven, first time only)...")
    lib = fetch(ENGINE)
    shutil.rmtree(nodes_dir(), ignore_errors=True)
    for stale in (hadoop.state_path(), hadoop.mrjob_conf_path(), hadoop.written_config()):
        stale.unlink(missing_ok=True)
    common = {**common_settings(lay), **(extra or {})}
    for node in node_names(lay):
        write_conf(nodes_dir() / node / "conf", {**common, **node_settings(lay, node)})
    write_conf(hadoop.conf_dir(), common)
    # what the MiniCluster writes when it is up, read by Oozie's hadoop-conf (oozie.py)
    hadoop.written_config().write_text(site_xml(common))
    layout_path().write_text(json.dumps(lay, indent=2))

    say("hadoop: formatting HDFS")
    fmt = subprocess.run(
        java_command("namenode", lib, "-format", "-force", "-nonInteractive"),
        capture_output=True,
        text=True,
        env={**os.environ, **node_env()},
    )
    if fmt.returncode != 0:
        raise EngineError(f"formatting the NameNode failed: {fmt.stderr.strip()[-1500:]}")
    try:
        for node in node_names(lay):
            _start(node, lib)
        logs = home() / "logs" / "nodes"
        say(
            f"hadoop: started {len(node_names(lay))} daemons (logs in {logs}); "
            f"waiting up to {timeout:.0f}s for every node"
        )
        deadline = time.monotonic() + timeout
        for node in node_names(lay):
            _wait_joined(node, lay, max(1.0, deadline - time.monotonic()))
        return _write_client_files(lay)
    except BaseException:
        down()
        raise


def _start(node: str, lib: Path) -> int:
    d = daemon(node)
    return d.start(java_command(node, lib), cwd=nodes_dir() / node, env=node_env())


def _http_json(url: str, timeout: float = 5.0) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read())
    except (OSError, urllib.error.URLError, ValueError):
        return None


def datanode_view(lay: dict) -> dict[str, str]:
    """{datanode-I: 'live'|'dead'} as the NameNode sees them (absent: never registered)."""
    url = f"http://127.0.0.1:{lay['ports']['webhdfs']}/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo"
    data = _http_json(url)
    if not data or not data.get("beans"):
        return {}
    bean = data["beans"][0]
    by_port = {lay["ports"][f"datanode-{i}.xfer"]: f"datanode-{i}" for i in range(lay["datanodes"])}
    view: dict[str, str] = {}
    for state, key in (("dead", "DeadNodes"), ("live", "LiveNodes")):
        for name, node in json.loads(bean.get(key) or "{}").items():
            port = node.get("xferaddr", name).rpartition(":")[2]
            if port.isdigit() and int(port) in by_port:
                view[by_port[int(port)]] = state
    return view


def nodemanager_view(lay: dict) -> dict[str, str]:
    """{nodemanager-I: RUNNING|LOST|SHUTDOWN|...} as the ResourceManager sees them."""
    states = ",".join(NODE_STATES)
    url = f"http://127.0.0.1:{lay['ports']['rm_web']}/ws/v1/cluster/nodes?states={states}"
    data = _http_json(url)
    nodes = ((data or {}).get("nodes") or {}).get("node") or []
    by_port = {
        lay["ports"][f"nodemanager-{i}.rpc"]: f"nodemanager-{i}" for i in range(lay["nodemanagers"])
    }
    view: dict[str, str] = {}
    for node in nodes:
        port = str(node.get("id", "")).rpartition(":")[2]
        if port.isdigit() and int(port) in by_port:
            view[by_port[int(port)]] = node.get("state", "?")
    return view


def _joined(node: str, lay: dict) -> bool:
    p = lay["ports"]
    kind = _kind(node)
    if kind == "namenode":
        return hadoop.webhdfs_answers(f"http://127.0.0.1:{p['webhdfs']}")
    if kind == "datanode":
        # the DataNode's own word too: the NameNode lists a stopped one live for 15 s
        return _datanode_registered(p[f"{node}.http"]) and datanode_view(lay).get(node) == "live"
    if kind == "resourcemanager":
        return _http_json(f"http://127.0.0.1:{p['rm_web']}/ws/v1/cluster/info") is not None
    if kind == "nodemanager":
        answers = _http_json(f"http://127.0.0.1:{p[f'{node}.web']}/ws/v1/node/info") is not None
        return answers and nodemanager_view(lay).get(node) == "RUNNING"
    return _http_json(f"http://127.0.0.1:{p['jhs_web']}/ws/v1/history/info") is not None


def _datanode_registered(http_port: int) -> bool:
    """Whether the DataNode on this HTTP port runs and has registered with its NameNode."""
    url = f"http://127.0.0.1:{http_port}/jmx?qry=Hadoop:service=DataNode,name=DataNodeInfo"
    beans = (_http_json(url) or {}).get("beans") or [{}]
    try:
        actors = json.loads(beans[0].get("BPServiceActorInfo") or "[]")
    except ValueError:
        return False
    return any(a.get("ActorState") == "RUNNING" for a in actors)


def _wait_joined(node: str, lay: dict, timeout: float) -> None:
    d = daemon(node)
    wait_for(
        lambda: _joined(node, lay),
        timeout=timeout,
        what=f"{node} (pid {d.pid()})",
        alive=d.running,
        log=d.log,
        interval=0.5,
    )


def _write_client_files(lay: dict) -> hadoop.ClusterInfo:
    p = lay["ports"]
    nn = daemon("namenode").pid()
    assert nn is not None
    log_dirs = []
    for i in range(lay["nodemanagers"]):
        link_root = hadoop.task_log_dir() / str(i)
        link_root.mkdir(parents=True, exist_ok=True)
        link = link_root / "userlogs"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(nodes_dir() / f"nodemanager-{i}" / "userlogs")
        log_dirs.append(str(link_root))
    webhdfs = f"http://127.0.0.1:{p['webhdfs']}"
    state = hadoop.ClusterInfo(
        pid=nn,
        ports=hadoop.Ports(hdfs=p["namenode"], webhdfs=p["webhdfs"], rm=p["rm"], jhs=p["jhs"]),
        fs_uri=f"hdfs://127.0.0.1:{p['namenode']}",
        webhdfs_url=webhdfs,
        rm_url=f"http://127.0.0.1:{p['rm_web']}",
        conf_dir=str(hadoop.conf_dir()),
        mrjob_conf=str(hadoop.mrjob_conf_path()),
        hdfscli_config=str(hadoop.hdfscli_config_path()),
    )
    hadoop.mrjob_conf_path().write_text(
        hadoop.render_mrjob_conf(
            hadoop.LAUNCHER,
            hadoop.streaming_jar(),
            hadoop.python_for_tasks(),
            [*log_dirs, f"hdfs://{hadoop.HISTORY_DIR}"],
        )
    )
    hadoop.hdfscli_config_path().write_text(
        f"# HdfsCLI configuration of the cluster of `mrkit cluster up` (HDFSCLI_CONFIG=this file)\n"
        f"[global]\ndefault.alias = {hadoop.HDFS_ALIAS}\n\n"
        f"[{hadoop.HDFS_ALIAS}.alias]\nurl = {webhdfs}\nuser = {getpass.getuser()}\n"
    )
    hadoop.state_path().write_text(state.to_json())
    # the NameNode stands for the cluster: hadoop.info() compares state.json's pid with this
    hadoop.daemon().pidfile.write_text(str(nn))
    return state


def _node(kind: str, index: int) -> tuple[dict, str]:
    lay = read_layout()
    if lay is None or hadoop.info() is None:
        raise EngineError(
            "no multi-node cluster runs (`mrkit cluster up --datanodes N --nodemanagers M`)"
        )
    if kind not in KINDS:
        raise EngineError(f"a node is one of {', '.join(KINDS)}, not {kind!r}")
    count = lay[f"{kind}s"]
    if not 0 <= index < count:
        raise EngineError(
            f"{kind} {index} does not exist: the cluster has {kind}s 0 to {count - 1}"
        )
    return lay, f"{kind}-{index}"


def stop_node(kind: str, index: int) -> bool:
    """Stop one DataNode or NodeManager (SIGTERM, as `hdfs --daemon stop` does): True if it ran.

    A NodeManager that stops kills its containers and tells the ResourceManager, whose
    ApplicationMasters then run the lost task attempts elsewhere; a DataNode says nothing, and
    the NameNode counts it dead after 15 s without a heartbeat (readers and writers skip it
    at once)."""
    _, node = _node(kind, index)
    return daemon(node).stop()


def start_node(kind: str, index: int, timeout: float = 120.0) -> int:
    """Start a stopped node again (from its own data) and wait until its master lists it."""
    lay, node = _node(kind, index)
    d = daemon(node)
    pid = d.pid()
    if pid is None:
        pid = _start(node, fetch(ENGINE))
    _wait_joined(node, lay, timeout)
    return pid


def nodes_status() -> list[dict]:
    """One row per node: node, pid (None when stopped), state as its master sees it."""
    lay = read_layout()
    if lay is None:
        return []
    dns = datanode_view(lay)
    nms = nodemanager_view(lay)
    rows = []
    for node in node_names(lay):
        pid = daemon(node).pid()
        if node.startswith("datanode-"):
            seen = dns.get(node, "unregistered")
        elif node.startswith("nodemanager-"):
            seen = {"RUNNING": "live"}.get(nms.get(node, ""), nms.get(node, "unregistered").lower())
        else:
            seen = "live" if pid is not None and _joined(node, lay) else "dead"
        rows.append({"node": node, "pid": pid, "state": seen})
    return rows


def down() -> bool:
    """Stop every node we started (by its recorded pid); True if one was running."""
    lay = read_layout()
    stopped = False
    names = node_names(lay) if lay else []
    # workers first, so that no NodeManager outlives its ResourceManager's notice
    for node in reversed(names):
        stopped = daemon(node).stop() or stopped
    for path in (
        hadoop.state_path(),
        hadoop.mrjob_conf_path(),
        hadoop.hdfscli_config_path(),
        hadoop.daemon().pidfile,
        layout_path(),
    ):
        path.unlink(missing_ok=True)
    return stopped
