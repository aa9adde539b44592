"""A job's output into a MySQL table, all or nothing (`mrkit export mysql`, the way Sqoop's
export works, with its staging table always on).

What is read: a file, or a directory of part files (a job's output: every file whose name does
not start with ``_`` or ``.``, in name order, as Hadoop reads input), on local disk or in HDFS
(``hdfs:///out``, over WebHDFS). A directory without ``_SUCCESS`` is refused (the job that
writes it may not have finished) unless ``allow_missing_success``. Part files may be
compressed with Hadoop's gzip, bzip2 or deflate codecs (by suffix: .gz, .bz2, .deflate). Rows
are mrkit TSV (mr/lib/tsv.py: ``\\N`` is NULL, ``\\t \\n \\r \\\\`` escapes) or MySQL CSV
(mr/lib/records.py: ``FIELDS TERMINATED BY ',' ENCLOSED BY '"'``, ``\\N`` NULL, a line ending
escaped with ``\\`` goes on), one field per column, read by column type as mr/lib/sqlvalues.py
says.

How it loads: into a TEMPORARY copy of the table (``CREATE TEMPORARY TABLE ... LIKE``, same
columns and unique keys), in multi-row INSERTs with parameters; then, only if every file was read
and the bad rows are within the limit, ``INSERT INTO target SELECT ... FROM stage`` in one
transaction (``... ON DUPLICATE KEY UPDATE`` with update keys). A temporary table lives as long
as its connection: a failure, a kill -9 or a lost connection anywhere leaves no staging table
behind and the target as it was (the open transaction is rolled back by the server). A copy in
one transaction (not a RENAME swap) keeps the target's other rows, grants, triggers and foreign
keys; so the target must be transactional (InnoDB).

Bad rows (wrong number of fields, text a column cannot take, a row the server refuses such as a
duplicate key) are not loaded; each is reported as ``file:line: reason`` and the export fails
when there are more than ``max_bad_rows``. A batch the server refuses is retried row by row to
find which rows it refuses.
"""

from __future__ import annotations

import bz2
import functools
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pymysql

from mr.clients import mysql
from mr.lib.defaults import EXPORT_BATCH_ROWS, EXPORT_FORMATS
from mr.lib.errors import UsageError
from mr.lib.inputs import is_hidden
from mr.lib.records import BOM, ends_with_escape, parse_mysql_csv
from mr.lib.sqlvalues import BadValue, Column, decode_value
from mr.lib.tsv import parse_field
from mr.lib.uris import is_local, uri_path

# in mr/lib/defaults.py, which `mrkit export mysql --help` reads without importing this module
FORMATS = EXPORT_FORMATS
DEFAULT_BATCH_ROWS = EXPORT_BATCH_ROWS
#: engines whose tables take part in a transaction (the final copy is one)
TRANSACTIONAL = {"innodb"}
#: Hadoop's codecs whose files are read as they are compressed (gzip, bzip2, DefaultCodec's zlib
#: stream); the others need native libraries
READABLE_CODECS = (".gz", ".bz2", ".deflate")
UNREADABLE_CODECS = (".snappy", ".lz4", ".zst", ".lzo")
#: driver errors about one row's data (retried row by row to find it), not about the server
ROW_ERRORS = (pymysql.err.IntegrityError, pymysql.err.DataError)
#: server error numbers of OperationalError/InternalError that are about a row's value
ROW_ERROR_CODES = {1048, 1263, 1264, 1265, 1292, 1366, 1406, 1411, 3140, 4025}

Progress = Callable[[int], None]


class ExportError(RuntimeError):
    """The export did not happen (too many bad rows, the final copy refused); the target table
    is as it was."""


