"""The `mysql_server` session fixture: mrkit's own MariaDB (mr/engines/mariadb.py).

A server already answering where `mrkit mysql up` puts it (MRKIT_MYSQL_PORT, default 3307) is
reused and left running; otherwise MariaDB is started once for the session and stopped at its
end, also when tests fail. Tests get the `mr.engines.mariadb.Settings`. `mysql_db` gives a
`mr.clients.mysql.Server` on a database of the test's own (dropped afterwards), so tests share
nothing and run in any order.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from tests.plugins.engines import session_engine


@pytest.fixture(scope="session")
def mysql_server():
    from mr.clients import mysql
    from mr.engines import mariadb as engine

    started = []  # the daemon this session starts, wherever MRKIT_HOME points later

    def start():
        started.append(engine.daemon())
        return engine.up()

    def stop() -> None:
        started[0].stop(timeout=60)

    def answers(settings) -> bool:
        return mysql.answers(settings.server, password="") is not None

    with session_engine("mariadb", engine.Settings.from_env, start, stop, reuse=answers) as found:
        yield found


@pytest.fixture
def mysql_db(mysql_server):
    """A Server on a fresh database of this test's own (utf8mb4), dropped afterwards."""
    from mr.clients import mysql

    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = mysql.connect(mysql_server.server, password="")
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        yield replace(mysql_server.server, database=name)
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


@pytest.fixture
def mysql_conn(mysql_db):
    """A connection (autocommit) to the test's own database."""
    from mr.clients import mysql

    conn = mysql.connect(mysql_db, password="")
    conn.autocommit(True)
    try:
        yield conn
    finally:
        conn.close()
