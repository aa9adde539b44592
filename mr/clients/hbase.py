"""The HBase index on happybase: table specs, a connection pool, batched puts, multi-row gets,
scans by prefix and by range, and reconnect-and-retry when the Thrift connection drops.

    index = Index()                                   # MRKIT_HBASE_HOST / MRKIT_HBASE_THRIFT_PORT
    Index(sasl="auth")                                # a Kerberized gateway (MRKIT_HBASE_SASL):
                                                      # the job's delegation token in a task,
                                                      # else the user's ticket, else NoTicket
    table = index.ensure_table(TableSpec("word_count", {"f": 1}))
    with table.writer(batch_size=1000) as w:
        w.put("the", {"f:count": "2"})
    table.lookup("the")                               # {'f:count': '2'}
    table.rows(["the", "a"])                          # {'the': {...}}  (missing keys left out)
    list(table.scan_prefix("th"))                     # [('the', {...}), ...]

Resilience. happybase leaves a dropped connection (Thrift server restarted, idle connection closed
by the server's read timeout, broken pipe) to its caller. Every operation here runs through
``Index.call()``: on a transport error (``TTransportException``, ``OSError`` such as a reset or a
broken pipe, ``socket.timeout``, EOF) the connection is closed and rebuilt and the operation is
retried with exponential backoff (``retry_delay * 2**n`` capped at ``max_delay``) up to
``retries`` times, then the last error is raised. Errors the server reports (``IOError`` for a
missing table, ``IllegalArgument``) are not retried.

Why a retry cannot lose or duplicate rows: a batch stays in the writer's buffer until the server
has acknowledged it, so an unacknowledged batch is sent again. Every batch is written with one
explicit timestamp chosen when the batch is formed (or the caller's fixed ``timestamp``): sending it
a second time writes the very same cells (row, column, timestamp, value) again, which HBase stores
once, so no extra versions appear. HBase has one row per key: a row put twice is one row.
Scans resume after the last row they returned, so a scan interrupted by a restart neither repeats
nor skips rows. Keys and values are str (UTF-8) at this API; columns are ``family:qualifier``.
"""

from __future__ import annotations

import logging
import queue
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import happybase
from thriftpy2.protocol.cybin import ProtocolError as CyProtocolError  # type: ignore[attr-defined]
from thriftpy2.protocol.exc import TProtocolException
from thriftpy2.thrift import TApplicationException
from thriftpy2.transport import TTransportException

from mr.lib import auth, config
from mr.lib.tokens import HBASE_THRIFT_KIND, Token

LOG = logging.getLogger(__name__)


class _LastResort(logging.Handler):
    """Logging's last resort (warnings to sys.stderr when nothing is configured), for a stderr
    that may be binary: mrjob's inline runner gives a task a binary sys.stderr, where the
    standard last resort's text write raised TypeError out of a reconnect warning and failed
    the task (seen: hbase_join while HBase restarted). Silent when a handler is configured."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        if logging.getLogger().handlers:
            return  # the application's handlers print it (propagation)
        try:
            text = self.format(record) + "\n"
            stream: Any = sys.stderr
            if "b" in getattr(stream, "mode", "") or not hasattr(stream, "encoding"):
                stream.write(text.encode("utf-8", "replace"))
            else:
                stream.write(text)
            stream.flush()
        except Exception:  # a warning must never fail the caller
            pass


LOG.addHandler(_LastResort())

DEFAULT_BATCH_SIZE = 1000

#: what a dropped or refused connection looks like from happybase/thriftpy2
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    TTransportException,
    OSError,  # ConnectionResetError, BrokenPipeError, ConnectionRefusedError, socket.timeout
    socket.timeout,
    EOFError,
)

#: an answer that is not Thrift: the server wants something else (SASL: it answers a plain
#: client with a SASL error frame), not retried
PROTOCOL_ERRORS: tuple[type[BaseException], ...] = (TProtocolException, CyProtocolError)

T = TypeVar("T")
Row = dict[str, str]


def _sasl_failed(error: BaseException) -> bool:
    """Whether thriftpy2's SASL transport gave up in the negotiation (not a dropped socket)."""
    # "Bad status": the server answered the negotiation with BAD or ERROR (a refused token)
    message = str(error.message) if isinstance(error, TTransportException) else ""
    return "SASL" in message or message.startswith("Bad status")


