"""HBase Thrift 1 gateway: happybase's Hbase.thrift API served over the real HBase Java client.

Why this exists: ``org.apache.hbase:hbase-thrift`` (HBase's own ThriftServer) is not served by the
Maven Central mirror this project is built against, while ``hbase-server``/``hbase-client`` are.
This process speaks the same wire protocol as ``ThriftServer -p PORT start`` with its defaults
(threaded; buffered or framed transport, binary or compact protocol, as ThriftServer's -f and -c)
for the calls happybase makes, and does
the work with HBase's Java client inside this process (JPype), against the real HBase cluster that
hbase-site.xml in --conf points at.

    python scripts/hbase/thrift_gateway.py --port 9090 --conf .cluster/hbase/conf \
        --lib .cluster/hbase/lib

Settings read from hbase-site.xml: ``hbase.thrift.server.socket.read.timeout`` (ms, default
60000): an idle client connection is closed after it, as HBase's ThriftServer does.

Kerberos, as HBase's ThriftServer reads it (``mrkit hbase up --secure``): with
``hbase.thrift.security.qop`` (auth, auth-int, auth-conf) every client must open with SASL/GSSAPI
(Thrift's SASL framing; the acceptor key from KRB5_KTNAME, the ``hbase.thrift.keytab.file``),
and a client that does not is refused. The gateway logs in to HBase from
``hbase.thrift.keytab.file`` as ``hbase.thrift.kerberos.principal`` and runs each call as the
authenticated caller's short name, a proxy user of its own login (HBase must allow it:
``hadoop.proxyuser.<gateway short name>.hosts/groups``), as ThriftServer does over SASL.

Delegation tokens (HBase's ThriftServer has none; HiveServer2 and Hadoop's RPC do it this way):
a caller authenticated with Kerberos may ask for a token (``getDelegationToken``, IDL in
mr/clients/hbase_tokens.py); a caller without a ticket (a YARN task) authenticates with SASL
DIGEST-MD5 and that token (mr/lib/digest_md5.py) and is then served as the token's owner, a proxy
user as above. The master key and the tokens outstanding live in ``mrkit.thrift.token.store`` of
hbase-site.xml (0600; in memory when unset), so a restarted gateway honours them; renewal by the
token's renewer, cancellation by its owner or renewer. Tokens need qop auth.
Calls outside the supported set answer with a Thrift application error.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import logging
import os
import signal
import socket
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

# importing happybase loads Hbase.thrift as the module Hbase_thrift
import happybase  # noqa: F401
import Hbase_thrift as T  # type: ignore[import-not-found]  # noqa: E402
import jpype
import jpype.imports  # noqa: F401  (enables `from org.apache... import`)
from thriftpy2.protocol import TBinaryProtocolFactory, TCompactProtocolFactory  # noqa: E402
from thriftpy2.server import TThreadedServer  # noqa: E402
from thriftpy2.thrift import TProcessor  # noqa: E402
from thriftpy2.transport import (  # noqa: E402
    TBufferedTransportFactory,
    TFramedTransportFactory,
    TServerSocket,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo, for `mr`
from mr.clients import hbase_tokens  # noqa: E402
from mr.engines.hbase import HBASE_JAVA17_FLAGS  # noqa: E402
from mr.lib import digest_md5, tokens  # noqa: E402
from mr.lib.auth import short_name  # noqa: E402

LATEST = 0x7FFFFFFFFFFFFFFF
#: what HBase's ThriftServer offers: -f (framed) and -c (compact) beside the defaults
TRANSPORTS = {"buffered": TBufferedTransportFactory, "framed": TFramedTransportFactory}
PROTOCOLS = {"binary": TBinaryProtocolFactory, "compact": TCompactProtocolFactory}
LOG = logging.getLogger("thrift_gateway")


class NoDelayServerSocket(TServerSocket):
    """Connections with TCP_NODELAY, as HBase's ThriftServer sets them (libthrift's TSocket).
    Without it, a reply that leaves in several writes waits for the client's delayed ACK: about
    40 ms a call as soon as a multi-row get answers more than some 50 rows, which made
    hbase_join slower with --batch-size 100 than with 10 (scripts/bench_hbase_join.py)."""

    def accept(self):
        client = super().accept()
        client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return client


def site_setting(conf_dir: Path, name: str, default: str) -> str:
    """A property of hbase-site.xml in conf_dir, or default."""
    site = conf_dir / "hbase-site.xml"
    if site.exists():
        for prop in ET.parse(site).getroot().iter("property"):
            if prop.findtext("name") == name:
                return (prop.findtext("value") or default).strip()
    return default


def split_column(column: bytes) -> tuple[bytes, bytes | None]:
    """b'cf:q' -> (b'cf', b'q'); b'cf' or b'cf:' -> (b'cf', None or b'')."""
    family, sep, qualifier = column.partition(b":")
    return family, (qualifier if sep else None)


#: SASL quality of protection -> its GSSAPI security-layer bit (RFC 4752)
QOP_LAYERS = {"auth": 1, "auth-int": 2, "auth-conf": 4}
#: the Thrift SASL negotiation's status bytes
SASL_START, SASL_OK, SASL_BAD, SASL_ERROR, SASL_COMPLETE = 1, 2, 3, 4, 5
#: the caller of the connection this thread serves, with SASL: .user (the short name HBase
#: sees), .principal (Kerberos, or the token's owner) and .method ("kerberos" or "token")
CALLER = threading.local()


class SaslRefused(Exception):
    """A client failed or skipped the SASL negotiation."""


class SaslServerTransport:
    """The server side of Thrift's SASL transport (libthrift's TSaslServerTransport) for
    GSSAPI: the negotiation, then length-prefixed frames, wrapped when qop is not auth."""

    def __init__(self, trans, qop: str) -> None:
        self._trans = trans
        self.qop = qop
        self._ctx = None
        self._rbuf = b""
        self._wbuf: list[bytes] = []
        self.principal = ""

    # -- negotiation --------------------------------------------------------------------------

    def _read_exactly(self, n: int) -> bytes:
        from thriftpy2.transport.base import readall

        return readall(self._trans.read, n)

    def _recv(self) -> tuple[int, bytes]:
        header = self._read_exactly(5)
        status, length = header[0], int.from_bytes(header[1:], "big")
        if status not in (SASL_START, SASL_OK, SASL_COMPLETE) or length > 1 << 20:
            self._send(SASL_ERROR, b"expected a SASL negotiation (hbase.thrift.security.qop)")
            raise SaslRefused(f"not a SASL client (first bytes {header!r})")
        return status, self._read_exactly(length) if length else b""

    def _send(self, status: int, payload: bytes) -> None:
        self._trans.write(bytes([status]) + len(payload).to_bytes(4, "big") + payload)
        self._trans.flush()

    def negotiate(self, secrets: tokens.SecretManager | None = None) -> tuple[str, str]:
        """Run the negotiation: (the client's principal, "kerberos" or "token"); SaslRefused on
        failure. DIGEST-MD5 with a delegation token when secrets is given."""
        status, mechanism = self._recv()
        if status == SASL_START and mechanism == digest_md5.MECHANISM.encode() and secrets:
            return self._negotiate_token(secrets), "token"
        if status != SASL_START or mechanism != b"GSSAPI":
            offered = "GSSAPI or DIGEST-MD5" if secrets else "GSSAPI"
            self._send(SASL_BAD, f"only {offered} is supported".encode())
            raise SaslRefused(f"mechanism {mechanism[:40]!r}: only {offered} is supported")
        return self._negotiate_gssapi(), "kerberos"

    def _negotiate_token(self, secrets: tokens.SecretManager) -> str:
        """DIGEST-MD5: the token's password recomputed from its identifier, the client's
        response checked, rspauth sent; the token's owner."""
        if self.qop != "auth":
            self._send(SASL_BAD, f"tokens need qop auth, not {self.qop}".encode())
            raise SaslRefused(f"a token client, with qop {self.qop}: tokens need auth")
        owner = []

        def lookup(username: str) -> str:
            try:
                identifier = base64.b64decode(username, validate=True)
                ident, password = secrets.check(identifier)
            except (ValueError, tokens.TokenError) as e:
                raise digest_md5.DigestError(str(e)) from None
            owner.append(ident)
            return digest_md5.encode_password(password)

        server = digest_md5.Server(lookup)
        self._recv()  # the (empty) initial response
        self._send(SASL_OK, server.challenge())
        _, response = self._recv()
        try:
            _, rspauth = server.verify(response)
        except (digest_md5.DigestError, UnicodeDecodeError) as e:
            self._send(SASL_BAD, str(e).encode())
            raise SaslRefused(f"DIGEST-MD5: {e}") from None
        self._send(SASL_OK, rspauth)
        self._recv()  # the client's empty answer to rspauth
        self._send(SASL_COMPLETE, b"")
        ident = owner[0]
        LOG.info("SASL: token #%d of %s (renewer %s)", ident.sequence, ident.owner, ident.renewer)
        return ident.owner

    def _negotiate_gssapi(self) -> str:
        import gssapi

        try:
            self._ctx = ctx = gssapi.SecurityContext(usage="accept")
            _, token = self._recv()
            while not ctx.complete:
                out = ctx.step(token)
                if ctx.complete:
                    break
                self._send(SASL_OK, out or b"")
                _, token = self._recv()
            if out:  # the last context token (mutual authentication); the client answers empty
                self._send(SASL_OK, out)
                self._recv()
            layer = QOP_LAYERS[self.qop]
            max_size = 0 if self.qop == "auth" else 0xFFFFFF
            self._send(
                SASL_OK, ctx.wrap(bytes([layer]) + max_size.to_bytes(3, "big"), False).message
            )
            _, answer = self._recv()
            choice = ctx.unwrap(answer).message
        except gssapi.exceptions.GSSError as e:
            self._send(SASL_ERROR, b"GSSAPI failed")
            raise SaslRefused(f"GSSAPI: {e.gen_message()}") from None
        self.principal = str(ctx.initiator_name)
        authzid = choice[4:].decode("utf-8", "replace")
        if not choice or choice[0] != layer:
            self._send(SASL_BAD, b"wrong security layer")
            raise SaslRefused(
                f"{self.principal} chose security layer {choice[:1]!r}, not {self.qop}"
            )
        if authzid and authzid != self.principal:
            # as ThriftServer: the authorization id must be the authenticated one
            self._send(SASL_BAD, b"authorization id differs from the authenticated one")
            raise SaslRefused(f"{self.principal} asked to act as {authzid!r}")
        self._send(SASL_COMPLETE, b"")
        return self.principal

    # -- frames (the Thrift transport interface the protocol uses) -----------------------------

    def read(self, n: int) -> bytes:
        while len(self._rbuf) < n:
            frame = self._read_exactly(int.from_bytes(self._read_exactly(4), "big"))
            if self.qop != "auth":
                frame = self._ctx.unwrap(frame).message
            self._rbuf += frame
        out, self._rbuf = self._rbuf[:n], self._rbuf[n:]
        return out

    def write(self, data: bytes) -> None:
        self._wbuf.append(bytes(data))

    def flush(self) -> None:
        data, self._wbuf = b"".join(self._wbuf), []
        if self.qop != "auth":
            data = self._ctx.wrap(data, self.qop == "auth-conf").message
        self._trans.write(len(data).to_bytes(4, "big") + data)
        self._trans.flush()

    def is_open(self) -> bool:
        return self._trans.is_open()

    def close(self) -> None:
        self._trans.close()


class SaslThreadedServer(TThreadedServer):
    """TThreadedServer whose connections must negotiate SASL first; the thread serving one
    knows its caller (CALLER.user)."""

    def __init__(
        self, *args, qop: str, compact: bool, secrets: tokens.SecretManager, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.qop, self.compact, self.secrets = qop, compact, secrets

    def handle(self, client) -> None:
        from thriftpy2.transport import TTransportException

        trans = SaslServerTransport(client, self.qop)
        try:
            principal, method = trans.negotiate(self.secrets)
        except (SaslRefused, TTransportException, OSError) as e:
            LOG.warning("refused a Thrift client: %s", e)
            trans.close()
            return
        # the short name, as ThriftServer's SecurityUtil.getUserFromPrincipal
        CALLER.user = short_name(principal)
        CALLER.principal, CALLER.method = principal, method
        LOG.info("SASL: %s authenticated (%s), acting as %s", principal, method, CALLER.user)
        # thriftpy2's pure-Python protocols: its Cython ones take Cython transports only
        from thriftpy2.protocol.binary import TBinaryProtocol
        from thriftpy2.protocol.compact import TCompactProtocol

        iprot = (TCompactProtocol if self.compact else TBinaryProtocol)(trans)
        try:
            while True:
                self.processor.process(iprot, iprot)
        except TTransportException:
            pass
        except Exception as x:
            LOG.exception(x)
        trans.close()


class Handler:
    """The Hbase service methods happybase uses, on one HBase client Connection (or, with SASL,
    one per caller: its login's proxy user), and with SASL the token calls."""

    secrets: tokens.SecretManager | None = None

    def __init__(self, proxy: bool = False) -> None:
        from org.apache.hadoop.hbase import HBaseConfiguration  # type: ignore
        from org.apache.hadoop.hbase.client import ConnectionFactory  # type: ignore

        self.hbase_conf = HBaseConfiguration.create()
        self.proxy = proxy
        self._conn = None if proxy else ConnectionFactory.createConnection(self.hbase_conf)
        self._user_conns: dict[str, object] = {}
        self.scanners: dict[int, object] = {}
        self.scanner_ids = itertools.count(1)
        self.lock = threading.Lock()

    @property
    def conn(self):
        """The connection of this thread's caller (proxy mode) or the one connection."""
        if not self.proxy:
            return self._conn
        from org.apache.hadoop.hbase.client import ConnectionFactory  # type: ignore
        from org.apache.hadoop.hbase.security import User  # type: ignore
        from org.apache.hadoop.security import UserGroupInformation  # type: ignore

        user = CALLER.user
        with self.lock:
            conn = self._user_conns.get(user)
            if conn is None:
                ugi = UserGroupInformation.createProxyUser(
                    user, UserGroupInformation.getLoginUser()
                )
                conn = ConnectionFactory.createConnection(self.hbase_conf, User.create(ugi))
                self._user_conns[user] = conn
        return conn

    # -- helpers ----------------------------------------------------------------------------

    def _errors(self, fn, *args):
        try:
            return fn(*args)
        except (T.IOError, T.IllegalArgument, T.AlreadyExists):
            raise
        except jpype.JException as e:
            name = e.getClass().getSimpleName()
            if name == "TableExistsException":
                raise T.AlreadyExists(message=str(e.getMessage())) from None
            # the first line: a remote error's message carries the server's stack trace
            message = str(e.getMessage()).strip().splitlines() or [""]
            raise T.IOError(message=f"{name}: {message[0]}") from None
        except Exception as e:  # a bug here must not drop the client's connection
            LOG.exception("call failed")
            raise T.IOError(message=f"{type(e).__name__}: {e}") from None

    @staticmethod
    def _name(table: bytes):
        from org.apache.hadoop.hbase import TableName  # type: ignore

        return TableName.valueOf(bytes(table))

    def _table(self, table: bytes):
        return self.conn.getTable(self._name(table))

    @staticmethod
    def _row_result(result, sort_columns: bool = False):
        from org.apache.hadoop.hbase import CellUtil  # type: ignore

        cells = []
        for cell in result.rawCells():
            family = bytes(CellUtil.cloneFamily(cell))
            column = family + b":" + bytes(CellUtil.cloneQualifier(cell))
            value = bytes(CellUtil.cloneValue(cell))
            cells.append((column, T.TCell(value=value, timestamp=int(cell.getTimestamp()))))
        row = bytes(result.getRow())
        if sort_columns:
            return T.TRowResult(
                row=row, sortedColumns=[T.TColumn(columnName=c, cell=v) for c, v in cells]
            )
        columns: dict[bytes, object] = {}
        for column, cell in cells:
            columns.setdefault(column, cell)  # newest version first
        return T.TRowResult(row=row, columns=columns)

    @staticmethod
    def _add_columns(op, columns) -> None:
        for column in columns or ():
            family, qualifier = split_column(column)
            if not qualifier:  # "cf" or "cf:" means the whole family
                op.addFamily(family)
            else:
                op.addColumn(family, qualifier)

    # -- tables -----------------------------------------------------------------------------

    def getTableNames(self):
        def run():
            with self.conn.getAdmin() as admin:
                return [bytes(t.getName()) for t in admin.listTableNames()]

        return self._errors(run)

    def createTable(self, tableName, columnFamilies):
        from org.apache.hadoop.hbase.client import (  # type: ignore
            ColumnFamilyDescriptorBuilder,
            TableDescriptorBuilder,
        )

        def run():
            builder = TableDescriptorBuilder.newBuilder(self._name(tableName))
            for cd in columnFamilies:
                family = split_column(cd.name)[0]
                cf = ColumnFamilyDescriptorBuilder.newBuilder(family).setMaxVersions(
                    cd.maxVersions if cd.maxVersions and cd.maxVersions > 0 else 3
                )
                cf.setInMemory(bool(cd.inMemory))
                if cd.timeToLive and cd.timeToLive > 0:
                    cf.setTimeToLive(cd.timeToLive)
                builder.setColumnFamily(cf.build())
            with self.conn.getAdmin() as admin:
                if admin.tableExists(self._name(tableName)):
                    raise T.AlreadyExists(message=f"table {tableName!r} already exists")
                admin.createTable(builder.build())

        return self._errors(run)

    def deleteTable(self, tableName):
        def run():
            with self.conn.getAdmin() as admin:
                admin.deleteTable(self._name(tableName))

        return self._errors(run)

    def enableTable(self, tableName):
        def run():
            with self.conn.getAdmin() as admin:
                admin.enableTable(self._name(tableName))

        return self._errors(run)

    def disableTable(self, tableName):
        def run():
            with self.conn.getAdmin() as admin:
                admin.disableTable(self._name(tableName))

        return self._errors(run)

    def isTableEnabled(self, tableName):
        def run():
            with self.conn.getAdmin() as admin:
                return bool(admin.isTableEnabled(self._name(tableName)))

        return self._errors(run)

    def getColumnDescriptors(self, tableName):
        def run():
            with self.conn.getAdmin() as admin:
                desc = admin.getDescriptor(self._name(tableName))
            out = {}
            for cf in desc.getColumnFamilies():
                name = bytes(cf.getName()) + b":"
                out[name] = T.ColumnDescriptor(
                    name=name,
                    maxVersions=int(cf.getMaxVersions()),
                    inMemory=bool(cf.isInMemory()),
                    blockCacheEnabled=bool(cf.isBlockCacheEnabled()),
                    timeToLive=int(cf.getTimeToLive()),
                )
            return out

        return self._errors(run)

    # -- reads ------------------------------------------------------------------------------

    def _get_rows(self, tableName, rows, columns, timestamp=None):
        from java.util import ArrayList  # type: ignore
        from org.apache.hadoop.hbase.client import Get  # type: ignore

        def run():
            gets = ArrayList()
            for row in rows:
                get = Get(bytes(row))
                self._add_columns(get, columns)
                if timestamp is not None:
                    get.setTimeRange(jpype.JLong(0), jpype.JLong(timestamp))
                gets.add(get)
            with self._table(tableName) as table:
                results = table.get(gets)
            return [self._row_result(r) for r in results if not r.isEmpty()]

        return self._errors(run)

    def getRow(self, tableName, row, attributes=None):
        return self._get_rows(tableName, [row], None)

    def getRowWithColumns(self, tableName, row, columns, attributes=None):
        return self._get_rows(tableName, [row], columns)

    def getRowTs(self, tableName, row, timestamp, attributes=None):
        return self._get_rows(tableName, [row], None, timestamp)

    def getRowWithColumnsTs(self, tableName, row, columns, timestamp, attributes=None):
        return self._get_rows(tableName, [row], columns, timestamp)

    def getRows(self, tableName, rows, attributes=None):
        return self._get_rows(tableName, rows, None)

    def getRowsWithColumns(self, tableName, rows, columns, attributes=None):
        return self._get_rows(tableName, rows, columns)

    def getRowsTs(self, tableName, rows, timestamp, attributes=None):
        return self._get_rows(tableName, rows, None, timestamp)

    def getRowsWithColumnsTs(self, tableName, rows, columns, timestamp, attributes=None):
        return self._get_rows(tableName, rows, columns, timestamp)

    def getVerTs(self, tableName, row, column, timestamp, numVersions, attributes=None):
        from org.apache.hadoop.hbase import CellUtil  # type: ignore
        from org.apache.hadoop.hbase.client import Get  # type: ignore

        def run():
            get = Get(bytes(row))
            self._add_columns(get, [column])
            get.readVersions(int(numVersions))
            get.setTimeRange(jpype.JLong(0), jpype.JLong(timestamp))
            with self._table(tableName) as table:
                result = table.get(get)
            return [
                T.TCell(value=bytes(CellUtil.cloneValue(c)), timestamp=c.getTimestamp())
                for c in result.rawCells()
            ]

        return self._errors(run)

    def getVer(self, tableName, row, column, numVersions, attributes=None):
        return self.getVerTs(tableName, row, column, LATEST, numVersions)

    # -- writes -----------------------------------------------------------------------------

    def _mutate(self, tableName, batches, timestamp):
        from java.util import ArrayList  # type: ignore
        from org.apache.hadoop.hbase.client import Delete, Durability, Put  # type: ignore

        def run():
            ops = ArrayList()
            ts = jpype.JLong(timestamp)
            for batch in batches:
                row = bytes(batch.row)
                put = Put(row, ts)
                delete = Delete(row, ts)
                for m in batch.mutations:
                    family, qualifier = split_column(m.column)
                    if m.isDelete:
                        if not qualifier:  # "cf" or "cf:" means the whole family
                            delete.addFamily(family, ts)
                        else:
                            delete.addColumns(family, qualifier, ts)
                        if not m.writeToWAL:
                            delete.setDurability(Durability.SKIP_WAL)
                    else:
                        put.addColumn(family, qualifier or b"", ts, bytes(m.value or b""))
                        if not m.writeToWAL:
                            put.setDurability(Durability.SKIP_WAL)
                if not delete.isEmpty():
                    ops.add(delete)
                if not put.isEmpty():
                    ops.add(put)
            if ops.isEmpty():
                return
            with self._table(tableName) as table:
                table.batch(ops, None)

        return self._errors(run)

    def mutateRow(self, tableName, row, mutations, attributes=None):
        self._mutate(tableName, [T.BatchMutation(row=row, mutations=mutations)], LATEST)

    def mutateRowTs(self, tableName, row, mutations, timestamp, attributes=None):
        self._mutate(tableName, [T.BatchMutation(row=row, mutations=mutations)], timestamp)

    def mutateRows(self, tableName, rowBatches, attributes=None):
        self._mutate(tableName, rowBatches, LATEST)

    def mutateRowsTs(self, tableName, rowBatches, timestamp, attributes=None):
        self._mutate(tableName, rowBatches, timestamp)

    def deleteAllRowTs(self, tableName, row, timestamp, attributes=None):
        from org.apache.hadoop.hbase.client import Delete  # type: ignore

        def run():
            with self._table(tableName) as table:
                table.delete(Delete(bytes(row), jpype.JLong(timestamp)))

        return self._errors(run)

    def deleteAllRow(self, tableName, row, attributes=None):
        return self.deleteAllRowTs(tableName, row, LATEST)

    def deleteAllTs(self, tableName, row, column, timestamp, attributes=None):
        self._mutate(
            tableName,
            [T.BatchMutation(row=row, mutations=[T.Mutation(isDelete=True, column=column)])],
            timestamp,
        )

    def deleteAll(self, tableName, row, column, attributes=None):
        self.deleteAllTs(tableName, row, column, LATEST)

    def atomicIncrement(self, tableName, row, column, value):
        def run():
            family, qualifier = split_column(column)
            with self._table(tableName) as table:
                return int(
                    table.incrementColumnValue(
                        bytes(row), family, qualifier or b"", jpype.JLong(value)
                    )
                )

        return self._errors(run)

    # -- delegation tokens (SASL only) ------------------------------------------------------

    def _token_of(self, t) -> tokens.Token:
        return hbase_tokens.from_thrift(t, "")

    def _refused(self, fn, *args):
        Refused = hbase_tokens.thrift.TokenRefused
        if self.secrets is None:
            raise Refused(message="this gateway issues no tokens (it wants no SASL)")
        try:
            return fn(*args)
        except tokens.TokenError as e:
            LOG.warning("token call of %s refused: %s", CALLER.principal, e)
            raise Refused(message=str(e)) from None

    def getDelegationToken(self, renewer):
        def run():
            if CALLER.method != "kerberos":
                # as Hadoop: a token never begets a token
                raise tokens.TokenError(
                    f"{CALLER.principal} authenticated with a token: tokens are issued to "
                    "Kerberos-authenticated callers only"
                )
            name = renewer.decode() if isinstance(renewer, bytes) else str(renewer or "")
            token = self.secrets.issue(CALLER.principal, short_name(name or CALLER.user), "")
            LOG.info("issued a token to %s (renewer %s)", CALLER.principal, name)
            return hbase_tokens.to_thrift(token)

        return self._refused(run)

    def renewDelegationToken(self, token):
        return self._refused(lambda: self.secrets.renew(self._token_of(token), CALLER.principal))

    def cancelDelegationToken(self, token):
        def run():
            self.secrets.cancel(self._token_of(token), CALLER.principal, CALLER.user)
            LOG.info("%s cancelled a token", CALLER.principal)

        return self._refused(run)

    # -- scanners ---------------------------------------------------------------------------

    def scannerOpenWithScan(self, tableName, tscan, attributes=None):
        from org.apache.hadoop.hbase.client import Scan  # type: ignore
        from org.apache.hadoop.hbase.filter import ParseFilter  # type: ignore

        def run():
            scan = Scan()
            if tscan.startRow:
                scan.withStartRow(bytes(tscan.startRow))
            if tscan.stopRow:
                scan.withStopRow(bytes(tscan.stopRow))
            if tscan.timestamp is not None:
                scan.setTimeRange(jpype.JLong(0), jpype.JLong(tscan.timestamp))
            if tscan.caching:
                scan.setCaching(tscan.caching)
            if tscan.batchSize:
                scan.setBatch(tscan.batchSize)
            if tscan.reversed:
                scan.setReversed(True)
            self._add_columns(scan, tscan.columns)
            if tscan.filterString:
                scan.setFilter(ParseFilter().parseFilterString(bytes(tscan.filterString)))
            table = self._table(tableName)
            scanner = table.getScanner(scan)
            with self.lock:
                sid = next(self.scanner_ids)
                self.scanners[sid] = (table, scanner, bool(tscan.sortColumns))
            return sid

        return self._errors(run)

    def scannerOpenWithPrefix(self, tableName, startAndPrefix, columns, attributes=None):
        filter_string = b"PrefixFilter('" + bytes(startAndPrefix).replace(b"'", b"''") + b"')"
        scan = T.TScan(startRow=startAndPrefix, columns=columns, filterString=filter_string)
        return self.scannerOpenWithScan(tableName, scan)

    def scannerGetList(self, id, nbRows):
        with self.lock:
            entry = self.scanners.get(id)
        if entry is None:
            raise T.IllegalArgument(message=f"no scanner with id {id}")
        _, scanner, sort_columns = entry
        return self._errors(
            lambda: [self._row_result(r, sort_columns) for r in scanner.next(int(nbRows))]
        )

    def scannerGet(self, id):
        return self.scannerGetList(id, 1)

    def scannerClose(self, id):
        with self.lock:
            entry = self.scanners.pop(id, None)
        if entry is None:
            raise T.IllegalArgument(message=f"no scanner with id {id}")
        table, scanner, _ = entry
        scanner.close()
        table.close()


def login(conf_dir: Path) -> None:
    """Log the JVM in from the gateway's keytab (hbase.thrift.keytab.file/kerberos.principal)."""
    from org.apache.hadoop.hbase import HBaseConfiguration  # type: ignore
    from org.apache.hadoop.security import UserGroupInformation  # type: ignore

    principal = site_setting(conf_dir, "hbase.thrift.kerberos.principal", "")
    keytab = site_setting(conf_dir, "hbase.thrift.keytab.file", "")
    if not principal or not keytab:
        raise SystemExit("SASL needs hbase.thrift.kerberos.principal and hbase.thrift.keytab.file")
    UserGroupInformation.setConfiguration(HBaseConfiguration.create())
    UserGroupInformation.loginUserFromKeytab(principal, keytab)
    LOG.info("logged in to HBase as %s", principal)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("-p", "--port", type=int, default=9090, help="port (default 9090)")
    parser.add_argument("--conf", required=True, type=Path, help="dir with hbase-site.xml")
    parser.add_argument("--lib", required=True, type=Path, help="dir with HBase's jars")
    parser.add_argument(
        "--transport",
        choices=sorted(TRANSPORTS),
        default="buffered",
        help="Thrift transport (default buffered; framed is ThriftServer's -f)",
    )
    parser.add_argument(
        "--protocol",
        choices=sorted(PROTOCOLS),
        default="binary",
        help="Thrift protocol (default binary; compact is ThriftServer's -c)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    qop = site_setting(args.conf, "hbase.thrift.security.qop", "")
    if qop and qop not in QOP_LAYERS:
        parser.error(f"hbase.thrift.security.qop={qop!r}: expected one of {', '.join(QOP_LAYERS)}")
    if qop and args.transport == "framed":
        parser.error("SASL (hbase.thrift.security.qop) does not go with the framed transport")
    krb5 = os.environ.get("KRB5_CONFIG")
    jpype.startJVM(
        *HBASE_JAVA17_FLAGS,
        "-Xmx512m",
        f"-Dlog4j2.configurationFile={args.conf / 'log4j2.properties'}",
        *([f"-Djava.security.krb5.conf={krb5}"] if qop and krb5 else []),
        classpath=[str(args.conf), str(args.lib / "*")],
        convertStrings=False,
    )
    if qop:
        login(args.conf)
    handler = Handler(proxy=bool(qop))
    timeout_ms = int(site_setting(args.conf, "hbase.thrift.server.socket.read.timeout", "60000"))
    service, server_class, extra = T.Hbase, TThreadedServer, {}
    if qop:
        store = site_setting(args.conf, "mrkit.thrift.token.store", "")
        handler.secrets = tokens.SecretManager(
            tokens.HBASE_THRIFT_KIND, Path(store) if store else None
        )
        service, server_class = hbase_tokens.serve_with(T.Hbase), SaslThreadedServer
        extra = {"qop": qop, "compact": args.protocol == "compact", "secrets": handler.secrets}
    server = server_class(
        TProcessor(service, handler),
        NoDelayServerSocket(host=args.host, port=args.port, client_timeout=timeout_ms),
        iprot_factory=PROTOCOLS[args.protocol](),
        itrans_factory=TRANSPORTS[args.transport](),
        **extra,
    )

    def stop(signum, frame):  # noqa: ARG001
        LOG.info("signal %s: stopping", signum)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    LOG.info(
        "HBase Thrift gateway serving on %s:%d (%s transport, %s protocol%s)",
        args.host,
        args.port,
        "SASL" if qop else args.transport,
        args.protocol,
        f", SASL/GSSAPI qop {qop}" if qop else "",
    )
    sys.stdout.flush()
    server.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
