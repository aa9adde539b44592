"""The pure parts of `mrkit import mysql`: splits (mr/lib/splits.py), incremental state
(mr/lib/incremental.py), the server-text encoder (mr/lib/sqlvalues.py encode_text), TSV
unescaping, and the SQL the import builds (mr/clients/mysql_import.py, no server needed)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from mr.clients.mysql_import import Source, parse_task, select_sql
from mr.lib import incremental
from mr.lib.errors import UsageError
from mr.lib.records import parse_mysql_csv
from mr.lib.splits import (
    ALL,
    NULLS,
    RANGE,
    KeyStats,
    Split,
    descriptor_line,
    even_boundaries,
    is_dense,
    needs_quantiles,
    parse_descriptor,
    plan_splits,
    quantile_ranks,
    split_predicate,
)
from mr.lib.sqlvalues import Column, block_encoder, encode_text, encode_value, row_encoder
from mr.lib.tsv import escape_field, parse_field


def owner(splits: list[Split], key: int | None) -> list[int]:
    """The splits whose predicate selects `key` (plain Python reading of split_predicate)."""
    found = []
    for s in splits:
        if s.kind == ALL or (s.kind == NULLS and key is None):
            found.append(s.number)
        elif s.kind == RANGE and key is not None:
            assert s.lo is not None and s.hi is not None
            if s.lo <= key < s.hi or (s.last and key == s.hi):
                found.append(s.number)
    return found


def stats_of(keys: list[int | None]) -> KeyStats:
    present = [k for k in keys if k is not None]
    return KeyStats(min(present, default=None), max(present, default=None), len(present), len(keys))


def quantiles_of(keys: list[int | None], tasks: int) -> list[int]:
    present = sorted(k for k in keys if k is not None)
    return [present[r] for r in quantile_ranks(len(present), tasks)]


CASES = {
    "dense": list(range(1, 101)),
    "one_key": [7],
    "nulls": [1, 2, None, 3, None],
    "sparse": [*range(1, 1001), 10**12],
    "skewed_dense": [*range(1, 900), *range(900, 1000, 10)],
    "negative": list(range(-50, 50, 3)),
    "bigint_edges": [-(2**63), 0, 2**63 - 1],
    "duplicates": [5] * 50 + [6, 7],
    "only_nulls": [None, None],
    "empty": [],
}


@pytest.mark.parametrize("tasks", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("case", sorted(CASES))
def test_every_key_is_in_exactly_one_split(case, tasks):
    keys = CASES[case]
    stats = stats_of(keys)
    quantiles = quantiles_of(keys, tasks) if needs_quantiles(stats, tasks) else None
    splits = plan_splits(stats, tasks, quantiles)
    assert [s.number for s in splits] == list(range(len(splits)))
    for key in keys:
        assert len(owner(splits, key)) == 1, (key, splits)
    ranges = [s for s in splits if s.kind == RANGE]
    assert len(ranges) <= tasks
    assert (NULLS in [s.kind for s in splits]) == (tasks > 1 and (None in keys or not keys))


def test_dense_keys_get_equal_widths_and_at_most_twice_the_average():
    keys = [*range(1, 500), *range(500, 1001, 2)]  # skewed but dense (75% present)
    stats = stats_of(keys)
    assert is_dense(stats) and not needs_quantiles(stats, 4)
    splits = plan_splits(stats, 4)
    widths = [s.hi - s.lo for s in splits if s.lo is not None and s.hi is not None]
    assert max(widths) - min(widths) <= 1
    sizes = [sum(1 for k in keys if owner(splits, k) == [s.number]) for s in splits]
    assert max(sizes) <= 2 * len(keys) / 4


def test_sparse_keys_split_by_quantiles_into_even_tasks():
    keys = [*range(1, 1001), 10**12]
    stats = stats_of(keys)
    assert needs_quantiles(stats, 4)
    splits = plan_splits(stats, 4, quantiles_of(keys, 4))
    sizes = [sum(1 for k in keys if owner(splits, k) == [s.number]) for s in splits]
    assert sizes == [250, 250, 250, 251]
    # equal widths would have put every key but one in the first task
    naive = plan_splits(stats, 4)
    assert sum(1 for k in keys if owner(naive, k) == [0]) == 1000


def test_boundaries_are_exact_for_bigint():
    lo, hi = -(2**63), 2**63 - 1
    bounds = even_boundaries(lo, hi, 3)
    assert bounds[0] == lo and bounds[-1] == hi and bounds == sorted(set(bounds))


def test_one_task_reads_everything_without_a_predicate():
    assert plan_splits(KeyStats(1, 10, 10, 12), 1) == [Split(0, ALL)]
    assert split_predicate(Split(0, ALL), "`id`") == ("1 = 1", [])
    assert split_predicate(Split(1, NULLS), "`id`") == ("`id` IS NULL", [])
    assert split_predicate(Split(0, RANGE, 1, 5), "`id`") == ("`id` >= %s AND `id` < %s", [1, 5])
    assert split_predicate(Split(0, RANGE, 1, 5, True), "`id`")[0].endswith("`id` <= %s")


def test_descriptor_round_trip_and_hadoop_key():
    split = Split(3, RANGE, -5, 2**63 - 1, last=True)
    line = descriptor_line(split)
    assert "\t" not in line
    assert parse_descriptor(line) == split
    assert parse_descriptor(f"1234\t{line}") == split  # NLineInputFormat's offset key
    bad_lines = [
        "",
        "{}",
        "[1]",
        "not json",
        '{"number":0,"kind":"range","lo":5,"hi":1}',
        '{"number":0,"kind":"spiral"}',
        '{"number":0,"kind":"range","lo":1.5,"hi":2}',
    ]
    for bad in bad_lines:
        assert parse_descriptor(bad) is None


def test_plan_refuses_no_tasks():
    with pytest.raises(ValueError):
        plan_splits(KeyStats(1, 2, 2, 2), 0)


# -- SQL building -------------------------------------------------------------------------------


def test_table_select_quotes_names_and_binds_values():
    src = Source(table="users", columns=("id", "name"))
    sql, params = select_sql(src, [("`id` >= %s AND `id` < %s", [1, 9])])
    assert sql == "SELECT `id`, `name` FROM `users` WHERE (`id` >= %s AND `id` < %s)"
    assert params == [1, 9]


def test_query_conditions_are_replaced_and_percent_doubled():
    src = Source(query="SELECT * FROM t WHERE name LIKE 'a%' AND $CONDITIONS UNION "
                 "SELECT * FROM u WHERE $CONDITIONS")  # fmt: skip
    sql, params = select_sql(src, [("`id` > %s", [3])])
    assert sql == ("SELECT * FROM t WHERE name LIKE 'a%%' AND ((`id` > %s)) UNION "
                   "SELECT * FROM u WHERE ((`id` > %s))")  # fmt: skip
    assert params == [3, 3]


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"table": "users; DROP TABLE x"}, "not a table name"),
        ({"table": "t", "columns": ("a`b",)}, "not a column name"),
        ({"query": "SELECT 1"}, "$CONDITIONS"),
        ({"query": "SELECT 1 WHERE $CONDITIONS", "columns": ("a",)}, "--columns"),
        ({}, "--table or --query"),
        ({"table": "t", "query": "SELECT 1 WHERE $CONDITIONS"}, "--table or --query"),
    ],
)
def test_bad_sources_are_usage_errors(kwargs, message):
    with pytest.raises(UsageError, match=message.replace("$", r"\$")):
        Source(**kwargs)


def test_task_lines_parse_back():
    line = json.dumps({"split": json.loads(descriptor_line(Split(0, ALL))), "sql": "SELECT 1",
                       "params": []})  # fmt: skip
    task = parse_task("0\t" + line)
    assert task is not None and task.sql == "SELECT 1" and task.split.kind == ALL
    assert parse_task('{"split": {}, "sql": 1, "params": []}') is None


# -- incremental --------------------------------------------------------------------------------


def test_incremental_predicates():
    p = incremental.incremental_predicate
    assert p("append", "`id`", None, 10) == ("`id` <= %s", [10])
    assert p("append", "`id`", 3, 10) == ("`id` > %s AND `id` <= %s", [3, 10])
    assert p("append", "`id`", 3, None) == ("1 = 0", [])
    assert p("lastmodified", "`u`", "2026-01-01 00:00:00", "2026-02-01 00:00:00") == (
        "`u` >= %s AND `u` < %s",
        ["2026-01-01 00:00:00", "2026-02-01 00:00:00"],
    )
    assert incremental.parse_append_value(" 42 ") == 42
    with pytest.raises(ValueError, match="not an integer"):
        incremental.parse_append_value("4.2")


def test_state_round_trip_and_mismatch():
    state = incremental.ImportState("append", "id", "99", "table users at mysql://root@h:1/db")
    assert incremental.parse_state(state.to_json()) == state
    incremental.check_state(state, "append", "id", state.source)
    with pytest.raises(ValueError, match="--check-column id"):
        incremental.check_state(state, "append", "other", state.source)
    with pytest.raises(ValueError, match="not an import state"):
        incremental.parse_state('{"version": 1}')


# -- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,kind,value,column",
    [
        ("-42", "integer", -42, Column("n", "int")),
        ("18446744073709551615", "integer", 18446744073709551615, Column("n", "bigint")),
        ("12.30", "decimal", Decimal("12.30"), Column("n", "decimal")),
        ("-0.000001", "decimal", Decimal("-0.000001"), Column("n", "decimal")),
        ("0.1", "float", 0.1, Column("n", "double")),
        ("1e300", "float", 1e300, Column("n", "double")),
        ("2026-01-05", "date", date(2026, 1, 5), Column("d", "date")),
        ("2026-01-05 10:30:00", "datetime", datetime(2026, 1, 5, 10, 30), Column("d", "datetime")),
        ("2026-01-05 10:30:00.250", "datetime", datetime(2026, 1, 5, 10, 30, 0, 250000),
         Column("d", "datetime", fsp=3)),
        ("2026-01-05 10:30:00.000000", "timestamp", datetime(2026, 1, 5, 10, 30),
         Column("d", "timestamp", fsp=6)),
        ("-838:59:59", "time", -timedelta(hours=838, minutes=59, seconds=59),
         Column("t", "time")),
        ("01:00:00.500", "time", timedelta(hours=1, microseconds=500000),
         Column("t", "time", fsp=3)),
        (b"\x00\xff", "binary", b"\x00\xff", Column("b", "blob")),
        (b"\x01\x00", "bit", b"\x01\x00", Column("b", "bit")),
        ("tab\there", "text", "tab\there", Column("s", "text")),
    ],
)  # fmt: skip
def test_server_text_encodes_as_the_converted_value_does(raw, kind, value, column):
    assert encode_text(raw, kind) == encode_value(value, column)


HOSTILE = ["", "\\N", "a\tb", "line\nbreak\r\n", 'say "hi", ok', "back\\slash\\", "\0nul",
           "emoji 😀 é", "\\t literal", "NULL"]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
def test_text_round_trips_through_tsv_and_csv(text):
    assert parse_field(escape_field(text)) == text
    tsv = row_encoder(["text", "integer"], "tsv")([text, None])
    assert "\n" not in tsv and [parse_field(f) for f in tsv.split("\t")] == [text, None]
    csv = row_encoder(["text", "integer"], "csv")([text, None])
    assert "\n" not in csv and parse_mysql_csv(csv) == [text, None]


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
def test_block_encoder_writes_the_lines_of_row_encoder(fmt):
    kinds = ["integer", "text", "decimal", "datetime", "binary", "float", "text"]
    rows = [
        ("1", text, "1.50", "2026-01-05 10:30:00.250", b"\x00\xff", "0.1", None) for text in HOSTILE
    ] + [(None, None, None, None, None, None, "x")]
    lines = "\n".join(map(row_encoder(kinds, fmt), rows))
    assert block_encoder(kinds, fmt)(rows) == lines
    assert block_encoder(kinds, fmt)([]) == ""


@pytest.mark.parametrize("runner", ["local", "hadoop"])
def test_the_driver_ships_with_the_job(runner):
    from mr.mysql_import import MySQLImport

    job = MySQLImport(["-r", runner, "--no-conf", "splits.txt"])
    shipped = {d.rsplit("#", 1)[-1]: d.rsplit("#", 1)[0] for d in job.dirs()}
    assert Path(shipped["pymysql"], "connections.py").is_file()
    assert Path(shipped["mr"], "mysql_import.py").is_file()
