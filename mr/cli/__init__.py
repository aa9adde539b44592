"""The `mrkit` command: one module per command group, one path from an error to an exit code.

Command groups (each module's ``add_commands(subparsers)`` adds its sub-command):

    mr/cli/jobs.py     mrkit jobs, mrkit run JOB ...
    mr/cli/cluster.py  mrkit cluster up|down|status|env|stop-node|start-node  (Hadoop; --secure)
    mr/cli/hbase.py    mrkit hbase up|down|status         (HBase + its Thrift server)
    mr/cli/mysql.py    mrkit mysql up|down|status         (mrkit's own MariaDB)
    mr/cli/oozie.py    mrkit oozie up|down|status         (Oozie, on the cluster)
    mr/cli/hdfs.py     mrkit hdfs put|get|ls|cat|rm|mkdir
    mr/cli/index.py    mrkit index get|scan|count|load    (the HBase index)
    mr/cli/export.py   mrkit export mysql PATH --table T  (job output into a MySQL table)
    mr/cli/twins.py    mrkit hive run ..., mrkit pig run ...
    mr/cli/workflow.py mrkit workflow validate|render|import|run|status|log   (Oozie workflows)
    mr/cli/coord.py    mrkit coord run|status|rerun|kill  (coordinators: schedules, backfill)
    mr/cli/airflow.py  mrkit airflow up|down|status       (Airflow 3.3 with mrkit's provider)
    mr/cli/imports.py  mrkit import mysql                 (a MySQL table into part files)

A command function returns its exit code (0, or 3 for a status that says "not running") and
raises for anything that went wrong; :func:`main` turns the exception into one line on stderr,
``mrkit <group> [<action>]: error: <message>``, and an exit code chosen by the exception's type
(:func:`exit_code`): 2 for a usage error, 1 for an engine, HDFS, HBase or MySQL failure, an
export that did not happen, or a row that is not there.

Building the parser and printing any --help imports no engine, client library, workflow module
or mrjob (tests/test_cli_startup.py): the command modules import those inside the functions that
run a command, and read what their help shows from mr/lib (mr/lib/defaults.py, mr/lib/config.py).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from mr.cli import (
    airflow,
    cluster,
    coord,
    export,
    hbase,
    hdfs,
    imports,
    index,
    jobs,
    mysql,
    oozie,
    twins,
    workflow,
)
from mr.lib.errors import BROKEN_PIPE_EXIT, NotFound, UsageError, discard_stdout

INTERRUPTED_EXIT = 130

#: appended to the message of a ConnectionError: the HBase client raises it when the Thrift
#: server cannot be reached (after its retries)
HBASE_HINT = (
    "(is HBase up? `mrkit hbase up`; do --hbase-transport/--hbase-protocol match the server?)"
)


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error (and exit code 2) instead of usage + error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def hbase_server_errors() -> tuple[type[Exception], ...]:
    """The errors the HBase Thrift server reports (a missing table, a bad argument)."""
    import happybase  # noqa: F401  (loads the Thrift IDL as the module Hbase_thrift)

    thrift = importlib.import_module("Hbase_thrift")
    return (thrift.IOError, thrift.IllegalArgument)


def exit_codes() -> list[tuple[type[BaseException], int]]:
    """(exception type, exit code), the first matching type wins. Imports the clients and
    engines that define them: called when a command failed, never to build the parser."""
    from mr.clients.hdfs import HdfsError
    from mr.clients.mysql import MySQLError
    from mr.clients.mysql_export import ExportError
    from mr.clients.oozie import OozieError
    from mr.engines import EngineError

    return [
        (UsageError, 2),
        (NotFound, 1),
        (EngineError, 1),
        (HdfsError, 1),
        (OozieError, 1),
        (MySQLError, 1),
        (ExportError, 1),
        (ConnectionError, 1),
        *((server_error, 1) for server_error in hbase_server_errors()),
        # the machine failed us (a full disk, a file system gone read-only): not a bug
        (OSError, 1),
    ]


def exit_code(error: BaseException) -> int | None:
    """The exit code for an error a command raised, or None if it is not one for the user (a
    bug: its traceback is shown)."""
    if isinstance(error, BrokenPipeError):  # a ConnectionError, but not an error of ours
        return None
    for kind, code in exit_codes():
        if isinstance(error, kind):
            return code
    return None


def error_message(error: BaseException) -> str:
    """The one-line text of an error (Thrift errors keep theirs in `.message`, maybe bytes)."""
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    message = str(message)
    if isinstance(error, ConnectionError):
        message = f"{message} {HBASE_HINT}"
    return message


def command_prog(args: argparse.Namespace) -> str:
    """``mrkit <group> [<action>]`` of the parsed command line."""
    words = ["mrkit", args.command]
    action = getattr(args, "action", None)
    if action:
        words.append(action)
    return " ".join(words)


def report(prog: str, error: BaseException) -> int:
    """Print `prog: error: message` on stderr; return the error type's exit code, or re-raise an
    error that is not the user's to read."""
    code = exit_code(error)
    if code is None:
        raise error
    print(f"{prog}: error: {error_message(error)}", file=sys.stderr)
    return code


def build_parser() -> Parser:
    parser = Parser(
        prog="mrkit",
        description="MapReduce streaming jobs in Python: run them inline, locally, on YARN "
        "or Spark; run their Hive and Pig twins; load and query the HBase index.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    groups = (jobs, cluster, hbase, mysql, hdfs, index, imports, export, oozie, twins, workflow)
    for group in (*groups, coord, airflow):
        group.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `mrkit` command line; return its exit code."""
    args = build_parser().parse_args(argv)
    prog = command_prog(args)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit after main returned
    except BrokenPipeError:
        discard_stdout()
        return BROKEN_PIPE_EXIT
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return INTERRUPTED_EXIT
    except Exception as error:
        return report(prog, error)
    return int(code or 0)
