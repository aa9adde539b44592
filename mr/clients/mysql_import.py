"""Reading a MySQL table or query in splits, for `mrkit import mysql` (mr/mysql_import.py).

The launcher side plans (:func:`plan_import`): it checks the names, finds the split column (the
primary key unless ``--split-by``), reads its bounds in one query and cuts them into splits by
mr/lib/splits.py's rule; for an incremental import it also reads the new last value
(mr/lib/incremental.py). Each split becomes a descriptor line: the split, the SELECT that reads
it and the SELECT's parameters, built here once, so every map task runs exactly the statement
the launcher planned. The task side (:func:`split_lines`) runs one descriptor's SELECT on a
streaming cursor and encodes its rows by mr/lib/sqlvalues.py.

SQL: table and column names come from users, so they go through mr.clients.mysql's name check
and backticks; values (bounds, last values) are always driver parameters. ``--query`` is the
user's own SQL by design and runs as given, except that each ``$CONDITIONS`` in it is replaced
by the split's (and the incremental run's) predicate in parentheses, and a ``%`` in it is
doubled for the driver's parameter syntax (so ``LIKE 'a%'`` stays what it says).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pymysql
import pymysql.cursors

from mr.clients.mysql import (
    MySQLError,
    Server,
    check_name,
    current_database,
    errors,
    raw_cursor,
)
from mr.clients.mysql_direct import direct_sql, plan_direct
from mr.lib import incremental
from mr.lib import splits as split_rule
from mr.lib.errors import UsageError
from mr.lib.sqlvalues import INTEGER_TYPE_CODES, block_encoder, column_kind

#: the placeholder of a --query that the split predicate replaces (Sqoop's)
CONDITIONS = "$CONDITIONS"
#: rows fetched from the server per round trip on the task side
FETCH_ROWS = 5000
#: the server's error for a derived table with two columns of one name
ER_DUP_FIELDNAME = 1060

Predicate = tuple[str, list[Any]]


class ImportFailed(MySQLError):
    """The import job did not finish (a task failed, the server went away): nothing published."""


@dataclass(frozen=True)
class Source:
    """What an import reads: a table (optionally some of its columns) or a query."""

    table: str | None = None
    query: str | None = None
    columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.table is None) == (self.query is None):
            raise UsageError("give either --table or --query")
        if self.table is not None:
            check_name(self.table, "table")
        for c in self.columns:
            check_name(c, "column")
        if self.query is not None:
            if self.columns:
                raise UsageError("--columns goes with --table; a --query selects its own columns")
            if CONDITIONS not in self.query:
                raise UsageError(
                    f"--query must contain {CONDITIONS} where the split predicate goes "
                    f"(e.g. ... WHERE {CONDITIONS})"
                )

    def label(self, server: Server) -> str:
        """Names the source in the incremental state (server without password)."""
        if self.table is not None:
            what = f"table {self.table}"
        else:
            assert self.query is not None
            what = "query " + hashlib.sha256(self.query.encode("utf-8")).hexdigest()[:16]
        return f"{what} at {server.url}"


def quote_ref(ref: str, what: str = "column") -> str:
    """A column reference from a user, ``col`` or ``alias.col``, checked and backtick-quoted."""
    parts = ref.split(".")
    if len(parts) > 2:
        raise UsageError(f"{ref!r}: name a column as col or table.col")
    return ".".join(f"`{check_name(p, what)}`" for p in parts)


def bare_ref(ref: str) -> str:
    """The column part of a reference, quoted: how a query's derived table names it."""
    return quote_ref(ref.split(".")[-1])


def _join(predicates: Sequence[Predicate]) -> Predicate:
    parts = [p for p, _ in predicates] or ["1 = 1"]
    params = [v for _, ps in predicates for v in ps]
    return " AND ".join(f"({p})" for p in parts), params


def select_sql(source: Source, predicates: Sequence[Predicate]) -> tuple[str, list[Any]]:
    """The SELECT of the rows matching all `predicates`, and its parameters."""
    where, params = _join(predicates)
    if source.query is not None:
        return _fill_conditions(source.query, where, params)
    cols = ", ".join(quote_ref(c) for c in source.columns) if source.columns else "*"
    return f"SELECT {cols} FROM {quote_ref(source.table or '', 'table')} WHERE {where}", params


