"""MRKitJob: the base class of every mrkit job.

What it adds to ``mrjob.job.MRJob``:
- bytes in, TSV out (``mr.lib.tsv``); lines that are not UTF-8 are counted and skipped;
- ``self.count(name)``: a Hadoop counter in the job's own group (its file stem);
- launcher checks that end in one line on stderr and exit code 2: a missing input path, an output
  directory that already holds data (unless ``--overwrite``), a bad option value;
- atomic local output: part files are written to a hidden sibling directory, renamed into place
  when the job succeeds, and marked with ``_SUCCESS`` (Hadoop's committer does this on HDFS);
- the ``mr`` package ships with the job, so tasks run where mrkit is not installed.

Subclasses for the two kinds of input: ``TextJob`` (lines split into words by ``--tokenizer``)
and ``RecordJob`` (TSV or MySQL-CSV records: ``--format``, ``parse_fields()``,
``add_column_arg()``); ``mr.lib.hbase_job.HBaseJob`` extends RecordJob for jobs that use the HBase
index.
"""

from __future__ import annotations

import argparse
import atexit
import codecs
import logging
import os
import re
import signal
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from mrjob.fs.local import LocalFilesystem
from mrjob.job import MRJob
from mrjob.protocol import BytesValueProtocol as BytesValueProtocol  # jobs import it from here
from mrjob.protocol import JSONProtocol
from mrjob.step import MRStep as MRStep  # jobs import it from here (mr before mrjob: 3.12+)
from mrjob.step import StepFailedException

import mr
from mr.lib import jobconf, mrjob_fixes, stdlib_compat
from mr.lib.config import use_default_mrjob_conf
from mr.lib.errors import BROKEN_PIPE_EXIT, UsageError, discard_stdout
from mr.lib.held_logs import HeldLogs, hadoop_client_error
from mr.lib.inputs import local_input_files
from mr.lib.publish import publish_dir, remove, start_output
from mr.lib.records import (
    BAD_UTF8,
    EMPTY_LINES,
    RECORD_FORMATS,
    BadLine,
    CutRecords,
    decode_line,
    parse_number,
    record_fields,
)
from mr.lib.records import text_line as line_text
from mr.lib.stats import parse_columns
from mr.lib.text import (
    TOKENIZERS,
    UTF8_BOM,
    bad_utf8_lines,
    hadoop_text,
    java_empty_lines,
    tokenizer,
    whitespace_words,
)
from mr.lib.tsv import TSVOutputProtocol
from mr.lib.uris import is_local, uri_path

mrjob_fixes.apply()

Number = TypeVar("Number")


class TupleKeyJSONProtocol(JSONProtocol):
    """mrjob's JSON protocol, but a key that is a JSON array is read back as a tuple: what the
    mapper yielded, and hashable (mrjob's Spark runner combines with a dict keyed by the key)."""

    def read(self, line: bytes) -> tuple[Any, Any]:
        key, value = super().read(line)
        return (_as_tuple(key) if isinstance(key, list) else key), value


def _as_tuple(value: Any) -> Any:
    return tuple(_as_tuple(v) for v in value) if isinstance(value, list) else value


