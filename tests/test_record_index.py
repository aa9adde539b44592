"""record_index: byte spans (pure); key -> HBase -> the exact record, local and in HDFS."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from mr.cli.index import read_record
from mr.lib.index_schema import LENGTH, OFFSET, PATH
from mr.record_index import RecordIndex, record_spans
from tests.plugins.engines import unavailable
from tests.support import REPO, run_job
from tests.usage_errors import usage_error

# records with the awkward cases: CRLF, an empty line, multi-byte UTF-8, a CSV-unsafe comma, a
# backslash, and no newline at the end of the file
USERS = (
    "1\tAda Lovelace\tUK\r\n"
    "2\tGrace Hopper\tUS\n"
    "\n"
    "3\tZoë Ångström\tSE\n"
    "4\tcomma, inside\tFR\n"
    "5\tback\\slash\tDE\n"
    "x\n"
    "6\tLast\tNO"
).encode()
ORDERS = b"o-1\t3\t9.99\no-2\t1\t5.00\n"


def expected_records(data: bytes) -> dict[str, bytes]:
    """key -> exact record bytes, by plain splitting (the oracle)."""
    out = {}
    for line in data.split(b"\n"):
        line = line.removesuffix(b"\r")
        fields = line.decode().split("\t")
        if len(fields) > 1:
            out[fields[0]] = line
    return out


def test_record_spans_are_exact():
    counted = []
    spans = list(record_spans(io.BytesIO(USERS), 0, "tsv", counted.append))
    for key, offset, length in spans:
        assert USERS[offset : offset + length] == expected_records(USERS).get(key, b"x")
    assert [k for k, _, _ in spans] == ["1", "2", "3", "4", "5", "x", "6"]
    assert counted == ["empty_lines"]


def test_record_spans_key_column_and_bad_lines():
    data = b"a\tk1\nonly\n\xff\xfe\tk9\nb\tk2\n"
    counted = []
    spans = list(record_spans(io.BytesIO(data), 1, "tsv", counted.append))
    assert [(k, data[o : o + n]) for k, o, n in spans] == [("k1", b"a\tk1"), ("k2", b"b\tk2")]
    assert sorted(counted) == ["bad_utf8", "too_few_fields"]


def test_usage_errors(tmp_path):
    path = tmp_path / "in.tsv"
    path.write_bytes(b"1\ta\n")
    assert "--table is required" in usage_error("record_index", str(path))
    gz = tmp_path / "in.tsv.gz"
    gz.write_bytes(b"")
    assert "compressed" in usage_error("record_index", "--table", "t", str(gz))


def index_args(server, table):
    return ["--table", table, "--hbase-host", server.host, "--hbase-port", str(server.thrift_port)]


def mrkit_get(server, table, key):
    return subprocess.run(
        [sys.executable, "-m", "mr.cli", "index", "get", table, key]
        + ["--hbase-host", server.host, "--hbase-port", str(server.thrift_port)],
        capture_output=True,
        timeout=120,
        cwd=REPO,
    )


@pytest.mark.hbase
def test_empty(tmp_path, runner, hbase_server, hbase_index, new_table_name):
    empty = tmp_path / "empty.tsv"
    empty.write_bytes(b"")
    name = new_table_name("rie")
    rows, _ = run_job(RecordIndex, [empty], index_args(hbase_server, name), runner=runner)
    assert rows == [f"{empty}\t0"]  # the file is reported, with no records
    assert hbase_index.table(name).count() == 0


@pytest.mark.hbase
def test_local_round_trip(tmp_path, runner, hbase_server, hbase_index, new_table_name):
    users, orders = tmp_path / "users.tsv", tmp_path / "orders.tsv"
    users.write_bytes(USERS)
    orders.write_bytes(ORDERS)
    name = new_table_name("ri")
    rows, counters = run_job(
        RecordIndex, [users, orders], index_args(hbase_server, name), runner=runner
    )
    assert sorted(rows) == sorted([f"{users}\t7", f"{orders}\t2"])
    assert counters["record_index"]["records"] == 9
    expected = {**expected_records(USERS), **expected_records(ORDERS)}
    table = hbase_index.table(name)
    stored = table.rows(list(expected))
    assert set(stored) == set(expected)
    for key, record in expected.items():
        row = stored[key]
        assert read_record(row[PATH], int(row[OFFSET]), int(row[LENGTH])) == record
    # the command prints exactly the record (the one with multi-byte UTF-8 and a CRLF one)
    for key in ("3", "1", "o-2"):
        got = mrkit_get(hbase_server, name, key)
        assert got.returncode == 0, got.stderr
        assert got.stdout == expected[key] + b"\n"


@pytest.mark.hbase
def test_input_directory_skips_hidden_files(tmp_path, runner, hbase_server, hbase_index,
                                            new_table_name):  # fmt: skip
    # the mapper reads whole files (mapper_raw): a directory stands for its visible files,
    # as Hadoop's FileInputFormat lists them (mrjob wrote the directory itself into the manifest)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "users.tsv").write_bytes(USERS)
    (folder / ".users.tsv.swp").write_bytes(b"h1\thidden\n")
    (folder / "_SUCCESS").write_bytes(b"")
    name = new_table_name("rid")
    rows, _ = run_job(RecordIndex, [folder], index_args(hbase_server, name), runner=runner)
    assert rows == [f"{folder / 'users.tsv'}\t7"]
    assert set(hbase_index.table(name).rows(list(expected_records(USERS)))) == set(
        expected_records(USERS)
    )
    assert hbase_index.table(name).rows(["h1"]) == {}


@pytest.mark.hbase
@pytest.mark.hadoop
def test_hdfs_round_trip(request, tmp_path, hbase_server, hbase_index, new_table_name):
    """Files in HDFS, indexed by a job on the cluster, read back with ranged WebHDFS reads."""
    try:
        cluster = request.getfixturevalue("hadoop_cluster")
    except pytest.FixtureLookupError as e:
        unavailable("hadoop", RuntimeError(f"no hadoop_cluster fixture: {e.msg}"))
    from mr.clients import hdfs
    from mr.engines import hadoop

    fs = hdfs.client()
    base = f"/tmp/mrkit-record-index-{tmp_path.name}"
    fs.write_bytes(f"{base}/users.tsv", USERS, overwrite=True)
    fs.write_bytes(f"{base}/orders.tsv", ORDERS, overwrite=True)
    name = new_table_name("rih")
    conf = getattr(cluster, "mrjob_conf", None) or str(hadoop.mrjob_conf_path())
    try:
        rows, counters = run_job(
            RecordIndex,
            [f"hdfs://{base}/users.tsv", f"hdfs://{base}/orders.tsv"],
            index_args(hbase_server, name),
            runner="hadoop",
            extra=["-c", conf],
        )
        assert counters["record_index"]["records"] == 9
        expected = {**expected_records(USERS), **expected_records(ORDERS)}
        stored = hbase_index.table(name).rows(list(expected))
        assert set(stored) == set(expected)
        for key, record in expected.items():
            row = stored[key]
            assert row[PATH].startswith("hdfs:")
            assert read_record(row[PATH], int(row[OFFSET]), int(row[LENGTH])) == record
        got = mrkit_get(hbase_server, name, "3")
        assert got.stdout == expected["3"] + b"\n", got.stderr
    finally:
        fs.rm(base, recursive=True)


def test_read_record_local(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"abc\ndefg\n")
    assert read_record(str(path), 4, 4) == b"defg"
    assert read_record(Path(path).as_uri(), 0, 3) == b"abc"