def _fill_conditions(query: str, where: str, params: list[Any]) -> tuple[str, list[Any]]:
    pieces = query.replace("%", "%%").split(CONDITIONS)
    return f"({where})".join(pieces), params * (len(pieces) - 1)


def _from_source(source: Source, predicates: Sequence[Predicate]) -> tuple[str, list[Any]]:
    """``FROM ... WHERE ...`` over the source's rows that match `predicates`; in query mode the
    query is a derived table and the predicates go in its $CONDITIONS."""
    where, params = _join(predicates)
    if source.query is not None:
        sql, params = _fill_conditions(source.query, where, params)
        return f"FROM ({sql}) AS mrkit_source", params
    return f"FROM {quote_ref(source.table or '', 'table')} WHERE {where}", params


class Incremental(NamedTuple):
    """An incremental run: mode, check column (as given), the last value (None: first run)."""

    mode: str
    check_column: str
    last_value: str | None


@dataclass
class Plan:
    """A planned import: the descriptor lines (one per map task) and the run's new last value."""

    splits: list[split_rule.Split]
    descriptors: list[str]
    split_column: str | None
    new_last_value: str | None = None
    stats: split_rule.KeyStats | None = None
    notes: list[str] = field(default_factory=list)


def _query(conn: Any, sql: str, params: Sequence[Any] = ()) -> tuple[list[Any], list[Any]]:
    """All rows of a statement as the server's text, and the column descriptions."""
    with conn.cursor() as cur:
        # always with parameters: the driver then turns a query's %% back into %
        try:
            cur.execute(sql, list(params))
        except pymysql.err.MySQLError as e:
            if e.args and e.args[0] == ER_DUP_FIELDNAME:
                raise UsageError(
                    "the --query is read as a derived table (for its split column's bounds), "
                    f"whose columns need distinct names: give each an alias (AS name) ({e.args[1]})"
                ) from None
            raise
        return list(cur.fetchall()), list(cur.description or [])


