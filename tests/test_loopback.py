"""Every port of the one-machine engines listens on loopback unless told otherwise, and only the
user who started the cluster may administer it (issue 26, point 0).

The engine tests read the LISTEN sockets of the session's engines (their process trees) from
/proc/net/tcp and /proc/net/tcp6 and fail naming any that is not on 127.0.0.0/8 or ::1.
"""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from dataclasses import asdict

import pytest

from mr.engines import Listener, listening_sockets, process_tree
from mr.lib import config
from mr.lib.errors import UsageError
from tests.support import REPO, mrkit

LAUNCHER = str(REPO / "scripts" / "hadoop" / "bin" / "hadoop")


def beyond_loopback(listeners: list[Listener], allowed: frozenset[int] = frozenset()) -> str:
    """'' when every listener is on loopback (or its port allowed), else the others, named."""
    return ", ".join(str(x) for x in listeners if not x.loopback and x.port not in allowed)


# -- the helper and the setting, without engines ---------------------------------------------------


def test_listening_sockets_tells_loopback_from_every_interface():
    """A child listening on 0.0.0.0 and on 127.0.0.1: both found, only one loopback."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import socket, sys\n"
            "a, b = socket.socket(), socket.socket()\n"
            "a.bind(('0.0.0.0', 0)); a.listen(); b.bind(('127.0.0.1', 0)); b.listen()\n"
            "print(a.getsockname()[1], b.getsockname()[1], flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        everywhere, loopback = map(int, child.stdout.readline().split())
        found = {x.port: x for x in listening_sockets(process_tree(child.pid))}
    finally:
        child.kill()
        child.wait()
    assert set(found) == {everywhere, loopback}
    assert not found[everywhere].loopback and found[everywhere].address == "0.0.0.0"
    assert found[loopback].loopback and found[loopback].pid == child.pid
    assert beyond_loopback(list(found.values())) == f"0.0.0.0:{everywhere} (pid {child.pid})"


@pytest.mark.parametrize("address", ["::1", "::ffff:127.0.0.1", "127.0.1.1"])
def test_loopback_addresses(address):
    assert Listener(1, address, 80).loopback


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "192.0.2.2", "::ffff:192.0.2.2"])
def test_addresses_beyond_loopback(address):
    assert not Listener(1, address, 80).loopback


def test_bind_host_default_and_values(monkeypatch):
    monkeypatch.delenv(config.BIND_HOST_ENV, raising=False)
    assert config.bind_host() == "127.0.0.1"
    monkeypatch.setenv(config.BIND_HOST_ENV, "0.0.0.0")
    assert config.bind_host() == "0.0.0.0"
    assert config.connect_host("0.0.0.0") == config.connect_host("::") == "127.0.0.1"
    assert config.bind_host("node-1.example.org") == "node-1.example.org"
    assert config.bind_host("::1") == "::1"


@pytest.mark.parametrize("value", ["x;rm -rf /", "a b", "", "-D", "host:80", "é.example"])
def test_bad_bind_host(value, monkeypatch):
    with pytest.raises(UsageError, match="is not an IP address or a host name"):
        config.bind_host(value)
    monkeypatch.setenv(config.BIND_HOST_ENV, value or "-")
    with pytest.raises(UsageError, match=config.BIND_HOST_ENV):
        config.bind_host()


@pytest.mark.parametrize("group", [["cluster", "up"], ["hbase", "up"], ["oozie", "up"],
                                   ["mysql", "up"], ["airflow", "up"]])  # fmt: skip
def test_bad_bind_host_option_is_one_line_exit_2(group, tmp_path):
    result = mrkit(*group, "--bind-host", "x;id", env={"MRKIT_HOME": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"mrkit {' '.join(group)}: error: --bind-host='x;id' is not an IP address or a host name"
    ]


def test_cluster_settings_put_every_daemon_on_the_bind_host():
    from mr.engines import hadoop

    ports = hadoop.Ports()
    loopback = hadoop.listen_settings(ports, "127.0.0.1")
    assert loopback["yarn.resourcemanager.bind-host"] == "127.0.0.1"
    assert loopback["yarn.resourcemanager.admin.address"] == "127.0.0.1:8033"
    assert not any(k.startswith("dfs.") for k in loopback)  # MiniDFSCluster's 127.0.0.1 stays
    everywhere = hadoop.listen_settings(ports, "0.0.0.0")
    assert everywhere["dfs.namenode.rpc-bind-host"] == "0.0.0.0"
    assert everywhere["yarn.resourcemanager.admin.address"] == "127.0.0.1:8033"
    acl = hadoop.admin_acl_settings()
    assert acl == {"yarn.admin.acl": getpass.getuser(), "mapreduce.jobhistory.admin.acl": acl[
        "yarn.admin.acl"]}  # fmt: skip


# -- the session's engines -------------------------------------------------------------------------


@pytest.mark.hadoop
def test_the_cluster_listens_on_loopback_only(hadoop_cluster):
    from mr.engines import hadoop

    listeners = listening_sockets(process_tree(hadoop_cluster.pid))
    # every configured port is there: the scan sees the cluster's sockets
    assert set(asdict(hadoop_cluster.ports).values()) <= {x.port for x in listeners}
    # the NodeManager's shuffle binds every interface (hadoop.shuffle_port says why)
    shuffle = hadoop.shuffle_port()
    assert shuffle in {x.port for x in listeners}
    assert not (bad := beyond_loopback(listeners, frozenset({shuffle}))), (
        f"listening beyond loopback: {bad}"
    )


@pytest.mark.hbase
def test_hbase_and_its_thrift_server_listen_on_loopback_only(hbase_server):
    from mr.engines import hbase

    pids = [p for p in (hbase.master().pid(), hbase.thrift().pid()) if p is not None]
    assert len(pids) == 2, "HBase was not started from this state dir"
    listeners = [x for pid in pids for x in listening_sockets(process_tree(pid))]
    ports = {hbase_server.zk_port, hbase_server.master_port, hbase_server.regionserver_port}
    assert ports | {hbase_server.thrift_port} <= {x.port for x in listeners}
    assert not (bad := beyond_loopback(listeners)), f"listening beyond loopback: {bad}"


@pytest.mark.oozie
def test_oozie_listens_on_loopback_only(oozie_server):
    listeners = listening_sockets(process_tree(oozie_server.pid))
    assert oozie_server.port in {x.port for x in listeners}
    assert not (bad := beyond_loopback(listeners)), f"listening beyond loopback: {bad}"


@pytest.mark.hadoop
def test_only_the_starting_user_administers_the_cluster(hadoop_cluster):
    """yarn.admin.acl and mapreduce.jobhistory.admin.acl are the starting user, not `*`: a
    user named mallory is refused what the starting user may do (run at once: 4 JVMs)."""
    me = getpass.getuser()
    env = {k: v for k, v in os.environ.items() if k != "HADOOP_USER_NAME"}
    calls = {
        ("rmadmin", me): ["rmadmin", "-getGroups", me],
        ("rmadmin", "mallory"): ["rmadmin", "-getGroups", me],
        ("hsadmin", me): ["hsadmin", "-refreshLoadedJobCache"],
        ("hsadmin", "mallory"): ["hsadmin", "-refreshLoadedJobCache"],
    }
    running = {
        key: subprocess.Popen(
            [LAUNCHER, *args],
            env={**env, "HADOOP_USER_NAME": key[1]} if key[1] == "mallory" else env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for key, args in calls.items()
    }
    done = {key: (p.communicate(timeout=120), p.returncode) for key, p in running.items()}
    (out, err), code = done[("rmadmin", me)]
    assert code == 0 and out.startswith(f"{me} :"), err[-2000:]
    (out, err), code = done[("hsadmin", me)]
    assert code == 0, err[-2000:]
    for tool in ("rmadmin", "hsadmin"):
        (out, err), code = done[(tool, "mallory")]
        assert code != 0, out
        assert "User mallory doesn't have permission" in err, err[-2000:]
