"""`mrkit export mysql` on the real MariaDB (tests/plugins/mysql.py): every type round-trips,
upserts, bad rows with file:line, all or nothing under kill -9, names that never reach SQL."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from decimal import Decimal

import pytest

from mr.cli import main
from mr.clients import mysql
from mr.lib.sqlvalues import encode_value
from mr.lib.tsv import format_row
from tests.support import REPO

pytestmark = pytest.mark.mysql

TYPES_TABLE = """
CREATE TABLE {name} (
  id INT PRIMARY KEY,
  amount DECIMAL(30,10),
  big BIGINT UNSIGNED,
  ratio DOUBLE,
  day DATE,
  at DATETIME(6),
  seen TIMESTAMP NULL,
  payload BLOB,
  note TEXT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
"""
TRICKY = "tab\there, new\nline, cr\r, \"quotes\", 'single', back\\slash, \\N, comma, 😀 ünï"
ROWS = [
    (1, Decimal("12345678901234567890.0123456789"), 18446744073709551615, 0.1,
     date(2026, 1, 5), datetime(2026, 1, 5, 10, 30, 0, 123456), datetime(2026, 1, 5, 9, 0),
     b"\x00\x01\xff\t\n", TRICKY),
    (2, Decimal("-0.0000000001"), 0, -1.5e-300, date(1000, 1, 1),
     datetime(9999, 12, 31, 23, 59, 59), None, b"", ""),
    (3, None, None, None, None, None, None, None, None),
]  # fmt: skip
COLUMNS = ("id", "amount", "big", "ratio", "day", "at", "seen", "payload", "note")


def field_texts(row, columns):
    return [encode_value(v, c) for v, c in zip(row, columns, strict=True)]


def write_output(directory, parts, success=True):
    """A job's output directory: part files of TSV lines, _SUCCESS, a hidden file."""
    directory.mkdir(parents=True, exist_ok=True)
    for i, lines in enumerate(parts):
        (directory / f"part-{i:05d}").write_text("".join(line + "\n" for line in lines))
    (directory / ".part-00000.crc").write_text("not data")
    if success:
        (directory / "_SUCCESS").write_text("")
    return directory


def export(capsys, db, *args):
    """Run `mrkit export mysql` in-process: (exit code, stdout, stderr)."""
    code = main(["export", "mysql", *map(str, args), "--url", db.url])
    out, err = capsys.readouterr()
    return code, out, err


def table_rows(conn, table):
    with conn.cursor() as cur:
        cur.execute(f"SELECT * FROM `{table}` ORDER BY 1")
        return list(cur.fetchall())


def checksum(conn, table):
    with conn.cursor() as cur:
        cur.execute(f"CHECKSUM TABLE `{table}`")
        return cur.fetchone()[1]


def create(conn, sql, name):
    with conn.cursor() as cur:
        cur.execute(sql.format(name=f"`{name}`"))


def test_every_type_round_trips_through_tsv(mysql_conn, mysql_db, tmp_path, capsys):
    create(mysql_conn, TYPES_TABLE, "typed")
    columns = mysql.table_columns(mysql_conn, "typed")
    lines = [format_row(*field_texts(row, columns)) for row in ROWS]
    out_dir = write_output(tmp_path / "out", [lines[:2], lines[2:]])
    code, out, err = export(capsys, mysql_db, out_dir, "--table", "typed")
    assert (code, err) == (0, "")
    assert f"exported 3 rows from 2 files into {mysql_db.database}.typed" in out
    got = table_rows(mysql_conn, "typed")
    assert got == ROWS
    # and back to the same field texts (what `mrkit import mysql` writes)
    assert [format_row(*field_texts(r, columns)) for r in got] == lines


def test_more_types_round_trip(mysql_conn, mysql_db, tmp_path, capsys):
    create(mysql_conn, "CREATE TABLE {name} (id TINYINT UNSIGNED PRIMARY KEY, t TIME(3), "
                       "y YEAR, b BIT(10), f FLOAT, e ENUM('red','green'), c CHAR(3), "
                       "vb VARBINARY(4), j JSON)", "more")  # fmt: skip
    lines = ["255\t-838:59:59.000\t2155\t1023\t1.5\tgreen\tabc\t3q2+7w==\t{\"a\": [1, \"\\\\t\"]}",
             "0\t12:00:00.250\t1901\t0\t-0.25\tred\t\t\t[]"]  # fmt: skip
    code, _, err = export(
        capsys, mysql_db, write_output(tmp_path / "o", [lines]), "--table", "more"
    )
    assert (code, err) == (0, "")
    columns = mysql.table_columns(mysql_conn, "more")
    got = sorted(format_row(*field_texts(r, columns)) for r in table_rows(mysql_conn, "more"))
    assert got == sorted(lines)


def test_csv_written_by_mysql_itself_reads_back(mysql_conn, mysql_db, tmp_path, capsys):
    """SELECT ... INTO OUTFILE writes the CSV; export reads it into a copy: same checksum."""
    create(mysql_conn, TYPES_TABLE, "typed")
    create(mysql_conn, "CREATE TABLE {name} LIKE typed", "copy")
    with mysql_conn.cursor() as cur:
        cur.executemany(f"INSERT INTO typed ({','.join(COLUMNS)}) VALUES ({','.join(['%s'] * 9)})",
                        ROWS)  # fmt: skip
        cur.execute("SELECT @@secure_file_priv")
        files = cur.fetchone()[0]
        outfile = os.path.join(files, f"{mysql_db.database}.csv")
        # binary columns travel as base64 (mr/lib/sqlvalues.py); TO_BASE64 wraps at 76
        cur.execute(
            "SELECT id, amount, big, ratio, day, at, seen, REPLACE(TO_BASE64(payload), '\\n', ''),"
            f" note FROM typed INTO OUTFILE '{outfile}'"
            " FIELDS TERMINATED BY ',' ENCLOSED BY '\"' LINES TERMINATED BY '\\n'"
        )
    try:
        code, out, err = export(capsys, mysql_db, outfile, "--table", "copy", "--format", "csv")
    finally:
        os.unlink(outfile)
    assert (code, err) == (0, ""), err
    assert table_rows(mysql_conn, "copy") == ROWS
    assert checksum(mysql_conn, "copy") == checksum(mysql_conn, "typed")


UPSERT_TABLE = "CREATE TABLE {name} (k VARCHAR(20), day DATE, n INT, PRIMARY KEY (k, day))"


def test_upsert_updates_and_inserts(mysql_conn, mysql_db, tmp_path, capsys):
    create(mysql_conn, UPSERT_TABLE, "counts")
    with mysql_conn.cursor() as cur:
        cur.execute("INSERT INTO counts VALUES ('a', '2026-01-01', 1), ('b', '2026-01-01', 2)")
    out_dir = write_output(tmp_path / "out", [[
        "a\t2026-01-01\t10",  # updated
        "c\t2026-01-01\t30",  # inserted
        "c\t2026-01-01\t31",  # the same key again: the last row wins
    ]])  # fmt: skip
    code, out, err = export(capsys, mysql_db, out_dir, "--table", "counts",
                            "--update-key", "k,day")  # fmt: skip
    assert (code, err) == (0, ""), err
    assert "upserted" in out
    assert table_rows(mysql_conn, "counts") == [
        ("a", date(2026, 1, 1), 10),
        ("b", date(2026, 1, 1), 2),
        ("c", date(2026, 1, 1), 31),
    ]
    # without --update-key, a key already there fails the whole export
    before = checksum(mysql_conn, "counts")
    code, _, err = export(capsys, mysql_db, out_dir, "--table", "counts")
    assert code == 1 and "Duplicate entry" in err and "nothing was exported" in err
    assert checksum(mysql_conn, "counts") == before
    # an update key that is no unique key is a usage error
    code, _, err = export(capsys, mysql_db, out_dir, "--table", "counts", "--update-key", "k")
    assert code == 2 and "is not the primary key or a unique index" in err


def test_columns_map_fields(mysql_conn, mysql_db, tmp_path, capsys):
    create(mysql_conn, "CREATE TABLE {name} (id INT AUTO_INCREMENT PRIMARY KEY, "
                       "word VARCHAR(10), n INT)", "words")  # fmt: skip
    out_dir = write_output(tmp_path / "out", [["3\tthe", "1\ta"]])
    code, _, err = export(capsys, mysql_db, out_dir, "--table", "words", "--columns", "n,word")
    assert (code, err) == (0, "")
    assert sorted(r[1:] for r in table_rows(mysql_conn, "words")) == [("a", 1), ("the", 3)]
    code, _, err = export(capsys, mysql_db, out_dir, "--table", "words", "--columns", "n,nope")
    assert code == 2 and "has no column 'nope'" in err


def test_bad_rows_are_reported_with_file_and_line(mysql_conn, mysql_db, tmp_path, capsys):
    create(mysql_conn, "CREATE TABLE {name} (id INT PRIMARY KEY, price DECIMAL(6,2), "
                       "day DATE, name VARCHAR(5))", "items")  # fmt: skip
    out_dir = write_output(tmp_path / "out", [
        ["1\t1.50\t2026-01-05\tpen", "2\t2.50\t2026-01-05"],  # line 2: too few fields
        ["3\tabc\t2026-01-05\tink",  # line 1: not a decimal
         "4\t4.00\t2026-02-30\tcup",  # line 2: no such date
         "1\t9.99\t2026-01-06\tdup",  # line 3: the key of part-00000:1 (the server says so)
         "5\t5.00\t2026-01-07\tbook"],
    ])  # fmt: skip
    part0, part1 = out_dir / "part-00000", out_dir / "part-00001"
    code, out, err = export(capsys, mysql_db, out_dir, "--table", "items")
    assert code == 1 and out == ""
    assert f"bad row: {part0}:2: 3 fields, expected 4 (id,price,day,name)" in err
    assert "more than 0 bad rows" in err and "nothing was exported" in err
    assert table_rows(mysql_conn, "items") == []

    code, out, err = export(capsys, mysql_db, out_dir, "--table", "items", "--max-bad-rows", "4")
    assert code == 0, err
    assert err.splitlines() == [
        f"bad row: {part0}:2: 3 fields, expected 4 (id,price,day,name)",
        f"bad row: {part1}:1: price: 'abc' is not a decimal number",
        f"bad row: {part1}:2: day: '2026-02-30' is not a DATE (YYYY-MM-DD)",
        f"bad row: {part1}:3: Duplicate entry '1' for key 'PRIMARY'",
    ]
    assert "exported 2 rows" in out and "4 bad rows skipped" in out
    assert [r[0] for r in table_rows(mysql_conn, "items")] == [1, 5]

    code, _, err = export(capsys, mysql_db, out_dir, "--table", "items", "--max-bad-rows", "3")
    assert code == 1 and "more than 3 bad rows" in err


def wait_for_no_other_connection(conn, database, timeout=30.0):
    """True once no connection but ours uses the database."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                        "WHERE DB = %s AND ID != CONNECTION_ID()", (database,))  # fmt: skip
            if cur.fetchone()[0] == 0:
                return True
        time.sleep(0.1)
    return False


def test_killed_export_leaves_the_table_as_it_was(mysql_conn, mysql_db, tmp_path):
    create(mysql_conn, "CREATE TABLE {name} (id INT PRIMARY KEY, v VARCHAR(20))", "big")
    with mysql_conn.cursor() as cur:
        cur.execute("INSERT INTO big VALUES (-1, 'already there')")
    before = checksum(mysql_conn, "big")
    rows = 200_000  # staged for seconds, even on a fast machine: killed long before the end
    out_dir = write_output(tmp_path / "out", [[f"{i}\tvalue {i}" for i in range(rows)]])
    argv = [sys.executable, "-m", "mr.cli", "export", "mysql", str(out_dir), "--table", "big",
            "--url", mysql_db.url, "--batch-rows", "100", "--progress", "always"]  # fmt: skip
    proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        seen = b""
        deadline = time.monotonic() + 60
        # the row counter on stderr says rows are being staged: kill it then
        while not re.search(rb"[1-9][0-9]* ?rows", seen) and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stderr], [], [], 1)
            if ready:
                chunk = os.read(proc.stderr.fileno(), 4096)
                if not chunk:
                    break
                seen += chunk
        assert proc.poll() is None, f"the export ended before it could be killed: {seen!r}"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert checksum(mysql_conn, "big") == before
    # its staging table was a temporary one: it goes with the connection, which the server
    # drops once it notices the client is gone; and no table of its own was made
    assert wait_for_no_other_connection(mysql_conn, mysql_db.database)
    with mysql_conn.cursor() as cur:
        cur.execute("SHOW TABLES")
        assert [r[0] for r in cur.fetchall()] == ["big"]
    # the next run starts clean
    again = write_output(tmp_path / "again", [["1\tone", "2\ttwo"]])
    code = main(["export", "mysql", str(again), "--table", "big", "--url", mysql_db.url])
    assert code == 0
    assert table_rows(mysql_conn, "big") == [(-1, "already there"), (1, "one"), (2, "two")]


def test_killed_during_the_final_copy_the_transaction_rolls_back(mysql_conn, mysql_db, tmp_path):
    """A trigger slows the copy into the target (the staging copy has no triggers), so the
    export is killed while its INSERT ... SELECT runs: the server rolls the copy back."""
    create(mysql_conn, "CREATE TABLE {name} (id INT PRIMARY KEY, v INT)", "slow")
    with mysql_conn.cursor() as cur:
        cur.execute("INSERT INTO slow VALUES (-1, 0)")
        cur.execute("CREATE TRIGGER slow_copy BEFORE INSERT ON slow FOR EACH ROW "
                    "SET NEW.v = NEW.v + SLEEP(0.002)")  # fmt: skip
    before = checksum(mysql_conn, "slow")
    out_dir = write_output(tmp_path / "out", [[f"{i}\t{i}" for i in range(800)]])
    argv = [sys.executable, "-m", "mr.cli", "export", "mysql", str(out_dir), "--table", "slow",
            "--url", mysql_db.url]  # fmt: skip
    copying = ("SELECT ID FROM information_schema.PROCESSLIST "
               "WHERE DB = %s AND INFO LIKE 'INSERT INTO `slow`%%SELECT%%'")  # fmt: skip
    proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        found = ()
        while not found and proc.poll() is None and time.monotonic() < deadline:
            with mysql_conn.cursor() as cur:
                cur.execute(copying, (mysql_db.database,))
                found = cur.fetchall()
            time.sleep(0.02)
        assert found, f"the final copy was not seen running: {proc.communicate()}"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    # the server ends the statement, finds the client gone and rolls the copy back
    assert wait_for_no_other_connection(mysql_conn, mysql_db.database, timeout=60)
    assert checksum(mysql_conn, "slow") == before


@pytest.mark.parametrize(
    "option",
    [
        ["--table", "x; DROP TABLE y"],
        ["--table", "t", "--columns", "a,b`c"],
        ["--table", "t", "--update-key", "id) OR (1=1"],
        ["--table", "t", "--database", "d`; DROP DATABASE d"],
    ],
)
def test_names_from_users_never_reach_sql(mysql_conn, mysql_db, tmp_path, capsys, option):
    create(mysql_conn, "CREATE TABLE {name} (id INT PRIMARY KEY)", "y")
    out_dir = write_output(tmp_path / "out", [["1"]])
    code, out, err = export(capsys, mysql_db, out_dir, *option)
    assert code == 2 and out == ""
    assert err.startswith("mrkit export mysql: error: ") and err.count("\n") == 1
    assert "is not a" in err
    with mysql_conn.cursor() as cur:
        cur.execute("SHOW TABLES")
        assert [r[0] for r in cur.fetchall()] == ["y"]


def test_a_directory_without_success_is_refused(mysql_conn, mysql_db, tmp_path, capsys):
    create(mysql_conn, "CREATE TABLE {name} (id INT PRIMARY KEY)", "t")
    out_dir = write_output(tmp_path / "out", [["1"]], success=False)
    code, _, err = export(capsys, mysql_db, out_dir, "--table", "t")
    assert code == 2 and "has no _SUCCESS" in err
    code, _, err = export(capsys, mysql_db, out_dir, "--table", "t", "--allow-missing-success")
    assert code == 0, err
    code, _, err = export(capsys, mysql_db, tmp_path / "nope", "--table", "t")
    assert code == 2 and "does not exist" in err


def test_a_table_without_transactions_is_refused(mysql_conn, mysql_db, tmp_path, capsys):
    create(mysql_conn, "CREATE TABLE {name} (id INT PRIMARY KEY) ENGINE=MyISAM", "m")
    code, _, err = export(capsys, mysql_db, write_output(tmp_path / "o", [["1"]]), "--table", "m")
    assert code == 1 and "ENGINE=MyISAM" in err
    code, _, err = export(capsys, mysql_db, write_output(tmp_path / "p", [["1"]]), "--table", "no")
    assert code == 1 and "does not exist" in err


@pytest.mark.hadoop
def test_export_from_hdfs(mysql_conn, mysql_db, hdfs, hdfs_dir, hadoop_cluster, monkeypatch,
                          tmp_path, capsys):  # fmt: skip
    monkeypatch.setenv("MRKIT_WEBHDFS_URL", hadoop_cluster.webhdfs_url)
    create(mysql_conn, "CREATE TABLE {name} (id INT PRIMARY KEY, word VARCHAR(10))", "t")
    local = write_output(tmp_path / "out", [["1\ta", "2\tb"], ["3\tc"]])
    hdfs.put(local, f"{hdfs_dir}/out")
    code, out, err = export(capsys, mysql_db, f"hdfs://{hdfs_dir}/out", "--table", "t")
    assert code == 0, err
    assert "from 2 files" in out
    assert table_rows(mysql_conn, "t") == [(1, "a"), (2, "b"), (3, "c")]
