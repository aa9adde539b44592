"""mr/engines/hbase.py: configuration and command lines (no server needed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from mr.engines import EngineError
from mr.engines import hbase as engine


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("MRKIT_HOME", str(tmp_path))
    for name in ("ZK", "MASTER", "REGIONSERVER", "THRIFT"):
        monkeypatch.delenv(f"MRKIT_HBASE_{name}_PORT", raising=False)
    for name in (
        "MRKIT_HBASE_TRANSPORT",
        "MRKIT_HBASE_PROTOCOL",
        "MRKIT_HBASE_HOST",
        "MRKIT_BIND_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_ports_from_env(home, monkeypatch):
    monkeypatch.setenv("MRKIT_HBASE_ZK_PORT", "12181")
    monkeypatch.setenv("MRKIT_HBASE_THRIFT_PORT", "19090")
    s = engine.Settings.from_env()
    assert (s.zk_port, s.master_port, s.regionserver_port, s.thrift_port) == (
        12181,
        16000,
        16020,
        19090,
    )


@pytest.mark.parametrize("value", ["abc", "0", "70000"])
def test_bad_port_is_a_clear_error(home, monkeypatch, value):
    monkeypatch.setenv("MRKIT_HBASE_THRIFT_PORT", value)
    with pytest.raises(EngineError, match="MRKIT_HBASE_THRIFT_PORT"):
        engine.Settings.from_env()


def test_site_xml(home):
    settings = engine.Settings.from_env()
    conf = engine.write_conf(settings)
    props = {
        p.findtext("name"): p.findtext("value")
        for p in ET.parse(conf / "hbase-site.xml").getroot().iter("property")
    }
    assert props["hbase.cluster.distributed"] == "false"
    assert props["hbase.rootdir"] == f"file://{home}/hbase/data/hbase"
    assert props["hbase.zookeeper.property.dataDir"] == f"{home}/hbase/data/zk"
    assert props["hbase.zookeeper.property.clientPort"] == "2181"
    assert props["hbase.unsafe.stream.capability.enforce"] == "false"
    assert props["hbase.master.info.port"] == props["hbase.regionserver.info.port"] == "-1"
    assert props["hbase.regionserver.thrift.port"] == "9090"
    assert (conf / "log4j2.properties").exists()


def test_thrift_command_prefers_hbase_thrift_jar(home, tmp_path):
    settings = engine.Settings.from_env()
    lib = tmp_path / "lib"
    lib.mkdir()
    argv = engine.thrift_argv(settings, lib, tmp_path)
    assert argv[1].endswith("scripts/hbase/thrift_gateway.py") and "9090" in argv
    (lib / "hbase-thrift-2.6.4-hadoop3.jar").write_bytes(b"")
    argv = engine.thrift_argv(settings, lib, tmp_path)
    assert argv[-6:] == [
        "org.apache.hadoop.hbase.thrift.ThriftServer",
        *("-b", "127.0.0.1", "-p", "9090", "start"),
    ]
    assert "--add-modules=jdk.unsupported" in argv


@pytest.mark.parametrize(
    "transport, protocol, flags",
    [("buffered", "binary", []), ("framed", "binary", ["-f"]), ("framed", "compact", ["-f", "-c"])],
)
def test_thrift_transport_and_protocol_reach_the_server_command(
    home, tmp_path, monkeypatch, transport, protocol, flags
):
    monkeypatch.setenv("MRKIT_HBASE_TRANSPORT", transport)
    monkeypatch.setenv("MRKIT_HBASE_PROTOCOL", protocol)
    settings = engine.Settings.from_env()
    lib = tmp_path / "lib"
    lib.mkdir()
    gateway = engine.thrift_argv(settings, lib, tmp_path)
    assert gateway[-4:] == ["--transport", transport, "--protocol", protocol]
    (lib / "hbase-thrift-2.6.4-hadoop3.jar").write_bytes(b"")  # HBase's own ThriftServer
    assert engine.thrift_argv(settings, lib, tmp_path)[-2 - len(flags) : -1] == ["9090", *flags]


def test_every_server_listens_on_the_bind_host(home, tmp_path, monkeypatch):
    """127.0.0.1 unless MRKIT_BIND_HOST says otherwise; clients connect to 127.0.0.1 when it
    is every interface."""
    props = engine.site_properties(engine.Settings.from_env())
    for key in ("master.ipc.address", "regionserver.ipc.address", "regionserver.thrift.ipaddress"):
        assert props[f"hbase.{key}"] == "127.0.0.1"
    assert props["hbase.zookeeper.property.clientPortAddress"] == "127.0.0.1"
    monkeypatch.setenv("MRKIT_BIND_HOST", "0.0.0.0")
    settings = engine.Settings.from_env()
    assert settings.host == "127.0.0.1"
    props = engine.site_properties(settings)
    assert props["hbase.master.ipc.address"] == "0.0.0.0"
    assert props["hbase.master.hostname"] == props["hbase.zookeeper.quorum"] == "127.0.0.1"
    gateway = engine.thrift_argv(settings, tmp_path, tmp_path)
    assert gateway[gateway.index("--host") + 1] == "0.0.0.0"


def test_a_bad_thrift_setting_is_a_usage_error(home, monkeypatch):
    from mr.lib.errors import UsageError

    monkeypatch.setenv("MRKIT_HBASE_PROTOCOL", "json")
    with pytest.raises(UsageError, match="MRKIT_HBASE_PROTOCOL='json': expected one of binary"):
        engine.Settings.from_env()


def test_status_when_nothing_runs(home, monkeypatch):
    monkeypatch.setenv("MRKIT_HBASE_THRIFT_PORT", "1")  # nothing listens there
    status = engine.status()
    assert status["hmaster"] == status["thrift"] == "stopped"
    assert status["thrift answers"].startswith("no")


def test_status_command_exits_3_when_down(home, monkeypatch, capsys):
    from mr.cli import main

    monkeypatch.setenv("MRKIT_HBASE_THRIFT_PORT", "1")
    assert main(["hbase", "status"]) == 3
    assert "thrift answers: no at 127.0.0.1:1 (buffered, binary)" in capsys.readouterr().out


def test_gateway_connections_are_nodelay():
    """The Thrift gateway answers without Nagle's delay, as HBase's ThriftServer does: a reply
    in several writes otherwise waits for the client's delayed ACK (~40 ms a multi-row get)."""
    import importlib
    import socket

    gateway = importlib.import_module("scripts.hbase.thrift_gateway")
    server = gateway.NoDelayServerSocket(host="127.0.0.1", port=0)
    server.listen()
    try:
        port = server.sock.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):
            accepted = server.accept()
            assert accepted.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            accepted.close()
    finally:
        server.close()