class MRKitJob(MRJob):
    """Base job: bytes in, TSV out, counted bad records, clean launcher errors."""

    INPUT_PROTOCOL = BytesValueProtocol
    INTERNAL_PROTOCOL = TupleKeyJSONProtocol
    OUTPUT_PROTOCOL = TSVOutputProtocol

    #: Counter group; defaults to the job file's stem (``word_count``).
    COUNTER_GROUP: str | None = None

    def configure_args(self) -> None:
        super().configure_args()
        parser = self.arg_parser

        def one_line_error(message: str) -> None:
            # argparse prints its usage line first; one line that points at --help reads better
            parser.exit(2, f"{parser.prog}: error: {message} (see --help)\n")

        parser.error = one_line_error
        self.arg_parser.add_argument(
            "--overwrite",
            action="store_true",
            help="replace the contents of --output-dir if it already holds data "
            "(default: refuse with exit code 2)",
        )

    def _print_help(self, options: Any) -> None:
        try:
            self._print_all_help(options)
            sys.stdout.flush()
        except BrokenPipeError:
            # `--help | head`: the reader has what it wanted; no traceback
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)

    def _print_all_help(self, options: Any) -> None:
        # the job's contract and its own options first, then mrjob's
        print((sys.modules[type(self).__module__].__doc__ or "").strip() + "\n")
        own = [
            a
            for a in self.arg_parser._actions
            if a.dest in self._passthru_arg_dests
            or a.dest in self._file_arg_dests
            or a.dest == "overwrite"
        ]
        if own:
            fmt = argparse.HelpFormatter(prog="")
            fmt.start_section("job options")
            fmt.add_arguments(own)
            fmt.end_section()
            print(fmt.format_help())
        print("mrjob options (all of them: --help -v; a runner's: -r RUNNER --help):")
        super()._print_help(options)

    # -- task side ---------------------------------------------------------------------------

    def count(self, name: str, amount: int = 1) -> None:
        """Increment a counter in this job's group."""
        self.increment_counter(self.counter_group(), name, amount)

    @classmethod
    def counter_group(cls) -> str:
        if cls.COUNTER_GROUP:
            return cls.COUNTER_GROUP
        stem = os.path.splitext(os.path.basename(sys.modules[cls.__module__].__file__ or ""))[0]
        # mrjob's Spark runner imports the job as <stem>_<owner>_<yyyymmdd>_<hhmmss>_<micro>
        return _SPARK_MODULE_SUFFIX.sub("", stem)

    def decode(self, line: bytes) -> str | None:
        """A UTF-8 line without its line ending, or None (counted as bad_utf8)."""
        return self._counted(decode_line(line))

    def text_line(self, line: bytes) -> str | None:
        """The line as text; None for a line that is not UTF-8 (bad_utf8) or blank (empty_lines)."""
        return self._counted(line_text(line))

    def _counted(self, text: str | BadLine) -> str | None:
        if isinstance(text, BadLine):
            self.count(text.counter)
            return None
        return text

    # a task that raises names the record it was on: Hadoop shows the user only its stderr
    def map_pairs(self, pairs: Any, step_num: int = 0) -> Any:
        return self._naming_failed_record(super().map_pairs, pairs, step_num, "mapper")

    def combine_pairs(self, pairs: Any, step_num: int = 0) -> Any:
        return self._naming_failed_record(super().combine_pairs, pairs, step_num, "combiner")

    def reduce_pairs(self, pairs: Any, step_num: int = 0) -> Any:
        return self._naming_failed_record(super().reduce_pairs, pairs, step_num, "reducer")

    def _naming_failed_record(self, run: Any, pairs: Any, step_num: int, role: str) -> Any:
        tracked = _TrackedPairs(pairs)
        try:
            yield from run(tracked, step_num=step_num)
        except Exception:
            self.stderr.write(tracked.describe(role, step_num).encode("utf-8") + b"\n")
            self.stderr.flush()
            raise

    def dirs(self) -> list[str]:
        # ship the `mr` package into each task's working directory (tasks run `python job.py`
        # there, so `import mr` finds it even where mrkit is not installed); the inline runner
        # runs tasks in this process, which has `mr` already
        if self._runner_class().alias == "inline":
            return super().dirs()
        return [os.path.dirname(os.path.abspath(mr.__file__)) + "#mr"] + super().dirs()

    def _runner_kwargs(self) -> dict[str, Any]:
        kwargs = super()._runner_kwargs()
        if self._runner_class().alias == "spark":
            # Spark gets no task working dir on a local[*] master, so dirs() does not reach
            # it: put the package on the PYTHONPATH of the driver and executors instead
            kwargs["py_files"] = [*(kwargs.get("py_files") or []), _package_zip()]
            mrjob_fixes.apply_spark()
        elif self._runner_class().alias == "hadoop":
            mrjob_fixes.apply_hadoop()
        return kwargs

    # -- launcher side -----------------------------------------------------------------------

    def check_declared_options(self) -> None:
        """Check the options a base class declared (column options); UsageError if wrong."""

    def validate_options(self) -> None:
        """Check option values before anything runs; raise UsageError with one clear line.

        Runs after check_declared_options(): column options are valid indexes by then."""

    def usage_error(self, message: str) -> None:
        """Print `<job>: error: message` and exit 2."""
        prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "mrkit"
        print(f"{prog}: error: {message}", file=sys.stderr)
        sys.exit(2)

    @classmethod
    def set_up_logging(cls, quiet: bool = False, verbose: bool = False, stream: Any = None) -> None:
        """mrjob's logging, but quiet by default: a run shows its counters, warnings and errors;
        mrjob's progress lines ("Creating temp directory", "Running step 1 of 2", Hadoop's
        map/reduce percentages) only with -v (which also shows mrjob's debug lines)."""
        super().set_up_logging(quiet=quiet, verbose=verbose, stream=stream)
        if not quiet and not verbose:
            for name in ("mrjob", "__main__"):
                for handler in logging.getLogger(name).handlers:
                    handler.addFilter(essential_record)

    def run_job(self) -> None:
        use_default_mrjob_conf()
        log_stream = codecs.getwriter("utf_8")(self.stderr)
        self.set_up_logging(
            quiet=self.options.quiet, verbose=self.options.verbose, stream=log_stream
        )
        try:
            self.check_declared_options()
            self.validate_options()
            self._check_local_inputs()
        except UsageError as e:
            self.usage_error(str(e))

        final_dir = self.options.output_dir
        # a plain path is local except on Hadoop, where it is a path of the cluster's file system
        on_hadoop = self._runner_class().alias == "hadoop"
        staged = (
            final_dir and is_local(final_dir) and (final_dir.startswith("file:") or not on_hadoop)
        )
        if staged:
            final_dir = os.path.abspath(uri_path(final_dir))
            try:
                staging = str(start_output(final_dir, self.options.overwrite))
            except UsageError as e:
                self.usage_error(str(e))
            except OSError as e:
                self._failed(f"--output-dir {final_dir}: {e}")
            if on_hadoop:
                # Hadoop's output committer refuses an output dir that exists: it makes its own
                os.rmdir(staging)
            self.options.output_dir = f"file://{staging}" if on_hadoop else staging

        # mrjob's log lines wait until the paths are checked: a job refused before it starts
        # says so in one line, not after "Creating temp directory ..." and Java's stderr
        early = HeldLogs()
        quiet, verbose = self.options.quiet, self.options.verbose
        # imported here, in the launcher: tasks run where tqdm may not be installed
        from mr.lib import job_status

        status = None  # a live line on a terminal, once the job is past its checks
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            # SIGTERM unwinds like Ctrl-C: the runner cleans up (on YARN, closing the hadoop
            # client's pty kills the application) instead of dying on the spot
            _LAUNCHER_PID[:] = [os.getpid()]
            signal.signal(signal.SIGTERM, _terminated)
        try:
            with early, self.make_runner() as runner:
                self._check_paths(runner, final_dir if not staged else None, early)
                early.release()
                if not (quiet or verbose):
                    status = job_status.start(self.counter_group())
                try:
                    runner.run()
                except StepFailedException as e:
                    job_status.stop(status)
                    print(f"{self.counter_group()}: job failed: {e}", file=sys.stderr)
                    sys.exit(1)
                job_status.stop(status)  # the rows come next, on the same terminal
                self.last_counters = runner.counters()
                if staged:
                    publish_dir(uri_path(self.options.output_dir), final_dir)
                if self._should_cat_output():
                    write_chunks(self.stdout, runner.cat_output())
        except UsageError as e:
            self.usage_error(str(e))
        except _Unreachable as e:
            self._failed(str(e))
        except KeyboardInterrupt as e:
            code = 143 if isinstance(e, _Terminated) else 130
            print(f"{self.counter_group()}: interrupted; stopped the job", file=sys.stderr)
            sys.exit(code)
        except BrokenPipeError:
            # the rows' reader went away (`... | head -1`): the job is done, say nothing
            discard_stdout()
            sys.exit(BROKEN_PIPE_EXIT)
        except OSError as e:
            # a NameNode that does not answer, a full disk, a file system gone read-only
            # mid-run: a failure, not a bug
            self._failed(f"job failed: {e}")
        finally:
            job_status.stop(status)
            if staged:
                remove(uri_path(self.options.output_dir))

    def _failed(self, message: str) -> None:
        """Print `<group>: message` and exit 1 (a failure that is not a usage problem)."""
        print(f"{self.counter_group()}: {message}", file=sys.stderr)
        sys.exit(1)

    def _check_local_inputs(self) -> None:
        # before the runner exists, so that its log lines do not precede the one error line
        local = LocalFilesystem()
        for path in self._input_paths():
            if path != "-" and local.can_handle_path(path):
                if not local.exists(path):
                    raise UsageError(f"input path {path} does not exist")
                # a subdirectory Hadoop would refuse is refused here, before the runner starts
                for _ in local_input_files(path, self.options.jobconf or {}):
                    pass

    def _check_paths(self, runner: Any, remote_output: str | None, logs: HeldLogs) -> None:
        def exists(path: str) -> bool:
            seen = len(logs.records)
            try:
                found = bool(runner.fs.exists(path))
            except OSError:
                found = False
            # mrjob reads some failures of `hadoop fs -ls` as "no such path", others as IOError
            unreachable = hadoop_client_error(logs.lines()[seen:])
            if unreachable:
                raise _Unreachable(
                    f"{unreachable} for {path}: is the cluster up? (`mrkit cluster status`)"
                )
            return found

        for path in self._input_paths():
            if path == "-":
                continue
            if runner.fs.can_handle_path(path) and not exists(path):
                raise UsageError(f"input path {path} does not exist")
        if remote_output and runner.fs.can_handle_path(remote_output):
            if exists(remote_output):
                if not self.options.overwrite:
                    raise UsageError(
                        f"output directory {remote_output} already exists; "
                        "choose another --output-dir or pass --overwrite"
                    )
                runner.fs.rm(remote_output)

    def _input_paths(self) -> list[str]:
        return list(self.options.args or [])


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the job's launcher is, so that it unwinds as Ctrl-C does."""


