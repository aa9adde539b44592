"""mr/clients/hbase.py: pure parts with a tiny fake connection; the rest against the real HBase."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from thriftpy2.transport import TTransportException

from mr.clients import hbase
from mr.clients.hbase import Index, TableSpec, next_key, prefix_stop

# -- pure parts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix,stop",
    [(b"ab", b"ac"), (b"a\xff", b"b"), (b"\xff\xff", None), (b"", None), (b"z", b"{")],
)
def test_prefix_stop(prefix, stop):
    assert prefix_stop(prefix) == stop


def test_next_key_sorts_right_after():
    assert sorted([b"a\x00", b"a", b"a\x01", b"a0"])[1] == next_key(b"a")


class FakeStore:
    """Cells {(row, column, ts): value} shared by every fake connection; fails on demand."""

    def __init__(self):
        self.cells: dict[tuple[bytes, bytes, int], bytes] = {}
        self.fail_after_send = 0  # sends that apply, then lose the reply
        self.fail_before_send = 0  # sends that never reach the server
        self.sends = 0


class FakeBatch:
    def __init__(self, store, timestamp):
        self.store, self.timestamp, self.puts = store, timestamp, []

    def put(self, row, data):
        self.puts.append((row, data))

    def send(self):
        store = self.store
        if store.fail_before_send:
            store.fail_before_send -= 1
            raise BrokenPipeError(32, "Broken pipe")
        store.sends += 1
        for row, data in self.puts:
            for column, value in data.items():
                store.cells[(row, column, self.timestamp)] = value
        if store.fail_after_send:
            store.fail_after_send -= 1
            raise TTransportException(TTransportException.END_OF_FILE, "TSocket read 0 bytes")


class FakeConnection:
    def __init__(self, store):
        self.store = store
        self.refreshed = 0

    def open(self):
        pass

    def close(self):
        pass

    def _refresh_thrift_client(self):
        self.refreshed += 1

    def table(self, name):
        store = self.store

        class Table:
            def batch(self, timestamp=None):
                return FakeBatch(store, timestamp)

        return Table()


@pytest.fixture
def fake_index(monkeypatch):
    store = FakeStore()
    monkeypatch.setattr(Index, "_new_connection", lambda self: FakeConnection(store))
    monkeypatch.setattr(hbase.time, "sleep", lambda s: None)
    index = Index("fake", 1, pool_size=2, retries=3)
    return index, store


def test_resent_batch_writes_the_same_cells_once(fake_index):
    index, store = fake_index
    store.fail_after_send = 1  # the server applied the batch but the reply was lost
    store.fail_before_send = 1  # and the retry first hits a broken pipe
    written = index.table("t").put_many(((f"k{i}", {"f:v": str(i)}) for i in range(5)), 10)
    assert written == 5
    assert store.sends == 2
    # one cell per row and column: the resend reused the batch's timestamp
    assert len(store.cells) == 5
    assert {(r, c) for r, c, _ in store.cells} == {(f"k{i}".encode(), b"f:v") for i in range(5)}
    assert index.reconnects == 2


def test_gives_up_after_retries_with_a_clear_error(fake_index):
    index, store = fake_index
    store.fail_before_send = 100
    writer = index.table("t").writer(batch_size=10)
    writer.put("k", {"f:v": "1"})
    with pytest.raises(ConnectionError, match="after 4 attempts"):
        writer.flush()
    # nothing was lost: the rows stay buffered for another flush
    assert len(writer.buffer) == 1
    store.fail_before_send = 0
    assert writer.flush() == 1 and len(store.cells) == 1


def test_batch_size_must_be_positive(fake_index):
    index, _ = fake_index
    with pytest.raises(ValueError):
        index.table("t").writer(batch_size=0)


# -- against the real HBase ---------------------------------------------------------------------


@pytest.mark.hbase
def test_lookup_rows_and_scans(hbase_index, new_table_name):
    table = hbase_index.ensure_table(TableSpec(new_table_name("scan"), {"f": 1}))
    keys = ["apple", "apricot", "banana", "blueberry", "cherry", "ap", "b"]
    assert table.put_many(((k, {"f:len": str(len(k)), "f:k": k}) for k in keys), 3) == len(keys)
    assert table.lookup("banana") == {"f:len": "6", "f:k": "banana"}
    assert table.lookup("banana", columns=["f:len"]) == {"f:len": "6"}
    assert table.lookup("durian") is None
    got = table.rows(["cherry", "nope", "apple", "cherry"], chunk=2)
    assert got == {
        "cherry": {"f:len": "6", "f:k": "cherry"},
        "apple": {"f:len": "5", "f:k": "apple"},
    }
    assert [k for k, _ in table.scan_prefix("ap")] == ["ap", "apple", "apricot"]
    assert [k for k, _ in table.scan_prefix("b")] == ["b", "banana", "blueberry"]
    assert [k for k, _ in table.scan_range("apricot", "blueberry")] == ["apricot", "b", "banana"]
    assert [k for k, _ in table.scan_range(limit=2)] == ["ap", "apple"]
    assert table.count() == len(keys)


@pytest.mark.hbase
def test_ensure_table_is_harmless_twice(hbase_index, new_table_name):
    name = new_table_name("twice")
    hbase_index.ensure_table(TableSpec(name, {"f": 1, "g": 2})).put("k", {"g:x": "1"})
    table = hbase_index.ensure_table(TableSpec(name, {"f": 1, "g": 2}))
    assert table.lookup("k") == {"g:x": "1"}
    assert name in hbase_index.tables()


@pytest.mark.hbase
def test_thrift_restart_in_the_middle_of_a_load(hbase_server, hbase_index, new_table_name):
    """The Thrift server goes away after half the rows; the load finishes, every row once."""
    from mr.engines import hbase as engine

    if not engine.thrift().running():
        pytest.fail("the Thrift server answering is not one this repo started (no pid file)")
    name = new_table_name("restart")
    # several versions allowed, so a duplicated write would show up as a second version
    table = hbase_index.ensure_table(TableSpec(name, {"f": 5}))
    total, half = 6000, 3000
    restarter: list[threading.Thread] = []

    def rows():
        for i in range(total):
            if i == half:
                # the server dies between two batches; it comes back while the writer retries
                engine.thrift().stop()
                t = threading.Thread(target=engine.restart_thrift, args=(hbase_server,))
                t.start()
                restarter.append(t)
            yield f"row{i:05d}", {"f:v": str(i)}

    before = hbase_index.reconnects
    assert table.put_many(rows(), batch_size=250) == total
    restarter[0].join()
    assert hbase_index.reconnects > before  # the drop really happened mid-load
    got = dict(table.scan_range())
    assert len(got) == total
    assert all(got[f"row{i:05d}"] == {"f:v": str(i)} for i in range(total))
    # no cell was written twice with different timestamps around the restart
    with hbase_index.connection() as conn:
        raw = conn.table(name)
        for i in range(half - 500, half + 500):
            assert len(raw.cells(f"row{i:05d}".encode(), b"f:v", versions=5)) == 1

    # a scan interrupted by a restart resumes after its last row: no row twice, none skipped
    keys = []
    before = hbase_index.reconnects
    for key, _ in table.scan_range(batch_size=100):
        keys.append(key)
        if len(keys) == 1050:
            engine.restart_thrift(hbase_server)
    assert keys == [f"row{i:05d}" for i in range(total)]
    assert hbase_index.reconnects > before


@pytest.mark.hbase
def test_cli_status_and_index_commands(hbase_server, hbase_index, new_table_name):
    name = new_table_name("cli")
    hbase_index.ensure_table(TableSpec(name, {"f": 1})).put_many(
        [("whale", {"f:count": "7"}), ("what", {"f:count": "3"}), ("zebra", {"f:count": "1"})]
    )
    env_args = ["--hbase-host", hbase_server.host, "--hbase-port", str(hbase_server.thrift_port)]

    def mrkit(*args):
        return subprocess.run(
            [sys.executable, "-m", "mr.cli", *args], capture_output=True, text=True, timeout=120
        )

    status = mrkit("hbase", "status")
    assert status.returncode == 0 and "thrift answers: yes" in status.stdout
    got = mrkit("index", "get", name, "whale", *env_args)
    assert (got.returncode, got.stdout) == (0, "f:count\t7\n")
    scan = mrkit("index", "scan", name, "--prefix", "wh", *env_args)
    assert scan.stdout == "whale\tf:count\t7\nwhat\tf:count\t3\n"
    assert mrkit("index", "count", name, *env_args).stdout == "3\n"
    missing = mrkit("index", "get", name, "nope", *env_args)
    assert missing.returncode == 1 and "no row 'nope'" in missing.stderr
    for action in ("get", "scan", "count", "load"):
        assert mrkit("index", action, "--help").returncode == 0


@pytest.mark.hbase
def test_connection_closed_under_us_is_reconnected(hbase_index, new_table_name):
    """A pooled connection whose socket the other side closed (idle timeout, broken pipe)."""
    import socket as socketlib

    table = hbase_index.ensure_table(TableSpec(new_table_name("drop"), {"f": 1}))
    table.put("a", {"f:v": "1"})
    with hbase_index.connection() as conn:
        # what the server's read timeout does to an idle client: the socket is shut down
        conn.transport.sock.shutdown(socketlib.SHUT_RDWR)
    before = hbase_index.reconnects
    table.put_many([("b", {"f:v": "2"})])
    assert table.rows(["a", "b"]) == {"a": {"f:v": "1"}, "b": {"f:v": "2"}}
    assert hbase_index.reconnects > before


@pytest.mark.hbase
def test_starting_twice_is_harmless(hbase_server):
    from mr.engines import hbase as engine

    pids = (engine.master().pid(), engine.thrift().pid())
    if None in pids:
        pytest.fail("the HBase answering is not one this repo started (no pid files)")
    engine.up(hbase_server)
    assert (engine.master().pid(), engine.thrift().pid()) == pids
    assert engine.thrift_answers(hbase_server)


@pytest.fixture
def framed_compact_thrift(hbase_server, tmp_path):
    """A second Thrift server on the same HBase, with framed transport and compact protocol (what
    `hbase thrift start -f -c` serves), started the way `mrkit hbase up` starts its own."""
    import dataclasses
    import socket as socketlib

    from mr.engines import fetch, wait_for
    from mr.engines import hbase as engine

    with socketlib.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = dataclasses.replace(
        hbase_server, thrift_port=port, transport="framed", protocol="compact"
    )
    argv = engine.thrift_argv(settings, fetch("hbase"), engine.conf_dir())
    log = tmp_path / "thrift.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: engine.thrift_answers(settings), 120, "framed/compact Thrift", log=log)
        yield settings
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.hbase
def test_framed_transport_and_compact_protocol(framed_compact_thrift, new_table_name):
    settings = framed_compact_thrift
    name = new_table_name("framed")
    with Index(
        settings.host, settings.thrift_port, pool_size=1, transport="framed", protocol="compact"
    ) as index:
        table = index.ensure_table(TableSpec(name, {"f": 1}))
        table.put_many([("whale", {"f:count": "7"}), ("what", {"f:count": "3"})])
        assert table.lookup("whale") == {"f:count": "7"}
        assert [k for k, _ in table.scan_prefix("wh")] == ["whale", "what"]
    # the CLI: options, and the environment that every client and job reads
    where = ["--hbase-host", settings.host, "--hbase-port", str(settings.thrift_port)]
    framed = ["--hbase-transport", "framed", "--hbase-protocol", "compact"]
    got = subprocess.run(
        [sys.executable, "-m", "mr.cli", "index", "get", name, "what", *where, *framed],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (got.returncode, got.stdout) == (0, "f:count\t3\n"), got.stderr
    env = {**os.environ, "MRKIT_HBASE_TRANSPORT": "framed", "MRKIT_HBASE_PROTOCOL": "compact"}
    count = subprocess.run(
        [sys.executable, "-m", "mr.cli", "index", "count", name, *where],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert (count.returncode, count.stdout) == (0, "2\n"), count.stderr
    # a client with the wrong settings fails in one line, naming the server
    wrong = subprocess.run(
        [sys.executable, "-m", "mr.cli", "index", "count", name, *where, "--retries", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode == 1
    assert len(wrong.stderr.strip().splitlines()) == 1, wrong.stderr
    assert f"{settings.host}:{settings.thrift_port}" in wrong.stderr
