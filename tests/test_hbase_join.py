"""hbase_join: records enriched from a real HBase table, inner and left, lookups in batches."""

from __future__ import annotations

import pytest

from mr.clients.hbase import TableSpec
from mr.hbase_join import HBaseJoin
from tests.support import run_job, write_lines
from tests.usage_errors import usage_error

COUNTS = {"the": "11", "whale": "7", "sea": "3"}
DOCS = {"the": "moby.txt", "sea": "tale.txt"}
NULL = "\\N"


@pytest.fixture
def counts_table(hbase_index, new_table_name):
    name = new_table_name("join")
    table = hbase_index.ensure_table(TableSpec(name, {"f": 1}))
    rows = [
        (k, {"f:count": v, **({"f:doc": DOCS[k]} if k in DOCS else {})}) for k, v in COUNTS.items()
    ]
    table.put_many(rows)
    return name


def join_args(server, table, *more):
    return [
        "--table",
        table,
        "--hbase-host",
        server.host,
        "--hbase-port",
        str(server.thrift_port),
        *more,
    ]


RECORDS = ["1\tthe", "2\twhale", "3\tkraken", "4\tthe", "5\t\\N", "6\tsea"]


def oracle(join_type):
    out = []
    for line in RECORDS:
        n, word = line.split("\t")
        if word in COUNTS:
            out.append(f"{line}\t{COUNTS[word]}\t{DOCS.get(word, NULL)}")
        elif join_type == "left":
            out.append(f"{line}\t\\N\t\\N")
    return sorted(out)


@pytest.mark.hbase
@pytest.mark.parametrize("join_type", ["inner", "left"])
def test_join(tmp_path, runner, join_type, hbase_server, counts_table):
    path = write_lines(tmp_path / "in.tsv", RECORDS)
    rows, counters = run_job(
        HBaseJoin,
        [path],
        join_args(
            hbase_server,
            counts_table,
            "--key-col",
            "1",
            "--columns",
            "f:count,f:doc",
            "--join-type",
            join_type,
            "--batch-size",
            "2",
        ),
        runner=runner,
    )
    assert rows == oracle(join_type)
    c = counters["hbase_join"]
    assert c["matched"] == 4
    assert c["missing_keys"] == 1
    assert c["null_keys"] == 1
    # batches of two records: a round trip per batch, not per record
    assert c["lookups"] < len(RECORDS)


@pytest.mark.hbase
def test_empty(tmp_path, hbase_server, counts_table):
    path = write_lines(tmp_path / "e.tsv", [])
    rows, _ = run_job(
        HBaseJoin, [path], join_args(hbase_server, counts_table, "--columns", "f:count")
    )
    assert rows == []


@pytest.mark.hbase
def test_one_lookup_for_a_whole_batch(tmp_path, hbase_server, counts_table):
    path = write_lines(tmp_path / "in.tsv", [f"{w}\tx" for w in ["the", "sea", "the", "nope"] * 25])
    rows, counters = run_job(
        HBaseJoin,
        [path],
        join_args(hbase_server, counts_table, "--columns", "f:count", "--batch-size", "1000"),
    )
    assert len(rows) == 75
    # one multi-row get per map task (each task holds fewer than --batch-size records)
    assert counters["hbase_join"]["lookups"] <= 10
    assert counters["hbase_join"]["missing_keys"] == 25


def test_usage_errors(tmp_path):
    path = write_lines(tmp_path / "in.tsv", ["a\t1"])
    assert "--table is required" in usage_error("hbase_join", "--columns", "f:c", path)
    assert "--columns is required" in usage_error("hbase_join", "--table", "t", path)
    assert "family:qualifier" in usage_error("hbase_join", "--table", "t", "--columns", "f:*", path)