_LAUNCHER_PID: list[int] = []


def _terminated(signum: int, frame: Any) -> None:
    if os.getpid() not in _LAUNCHER_PID:
        # a process forked from the launcher (mrjob's local task pool) dies as it always did
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    raise _Terminated()


class _Unreachable(ConnectionError):
    """A Hadoop client could not reach the NameNode of a job's input or output."""


def essential_record(record: logging.LogRecord) -> bool:
    """Whether a log record is shown without -v: warnings, errors and the counters (a live
    status line, mr/lib/job_status.py, steps aside for them)."""
    shown = record.levelno >= logging.WARNING or record.getMessage().lstrip().startswith("Counters")
    if shown and "mr.lib.job_status" in sys.modules:  # a launcher that shows a status line
        sys.modules["mr.lib.job_status"].clear_all()
    return shown


_SPARK_MODULE_SUFFIX = re.compile(r"_[^_]+_\d{8}_\d{6}_\d{6}$")
_PACKAGE_ZIP: list[str] = []


def _package_zip() -> str:
    """A zip of the `mr` package for Spark's --py-files, built once per process."""
    if not _PACKAGE_ZIP or not os.path.exists(_PACKAGE_ZIP[0]):
        root = Path(mr.__file__).resolve().parent
        fd, path = tempfile.mkstemp(prefix="mrkit-", suffix=".zip")
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted(root.rglob("*")):
                if p.is_file() and "__pycache__" not in p.parts:
                    z.write(p, str(Path("mr") / p.relative_to(root)))
            # Spark's harness imports mrjob before the job (and so before mr): the standard
            # modules mrjob needs and this Python lacks, as files beside mr
            for name, text in stdlib_compat.archive_files().items():
                z.writestr(name, text)
        atexit.register(remove, path)
        _PACKAGE_ZIP[:] = [path]
    return _PACKAGE_ZIP[0]


