"""load_hbase: the mapping (pure), and loads of word_count and inverted_index into real HBase."""

from __future__ import annotations

from collections import defaultdict

import pytest

from mr.clients.hbase import TableSpec
from mr.inverted_index import InvertedIndex
from mr.lib.index_schema import parse_column_spec
from mr.lib.stats import parse_columns
from mr.load_hbase import LoadHBase, map_row
from mr.word_count import WordCount
from tests.support import fixture, run_job, write_lines
from tests.usage_errors import usage_error

# -- pure mapping -------------------------------------------------------------------------------


def test_map_row_fixed_columns():
    assert map_row(["the", "2"], [0], [("f", "count")], "\t") == ("the", {"f:count": "2"})


def test_map_row_qualifier_from_field():
    # inverted_index postings: term, doc, count -> row term, column p:doc
    assert map_row(["whale", "moby.txt", "3"], [0], [("p", "*")], "\t") == (
        "whale",
        {"p:moby.txt": "3"},
    )


def test_map_row_composite_key_default_columns_and_nulls():
    fields = ["a", "x", "b", None, "y"]
    assert map_row(fields, [0, 2], [], "|") == ("a|b", {"f:1": "x", "f:3": "y"})


def test_map_row_too_short():
    assert map_row(["only"], [1], [], "\t") is None
    assert map_row(["k"], [0], [("f", "v")], "\t") is None
    assert map_row(["k", "doc"], [0], [("p", "*")], "\t") is None


@pytest.mark.parametrize("spec", ["", "a", "-1", "0,0"])
def test_bad_key_cols(spec):
    with pytest.raises(ValueError):
        parse_columns(spec)


def test_parse_column_spec():
    assert parse_column_spec("f:count, p:*") == [("f", "count"), ("p", "*")]
    with pytest.raises(ValueError):
        parse_column_spec("nocolon")


def test_usage_errors(tmp_path):
    path = write_lines(tmp_path / "in.tsv", ["a\t1"])
    assert "--table is required" in usage_error("load_hbase", path)
    assert "--row-key-cols" in usage_error(
        "load_hbase", "--table", "t", "--row-key-cols", "x", path
    )
    assert "--columns" in usage_error("load_hbase", "--table", "t", "--columns", "bad", path)
    assert "--batch-size" in usage_error("load_hbase", "--table", "t", "--batch-size", "0", path)


# -- against the real HBase ---------------------------------------------------------------------


def hbase_args(server, table, *more):
    return [
        "--table",
        table,
        "--hbase-host",
        server.host,
        "--hbase-port",
        str(server.thrift_port),
        *more,
    ]


def word_counts(tmp_path) -> str:
    rows, _ = run_job(WordCount, [fixture("word_count")])
    return write_lines(tmp_path / "wc" / "part-00000", rows)


def loaded_total(rows: list[str]) -> int:
    return sum(int(r.split("\t")[1]) for r in rows)


@pytest.mark.hbase
def test_empty(tmp_path, hbase_server, hbase_index, new_table_name):
    name = new_table_name("empty")
    rows, _ = run_job(
        LoadHBase, [write_lines(tmp_path / "e.tsv", [])], hbase_args(hbase_server, name)
    )
    assert loaded_total(rows) == 0
    assert hbase_index.table(name).count() == 0


@pytest.mark.hbase
def test_load_word_counts_and_look_up(tmp_path, runner, hbase_server, hbase_index, new_table_name):
    path = word_counts(tmp_path)
    expected = dict(line.split("\t") for line in open(path, encoding="utf-8").read().splitlines())
    name = new_table_name("wc")
    rows, counters = run_job(
        LoadHBase,
        [path],
        hbase_args(hbase_server, name, "--columns", "f:count", "--batch-size", "7"),
        runner=runner,
    )
    assert loaded_total(rows) == len(expected)
    assert counters["load_hbase"]["rows_loaded"] == len(expected)
    assert counters["load_hbase"]["batches"] >= len(expected) // 7
    table = hbase_index.table(name)
    assert table.count() == len(expected)
    word = max(expected, key=lambda w: int(expected[w]))
    assert table.lookup(word) == {"f:count": expected[word]}
    got = table.rows(list(expected))
    assert {k: v["f:count"] for k, v in got.items()} == expected


