"""mr/clients/mysql.py: URLs, names, and the one-line errors (connection refused, access
denied, unknown table) on the real server."""

from __future__ import annotations

import socket

import pytest

from mr.cli import exit_code
from mr.clients import mysql
from mr.lib.errors import UsageError


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("mysql://root@127.0.0.1:3307/shop", mysql.Server("127.0.0.1", 3307, "root", "shop")),
        ("mysql://etl@db.example/shop", mysql.Server("db.example", 3306, "etl", "shop")),
        ("mysql://127.0.0.1:3307", mysql.Server("127.0.0.1", 3307, "root", "")),
        ("mysql://me@/d?socket=/run/m.sock",
         mysql.Server("127.0.0.1", 3306, "me", "d", "/run/m.sock")),
    ],
)  # fmt: skip
def test_parse_url(url, server):
    assert mysql.parse_url(url) == server


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root:secret@127.0.0.1/shop", "must not hold the password"),
        ("postgres://root@h/db", "is not a MySQL URL"),
        ("mysql://root@h:port/db", "port is not a number"),
        ("mysql://root@h/db;drop", "not a database name"),
        ("mysql://root@h/db?ssl=1", "unknown parameter 'ssl'"),
    ],
)
def test_bad_urls_are_usage_errors(url, message):
    with pytest.raises(UsageError, match=message):
        mysql.parse_url(url)


@pytest.mark.parametrize("name", ["orders", "Order_2026", "a$b", "_x", "1a"])
def test_names_are_quoted(name):
    assert mysql.quote_name(name) == f"`{name}`"


@pytest.mark.parametrize(
    "name", ["x; DROP TABLE y", "a`b", "", "123", "a b", "t\u00e9", "x" * 65, "db.t", "a'--"]
)
def test_other_names_never_reach_sql(name):
    with pytest.raises(UsageError, match="is not a table name"):
        mysql.quote_name(name)


def test_check_names():
    assert mysql.check_names("a, b,c") == ["a", "b", "c"]
    with pytest.raises(UsageError, match="twice"):
        mysql.check_names("a,A")
    with pytest.raises(UsageError):
        mysql.check_names("a,,b")


def test_connection_refused_is_one_line():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once closed
    with pytest.raises(mysql.MySQLError, match=f"cannot connect to MySQL at 127.0.0.1:{port}") as e:
        mysql.connect(mysql.Server(port=port), password="")
    assert "\n" not in str(e.value) and exit_code(e.value) == 1


@pytest.mark.mysql
def test_access_denied_and_unknown_table(mysql_server, mysql_conn, mysql_db):
    with pytest.raises(mysql.MySQLError, match="access denied .*MRKIT_MYSQL_PASSWORD"):
        mysql.connect(mysql_server.server, password="wrong")
    with pytest.raises(mysql.MySQLError, match=r"table t_\w+\.nope does not exist"):
        mysql.table_columns(mysql_conn, "nope")


@pytest.mark.mysql
def test_password_from_env_and_option_file(
    mysql_server, mysql_conn, mysql_db, monkeypatch, tmp_path
):
    with mysql_conn.cursor() as cur:
        cur.execute("CREATE USER IF NOT EXISTS 'mrkit_pw'@'127.0.0.1' IDENTIFIED BY 's3cret'")
        cur.execute(f"GRANT ALL ON `{mysql_db.database}`.* TO 'mrkit_pw'@'127.0.0.1'")
    try:
        server = mysql.Server(port=mysql_server.port, user="mrkit_pw", database=mysql_db.database)
        monkeypatch.setenv("MRKIT_MYSQL_PASSWORD", "s3cret")
        assert mysql.answers(server)
        monkeypatch.delenv("MRKIT_MYSQL_PASSWORD")
        assert mysql.answers(server) is None
        options = tmp_path / "my.cnf"
        options.write_text("[client]\npassword=s3cret\n")
        mysql.connect(server, option_file=options).close()
    finally:
        with mysql_conn.cursor() as cur:
            cur.execute("DROP USER IF EXISTS 'mrkit_pw'@'127.0.0.1'")