def write_chunks(out: Any, chunks: Any, size: int = 1 << 16) -> None:
    """Write the bytes of `chunks` to `out` in writes of about `size` bytes. mrjob's
    cat_output() yields a local part file line by line (a file object is its own iterator), and
    a write per row cost as much as the reduce step of a job with many small rows. (Not much
    larger: one write of more than a pipe holds can end without an error when the reader goes
    away, and the job must see that it did: tests/test_cli.py, rows into a closed pipe.)"""
    buffer: list[bytes] = []
    held = 0
    for chunk in chunks:
        buffer.append(chunk)
        held += len(chunk)
        if held >= size:
            out.write(b"".join(buffer))
            buffer, held = [], 0
    out.write(b"".join(buffer))
    out.flush()


class _TrackedPairs:
    """An iterator over a task's (key, value) input pairs that remembers where it is."""

    def __init__(self, pairs: Any):
        self._pairs = iter(pairs)
        self.last: tuple[Any, Any] | None = None
        self.number = 0
        self.done = False

    def __iter__(self) -> _TrackedPairs:
        return self

    def __next__(self) -> tuple[Any, Any]:
        try:
            self.last = next(self._pairs)
        except StopIteration:
            self.done = True
            raise
        self.number += 1
        return self.last

    def describe(self, role: str, step_num: int) -> str:
        """One line for stderr: which input record the failing task was on."""
        where = f"mrkit: {role} of step {step_num + 1} failed"
        if self.last is None:
            return f"{where} before its first input record"
        if self.done:
            where += " after its last input record"
        key, value = self.last
        if role == "mapper":
            source = jobconf.get(jobconf.MAP_INPUT_FILE) or "its input"
            record = value if key is None else self.last
            return f"{where} on input record {self.number} of {source}: {_short(record)}"
        return f"{where} on key {_short(key)} (input record {self.number})"