def primary_key(conn: Any, table: str) -> list[str]:
    """The columns of a table's primary key, in key order; MySQLError if there is no table."""
    database = current_database(conn)
    rows, _ = _query(
        conn,
        "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %s "
        "AND TABLE_NAME = %s AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
        (database, check_name(table)),
    )
    if not rows:
        found, _ = _query(
            conn,
            "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
            (database, table),
        )
        if not found:
            raise MySQLError(f"table {database}.{table} does not exist")
    return [_text(r[0]) for r in rows]


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, (bytes, bytearray)) else str(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(_text(value))


def choose_split_column(conn: Any, source: Source, split_by: str | None, tasks: int) -> str | None:
    """The split column as given or the table's one-column primary key; None for -m 1 without
    one (a single task needs no split column)."""
    if split_by is not None:
        quote_ref(split_by)
        return split_by
    if tasks == 1:
        return None
    if source.query is not None:
        raise UsageError("--query with -m above 1 needs --split-by COL (or -m 1)")
    assert source.table is not None
    key = primary_key(conn, source.table)
    if not key:
        raise UsageError(f"table {source.table} has no primary key: pass --split-by COL or -m 1")
    if len(key) > 1:
        raise UsageError(
            f"table {source.table} has a primary key of {len(key)} columns ({', '.join(key)}): "
            "pass --split-by COL (an integer column) or -m 1"
        )
    return key[0]


def read_key_stats(
    conn: Any, source: Source, column: str, filters: Sequence[Predicate]
) -> split_rule.KeyStats:
    """MIN, MAX, COUNT(col) and COUNT(*) of the split column over the rows to import; UsageError
    if it is not an integer column. A whole table split on a NOT NULL column gets the server's
    row estimate for both counts instead (mr/lib/splits.py says why that is enough)."""
    ref = quote_ref(column) if source.query is None else bare_ref(column)
    frm, params = _from_source(source, filters)
    estimate = None
    if source.query is None and not filters:
        estimate = _estimated_rows(conn, source.table or "", column)
    counts = "" if estimate is not None else f", COUNT({ref}), COUNT(*)"
    rows, desc = _query(conn, f"SELECT MIN({ref}), MAX({ref}){counts} {frm}", params)
    if desc[0][1] not in INTEGER_TYPE_CODES:
        raise UsageError(
            f"--split-by {column}: only integer columns can be split (TINYINT to BIGINT); "
            "choose an integer column or import with -m 1"
        )
    if estimate is not None:
        lo, hi = rows[0]
        if lo is None:
            return split_rule.KeyStats(None, None, 0, 0)
        return split_rule.KeyStats(_int(lo), _int(hi), estimate, estimate)
    lo, hi, count, total = rows[0]
    return split_rule.KeyStats(_int(lo), _int(hi), int(_text(count)), int(_text(total)))


def _estimated_rows(conn: Any, table: str, column: str) -> int | None:
    """The server's estimate of a table's rows (information_schema.TABLES.TABLE_ROWS) when
    `column` is NOT NULL there and the estimate is above zero (a view has none; a table whose
    statistics were never gathered may say 0); else None."""
    database = current_database(conn)
    rows, _ = _query(
        conn,
        "SELECT c.IS_NULLABLE, t.TABLE_ROWS FROM information_schema.COLUMNS c "
        "JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA "
        "AND t.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = %s AND c.TABLE_NAME = %s "
        "AND c.COLUMN_NAME = %s AND t.TABLE_TYPE = 'BASE TABLE'",
        (database, table, column.split(".")[-1]),
    )
    if not rows or _text(rows[0][0]) != "NO" or rows[0][1] is None:
        return None
    estimate = int(_text(rows[0][1]))
    return estimate if estimate > 0 else None


def read_quantiles(
    conn: Any, source: Source, column: str, filters: Sequence[Predicate], ranks: list[int]
) -> list[int]:
    """The split column's values at the given 0-based ranks (ascending, NULLs left out)."""
    ref = quote_ref(column) if source.query is None else bare_ref(column)
    frm, params = _from_source(source, [*filters, (f"{ref} IS NOT NULL", [])])
    if source.query is not None:  # the derived table's rows: filter outside it
        frm, params = _from_source(source, filters)
        frm += f" WHERE {ref} IS NOT NULL"
    found = []
    for rank in ranks:
        rows, _ = _query(
            conn, f"SELECT {ref} {frm} ORDER BY {ref} LIMIT 1 OFFSET %s", [*params, rank]
        )
        if rows:
            found.append(int(_text(rows[0][0])))
    return found


def new_last_value(conn: Any, source: Source, inc: Incremental) -> str | None:
    """Where this incremental run stops: MAX(check column) (append) or the server's NOW(6)
    (lastmodified, session time zone +00:00); None when an append source has no rows."""
    if inc.mode == incremental.LASTMODIFIED:
        rows, _ = _query(conn, "SELECT NOW(6)")
        return _text(rows[0][0])
    ref = quote_ref(inc.check_column) if source.query is None else bare_ref(inc.check_column)
    frm, params = _from_source(source, [])
    rows, desc = _query(conn, f"SELECT MAX({ref}) {frm}", params)
    if desc[0][1] not in INTEGER_TYPE_CODES:
        raise UsageError(
            f"--check-column {inc.check_column}: append mode needs an integer column "
            "(lastmodified takes a DATETIME or TIMESTAMP)"
        )
    return None if rows[0][0] is None else _text(rows[0][0])


def incremental_filter(inc: Incremental, new_last: str | None) -> Predicate:
    """The predicate of an incremental run's rows (mr/lib/incremental.py)."""
    last: int | str | None = inc.last_value
    new: int | str | None = new_last
    if inc.mode == incremental.APPEND:
        try:
            if inc.last_value is not None:
                last = incremental.parse_append_value(inc.last_value)
        except ValueError as e:
            raise UsageError(str(e)) from None
        new = None if new_last is None else int(new_last)
    return incremental.incremental_predicate(inc.mode, quote_ref(inc.check_column), last, new)


def plan_import(
    conn: Any,
    source: Source,
    tasks: int,
    split_by: str | None = None,
    inc: Incremental | None = None,
    direct: str | None = None,
) -> Plan:
    """Plan an import of `source` in `tasks` map tasks (mr/lib/splits.py's rule); with
    `direct` (a format), tasks that run the mysql client (mr/clients/mysql_direct.py)."""
    if tasks < 1:
        raise UsageError(f"-m must be at least 1, not {tasks}")
    column = choose_split_column(conn, source, split_by, tasks)
    filters: list[Predicate] = []
    new_last = None
    if inc is not None:
        quote_ref(inc.check_column)
        new_last = new_last_value(conn, source, inc)
        filters.append(incremental_filter(inc, new_last))
    stats = None
    quantiles = None
    if column is None:
        planned = [split_rule.Split(0, split_rule.ALL)]
    else:
        stats = read_key_stats(conn, source, column, filters)
        if split_rule.needs_quantiles(stats, tasks):
            ranks = split_rule.quantile_ranks(stats.keys, tasks)
            quantiles = read_quantiles(conn, source, column, filters, ranks)
        planned = split_rule.plan_splits(stats, tasks, quantiles)
    columns = None
    if direct is not None:
        columns = plan_direct(conn, select_sql(source, [("1 = 0", [])]))
    descriptors = []
    for split in planned:
        predicates = list(filters)
        if column is not None:
            predicates.append(split_rule.split_predicate(split, quote_ref(column)))
        sql, params = select_sql(source, predicates)
        if direct is not None and columns is not None:
            statement = direct_sql((sql, params), columns, direct)
            spec = {
                "format": direct,
                "width": len(columns.names),
                "floats": columns.floats,
                "carried": columns.carried,
            }
            descriptors.append(descriptor(split, statement, [], spec))
        else:
            descriptors.append(descriptor(split, sql, params))
    # the last value moves on only when the run has rows to stop at
    if inc is not None and new_last is None:
        new_last = inc.last_value
    return Plan(planned, descriptors, column, new_last, stats)


def descriptor(
    split: split_rule.Split, sql: str, params: list[Any], direct: dict[str, Any] | None = None
) -> str:
    """One map task's input line: its split, the SELECT and its parameters (one line of JSON);
    for a direct task also ``direct``: the format, the number of columns and the float columns
    (0-based)."""
    data = {"split": json.loads(split_rule.descriptor_line(split)), "sql": sql, "params": params}
    if direct is not None:
        data["direct"] = direct
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True)


