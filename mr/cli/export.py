"""``mrkit export mysql``: a job's output into a MySQL table (mr/clients/mysql_export.py)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from mr.cli.progress import MODES, counter
from mr.lib import config
from mr.lib.defaults import EXPORT_BATCH_ROWS, EXPORT_FORMATS
from mr.lib.errors import UsageError

if TYPE_CHECKING:
    from mr.clients.mysql_export import BadRow

#: bad rows printed one per line on stderr; past that, only their count
SHOWN_BAD_ROWS = 20


def cmd_export_mysql(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from mr.clients import mysql
    from mr.clients.mysql_export import export

    # every name is checked before anything connects: a bad one is a usage error (exit 2)
    table = mysql.check_name(args.table)
    columns = mysql.check_names(args.columns) if args.columns else None
    update_key = mysql.check_names(args.update_key) if args.update_key else None
    server = mysql.parse_url(args.url) if args.url else mysql.default_server()
    if args.database:
        server = replace(server, database=mysql.check_name(args.database, "database"))
    if args.max_bad_rows < 0:
        raise UsageError("--max-bad-rows must be 0 or more")
    shown = 0

    def on_bad_row(row: BadRow) -> None:
        nonlocal shown
        shown += 1
        if shown <= SHOWN_BAD_ROWS:
            print(f"bad row: {row}", file=sys.stderr)

    started = time.monotonic()
    with counter(f"export {table}", "rows", args.progress) as progress:
        report = export(
            args.path,
            table,
            server,
            fmt=args.format,
            columns=columns,
            update_key=update_key,
            max_bad_rows=args.max_bad_rows,
            batch_rows=args.batch_rows,
            allow_missing_success=args.allow_missing_success,
            option_file=args.option_file,
            progress=progress,
            on_bad_row=on_bad_row,
        )
    if shown > SHOWN_BAD_ROWS:
        print(f"bad row: ... and {shown - SHOWN_BAD_ROWS} more", file=sys.stderr)
    mode = "upserted" if update_key else "inserted"
    print(
        f"exported {report.rows} rows from {report.files} files into {report.table} "
        f"({mode}; {len(report.bad_rows)} bad rows skipped; {time.monotonic() - started:.1f}s)"
    )
    return 0


DESCRIPTION = f"""\
Export a job's output (a directory of part files, or one file; local or hdfs://) into an
existing MySQL/MariaDB table, all or nothing: rows are loaded into a temporary copy of the
table, then copied into it in one transaction only when every file was read and the bad rows
are within --max-bad-rows. A failure, Ctrl-C or kill -9 leaves the table as it was and no
staging table behind. The table must be InnoDB.

Fields, by column type (mr/lib/sqlvalues.py): integers and DECIMAL as plain decimal text (DECIMAL
exactly, never through a float); DATE 2026-01-05; DATETIME 2026-01-05T10:30:00; TIMESTAMP the
same, in UTC unless it carries an offset (the session time zone is +00:00); binary columns as
base64; text as it is. NULL is \\N. TSV fields are unescaped (\\t \\n \\r \\\\), CSV is read as
MySQL's LOAD DATA reads FIELDS TERMINATED BY ',' ENCLOSED BY '"'.

The server: --url, else {config.MYSQL_URL_ENV}, else `mrkit mysql up`'s MariaDB. The password
never goes on the command line: {config.MYSQL_PASSWORD_ENV} or --option-file."""

EPILOG = """\
example:
  mrkit mysql up
  mrkit run word_count mr/data/sample.txt --output-dir /tmp/counts
  mysql -h 127.0.0.1 -P 3307 -u root -e "CREATE DATABASE demo;
      CREATE TABLE demo.word_counts (word VARCHAR(100) PRIMARY KEY, n BIGINT NOT NULL)"
  mrkit export mysql /tmp/counts --url mysql://root@127.0.0.1:3307/demo --table word_counts
  # again, with new counts for words already there:
  mrkit export mysql /tmp/counts --url mysql://root@127.0.0.1:3307/demo --table word_counts \\
      --update-key word

exit codes: 0 exported; 1 nothing exported (too many bad rows, the server refused, cannot
connect); 2 a usage error (a bad name or option, a missing path, no _SUCCESS)."""


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "export",
        help="export a job's output into a database table (mrkit export mysql ...)",
        description="Export job output into a database. Targets: mysql.",
    )
    sub = p.add_subparsers(dest="action", metavar="TARGET", required=True)
    q = sub.add_parser(
        "mysql",
        help="into a MySQL/MariaDB table, all or nothing (--update-key to upsert)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    q.add_argument("path", help="a job's output directory (part files) or one file; hdfs:// too")
    q.add_argument("--table", required=True, help="the target table (it must exist)")
    q.add_argument("--url", help="mysql://user@host:port/database (no password in it)")
    q.add_argument("--database", help="the database, if the URL names none")
    q.add_argument(
        "--columns",
        metavar="A,B,C",
        help="the table columns the fields go to, in field order (default: all of them, "
        "generated ones left out, in table order)",
    )
    q.add_argument(
        "--update-key",
        metavar="COL[,COL]",
        help="upsert: rows whose key (the primary key or a unique index) is already there are "
        "updated (INSERT ... ON DUPLICATE KEY UPDATE: a row that matches on another unique "
        "index of the table is updated too); within the input the last row wins",
    )
    q.add_argument("--format", choices=EXPORT_FORMATS, default="tsv", help="tsv (default) or csv")
    q.add_argument(
        "--max-bad-rows",
        type=int,
        default=0,
        metavar="N",
        help="export anyway with up to N bad rows, which are skipped and listed (default 0)",
    )
    q.add_argument(
        "--batch-rows",
        type=int,
        default=EXPORT_BATCH_ROWS,
        metavar="N",
        help="rows per INSERT (default %(default)s)",
    )
    q.add_argument(
        "--allow-missing-success",
        action="store_true",
        help="export a directory that has no _SUCCESS marker",
    )
    q.add_argument("--option-file", metavar="FILE", help="a my.cnf with the password ([client])")
    q.add_argument(
        "--progress",
        choices=MODES,
        default="auto",
        help="a row counter on stderr: auto = when stderr is a terminal",
    )
    q.set_defaults(func=cmd_export_mysql)
