"""``mrkit index get|scan|count|load``: query and load the HBase index from the command line.

    mrkit index load word_count out/word_count/part-* --columns f:count
    mrkit index get word_count the              # f:count<TAB>2
    mrkit index get users 42                    # a record index: prints the record itself
    mrkit index scan word_count --prefix wh --limit 5
    mrkit index count word_count

The Thrift server is MRKIT_HBASE_HOST:MRKIT_HBASE_THRIFT_PORT (127.0.0.1:9090) unless
``--hbase-host``/``--hbase-port`` say otherwise; ``mrkit hbase up`` starts one. A Kerberized
one (``mrkit hbase up --secure``) wants ``--hbase-sasl auth`` (MRKIT_HBASE_SASL) and a ticket:
without one, one line naming the principal to kinit as, exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mr.lib import config
from mr.lib.errors import NotFound
from mr.lib.index_schema import LENGTH, OFFSET, PATH

if TYPE_CHECKING:
    from mr.clients.hbase import Index


def read_record(uri: str, offset: int, length: int) -> bytes:
    """Exactly `length` bytes at `offset` of an HDFS file (ranged WebHDFS read) or a local one."""
    if uri.startswith("hdfs:"):
        from mr.clients import hdfs

        return hdfs.read_range(hdfs.client(), hdfs.hdfs_path(uri), offset, length)
    path = uri.removeprefix("file://") if uri.startswith("file://") else uri.removeprefix("file:")
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length)


def is_record_pointer(row: dict[str, str]) -> bool:
    """Whether a row is a record index entry (r:path, r:offset, r:length)."""
    return PATH in row and OFFSET in row and LENGTH in row


def _index(args: argparse.Namespace) -> Index:
    from mr.clients.hbase import Index

    return Index(
        args.hbase_host,
        args.hbase_port,
        pool_size=1,
        retries=args.retries,
        transport=args.hbase_transport,
        protocol=args.hbase_protocol,
        sasl=args.hbase_sasl,
    )


def cmd_get(args: argparse.Namespace) -> int:
    with _index(args) as index:
        row = index.table(args.table).lookup(args.key)
    if row is None:
        raise NotFound(f"no row {args.key!r} in table {args.table}")
    if is_record_pointer(row) and not args.raw:
        record = read_record(row[PATH], int(row[OFFSET]), int(row[LENGTH]))
        sys.stdout.buffer.write(record + b"\n")
        sys.stdout.flush()
        return 0
    for column in sorted(row):
        print(f"{column}\t{row[column]}")
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    with _index(args) as index:
        table = index.table(args.table)
        if args.prefix is not None:
            rows = table.scan_prefix(args.prefix, limit=args.limit)
        else:
            rows = table.scan_range(args.start, args.stop, limit=args.limit)
        for key, row in rows:
            for column in sorted(row):
                print(f"{key}\t{column}\t{row[column]}")
    return 0


def cmd_count(args: argparse.Namespace) -> int:
    with _index(args) as index:
        print(index.table(args.table).count())
    return 0


@contextlib.contextmanager
def quiet_task_logs() -> Iterator[None]:
    """A failed load is one line (the error main prints), not the client's reconnect warnings
    and mrjob's "Error while reading from" note (a Thrift server killed mid-load ended in 106
    lines: those, and a TypeError from the warnings on the inline task's binary stderr)."""
    loggers = [logging.getLogger(name) for name in ("mr.clients.hbase", "mrjob.inline")]
    saved = [(lg.propagate, lg.handlers[:]) for lg in loggers]
    for lg in loggers:
        lg.propagate = False
        lg.handlers[:] = [logging.NullHandler()]
    try:
        yield
    finally:
        for lg, (propagate, handlers) in zip(loggers, saved, strict=True):
            lg.propagate, lg.handlers[:] = propagate, handlers


