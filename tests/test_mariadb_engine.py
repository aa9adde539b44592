"""mr/engines/mariadb.py and `mrkit mysql`: a real MariaDB of the test's own (its own state dir
and port, so the session's server is left alone), the missing package, a taken port."""

from __future__ import annotations

import socket

import pytest

from mr.cli import main
from mr.clients import mysql
from mr.engines import EngineError
from mr.engines import mariadb as engine
from tests.plugins.engines import unavailable


def needs_mariadb() -> None:
    """Skip without the package locally; fail under CI (tests/plugins/engines.py)."""
    try:
        engine.programs()
    except EngineError as e:
        unavailable("mariadb", e)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A state dir and port of this test's own."""
    monkeypatch.setenv("MRKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MRKIT_MYSQL_PORT", str(free_port()))
    monkeypatch.delenv("MRKIT_MYSQL_URL", raising=False)
    return tmp_path / "home"


@pytest.mark.mysql
def test_up_status_down(home, capsys):
    needs_mariadb()
    settings = engine.Settings.from_env()
    try:
        assert main(["mysql", "up"]) == 0
        assert settings.url in capsys.readouterr().out
        assert (home / "mariadb" / "data" / "mysql").is_dir()  # system tables in our state
        assert main(["mysql", "status"]) == 0
        out = capsys.readouterr().out
        assert "answers: yes (MariaDB" in out
        assert f"127.0.0.1:{settings.port}" in out and str(settings.socket) in out
        assert main(["mysql", "up"]) == 0  # harmless when it runs

        # the session is set up as mr/clients/mysql.py says, over TCP and over the socket
        for server in (settings.server, mysql.Server(socket=str(settings.socket))):
            conn = mysql.connect(server, password="")
            with conn.cursor() as cur:
                cur.execute("SELECT @@time_zone, @@character_set_server, @@session.sql_mode")
                zone, charset, mode = cur.fetchone()
            conn.close()
            assert (zone, charset) == ("+00:00", "utf8mb4") and "STRICT_ALL_TABLES" in mode
    finally:
        assert main(["mysql", "down"]) == 0
    assert "mariadb: stopped" in capsys.readouterr().out
    assert main(["mysql", "status"]) == 3
    assert "answers: no" in capsys.readouterr().out
    assert not engine.daemon().pidfile.exists()


def test_missing_package_names_apt_get(home, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(engine, "SBIN_DIRS", ())
    with pytest.raises(EngineError, match="apt-get install mariadb-server mariadb-client"):
        engine.up()
    assert main(["mysql", "up"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("mrkit mysql up: error: MariaDB is not")


@pytest.mark.mysql
def test_port_in_use_is_a_clear_error(home, monkeypatch, capsys):
    needs_mariadb()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("MRKIT_MYSQL_PORT", str(port))
        assert main(["mysql", "up"]) == 1
    err = capsys.readouterr().err
    assert f"port {port} (MRKIT_MYSQL_PORT) is already in use" in err
    assert not engine.daemon().running()


@pytest.mark.parametrize("value", ["abc", "0", "70000"])
def test_bad_port_is_a_clear_error(home, monkeypatch, value):
    monkeypatch.setenv("MRKIT_MYSQL_PORT", value)
    with pytest.raises(EngineError, match="MRKIT_MYSQL_PORT"):
        engine.Settings.from_env()


def test_server_command_line(home):
    settings = engine.Settings.from_env()
    argv = engine.server_argv(settings, "/usr/sbin/mariadbd")
    assert argv[1] == "--no-defaults"  # no /etc/mysql/my.cnf: it must come first
    assert f"--port={settings.port}" in argv and "--bind-address=127.0.0.1" in argv
    assert f"--datadir={home}/mariadb/data" in argv
    assert f"--socket={home}/mariadb/mysqld.sock" in argv
    assert ("--user=root" in argv) == (engine.os.geteuid() == 0)