@dataclass(frozen=True)
class BadRow:
    """A row that was not loaded: where it is and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class Report:
    """What an export did."""

    table: str
    files: int = 0
    rows: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    """One input file: its name for messages and how to read its bytes."""

    name: str
    chunks: Callable[[], Iterator[bytes]]


def sources(path: str, allow_missing_success: bool = False) -> list[Source]:
    """The files a path stands for (module docstring), local or in HDFS; UsageError if none."""
    if is_local(path):
        return _local_sources(Path(uri_path(path)), allow_missing_success)
    return _hdfs_sources(path, allow_missing_success)


def _check_name(name: str) -> None:
    if name.endswith(UNREADABLE_CODECS):
        raise UsageError(
            f"{name}: export reads part files plain or compressed with gzip, bzip2 or deflate, "
            f"not {name.rsplit('.', 1)[-1]}"
        )


def _local_sources(path: Path, allow_missing_success: bool) -> list[Source]:
    if path.is_file():
        _check_name(path.name)
        return [Source(str(path), lambda: _read_local(path))]
    if not path.is_dir():
        raise UsageError(f"{path} does not exist")
    if not (path / "_SUCCESS").exists() and not allow_missing_success:
        raise UsageError(
            f"{path} has no _SUCCESS (its job may not have finished): "
            "--allow-missing-success exports it anyway"
        )
    out = []
    for child in sorted(path.iterdir()):
        if is_hidden(child.name):
            continue
        if child.is_dir():
            raise UsageError(f"{child} is a directory: export reads the files of one directory")
        _check_name(child.name)
        out.append(Source(str(child), functools.partial(_read_local, child)))
    return out


def _read_local(path: Path, size: int = 1 << 16) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while chunk := f.read(size):
            yield chunk


def _hdfs_sources(path: str, allow_missing_success: bool) -> list[Source]:
    from mr.clients.hdfs import client

    fs = client()
    entry = fs.status(path)
    if entry is None:
        raise UsageError(f"{path} does not exist")
    if not entry.is_dir:
        _check_name(entry.path)
        return [Source(path, lambda: fs.cat(entry.path))]
    entries = fs.ls(path)
    names = {e.path.rstrip("/").rsplit("/", 1)[-1]: e for e in entries}
    if "_SUCCESS" not in names and not allow_missing_success:
        raise UsageError(
            f"{path} has no _SUCCESS (its job may not have finished): "
            "--allow-missing-success exports it anyway"
        )
    out = []
    for name in sorted(names):
        e = names[name]
        if is_hidden(name):
            continue
        if e.is_dir:
            raise UsageError(f"{e.path} is a directory: export reads the files of one directory")
        _check_name(name)
        out.append(Source(e.path, functools.partial(fs.cat, e.path)))
    return out


def decompressed(name: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The bytes of a file, decompressed by its name's codec (.gz, .bz2, .deflate); a file of
    several concatenated gzip or bzip2 streams (as some writers make) is read to its end."""
    new: Callable[[], Any]
    if name.endswith(".gz"):
        new = functools.partial(zlib.decompressobj, wbits=16 + zlib.MAX_WBITS)
    elif name.endswith(".bz2"):
        new = bz2.BZ2Decompressor
    elif name.endswith(".deflate"):
        new = zlib.decompressobj
    else:
        yield from chunks
        return
    decompressor = new()
    for chunk in chunks:
        while chunk:
            if decompressor.eof:  # the next stream begins
                decompressor = new()
            yield decompressor.decompress(chunk)
            chunk = decompressor.unused_data if decompressor.eof else b""


def lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Lines of a byte stream, without their newline (a last line without one too)."""
    rest = b""
    for chunk in chunks:
        rest += chunk
        *complete, rest = rest.split(b"\n")
        yield from complete
    if rest:
        yield rest


def records(source: Source, fmt: str) -> Iterator[tuple[int, list[str | None] | str]]:
    """(line number, fields) of each record of a file, or (line number, reason) for a line
    that is not one. A CSV record whose line ends with an escaped line break goes on."""
    number = 0
    it = lines(decompressed(source.name, source.chunks()))
    for raw in it:
        number += 1
        first = number
        if fmt == "csv":
            while ends_with_escape(raw):
                more = next(it, None)
                if more is None:
                    break
                number += 1
                raw += b"\n" + more
        raw = raw.removesuffix(b"\r")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            yield first, f"not UTF-8 (byte {e.start + 1})"
            continue
        if fmt == "tsv":
            if first == 1:
                text = text.removeprefix(BOM)
            yield first, [parse_field(f) for f in text.split("\t")]
        else:
            fields = parse_mysql_csv(text)
            yield first, fields if fields is not None else "not a MySQL CSV record"


def decode_row(fields: list[str | None], columns: list[Column]) -> tuple[Any, ...]:
    """The values of one record for the columns; BadValue for the first field that fails."""
    if len(fields) != len(columns):
        raise BadValue(f"{len(fields)} fields, expected {len(columns)} ({_names(columns)})")
    return tuple(decode_value(text, c) for text, c in zip(fields, columns, strict=True))


def _names(columns: list[Column]) -> str:
    return ",".join(c.name for c in columns)


def export_columns(table_cols: list[Column], wanted: list[str] | None, table: str) -> list[Column]:
    """The table's columns in the order of `wanted` (default: all but generated ones)."""
    if wanted is None:
        return [c for c in table_cols if not c.generated]
    by_name = {c.name.lower(): c for c in table_cols}
    out = []
    for name in wanted:
        column = by_name.get(name.lower())
        if column is None:
            raise UsageError(f"table {table} has no column {name!r} (it has {_names(table_cols)})")
        if column.generated:
            raise UsageError(f"column {column.name} of {table} is generated: it takes no values")
        out.append(column)
    return out


def upsert_clause(columns: list[Column], keys: list[str]) -> str:
    """``ON DUPLICATE KEY UPDATE c = VALUES(c), ...`` for the non-key columns."""
    key_set = {k.lower() for k in keys}
    rest = [c.name for c in columns if c.name.lower() not in key_set]
    if not rest:  # only keys: a duplicate changes nothing, but must not fail
        rest = [columns[0].name]
    updates = ", ".join(f"{mysql.quote_name(n, 'column')} = VALUES({mysql.quote_name(n)})"
                        for n in rest)  # fmt: skip
    return f" ON DUPLICATE KEY UPDATE {updates}"


def check_update_key(
    conn: Any, table: str, columns: list[Column], update_key: list[str]
) -> list[str]:
    """The update key's columns, checked: exported, and the PRIMARY KEY or a UNIQUE index."""
    exported = {c.name.lower() for c in columns}
    for name in update_key:
        if name.lower() not in exported:
            raise UsageError(f"update key column {name!r} is not among the exported columns")
    wanted = {n.lower() for n in update_key}
    if wanted not in mysql.unique_keys(conn, table):
        raise UsageError(
            f"({','.join(update_key)}) is not the primary key or a unique index of {table}: "
            "ON DUPLICATE KEY UPDATE matches rows by one"
        )
    return update_key


def export(
    path: str,
    table: str,
    server: mysql.Server | None = None,
    *,
    fmt: str = "tsv",
    columns: list[str] | None = None,
    update_key: list[str] | None = None,
    max_bad_rows: int = 0,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    allow_missing_success: bool = False,
    option_file: str | None = None,
    progress: Progress | None = None,
    on_bad_row: Callable[[BadRow], None] | None = None,
) -> Report:
    """Export the rows under `path` into `table` (module docstring); the Report, or
    ExportError / MySQLError / UsageError with the target table unchanged."""
    if fmt not in FORMATS:
        raise UsageError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if max_bad_rows < 0 or batch_rows < 1:
        raise UsageError("--max-bad-rows must be 0 or more and --batch-rows 1 or more")
    target = mysql.quote_name(table)
    files = sources(path, allow_missing_success)
    server = server or mysql.default_server()
    conn = mysql.connect(server, option_file=option_file)
    try:
        with mysql.errors(server):
            report = _export(
                conn, server, files, table, target, fmt, columns, update_key, max_bad_rows,
                batch_rows, progress, on_bad_row,
            )  # fmt: skip
        return report
    finally:
        conn.close()


