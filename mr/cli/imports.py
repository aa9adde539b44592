"""``mrkit import mysql``: a MySQL table or query into a directory of TSV or CSV part files.

The import is an mrkit job (mr/mysql_import.py). This command plans it (mr/clients/mysql_import.py:
the split column, its bounds, the splits by mr/lib/splits.py's rule, the new last value of an
incremental run), writes the split descriptors (one line per map task) to a small file, runs the
job on it (``-r inline|local|hadoop``) and publishes the output atomically:

- ``--target-dir DIR`` (local, or ``hdfs:///...``) must hold nothing unless ``--overwrite``;
  the rows are written beside it under a hidden name and renamed into place with ``_SUCCESS``
  only when every split has been read;
- an incremental run (``--incremental append|lastmodified``) adds its part files to the
  target (``part-<UTC time>-<random>-NNNNN``), then saves its new last value in the target's
  hidden state file (mr/lib/incremental.py) and renews ``_SUCCESS``; the new last value is
  printed on stdout.

On stderr: rows per split and in all (the job's counters), unless ``-q``.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mr.lib import incremental
from mr.lib.config import MYSQL_PASSWORD_ENV, mysql_url
from mr.lib.errors import UsageError
from mr.lib.publish import SUCCESS, holds_data, publish_dir, remove, start_output, temp_name
from mr.lib.sqlvalues import FORMATS
from mr.lib.uris import is_local, uri_path

DEFAULT_TASKS = 4
#: at most this many map tasks: each split has its own Hadoop counter (rows_split_NNNNN), and a
#: job may have 120 counters (mapreduce.job.counters.max); a hundred sessions at once is also
#: more than a database server should be asked to serve for one import
MAX_TASKS = 100


# -- targets: where the rows go, local or HDFS ------------------------------------------------


class LocalTarget:
    """A target directory on local disk."""

    def __init__(self, path: str):
        self.path = os.path.abspath(uri_path(path))

    def holds_data(self) -> bool:
        return holds_data(self.path)

    def read_state(self) -> str | None:
        state = Path(self.path) / incremental.STATE_NAME
        return state.read_text(encoding="utf-8") if state.is_file() else None

    def job_output(self, runner: str, overwrite: bool) -> str:
        """Where the job writes: a hidden staging directory beside the target."""
        self.staging = str(start_output(self.path, overwrite, flag="--target-dir"))
        if runner == "hadoop":
            os.rmdir(self.staging)  # Hadoop's committer makes the output directory itself
            return f"file://{self.staging}"
        return self.staging

    def publish(self) -> None:
        publish_dir(self.staging, self.path)

    def append(self, stamp: str, state: str | None) -> list[str]:
        os.makedirs(self.path, exist_ok=True)
        moved = []
        for i, part in enumerate(_part_files(os.listdir(self.staging))):
            name = f"part-{stamp}-{i:05d}"
            os.replace(os.path.join(self.staging, part), os.path.join(self.path, name))
            moved.append(name)
        if state is not None:
            _write_atomically(Path(self.path) / incremental.STATE_NAME, state)
        (Path(self.path) / SUCCESS).touch()
        return moved

    def discard(self) -> None:
        if getattr(self, "staging", None):
            remove(self.staging)


class HdfsTarget:
    """A target directory on HDFS (over WebHDFS, mr/clients/hdfs.py)."""

    def __init__(self, uri: str):
        from mr.clients import hdfs

        self.fs = hdfs.client()
        self.path = hdfs.hdfs_path(uri)
        self.local_staging: str | None = None
        self.remote_staging: str | None = None

    def holds_data(self) -> bool:
        status = self.fs.status(self.path)
        if status is None:
            return False
        return not status.is_dir or bool(self.fs.ls(self.path))

    def read_state(self) -> str | None:
        state = posixpath.join(self.path, incremental.STATE_NAME)
        return self.fs.read_bytes(state).decode("utf-8") if self.fs.exists(state) else None

    def job_output(self, runner: str, overwrite: bool) -> str:
        if self.holds_data() and not overwrite:
            raise UsageError(
                f"--target-dir {self.path} already holds data; choose another or pass --overwrite"
            )
        if runner == "hadoop":  # the job writes to HDFS itself, beside the target
            parent, name = posixpath.split(self.path.rstrip("/"))
            self.remote_staging = posixpath.join(parent or "/", temp_name(name))
            return f"hdfs://{self.remote_staging}"
        self.local_staging = tempfile.mkdtemp(prefix="mrkit-import-")
        os.rmdir(self.local_staging)
        return self.local_staging

    def publish(self) -> None:
        if self.remote_staging:
            if self.fs.exists(self.path):
                self.fs.rm(self.path, recursive=True)
            self.fs.rename(self.remote_staging, self.path)
            self.fs.mark_success(self.path)
        else:
            assert self.local_staging
            Path(self.local_staging, SUCCESS).touch()
            self.fs.put(self.local_staging, self.path, overwrite=True)

    def append(self, stamp: str, state: str | None) -> list[str]:
        self.fs.mkdir(self.path)
        moved = []
        if self.remote_staging:
            names = [posixpath.basename(e.path) for e in self.fs.ls(self.remote_staging)]
            for i, part in enumerate(_part_files(names)):
                name = f"part-{stamp}-{i:05d}"
                self.fs.rename(
                    posixpath.join(self.remote_staging, part), posixpath.join(self.path, name)
                )
                moved.append(name)
        else:
            assert self.local_staging
            for i, part in enumerate(_part_files(os.listdir(self.local_staging))):
                name = f"part-{stamp}-{i:05d}"
                self.fs.put(os.path.join(self.local_staging, part), posixpath.join(self.path, name))
                moved.append(name)
        if state is not None:
            self.fs.write_bytes(
                posixpath.join(self.path, incremental.STATE_NAME), state.encode(), overwrite=True
            )
        self.fs.mark_success(self.path)
        return moved

    def discard(self) -> None:
        if self.local_staging:
            remove(self.local_staging)
        if self.remote_staging and self.fs.exists(self.remote_staging):
            self.fs.rm(self.remote_staging, recursive=True)


def _part_files(names: list[str]) -> list[str]:
    return sorted(n for n in names if not n.startswith(("_", ".")))


def _write_atomically(path: Path, text: str) -> None:
    temp = path.with_name(temp_name(path.name))
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def target_for(uri: str) -> LocalTarget | HdfsTarget:
    return LocalTarget(uri) if is_local(uri) else HdfsTarget(uri)


# -- the command ------------------------------------------------------------------------------


def _source(args: argparse.Namespace) -> Any:
    from mr.clients.mysql import check_names
    from mr.clients.mysql_import import Source

    columns = tuple(check_names(args.columns)) if args.columns else ()
    return Source(table=args.table, query=args.query, columns=columns)


def _incremental(args: argparse.Namespace, target: Any, label: str) -> Any:
    from mr.clients.mysql_import import Incremental

    if args.incremental is None:
        if args.check_column or args.last_value is not None:
            raise UsageError("--check-column and --last-value go with --incremental")
        return None
    if not args.check_column:
        raise UsageError(f"--incremental {args.incremental} needs --check-column COL")
    last = args.last_value
    saved_text = target.read_state()
    if saved_text is not None and last is None:
        try:
            saved = incremental.parse_state(saved_text)
            incremental.check_state(saved, args.incremental, args.check_column, label)
        except ValueError as e:
            raise UsageError(f"--target-dir {args.target_dir}: {e}") from None
        last = saved.last_value
    return Incremental(args.incremental, args.check_column, last)


@contextmanager
def _descriptor_file(lines: list[str]) -> Iterator[str]:
    fd, path = tempfile.mkstemp(prefix="mrkit-import-splits-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.writelines(line + "\n" for line in lines)
        yield path
    finally:
        remove(path)


def run_import_job(argv: list[str]) -> dict[str, int]:
    """Run mr/mysql_import.py with `argv`; its counters (group mysql_import)."""
    from mr.lib import job_status
    from mr.lib.config import use_default_mrjob_conf
    from mr.mysql_import import MySQLImport

    job = MySQLImport(argv)
    job.validate_options()
    use_default_mrjob_conf()
    status = job_status.start("import mysql")
    try:
        with job.make_runner() as runner:
            runner.run()
            counters: dict[str, int] = {}
            for step in runner.counters() or []:
                for name, n in step.get(MySQLImport.counter_group(), {}).items():
                    counters[name] = counters.get(name, 0) + n
            return counters
    finally:
        job_status.stop(status)


def cmd_import_mysql(args: argparse.Namespace) -> int:
    from mrjob.step import StepFailedException

    from mr.clients import mysql
    from mr.clients.mysql_import import ImportFailed, plan_import

    server = mysql.parse_url(args.url)
    source = _source(args)
    if not 1 <= args.num_mappers <= MAX_TASKS:
        raise UsageError(f"-m must be 1 to {MAX_TASKS}, not {args.num_mappers}")
    if args.option_file and not os.path.isfile(args.option_file):
        raise UsageError(f"--option-file {args.option_file} does not exist")
    target = target_for(args.target_dir)
    inc = _incremental(args, target, source.label(server))
    if inc is None and target.holds_data() and not args.overwrite:
        raise UsageError(
            f"--target-dir {args.target_dir} already holds data; "
            "choose another, pass --overwrite, or import --incremental into it"
        )
    if args.direct and args.runner != "hadoop":
        from mr.clients.mysql_direct import client_binary

        client_binary()  # the tasks run here: say now if they cannot
    conn = mysql.connect(server, option_file=args.option_file)
    try:
        with mysql.errors(server):
            plan = plan_import(
                conn,
                source,
                args.num_mappers,
                args.split_by,
                inc,
                direct=args.format if args.direct else None,
            )
    finally:
        conn.close()

    # the run's part files are named part-<UTC time>-<random>-NNNNN: in time order, and two runs
    # in the same second never take each other's names
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:6]
    try:
        output = target.job_output(args.runner, overwrite=args.overwrite or inc is not None)
        with _descriptor_file(plan.descriptors) as splits_file:
            argv = ["-r", args.runner, "--url", args.url, "--format", args.format]
            argv += ["--output-dir", output, "--no-output", splits_file]
            if args.option_file:
                argv += ["--option-file", args.option_file]
            if args.quiet:
                argv.append("-q")
            try:
                counters = run_import_job(argv)
            except (StepFailedException, mysql.MySQLError) as e:
                raise ImportFailed(_failure(server, e, args.option_file)) from None
        if inc is None:
            target.publish()
        else:
            state = None  # an empty source gives nothing to stop at: no state to save
            if plan.new_last_value is not None:
                state = incremental.ImportState(
                    inc.mode, inc.check_column, plan.new_last_value, source.label(server)
                ).to_json()
            target.append(stamp, state)
    finally:
        target.discard()

    total = counters.get("rows", 0)
    if not args.quiet:
        for split in plan.splits:
            n = counters.get(f"rows_split_{split.number:05d}", 0)
            where = _describe_split(split, plan.split_column)
            print(f"import mysql: split {split.number} ({where}): {n} rows", file=sys.stderr)
        print(
            f"import mysql: {total} rows in {len(plan.splits)} splits into {args.target_dir}",
            file=sys.stderr,
        )
    if inc is not None:
        print(f"last value: {plan.new_last_value if plan.new_last_value is not None else ''}")
    return 0


def _describe_split(split: Any, column: str | None) -> str:
    if split.kind == "all":
        return "every row"
    if split.kind == "null":
        return f"{column} IS NULL"
    upper = "<=" if split.last else "<"
    return f"{split.lo} <= {column} {upper} {split.hi}"


def _failure(server: Any, error: BaseException, option_file: str | None) -> str:
    """One line for a failed import job: the server's state if it went away."""
    from mr.clients import mysql

    if isinstance(error, mysql.MySQLError):
        reason = str(error)
    elif mysql.answers(server, password=None) is None and not _password_elsewhere(option_file):
        reason = f"the MySQL server at {server.where()} does not answer (did it stop?)"
    else:
        reason = f"a map task failed ({error})"
    return f"import failed, nothing published: {reason}"


