"""The `nodes_cluster` fixture: Hadoop of 3 DataNodes and 2 NodeManagers, one JVM per
node (mr/engines/multinode.py), for the fault tests (tests/test_faults.py, marker `faults`).

It lives beside the session's one-JVM cluster (tests/plugins/hadoop.py) under a state root of
its own (<state root>/faults, its lib linked to the main one's) and on ports of its own:
MRKIT_FAULTS_PORT (default 18600) is its NameNode's, the next three WebHDFS, the RM and the
JobHistory server, and MRKIT_FAULTS_PORT + 10 on are the nodes' (MRKIT_NODES_PORT). Tests drive
it through `mrkit` and jobs in subprocesses with its environment (`nodes_cluster.env`). Started
once per test module (all fault tests are in one) and stopped after it, so that its eight JVMs
do not idle through the rest of the suite; a node a test stops is started again after that
test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.plugins.engines import unavailable

FAULTS_PORT_ENV = "MRKIT_FAULTS_PORT"
DATANODES = 3
NODEMANAGERS = 2


@dataclass
class NodesCluster:
    root: Path
    env: dict[str, str]
    webhdfs_url: str
    mrjob_conf: str
    layout: dict = field(default_factory=dict)

    def mrkit(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mr.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def node_pid(self, node: str) -> int | None:
        try:
            pid = int((self.root / "hadoop" / "nodes" / f"{node}.pid").read_text())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

    def ensure_all_running(self) -> None:
        """Start again every DataNode and NodeManager a test stopped."""
        for kind, count in (("datanode", DATANODES), ("nodemanager", NODEMANAGERS)):
            for i in range(count):
                if self.node_pid(f"{kind}-{i}") is None:
                    done = self.mrkit("cluster", "start-node", kind, str(i))
                    assert done.returncode == 0, done.stderr


def faults_env(root: Path) -> dict[str, str]:
    base = int(os.environ.get(FAULTS_PORT_ENV) or 18600)
    repo = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "MRKIT_HOME": str(root),
        "MRKIT_HDFS_PORT": str(base),
        "MRKIT_WEBHDFS_PORT": str(base + 1),
        "MRKIT_RM_PORT": str(base + 2),
        "MRKIT_JHS_PORT": str(base + 3),
        "MRKIT_OOZIE_PORT": str(base + 5),
        "MRKIT_HBASE_ZK_PORT": str(base + 6),
        "MRKIT_HBASE_MASTER_PORT": str(base + 7),
        "MRKIT_HBASE_REGIONSERVER_PORT": str(base + 8),
        "MRKIT_HBASE_THRIFT_PORT": str(base + 9),
        "MRKIT_NODES_PORT": str(base + 10),
        "PYTHONPATH": os.pathsep.join([repo, path]) if path else repo,
    }


@pytest.fixture(scope="module")
def nodes_cluster():
    from mr.engines import EngineError, fetch, state_dir

    try:
        lib = fetch("hadoop")
    except (EngineError, OSError) as e:
        unavailable("hadoop (3 DataNodes, 2 NodeManagers)", e)
        return
    root = state_dir("faults")
    (root / "hadoop").mkdir(exist_ok=True)
    link = root / "hadoop" / "lib"
    if not link.exists():
        link.symlink_to(lib)
    env = faults_env(root)
    cluster = NodesCluster(
        root=root,
        env=env,
        webhdfs_url=f"http://127.0.0.1:{env['MRKIT_WEBHDFS_PORT']}",
        mrjob_conf=str(root / "hadoop" / "mrjob.conf"),
    )
    started = cluster.mrkit(
        "cluster",
        "up",
        "--datanodes",
        str(DATANODES),
        "--nodemanagers",
        str(NODEMANAGERS),
        timeout=900,
    )
    if started.returncode != 0:
        cluster.mrkit("cluster", "down")
        unavailable("hadoop (3 DataNodes, 2 NodeManagers)", RuntimeError(started.stderr[-3000:]))
        return
    try:
        yield cluster
    finally:
        cluster.mrkit("cluster", "down")


@pytest.fixture
def nodes(nodes_cluster):
    """The cluster with every node running, before and after the test."""
    nodes_cluster.ensure_all_running()
    yield nodes_cluster
    nodes_cluster.ensure_all_running()


@pytest.fixture(scope="module")
def nodes_oozie(nodes_cluster):
    """Oozie 5.2.1 (`mrkit oozie up`) on the fault cluster, on MRKIT_FAULTS_PORT + 5."""
    from mr.engines import EngineError, fetch, state_dir

    try:
        lib = fetch("oozie")
    except (EngineError, OSError) as e:
        unavailable("oozie", e)
        return
    home = nodes_cluster.root / "oozie"
    home.mkdir(exist_ok=True)
    if not (home / "lib").exists():
        (home / "lib").symlink_to(lib)
    assert state_dir("oozie") != home
    nodes_cluster.ensure_all_running()  # its sharelib goes to HDFS, through every DataNode
    started = nodes_cluster.mrkit("oozie", "up", timeout=600)
    if started.returncode != 0:
        unavailable("oozie", RuntimeError(started.stderr[-3000:]))
        return
    try:
        yield nodes_cluster
    finally:
        nodes_cluster.mrkit("oozie", "down")


@pytest.fixture(scope="module")
def nodes_hbase(nodes_cluster):
    """Standalone HBase and its Thrift gateway (`mrkit hbase up`) beside the fault cluster, on
    MRKIT_FAULTS_PORT + 6 to + 9."""
    from mr.engines import EngineError, fetch

    try:
        lib = fetch("hbase")
    except (EngineError, OSError) as e:
        unavailable("hbase", e)
        return
    home = nodes_cluster.root / "hbase"
    home.mkdir(exist_ok=True)
    if not (home / "lib").exists():
        (home / "lib").symlink_to(lib)
    started = nodes_cluster.mrkit("hbase", "up", timeout=600)
    if started.returncode != 0:
        nodes_cluster.mrkit("hbase", "down")
        unavailable("hbase", RuntimeError(started.stderr[-3000:]))
        return
    try:
        yield nodes_cluster
    finally:
        nodes_cluster.mrkit("hbase", "down")