def _sasl_reason(error: BaseException) -> str:
    """What the server or the mechanism said, out of thriftpy2's "Bad status: 3 (b'...')"."""
    message = str(getattr(error, "message", error))
    found = re.fullmatch(r"Bad status: \d+ \(b?(['\"])(.*)\1\)", message, re.DOTALL)
    return found.group(2).replace("\\'", "'") if found else message


def default_host() -> str:
    """The Thrift server's host from the environment (mr.lib.config)."""
    return config.hbase_host()


def default_port() -> int:
    """The Thrift server's port from the environment (mr.lib.config)."""
    return config.hbase_port()


@dataclass(frozen=True)
class TableSpec:
    """A table to create if missing: its name and {column family: max versions}."""

    name: str
    families: Mapping[str, int] = field(default_factory=lambda: {"f": 1})

    def happybase_families(self) -> dict[str, dict[str, int]]:
        return {family: {"max_versions": v} for family, v in self.families.items()}


def _text(value: bytes) -> str:
    return value.decode("utf-8")


def _decode_row(data: Mapping[bytes, bytes]) -> Row:
    return {_text(k): _text(v) for k, v in data.items()}


def _encode_row(data: Mapping[str, str | bytes]) -> dict[bytes, bytes]:
    return {
        k.encode("utf-8"): v if isinstance(v, bytes) else str(v).encode("utf-8")
        for k, v in data.items()
    }


def _get_rows(
    table: happybase.Table, keys: list[bytes], columns: list[bytes] | None
) -> list[tuple[bytes, dict[bytes, bytes]]]:
    return table.rows(keys, columns=columns)


def next_key(key: bytes) -> bytes:
    """The smallest row key greater than key (to resume a scan just after it)."""
    return key + b"\x00"