def _password_elsewhere(option_file: str | None) -> bool:
    # answers() cannot read an option file: without one it speaks for the server
    return option_file is not None


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "import",
        help="import a MySQL table or query into TSV/CSV part files (an mrkit job)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="action", metavar="SOURCE", required=True)
    q = sub.add_parser(
        "mysql",
        help="a MySQL or MariaDB table (or --query) into --target-dir",
        description="Import a table (or a --query with $CONDITIONS) into --target-dir, one "
        "key range per map task. The rule for the ranges is in mr/lib/splits.py; the value "
        "formats in mr/lib/sqlvalues.py; incremental state in mr/lib/incremental.py.",
    )
    q.add_argument(
        "--url",
        default=mysql_url(),
        help="mysql://user@host:port/database (default $MRKIT_MYSQL_URL or `mrkit mysql up`'s); "
        f"the password from ${MYSQL_PASSWORD_ENV} or --option-file",
    )
    q.add_argument("--option-file", help="MySQL option file with the password ([client])")
    what = q.add_mutually_exclusive_group(required=True)
    what.add_argument("--table", help="the table to import")
    what.add_argument(
        "--query",
        help="a SELECT of your own, run as given, with $CONDITIONS where the split predicate "
        'goes (e.g. "SELECT u.id, f.title FROM users u JOIN film f ON ... WHERE $CONDITIONS")',
    )
    q.add_argument("--columns", help="columns of --table to import, comma-separated (default all)")
    q.add_argument(
        "--split-by",
        metavar="COL",
        help="integer column to split on (default the primary key; needed with --query)",
    )
    q.add_argument(
        "-m",
        "--num-mappers",
        type=int,
        default=DEFAULT_TASKS,
        metavar="N",
        help=f"map tasks, one key range each (default {DEFAULT_TASKS}); plus one for NULL keys",
    )
    q.add_argument("--target-dir", required=True, help="output directory, local or hdfs:///...")
    q.add_argument(
        "--format", choices=FORMATS, default="tsv", help="tsv (default, \\N for NULL) or csv"
    )
    q.add_argument(
        "--direct",
        action="store_true",
        help="each map task runs the mariadb/mysql client and the server writes the lines "
        "(Sqoop's direct mode; several times faster; the client must be on every task node)",
    )
    q.add_argument("--overwrite", action="store_true", help="replace what --target-dir holds")
    q.add_argument(
        "--incremental",
        choices=incremental.MODES,
        help="append: rows with --check-column above the last value; lastmodified: rows "
        "changed since it (a DATETIME/TIMESTAMP column)",
    )
    q.add_argument("--check-column", metavar="COL", help="the column --incremental compares")
    q.add_argument(
        "--last-value",
        help="where the previous run stopped (default: the value saved in --target-dir)",
    )
    q.add_argument(
        "-r",
        "--runner",
        choices=("inline", "local", "hadoop"),
        default="local",
        help="mrjob runner (default local: map tasks in parallel processes)",
    )
    q.add_argument("-q", "--quiet", action="store_true", help="no counters or summary on stderr")
    q.set_defaults(func=cmd_import_mysql)