@pytest.mark.hbase
def test_reload_is_idempotent(tmp_path, hbase_server, hbase_index, new_table_name):
    path = word_counts(tmp_path)
    name = new_table_name("reload")
    args = hbase_args(hbase_server, name, "--columns", "f:count", "--batch-size", "5")
    run_job(LoadHBase, [path], args)
    table = hbase_index.table(name)
    first = dict(table.scan_range())
    run_job(LoadHBase, [path], args)
    second = dict(table.scan_range())
    assert table.count() == len(first) > 0
    assert second == first


@pytest.mark.hbase
def test_load_inverted_index_postings(tmp_path, hbase_server, hbase_index, new_table_name):
    docs = [fixture("inverted_index", n) for n in ("moby.txt", "pride.txt", "tale.txt")]
    postings, _ = run_job(InvertedIndex, docs)
    path = write_lines(tmp_path / "ii" / "part-00000", postings)
    name = new_table_name("ii")
    rows, counters = run_job(LoadHBase, [path], hbase_args(hbase_server, name, "--columns", "p:*"))
    assert loaded_total(rows) == len(postings)
    expected: dict[str, dict[str, str]] = defaultdict(dict)
    for line in postings:
        term, doc, count = line.split("\t")
        expected[term][f"p:{doc}"] = count
    assert dict(hbase_index.table(name).scan_range()) == expected


@pytest.mark.hbase
def test_bad_rows_counted(tmp_path, hbase_server, hbase_index, new_table_name):
    path = write_lines(tmp_path / "in.tsv", ["a\t1", "short", "", "b\t2"])
    name = new_table_name("bad")
    hbase_index.ensure_table(TableSpec(name, {"f": 1}))
    rows, counters = run_job(LoadHBase, [path], hbase_args(hbase_server, name, "--columns", "f:v"))
    assert loaded_total(rows) == 2
    assert counters["load_hbase"]["too_few_fields"] == 1
    assert counters["load_hbase"]["empty_lines"] == 1
    assert dict(hbase_index.table(name).scan_range()) == {"a": {"f:v": "1"}, "b": {"f:v": "2"}}


class LoadWithThriftRestart(LoadHBase):
    """load_hbase whose map task restarts the Thrift server once, after RESTART_AT records."""

    COUNTER_GROUP = "load_hbase"
    RESTART_AT = 1500
    restarted = False

    def mapper(self, key, line):
        self.seen = getattr(self, "seen", 0) + 1
        cls = type(self)
        if self.seen == cls.RESTART_AT and not cls.restarted:
            from mr.engines import hbase as engine

            cls.restarted = True
            engine.restart_thrift(cls.settings)
        yield from super().mapper(key, line)


@pytest.mark.hbase
def test_thrift_restart_in_the_middle_of_the_job(
    tmp_path, hbase_server, hbase_index, new_table_name
):
    from mr.engines import hbase as engine

    if not engine.thrift().running():
        pytest.fail("the Thrift server answering is not one this repo started (no pid file)")
    total = 8000
    path = write_lines(tmp_path / "in.tsv", [f"k{i:05d}\t{i}" for i in range(total)])
    name = new_table_name("jobrestart")
    hbase_index.ensure_table(TableSpec(name, {"f": 5}))  # a duplicate would be a 2nd version
    LoadWithThriftRestart.settings = hbase_server
    rows, counters = run_job(
        LoadWithThriftRestart,
        [path],
        hbase_args(hbase_server, name, "--columns", "f:v", "--batch-size", "200"),
    )
    assert LoadWithThriftRestart.restarted
    assert counters["load_hbase"]["reconnects"] >= 1
    assert loaded_total(rows) == total
    got = dict(hbase_index.table(name).scan_range())
    assert got == {f"k{i:05d}": {"f:v": str(i)} for i in range(total)}
    with hbase_index.connection() as conn:
        raw = conn.table(name)
        for i in range(0, total, 97):
            assert len(raw.cells(f"k{i:05d}".encode(), b"f:v", versions=5)) == 1


def test_a_key_prefix_keeps_each_days_rows_apart():
    row = ["status", "200", "7"]
    assert map_row(row, [0, 1], [("f", "hits")], "/", "2026-01-05/") == (
        "2026-01-05/status/200",
        {"f:hits": "7"},
    )
