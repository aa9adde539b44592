"""The `hbase_server` session fixture: a real standalone HBase and its Thrift server.

A server already answering (`mrkit hbase up`) is reused and left running; otherwise HBase is
started once for the session and stopped at its end, also when tests fail. Tests get the
`mr.engines.hbase.Settings` (host, ports). `hbase_index` gives an `mr.clients.hbase.Index`;
`new_table_name(prefix)` gives unique table names whose tables are dropped after the test.
"""

from __future__ import annotations

import uuid

import pytest

from tests.plugins.engines import session_engine


@pytest.fixture(scope="session")
def hbase_server():
    from mr.engines import hbase as engine

    before: set[str] = set()  # what ran before the session: it stops only what it started

    def start():
        before.update(d.name for d in (engine.master(), engine.thrift()) if d.running())
        return engine.up()

    def stop() -> None:
        for daemon in (engine.thrift(), engine.master()):
            if daemon.name not in before:
                daemon.stop()

    with session_engine(
        "hbase", engine.Settings.from_env, start, stop, reuse=engine.thrift_answers
    ) as settings:
        yield settings


class Tables:
    """Creates uniquely named tables for one test and drops them afterwards."""

    def __init__(self, index):
        self.index = index
        self.names: list[str] = []

    def name(self, prefix: str) -> str:
        name = f"t_{prefix}_{uuid.uuid4().hex[:8]}"
        self.names.append(name)
        return name

    def drop_all(self) -> None:
        for name in self.names:
            self.index.drop_table(name)


@pytest.fixture
def hbase_index(hbase_server):
    from mr.clients.hbase import Index

    index = Index(hbase_server.host, hbase_server.thrift_port)
    try:
        yield index
    finally:
        index.close()


@pytest.fixture
def new_table_name(hbase_index):
    """new_table_name(prefix) -> a unique table name; its table is dropped after the test."""
    tables = Tables(hbase_index)
    try:
        yield tables.name
    finally:
        tables.drop_all()
