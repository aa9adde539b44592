"""`mrkit cluster up --datanodes/--nodemanagers`, `stop-node`, `start-node`: bad input is one
line and an exit code, before any JVM starts (the nodes themselves: tests/test_faults.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mr.engines import multinode


def mrkit(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "MRKIT_HOME": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "mr.cli", *args], capture_output=True, text=True, env=env
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["up", "--datanodes", "0"], 2, "--datanodes must be 1 to 8, not 0"),
        (["up", "--nodemanagers", "9"], 2, "--nodemanagers must be 1 to 8, not 9"),
        (["stop-node", "namenode", "0"], 2, "invalid choice: 'namenode'"),
        (["stop-node", "datanode", "x"], 2, "invalid int value: 'x'"),
        (["stop-node", "datanode", "0"], 1, "no multi-node cluster runs"),
        (["start-node", "nodemanager", "1"], 1, "no multi-node cluster runs"),
    ],
)
def test_bad_node_commands_are_one_line(tmp_path, args, code, message):
    done = mrkit(tmp_path, "cluster", *args)
    assert done.returncode == code, done.stderr
    lines = done.stderr.strip().splitlines()
    assert message in lines[-1], done.stderr
    assert len(lines) == 1 or code == 2 and lines[0].startswith("usage:"), done.stderr


def test_layout_gives_every_node_its_own_ports(monkeypatch):
    monkeypatch.setenv("MRKIT_NODES_PORT", "20000")
    lay = multinode.layout(8, 8)
    ports = list(lay["ports"].values())
    assert len(ports) == len(set(ports))
    assert lay["ports"]["datanode-7.ipc"] < lay["ports"]["nodemanager-0.rpc"]


def test_replication_is_three_from_three_datanodes(monkeypatch, tmp_path):
    monkeypatch.setenv("MRKIT_HOME", str(tmp_path))
    assert multinode.common_settings(multinode.layout(2, 1))["dfs.replication"] == "2"
    assert multinode.common_settings(multinode.layout(5, 1))["dfs.replication"] == "3"
    settings = multinode.common_settings(multinode.layout(3, 2))
    addresses = [v for k, v in settings.items() if k.endswith("address")]
    assert addresses and all(a.startswith("127.0.0.1:") for a in addresses)