def prefix_stop(prefix: bytes) -> bytes | None:
    """The smallest key greater than every key starting with prefix (None: scan to the end)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


class Index:
    """A pool of happybase connections to one Thrift server, with reconnect-and-retry.

    Not happybase.ConnectionPool: on a transport error it reopens the connection inside its
    ``except`` block, so while the server is down that reopen's error replaces the original one,
    and retrying is left to every caller.
    """

    def __init__(
        self,
        host: str | None = None,
        port: int | None = None,
        pool_size: int = 4,
        timeout_ms: int = 60_000,
        retries: int = 10,
        retry_delay: float = 0.25,
        max_delay: float = 8.0,
        transport: str | None = None,
        protocol: str | None = None,
        sasl: str | None = None,
        sasl_service: str | None = None,
    ) -> None:
        self.host = host or default_host()
        self.port = port or default_port()
        self.transport = transport or config.hbase_transport()
        self.protocol = protocol or config.hbase_protocol()
        #: off, or the SASL/GSSAPI qop of a Kerberized gateway (mr/clients/hbase_sasl.py)
        self.sasl = sasl or config.hbase_sasl()
        #: the job's delegation token for this gateway (a task's), else None: then the ticket
        self.token = None
        if self.sasl != "off":
            self.token = auth.job_token(HBASE_THRIFT_KIND, self.service)
            if self.token is None:
                auth.require_ticket()  # fail closed before any connection: NoTicket, one line
            self.sasl_service = sasl_service or config.hbase_sasl_service()
        self.timeout_ms = timeout_ms
        self.retries = retries
        self.retry_delay = retry_delay
        self.max_delay = max_delay
        self.reconnects = 0
        self._pool: queue.LifoQueue[happybase.Connection] = queue.LifoQueue(maxsize=pool_size)
        self._lock = threading.Lock()
        for _ in range(pool_size):
            self._pool.put(self._new_connection())

    def _new_connection(self) -> happybase.Connection:
        if self.sasl != "off":
            from mr.clients.hbase_sasl import SaslConnection

            return SaslConnection(
                self.host,
                self.port,
                service=self.sasl_service,
                qop=self.sasl,
                token=self.token,
                timeout=self.timeout_ms,
                autoconnect=False,
                protocol=self.protocol,
            )
        return happybase.Connection(
            self.host,
            self.port,
            timeout=self.timeout_ms,
            autoconnect=False,
            transport=self.transport,
            protocol=self.protocol,
        )

    @property
    def service(self) -> str:
        """The gateway as a token names it (Hadoop's token service): host:port."""
        return f"{self.host}:{self.port}"

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every pooled connection."""
        while True:
            try:
                conn = self._pool.get_nowait()
            except queue.Empty:
                return
            _quiet_close(conn)

    @contextmanager
    def connection(self) -> Iterator[happybase.Connection]:
        """A pooled, open connection; a connection that failed in transport is rebuilt."""
        conn = self._pool.get()
        try:
            conn.open()
            yield conn
        except (*TRANSPORT_ERRORS, *PROTOCOL_ERRORS):
            # the socket's state is unknown: drop it, the next user opens a fresh one
            _quiet_close(conn)
            conn._refresh_thrift_client()
            with self._lock:
                self.reconnects += 1
            raise
        finally:
            self._pool.put(conn)

    def call(self, operation: Callable[[happybase.Connection], T], what: str = "call") -> T:
        """Run operation(connection); on a transport error reconnect and retry with backoff."""
        for attempt in range(self.retries + 1):
            try:
                with self.connection() as conn:
                    return operation(conn)
            except TRANSPORT_ERRORS as e:
                # a SASL negotiation that failed (no such principal, another qop, a refused
                # token) fails again: one line saying who refused what, not "is HBase up?"
                if _sasl_failed(e):
                    method = "the job's token" if self.token else "Kerberos"
                    raise PermissionError(
                        f"HBase Thrift server {self.service}: {what}: authentication refused "
                        f"({method}): {_sasl_reason(e)}"
                    ) from e
                if attempt == self.retries:
                    raise ConnectionError(
                        f"HBase Thrift server {self.host}:{self.port}: {what} failed after "
                        f"{attempt + 1} attempts: {e}"
                    ) from e
                delay = min(self.max_delay, self.retry_delay * 2**attempt)
                LOG.warning("HBase %s: %s; reconnecting in %.2fs", what, e, delay)
                time.sleep(delay)
            except PROTOCOL_ERRORS as e:
                sasl = f"--hbase-sasl {self.sasl}" if self.sasl != "off" else "no --hbase-sasl"
                raise ConnectionError(
                    f"HBase Thrift server {self.host}:{self.port}: {what}: its answer is not "
                    f"Thrift ({e}; {sasl}: does it want SASL/Kerberos, or not?)"
                ) from e
        raise AssertionError("unreachable")

    # -- delegation tokens (a Kerberized gateway: mr/clients/hbase_tokens.py) -----------------

    def _token_call(self, name: str, *args: Any) -> Any:
        from thriftpy2.thrift import TClient

        from mr.clients import hbase_tokens

        def run(conn: happybase.Connection) -> Any:
            return getattr(TClient(hbase_tokens.thrift.HbaseTokens, conn.protocol), name)(*args)

        if self.sasl == "off":
            raise ValueError("delegation tokens need a SASL connection (--hbase-sasl)")
        try:
            return self.call(run, name)
        except hbase_tokens.thrift.TokenRefused as e:
            raise PermissionError(f"HBase Thrift server {self.service}: {e.message}") from None
        except TApplicationException as e:
            if e.type != TApplicationException.UNKNOWN_METHOD:
                raise
            raise PermissionError(
                f"HBase Thrift server {self.service} issues no delegation tokens ({name}: "
                "HBase's own ThriftServer has none): tasks on YARN cannot authenticate to it; "
                "use mrkit's gateway (scripts/hbase/thrift_gateway.py), or -r local"
            ) from None

    def delegation_token(self, renewer: str) -> Token:
        """A token for tasks to act as the caller (who must have authenticated with Kerberos)."""
        from mr.clients import hbase_tokens

        return hbase_tokens.from_thrift(
            self._token_call("getDelegationToken", renewer), self.service
        )

    def renew_token(self, token: Token) -> int:
        """Renew token (the caller must be its renewer); its new expiry in ms since the epoch."""
        from mr.clients import hbase_tokens

        return int(self._token_call("renewDelegationToken", hbase_tokens.to_thrift(token)))

    def job_token(self, renewer: str, jobconf: Mapping[str, str]) -> Any:
        """A token for a -r hadoop job's tasks, in a credentials file named by the job's
        properties (hbase_tokens.JobToken: renewed until released; tokens of a credentials
        file the job already names are kept)."""
        from mr.clients import hbase_tokens

        also = jobconf.get(hbase_tokens.CREDENTIALS_PROPERTY)
        return hbase_tokens.JobToken(self, renewer, also)

    def cancel_token(self, token: Token) -> None:
        """Cancel token at the gateway (its owner or renewer): tasks holding it are refused."""
        from mr.clients import hbase_tokens

        self._token_call("cancelDelegationToken", hbase_tokens.to_thrift(token))

    # -- tables -----------------------------------------------------------------------------

    def tables(self) -> list[str]:
        """Names of the tables."""
        return sorted(_text(t) for t in self.call(lambda c: c.tables(), "tables"))

    def ensure_table(self, spec: TableSpec | str) -> IndexTable:
        """The table of spec, created first if it does not exist."""
        if isinstance(spec, str):
            spec = TableSpec(spec)

        def create(conn: happybase.Connection) -> None:
            if spec.name.encode() in conn.tables():
                return
            try:
                conn.create_table(spec.name, spec.happybase_families())
            except Exception as e:  # AlreadyExists: someone else created it meanwhile
                if type(e).__name__ != "AlreadyExists":
                    raise

        self.call(create, f"create table {spec.name}")
        return IndexTable(self, spec.name)

    def table(self, name: str) -> IndexTable:
        """An existing table (not checked)."""
        return IndexTable(self, name)

    def drop_table(self, name: str) -> bool:
        """Disable and delete a table; False if it did not exist."""

        def drop(conn: happybase.Connection) -> bool:
            if name.encode() not in conn.tables():
                return False
            conn.delete_table(name, disable=True)
            return True

        return self.call(drop, f"drop table {name}")


def _quiet_close(conn: happybase.Connection) -> None:
    try:
        conn.close()
    except Exception:  # closing a dead socket may fail; it is being discarded anyway
        LOG.debug("closing a broken connection failed", exc_info=True)


class IndexTable:
    """One HBase table: lookups, multi-row gets, scans and batched writes, all retried."""

    def __init__(self, index: Index, name: str) -> None:
        self.index = index
        self.name = name

    def __repr__(self) -> str:
        return f"IndexTable({self.name!r})"

    def _run(self, fn: Callable[[happybase.Table], T], what: str) -> T:
        return self.index.call(lambda conn: fn(conn.table(self.name)), f"{what} on {self.name}")

    # -- reads ------------------------------------------------------------------------------

    def lookup(self, key: str, columns: Iterable[str] | None = None) -> Row | None:
        """The row's columns, or None if the row does not exist."""
        cols = [c.encode() for c in columns] if columns else None
        data = self._run(lambda t: t.row(key.encode("utf-8"), columns=cols), "get")
        return _decode_row(data) if data else None

    def rows(
        self, keys: Iterable[str], columns: Iterable[str] | None = None, chunk: int = 1000
    ) -> dict[str, Row]:
        """{key: columns} for the keys that exist, fetched `chunk` keys per round trip."""
        cols = [c.encode() for c in columns] if columns else None
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Row] = {}
        for start in range(0, len(wanted), chunk):
            part = [k.encode("utf-8") for k in wanted[start : start + chunk]]
            for key, data in self._run(partial(_get_rows, keys=part, columns=cols), "get rows"):
                found[_text(key)] = _decode_row(data)
        return found

    def scan_range(
        self,
        start: str | None = None,
        stop: str | None = None,
        columns: Iterable[str] | None = None,
        limit: int | None = None,
        batch_size: int = 1000,
        filter: str | None = None,
        _start_bytes: bytes | None = None,
        _stop_bytes: bytes | None = None,
    ) -> Iterator[tuple[str, Row]]:
        """Rows with start <= key < stop in key order; resumes after a dropped connection."""
        cols = [c.encode() for c in columns] if columns else None
        position = _start_bytes if _start_bytes is not None else (start or "").encode("utf-8")
        stop_at = _stop_bytes if _stop_bytes is not None else (stop.encode() if stop else None)
        returned = 0
        attempt = 0
        while True:
            try:
                with self.index.connection() as conn:
                    scanner = conn.table(self.name).scan(
                        row_start=position or None,
                        row_stop=stop_at,
                        columns=cols,
                        batch_size=batch_size,
                        filter=filter,
                    )
                    for key, data in scanner:
                        yield _text(key), _decode_row(data)
                        returned += 1
                        position = next_key(key)
                        attempt = 0
                        if limit is not None and returned >= limit:
                            scanner.close()
                            return
                return
            except TRANSPORT_ERRORS as e:
                if attempt >= self.index.retries:
                    raise ConnectionError(
                        f"HBase Thrift server {self.index.host}:{self.index.port}: scan of "
                        f"{self.name} failed after {attempt + 1} attempts: {e}"
                    ) from e
                delay = min(self.index.max_delay, self.index.retry_delay * 2**attempt)
                LOG.warning("HBase scan of %s: %s; resuming in %.2fs", self.name, e, delay)
                time.sleep(delay)
                attempt += 1

    def scan_prefix(
        self, prefix: str, columns: Iterable[str] | None = None, limit: int | None = None
    ) -> Iterator[tuple[str, Row]]:
        """Rows whose key starts with prefix, in key order."""
        raw = prefix.encode("utf-8")
        return self.scan_range(
            columns=columns, limit=limit, _start_bytes=raw, _stop_bytes=prefix_stop(raw)
        )

    def count(self) -> int:
        """Number of rows (a key-only scan)."""
        return sum(1 for _ in self.scan_range(filter="FirstKeyOnlyFilter() AND KeyOnlyFilter()"))

    # -- writes -----------------------------------------------------------------------------

    def writer(
        self, batch_size: int = DEFAULT_BATCH_SIZE, timestamp: int | None = None
    ) -> BatchWriter:
        """A buffered writer: a context manager that flushes on exit."""
        return BatchWriter(self, batch_size, timestamp)

    def put(self, key: str, data: Mapping[str, str | bytes], timestamp: int | None = None) -> None:
        """Write one row now (one round trip)."""
        ts = timestamp if timestamp is not None else now_ms()
        cells = _encode_row(data)
        self._run(lambda t: t.put(key.encode("utf-8"), cells, timestamp=ts), "put")

    def put_many(
        self,
        rows: Iterable[tuple[str, Mapping[str, str | bytes]]],
        batch_size: int = DEFAULT_BATCH_SIZE,
        timestamp: int | None = None,
    ) -> int:
        """Write rows in batches of batch_size; return how many were written."""
        with self.writer(batch_size, timestamp) as w:
            for key, data in rows:
                w.put(key, data)
        return w.written

    def delete(self, key: str) -> None:
        """Delete a whole row."""
        self._run(lambda t: t.delete(key.encode("utf-8")), "delete")


