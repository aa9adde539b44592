"""MRKitJob: the base class of every mrkit job.

What it adds to ``mrjob.job.MRJob``:
- bytes in, TSV out (``mr.lib.tsv``); lines that are not UTF-8 are counted and skipped;
- ``self.count(name)``: a Hadoop counter in the job's own group (its file stem);
- ``--help`` that starts with the job's contract (its module docstring) and its own options;
- one split per core on the inline and local runners, and local tasks forked from the launcher
  instead of new Pythons (mr/lib/mrjob_fixes.py says why);
- mrkit's launcher (mr/lib/launcher.py: one-line errors, atomic output with ``_SUCCESS``, quiet
  runs, mrjob.conf layering, the ``mr`` package shipped to tasks), and a failing task names its
  input record (mr/lib/task_failures.py); both serve a user's own MRJob under ``mrkit run``.

Subclasses for the two kinds of input: ``TextJob`` (lines split into words by ``--tokenizer``)
and ``RecordJob`` (TSV or MySQL-CSV records: ``--format``, ``parse_fields()``,
``add_column_arg()``); ``mr.lib.hbase_job.HBaseJob`` extends RecordJob for jobs that use the HBase
index.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from mrjob.protocol import BytesValueProtocol as BytesValueProtocol  # jobs import it from here
from mrjob.protocol import JSONProtocol
from mrjob.step import MRStep as MRStep  # jobs import it from here (mr before mrjob: 3.12+)

from mr.lib import jobconf, mrjob_fixes
from mr.lib.errors import UsageError as UsageError  # jobs import it from here
from mr.lib.launcher import Launcher
from mr.lib.launcher import write_chunks as write_chunks
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
from mr.lib.task_failures import NamedFailures
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

Number = TypeVar("Number")


class TupleKeyJSONProtocol(JSONProtocol):
    """mrjob's JSON protocol, but a key that is a JSON array is read back as a tuple: what the
    mapper yielded, and hashable (mrjob's Spark runner combines with a dict keyed by the key)."""

    def read(self, line: bytes) -> tuple[Any, Any]:
        key, value = super().read(line)
        return (_as_tuple(key) if isinstance(key, list) else key), value


def _as_tuple(value: Any) -> Any:
    return tuple(_as_tuple(v) for v in value) if isinstance(value, list) else value


class MRKitJob(NamedFailures, Launcher):
    """Base job: bytes in, TSV out, counted bad records; mrkit's launcher (mr/lib/launcher.py)."""

    INPUT_PROTOCOL = BytesValueProtocol
    INTERNAL_PROTOCOL = TupleKeyJSONProtocol
    OUTPUT_PROTOCOL = TSVOutputProtocol

    #: Counter group; defaults to the job file's stem (``word_count``).
    COUNTER_GROUP: str | None = None

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

    # -- launcher side -----------------------------------------------------------------------

    def job_label(self) -> str:
        return self.counter_group()

    def make_runner(self) -> Any:
        runner = mrjob_fixes.one_split_per_core(super().make_runner())
        return mrjob_fixes.fork_tasks(runner, type(self))


_SPARK_MODULE_SUFFIX = re.compile(r"_[^_]+_\d{8}_\d{6}_\d{6}$")


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