def _export(
    conn: Any,
    server: mysql.Server,
    files: list[Source],
    table: str,
    target: str,
    fmt: str,
    wanted: list[str] | None,
    update_key: list[str] | None,
    max_bad_rows: int,
    batch_rows: int,
    progress: Progress | None,
    on_bad_row: Callable[[BadRow], None] | None,
) -> Report:
    database = mysql.current_database(conn)
    cols = export_columns(mysql.table_columns(conn, table), wanted, table)
    engine = mysql.table_engine(conn, table)
    if engine.lower() not in TRANSACTIONAL:
        raise ExportError(
            f"{database}.{table} is ENGINE={engine}, which has no transactions: an "
            "all-or-nothing export needs InnoDB"
        )
    upsert = ""
    if update_key:
        upsert = upsert_clause(cols, check_update_key(conn, table, cols, update_key))
    column_list = ", ".join(mysql.quote_name(c.name, "column") for c in cols)
    stage = mysql.quote_name(f"mrkit_stage_{uuid.uuid4().hex[:16]}")
    placeholders = ", ".join(["%s"] * len(cols))
    insert = f"INSERT INTO {stage} ({column_list}) VALUES ({placeholders}){upsert}"
    report = Report(table=f"{database}.{table}", files=len(files))

    def bad(row: BadRow) -> None:
        report.bad_rows.append(row)
        if on_bad_row is not None:
            on_bad_row(row)
        if len(report.bad_rows) > max_bad_rows:
            raise ExportError(
                f"more than {max_bad_rows} bad rows (--max-bad-rows); the last: {row}; "
                f"nothing was exported into {report.table}"
            )

    with conn.cursor() as cur:
        cur.execute(f"CREATE TEMPORARY TABLE {stage} LIKE {target}")
        conn.commit()
        batch: list[tuple[Any, ...]] = []
        where: list[tuple[str, int]] = []

        def flush() -> None:
            report.rows += _load(conn, cur, insert, batch, where, bad)
            if progress is not None:
                progress(len(batch))
            batch.clear()
            where.clear()

        for source in files:
            for number, fields in records(source, fmt):
                if isinstance(fields, str):
                    bad(BadRow(source.name, number, fields))
                    continue
                try:
                    batch.append(decode_row(fields, cols))
                except BadValue as e:
                    bad(BadRow(source.name, number, str(e)))
                    continue
                where.append((source.name, number))
                if len(batch) >= batch_rows:
                    flush()
        if batch:
            flush()
        try:
            cur.execute(
                f"INSERT INTO {target} ({column_list}) SELECT {column_list} FROM {stage}{upsert}"
            )
            conn.commit()
        except pymysql.err.MySQLError as e:
            conn.rollback()
            hint = "" if update_key or not _about_a_row(e) else " (--update-key upserts)"
            raise ExportError(
                f"{mysql.describe(e, server)}{hint}; nothing was exported into {report.table}"
            ) from e
        cur.execute(f"DROP TEMPORARY TABLE {stage}")
    return report


def _load(
    conn: Any,
    cur: Any,
    insert: str,
    batch: list[tuple[Any, ...]],
    where: list[tuple[str, int]],
    bad: Callable[[BadRow], None],
) -> int:
    """Insert a batch into the stage in one statement; if the server refuses it for a row's
    data, row by row, reporting the refused rows. The number of rows loaded."""
    try:
        cur.executemany(insert, batch)
        conn.commit()
        return len(batch)
    except pymysql.err.MySQLError as e:
        conn.rollback()
        if not _about_a_row(e):
            raise
    loaded = 0
    for row, (name, number) in zip(batch, where, strict=True):
        try:
            cur.execute(insert, row)
            loaded += 1
        except pymysql.err.MySQLError as e:
            if not _about_a_row(e):
                raise
            bad(BadRow(name, number, str(e.args[1] if len(e.args) > 1 else e)))
    conn.commit()
    return loaded


def _about_a_row(error: pymysql.err.MySQLError) -> bool:
    code = error.args[0] if error.args and isinstance(error.args[0], int) else 0
    return isinstance(error, ROW_ERRORS) or code in ROW_ERROR_CODES