def _short(value: Any, limit: int = 500) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


class TextJob(MRKitJob):
    """A job over lines of text split into words by ``--tokenizer`` (mr/lib/text.py)."""

    def configure_args(self) -> None:
        super().configure_args()
        self.add_passthru_arg(
            "--tokenizer",
            choices=TOKENIZERS,
            default="regex",
            help="regex: lowercased words of letters/digits (default); "
            "whitespace: split on space/tab/CR/LF/FF only, like Hadoop's WordCount",
        )

    # whether the task's first line is still to be looked at for a byte order mark (hadoop_bytes)
    _bom_unchecked = True

    def tokenizer(self) -> Callable[[str], list[str]]:
        """The chosen tokenizer: text -> words."""
        return tokenizer(self.options.tokenizer)

    def text_line(self, line: bytes) -> str | None:
        """The line as text; None for a line without words (empty_lines).

        With ``--tokenizer whitespace`` a line is decoded as Hadoop's WordCount decodes it
        (``Text.toString()``: bytes that are not UTF-8 become U+FFFD, the line is counted as
        bad_utf8 and kept) and is empty when StringTokenizer finds no word in it. Otherwise as
        MRKitJob.text_line (bad UTF-8 and blank lines skipped).
        """
        if self.options.tokenizer != "whitespace":
            return super().text_line(line)
        line = self.hadoop_bytes(line)
        bad, empty = bad_utf8_lines(line), java_empty_lines(line)
        if bad:
            self.count(BAD_UTF8, bad)
        if empty:
            self.count(EMPTY_LINES, empty)
        text = hadoop_text(line)
        return text if whitespace_words(text) else None

    def hadoop_bytes(self, line: bytes) -> bytes:
        """The line as Hadoop's LineRecordReader reads it: without the UTF-8 byte order mark that
        LineRecordReader drops from the start of a file. Call it on every line of a task (only
        the first one can change); mrjob's inline and local runners keep the mark, Hadoop
        streaming never shows it."""
        if self._bom_unchecked:
            self._bom_unchecked = False
            if line.startswith(UTF8_BOM) and _file_start_outside_hadoop():
                return line[len(UTF8_BOM) :]
        return line


def _file_start_outside_hadoop() -> bool:
    """True in a map task that starts reading at a file's first byte, run by one of mrjob's own
    runners rather than by Hadoop streaming."""
    return (
        jobconf.get(jobconf.MAP_INPUT_START) == "0"
        and jobconf.get(jobconf.STREAM_MAP_PROCESSOR) is None
    )


class ColumnArg(NamedTuple):
    """A column option declared with RecordJob.add_column_arg."""

    flag: str
    required: bool