def now_ms() -> int:
    return int(time.time() * 1000)


class BatchWriter:
    """Buffers puts and sends them batch_size rows per round trip, retried until acknowledged."""

    def __init__(self, table: IndexTable, batch_size: int, timestamp: int | None) -> None:
        if batch_size < 1:
            raise ValueError(f"batch size must be at least 1, not {batch_size}")
        self.table = table
        self.batch_size = batch_size
        self.timestamp = timestamp
        self.buffer: list[tuple[bytes, dict[bytes, bytes]]] = []
        self.written = 0
        self.batches = 0

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, exc_type: Any, *exc: object) -> None:
        if exc_type is None:
            self.flush()

    def put(self, key: str, data: Mapping[str, str | bytes]) -> None:
        """Buffer one row; send the buffer when it holds batch_size rows."""
        self.buffer.append((key.encode("utf-8"), _encode_row(data)))
        if len(self.buffer) >= self.batch_size:
            self.flush()

    def flush(self) -> int:
        """Send the buffered rows (one round trip, retried); return how many were sent."""
        if not self.buffer:
            return 0
        rows = self.buffer
        # one timestamp per batch, fixed before the first attempt: a resend rewrites the same
        # cells instead of adding versions
        ts = self.timestamp if self.timestamp is not None else now_ms()

        def send(table: happybase.Table) -> None:
            batch = table.batch(timestamp=ts)
            for key, cells in rows:
                batch.put(key, cells)
            batch.send()

        self.table._run(send, f"put of {len(rows)} rows")
        self.buffer = []
        self.written += len(rows)
        self.batches += 1
        return len(rows)
