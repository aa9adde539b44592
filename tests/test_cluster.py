"""The Hadoop cluster controls and the `hadoop` launcher mrjob runs, against the real cluster."""

import os
import socket
import subprocess

import pytest
import yaml

from mr.engines import EngineError
from mr.engines import hadoop as engine
from tests.support import REPO, mrkit

LAUNCHER = str(REPO / "scripts" / "hadoop" / "bin" / "hadoop")

pytestmark = pytest.mark.hadoop


def test_launcher_version(hadoop_cluster):
    result = subprocess.run([LAUNCHER, "version"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Hadoop 3.4.1"


def test_launcher_fs_is_quiet_and_sees_hdfs(hadoop_cluster, hdfs, hdfs_dir):
    hdfs.write_bytes(f"{hdfs_dir}/a.txt", b"hello\n")
    ls = subprocess.run([LAUNCHER, "fs", "-ls", hdfs_dir], capture_output=True, text=True)
    assert ls.returncode == 0, ls.stderr
    assert f"{hdfs_dir}/a.txt" in ls.stdout
    assert " INFO " not in ls.stderr  # mrjob reads fs's stderr: WARN and up only
    cat = subprocess.run([LAUNCHER, "dfs", "-cat", f"hdfs://{hdfs_dir}/a.txt"], capture_output=True)
    assert cat.stdout == b"hello\n"
    missing = subprocess.run([LAUNCHER, "fs", "-test", "-e", f"{hdfs_dir}/nope"])
    assert missing.returncode == 1


def test_launcher_classpath_and_usage(hadoop_cluster):
    cp = subprocess.run([LAUNCHER, "classpath"], capture_output=True, text=True).stdout.strip()
    conf, lib = cp.split(":")
    assert conf == hadoop_cluster.conf_dir and lib.endswith("/lib/*")
    bad = subprocess.run([LAUNCHER, "frobnicate"], capture_output=True, text=True)
    assert bad.returncode == 1 and "unknown command" in bad.stderr


def test_client_conf_and_mrjob_conf_written(hadoop_cluster):
    conf = os.listdir(hadoop_cluster.conf_dir)
    for name in ("core-site.xml", "hdfs-site.xml", "mapred-site.xml", "yarn-site.xml"):
        assert name in conf
    log4j = open(os.path.join(hadoop_cluster.conf_dir, "log4j.properties")).read()
    assert "NativeCodeLoader=ERROR" in log4j and "System.err" in log4j
    text = open(hadoop_cluster.mrjob_conf).read()
    assert f'hadoop_bin: "{LAUNCHER}"' in text
    assert "hadoop-streaming-" in text and "include:" in text
    assert 'python_bin: "/' in text  # absolute: containers do not inherit PATH
    runners = yaml.safe_load(text)["runners"]
    assert runners["spark"]["python_bin"] == runners["hadoop"]["python_bin"]  # the executors'


def test_starting_twice_is_harmless(hadoop_cluster):
    again = engine.up()
    assert again.pid == hadoop_cluster.pid
    result = mrkit("cluster", "up")
    assert result.returncode == 0, result.stderr
    assert f"pid {hadoop_cluster.pid}" in result.stdout
    assert engine.info().pid == hadoop_cluster.pid


def test_status_reports_the_running_cluster(hadoop_cluster):
    result = mrkit("cluster", "status")
    assert result.returncode == 0
    assert f"pid {hadoop_cluster.pid}" in result.stdout
    assert hadoop_cluster.webhdfs_url in result.stdout
    st = engine.status()
    assert st["running"] and st["webhdfs_answers"]


def test_env_exports_the_running_cluster(hadoop_cluster):
    """`eval "$(mrkit cluster env)"` points a shell at the open cluster; the variables a secure
    cluster's env left behind go."""
    result = mrkit("cluster", "env")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "unset MRKIT_WEBHDFS_CA MRKIT_PRINCIPAL MRKIT_KEYTAB"
    assert f"export HADOOP_CONF_DIR={hadoop_cluster.conf_dir}" in lines
    assert f"export MRKIT_WEBHDFS_URL={hadoop_cluster.webhdfs_url}" in lines
    assert "security    none" in mrkit("cluster", "status").stdout


def test_status_and_down_without_a_cluster(tmp_path):
    env = {"MRKIT_HOME": str(tmp_path)}
    status = mrkit("cluster", "status", env=env)
    assert status.returncode == 3 and "not running" in status.stdout
    down = mrkit("cluster", "down", env=env)
    assert down.returncode == 0 and "not running" in down.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_taken_port_is_a_clear_error(tmp_path, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        # the other movable ports free (a running cluster holds the defaults)
        env = {
            "MRKIT_HOME": str(tmp_path),
            "MRKIT_HDFS_PORT": str(_free_port()),
            "MRKIT_RM_PORT": str(_free_port()),
            "MRKIT_JHS_PORT": str(_free_port()),
            "MRKIT_WEBHDFS_PORT": str(port),
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        with pytest.raises(EngineError, match=f"port {port} \\(MRKIT_WEBHDFS_PORT\\)"):
            engine.up()
        result = mrkit(
            "cluster", "up", env={"MRKIT_HOME": str(tmp_path), "MRKIT_WEBHDFS_PORT": str(port)}
        )
    assert result.returncode == 1
    assert f"port {port} (MRKIT_WEBHDFS_PORT) is already in use" in result.stderr


def test_missing_java_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MRKIT_HOME", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineError, match="java not found on PATH"):
        engine.up()


def test_bad_port_setting(monkeypatch):
    monkeypatch.setenv("MRKIT_RM_PORT", "eighty")
    with pytest.raises(EngineError, match="MRKIT_RM_PORT='eighty' is not a port number"):
        engine.Ports.from_env()