class RecordJob(MRKitJob):
    """A job over TSV or MySQL-CSV records: adds --format, add_column_arg() and parse_fields()."""

    #: column options by dest, as add_column_arg declared them
    _columns: dict[str, ColumnArg]
    #: column-list options by dest, as add_columns_arg declared them
    _column_lists: dict[str, ColumnArg]
    #: the CSV records cut by a line break in the lines this task has read (parse_fields)
    _cut_records: CutRecords | None = None

    def configure_args(self) -> None:
        self._columns = {}
        self._column_lists = {}
        super().configure_args()
        self.add_passthru_arg(
            "--format",
            choices=RECORD_FORMATS,
            default="tsv",
            help="input records: tsv (TAB-separated, \\N is NULL; default) or csv "
            "(MySQL SELECT ... INTO OUTFILE with FIELDS TERMINATED BY ',' ENCLOSED BY '\"')",
        )

    def add_column_arg(
        self, flag: str, help: str, default: int | None = None, required: bool = False
    ) -> None:
        """Add a column option such as ``--key-col``: a 0-based field index, checked before the
        job runs (not negative; present if required). `help` names the field ("field holding
        the join key"); the help text becomes "0-based index of the <help> (default N)"."""
        if required and default is not None:
            raise ValueError(f"{flag}: a required column option takes no default")
        note = " (required)" if required else "" if default is None else f" (default {default})"
        self.add_passthru_arg(
            flag,
            type=int,
            default=default,
            metavar="COL",
            help=f"0-based index of the {help}{note}",
        )
        self._columns[flag.lstrip("-").replace("-", "_")] = ColumnArg(flag, required)

    def add_columns_arg(
        self, flag: str, help: str, default: str | None = None, required: bool = False
    ) -> None:
        """Add a column-list option such as ``--cols 1,2``: comma-separated 0-based field
        indexes, none repeated, checked before the job runs; read it with column_list()."""
        if required and default is not None:
            raise ValueError(f"{flag}: a required column option takes no default")
        note = " (required)" if required else "" if default is None else f" (default {default})"
        self.add_passthru_arg(
            flag,
            default=default,
            metavar="COLS",
            help=f"0-based indexes of the {help}, comma-separated{note}",
        )
        self._column_lists[flag.lstrip("-").replace("-", "_")] = ColumnArg(flag, required)

    def column_list(self, dest: str) -> list[int] | None:
        """The indexes of a column-list option (by dest), or None if it is not given."""
        value = getattr(self.options, dest)
        return None if value is None else parse_columns(value)

    def check_declared_options(self) -> None:
        super().check_declared_options()
        for dest, column in self._columns.items():
            value = getattr(self.options, dest)
            if value is None:
                if column.required:
                    raise UsageError(f"{column.flag} is required")
            elif value < 0:
                raise UsageError(f"{column.flag} {value}: column indexes start at 0")
        for dest, column in self._column_lists.items():
            if getattr(self.options, dest) is None:
                if column.required:
                    raise UsageError(f"{column.flag} is required")
                continue
            try:
                self.column_list(dest)
            except ValueError as e:
                raise UsageError(f"{column.flag}: {e}") from None

    def parse_fields(self, line: bytes, min_fields: int = 1) -> list[str | None] | None:
        """Fields of an input line, or None after counting why (bad_utf8, empty_lines,
        malformed, too_few_fields)."""
        if self._cut_records is None:  # one task reads one split, its lines in order
            self._cut_records = CutRecords(self.options.format)
        fields = record_fields(line, self.options.format, min_fields, self._cut_records)
        if isinstance(fields, BadLine):
            self.count(fields.counter)
            return None
        return fields

    def number_field(
        self,
        fields: list[str | None],
        col: int,
        parse: Callable[[str], Number | None] = parse_number,  # type: ignore[assignment]
        null_counter: str = "null_values",
    ) -> Number | None:
        """The number in fields[col], or None after counting why: null_values (NULL or blank;
        `null_counter` names it otherwise) or bad_numbers (anything `parse` refuses; parse_number
        and parse_decimal share one rule, see mr.lib.records.parse_number: not a number, inf,
        nan, 1e309, ``1_000``, Unicode digits, hex, surrounding spaces). The one place jobs
        count these two."""
        raw = fields[col]
        if raw is None or not raw.strip():
            self.count(null_counter)
            return None
        value = parse(raw)
        if value is None:
            self.count("bad_numbers")
        return value
