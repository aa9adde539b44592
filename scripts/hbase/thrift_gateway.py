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
Calls outside the supported set answer with a Thrift application error.
"""

from __future__ import annotations

import argparse
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
from mr.engines.hbase import HBASE_JAVA17_FLAGS  # noqa: E402

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


class Handler:
    """The Hbase service methods happybase uses, on one shared HBase client Connection."""

    def __init__(self) -> None:
        from org.apache.hadoop.hbase import HBaseConfiguration  # type: ignore
        from org.apache.hadoop.hbase.client import ConnectionFactory  # type: ignore

        self.conn = ConnectionFactory.createConnection(HBaseConfiguration.create())
        self.scanners: dict[int, object] = {}
        self.scanner_ids = itertools.count(1)
        self.lock = threading.Lock()

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
            raise T.IOError(message=f"{name}: {e.getMessage()}") from None
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

    jpype.startJVM(
        *HBASE_JAVA17_FLAGS,
        "-Xmx512m",
        f"-Dlog4j2.configurationFile={args.conf / 'log4j2.properties'}",
        classpath=[str(args.conf), str(args.lib / "*")],
        convertStrings=False,
    )
    handler = Handler()
    timeout_ms = int(site_setting(args.conf, "hbase.thrift.server.socket.read.timeout", "60000"))
    server = TThreadedServer(
        TProcessor(T.Hbase, handler),
        NoDelayServerSocket(host=args.host, port=args.port, client_timeout=timeout_ms),
        iprot_factory=PROTOCOLS[args.protocol](),
        itrans_factory=TRANSPORTS[args.transport](),
    )

    def stop(signum, frame):  # noqa: ARG001
        LOG.info("signal %s: stopping", signum)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    LOG.info(
        "HBase Thrift gateway serving on %s:%d (%s transport, %s protocol)",
        args.host,
        args.port,
        args.transport,
        args.protocol,
    )
    sys.stdout.flush()
    server.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