def cmd_load(args: argparse.Namespace) -> int:
    from mr.lib import job_status
    from mr.lib.config import use_default_mrjob_conf
    from mr.load_hbase import LoadHBase

    argv = [
        "-r",
        args.runner,
        "--table",
        args.table,
        "--row-key-cols",
        args.row_key_cols,
        "--batch-size",
        str(args.batch_size),
        "--max-versions",
        str(args.max_versions),
        "--hbase-host",
        args.hbase_host,
        "--hbase-port",
        str(args.hbase_port),
        "--hbase-transport",
        args.hbase_transport,
        "--hbase-protocol",
        args.hbase_protocol,
        "--hbase-sasl",
        args.hbase_sasl,
        *(["--columns", args.columns] if args.columns else []),
        *(["--format", args.format] if args.format else []),
        *args.inputs,
    ]
    job = LoadHBase(argv)
    job.validate_options()  # UsageError: one line, exit code 2
    if args.hbase_sasl != "off":
        from mr.lib import auth

        auth.require_ticket()  # before any task: NoTicket, one line, exit code 2
    use_default_mrjob_conf()
    status = job_status.start(f"index load {args.table}")  # on a terminal: step, map/reduce %
    try:
        with quiet_task_logs(), job.make_runner() as runner:
            runner.run()
            loaded = 0
            for line in job.parse_output(runner.cat_output()):
                loaded += int(line[1][0]) if isinstance(line[1], list) else 0
    finally:
        job_status.stop(status)
    print(f"{args.table}\t{loaded}")
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "index",
        help="query and load the HBase index: get, scan, count, load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = argparse.ArgumentParser(add_help=False)
    # mr.clients.hbase's default_host() and default_port(), without importing happybase
    common.add_argument("--hbase-host", default=config.hbase_host(), help="Thrift server host")
    common.add_argument("--hbase-port", type=int, default=config.hbase_port(), help="its port")
    common.add_argument(
        "--hbase-transport",
        choices=config.THRIFT_TRANSPORTS,
        default=config.hbase_transport(),
        help=f"its Thrift transport (default ${config.HBASE_TRANSPORT_ENV} or buffered)",
    )
    common.add_argument(
        "--hbase-protocol",
        choices=config.THRIFT_PROTOCOLS,
        default=config.hbase_protocol(),
        help=f"its Thrift protocol (default ${config.HBASE_PROTOCOL_ENV} or binary)",
    )
    common.add_argument(
        "--hbase-sasl",
        choices=config.HBASE_SASL_CHOICES,
        default=config.hbase_sasl(),
        help=f"SASL/GSSAPI (Kerberos) with this qop, the server's hbase.thrift.security.qop "
        f"(default ${config.HBASE_SASL_ENV} or off; service ${config.HBASE_SASL_SERVICE_ENV})",
    )
    common.add_argument(
        "--retries",
        type=int,
        default=3,
        help="reconnect attempts after a dropped or refused connection (default 3)",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    q = sub.add_parser(
        "get",
        parents=[common],
        help="print a row's columns, or the record a record index points to",
        description="Print the stored columns of row KEY (column<TAB>value), or, for a row of a "
        "record index (r:path, r:offset, r:length), read exactly that record from its file "
        "(ranged WebHDFS read for hdfs:// files) and print it.",
    )
    q.add_argument("table")
    q.add_argument("key")
    q.add_argument("--raw", action="store_true", help="print a record index row's columns")
    q.set_defaults(func=cmd_get)

    q = sub.add_parser(
        "scan",
        parents=[common],
        help="print rows by key prefix or key range (key<TAB>column<TAB>value)",
        description="Print rows in key order, one line per cell: key<TAB>column<TAB>value.",
    )
    q.add_argument("table")
    q.add_argument("--prefix", help="keys starting with this")
    q.add_argument("--start", help="first key (inclusive)")
    q.add_argument("--stop", help="last key (exclusive)")
    q.add_argument("--limit", type=int, help="at most this many rows")
    q.set_defaults(func=cmd_scan)

    q = sub.add_parser(
        "count", parents=[common], help="print the number of rows", description="Count rows."
    )
    q.add_argument("table")
    q.set_defaults(func=cmd_count)

    q = sub.add_parser(
        "load",
        parents=[common],
        help="load TSV files (a job's output) into a table with the load_hbase job",
        description="Load TSV rows into TABLE (created if missing) with mr/load_hbase.py; "
        "prints TABLE<TAB>rows loaded. `mrkit run load_hbase --help` explains the mapping.",
    )
    q.add_argument("table")
    q.add_argument("inputs", nargs="+", help="TSV files or directories (local or hdfs://)")
    q.add_argument("--row-key-cols", default="0", help="0-based key fields (default 0)")
    q.add_argument("--columns", help="cf:q or cf:* per remaining field (default f:1,f:2...)")
    q.add_argument("--batch-size", type=int, default=1000, help="rows per round trip")
    q.add_argument("--max-versions", type=int, default=1, help="versions kept per cell")
    q.add_argument("--format", choices=("tsv", "csv"), help="input records (default tsv)")
    q.add_argument("-r", "--runner", default="inline", help="mrjob runner: inline, local, hadoop")
    q.set_defaults(func=cmd_load)