class Direct(NamedTuple):
    """What a direct task needs besides its statement."""

    fmt: str
    width: int
    floats: list[int]
    carried: bool = False


class Task(NamedTuple):
    """A parsed descriptor line."""

    split: split_rule.Split
    sql: str
    params: list[Any]
    direct: Direct | None = None


def parse_task(line: str) -> Task | None:
    """A descriptor line (Hadoop may put ``offset<TAB>`` before it) as a Task, or None."""
    text = line.rsplit("\t", 1)[-1].strip()
    try:
        data = json.loads(text)
        split = split_rule.parse_descriptor(json.dumps(data["split"]))
        sql, params = data["sql"], data["params"]
        direct = None
        if "direct" in data:
            spec = data["direct"]
            direct = Direct(
                str(spec["format"]),
                int(spec["width"]),
                [int(i) for i in spec["floats"]],
                bool(spec.get("carried", False)),
            )
    except (ValueError, KeyError, TypeError):
        return None
    if split is None or not isinstance(sql, str) or not isinstance(params, list):
        return None
    return Task(split, sql, params, direct)


def split_lines(conn: Any, task: Task, fmt: str, server: Server) -> Iterator[tuple[str, int]]:
    """Run a task's SELECT; yield blocks of encoded lines (joined by newlines) and their row
    counts, FETCH_ROWS at a time. Driver errors become MySQLError (one line)."""
    with errors(server):
        cur = raw_cursor(conn)
        try:
            cur.execute(task.sql, list(task.params))
            fields = cur._result.fields  # type codes and character sets of the columns
            kinds = [column_kind(f.type_code, f.charsetnr) for f in fields]
            encode = block_encoder(kinds, fmt)
            while True:
                rows = cur.fetchmany(FETCH_ROWS)
                if not rows:
                    break
                yield encode(rows), len(rows)
        finally:
            _close_quietly(cur)


def _close_quietly(cursor: Any) -> None:
    """Close a streaming cursor; closing reads what is left of the result, which fails after a
    lost connection, and the error to report is the one that got us here."""
    try:
        cursor.close()
    except (pymysql.err.Error, AttributeError, OSError):
        # nothing left to read: or PyMySQL's result tries again when it is collected
        result = getattr(cursor, "_result", None)
        if result is not None:
            result.unbuffered_active = False
