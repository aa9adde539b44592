"""`mrkit import mysql` (mr/mysql_import.py, mr/cli/imports.py) against a real MariaDB.

Oracles: -m 4 gives the rows of -m 1; every row is also read with PyMySQL's own conversions and
written with mr/lib/sqlvalues.py encode_value, which must give the imported text; every field
decodes back (decode_value) to the value the server holds. Each test has a database of its own
(the mysql_db fixture), so tests run in any order.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from mr.cli import main
from mr.clients import mysql
from mr.lib.incremental import STATE_NAME
from mr.lib.job import MRKitJob
from mr.lib.publish import SUCCESS
from mr.lib.records import parse_mysql_csv, parse_tsv
from mr.lib.sqlvalues import decode_value, encode_value
from mr.lib.tsv import NULL, escape_field, format_row, parse_field
from tests.support import REPO, hdfs_rows, run_job

pytestmark = pytest.mark.mysql


def execute(conn, *statements):
    with conn.cursor() as cur:
        for statement in statements:
            if isinstance(statement, tuple):
                cur.executemany(*statement)
            else:
                cur.execute(statement)


def run_import(capsys, server, *args):
    """mrkit import mysql in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    code = main(["import", "mysql", "--url", server.url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def part_lines(target: Path) -> list[str]:
    lines: list[str] = []
    for part in sorted(target.glob("part-*")):
        lines += part.read_text(encoding="utf-8").split("\n")[:-1]
    return sorted(lines)


def expected_lines(conn, sql, fmt="tsv", table=None):
    """The rows of `sql` as PyMySQL converts them, each value written by encode_value (told the
    column types of `table`, if given) and the format's escapes (NULL bare): what the import
    must write."""
    with conn.cursor() as cur:
        cur.execute(sql)
        rows = cur.fetchall()
    columns = mysql.table_columns(conn, table) if table else [None] * len(rows[0] if rows else [])
    lines = []
    for row in rows:
        fields = []
        for value, column in zip(row, columns, strict=True):
            text = encode_value(value, column)
            if text is None:
                fields.append(NULL)
            elif fmt == "tsv":
                fields.append(escape_field(text))
            else:
                fields.append(
                    '"'
                    + text.replace("\\", "\\\\")
                    .replace('"', '\\"')
                    .replace("\0", "\\0")
                    .replace("\n", "\\n")
                    .replace("\r", "\\r")
                    + '"'
                )
        lines.append(("\t" if fmt == "tsv" else ",").join(fields))
    return sorted(lines)


HOSTILE = [
    "plain",
    "",
    "\\N",
    "NULL",
    "a\tb",
    "line\nbreak",
    "cr\r\n",
    'quote " and \\"',
    "back\\slash\\",
    "comma, here",
    "caf\u00e9 \U0001f600",
    "\\t not a tab",
    "\0nul",
]


@pytest.fixture
def keyed(mysql_conn):
    """A table split on a nullable, sparse, skewed key, with hostile text."""
    rows = []
    keys = [*range(1, 40), 1000, 1001, 10**12, -5, None, None, None]
    for i, k in enumerate(keys):
        rows.append((i + 1, k, HOSTILE[i % len(HOSTILE)]))
    execute(
        mysql_conn,
        "CREATE TABLE keyed (id INT PRIMARY KEY, k BIGINT NULL, txt VARCHAR(50) NULL)",
        ("INSERT INTO keyed VALUES (%s, %s, %s)", rows),
        "INSERT INTO keyed VALUES (999, 7, NULL)",
    )
    return len(rows) + 1


@pytest.mark.parametrize("direct", [[], ["--direct"]], ids=["driver", "direct"])
def test_m4_gives_the_rows_of_m1(tmp_path, capsys, mysql_db, mysql_conn, keyed, runner, direct):
    one, four = tmp_path / "one", tmp_path / "four"
    common = ["--table", "keyed", "--split-by", "k", "-r", runner, *direct]
    code, _, err1 = run_import(capsys, mysql_db, *common, "-m", "1", "--target-dir", str(one))
    assert code == 0, err1
    code, _, err4 = run_import(capsys, mysql_db, *common, "-m", "4", "--target-dir", str(four))
    assert code == 0, err4
    assert part_lines(one) == part_lines(four) == expected_lines(mysql_conn, "SELECT * FROM keyed")
    assert len(part_lines(four)) == keyed
    assert (four / SUCCESS).exists() and (one / SUCCESS).exists()
    assert "k IS NULL): 3 rows" in err4  # the NULL split
    assert f"import mysql: {keyed} rows in 5 splits" in err4
    assert len(list(four.glob("part-*"))) == 5
    # sparse keys (10**12 among 1..1001): quantile ranges, no task gets almost everything
    sizes = [int(line.rsplit(": ", 1)[1].split()[0]) for line in err4.splitlines() if "<=" in line]
    assert max(sizes) <= keyed // 2


@pytest.mark.parametrize("direct", [[], ["--direct"]], ids=["driver", "direct"])
def test_csv_is_what_load_data_and_records_read(
    tmp_path, capsys, mysql_db, mysql_conn, keyed, direct
):
    target = tmp_path / "csv"
    code, _, err = run_import(
        capsys,
        mysql_db,
        *direct,
        "--table",
        "keyed",
        "-m",
        "3",
        "--format",
        "csv",
        "-r",
        "inline",
        "--target-dir",
        str(target),
    )
    assert code == 0, err
    lines = part_lines(target)
    assert lines == expected_lines(mysql_conn, "SELECT * FROM keyed", fmt="csv")
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT id, k, txt FROM keyed")
        truth = {row[0]: row for row in cur.fetchall()}
    for line in lines:
        fields = parse_mysql_csv(line)
        assert fields is not None
        i, k, txt = fields
        assert truth[int(i)] == (int(i), None if k is None else int(k), txt)
    # and the server itself reads the files back into an equal table
    execute(mysql_conn, "CREATE TABLE keyed_back LIKE keyed")
    back = mysql.connect(mysql_db, password="", local_infile=True)
    try:
        with back.cursor() as cur:
            for part in sorted(target.glob("part-*")):
                cur.execute(
                    "LOAD DATA LOCAL INFILE %s INTO TABLE keyed_back CHARACTER SET utf8mb4 "
                    "FIELDS TERMINATED BY ',' ENCLOSED BY '\"' ESCAPED BY '\\\\'",
                    [str(part)],
                )
        back.commit()
    finally:
        back.close()
    with mysql_conn.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*) FROM keyed k JOIN keyed_back b ON b.id = k.id "
            "AND b.k <=> k.k AND BINARY b.txt <=> BINARY k.txt"
        )
        assert cur.fetchone()[0] == len(truth)


TYPES = """
CREATE TABLE every_type (
  id INT PRIMARY KEY, ti TINYINT, usi SMALLINT UNSIGNED, bi BIGINT, ubi BIGINT UNSIGNED,
  dec1 DECIMAL(30,10), dec2 DECIMAL(5,0), fl FLOAT, db DOUBLE, yr YEAR, d DATE,
  dt DATETIME, dt3 DATETIME(3), ts TIMESTAMP(6) NULL, tm TIME(2), bits BIT(12),
  vb VARBINARY(20), bl BLOB, ch CHAR(3), vc VARCHAR(40), tx TEXT, en ENUM('a','b c'),
  js JSON
) CHARACTER SET utf8mb4
"""
TYPE_ROWS = [
    (
        1,
        -128,
        65535,
        -(2**63),
        2**64 - 1,
        "12345678901234567890.0123456789",
        "-99999",
        0.1,
        1e-300,
        2155,
        "1000-01-01",
        "9999-12-31 23:59:59",
        "2026-01-05 10:30:00.250",
        "2038-01-19 03:14:07.999999",
        "-838:59:59.00",
        0xABC,
        b"\x00\xff\t\n\\",
        b"\x00" * 3 + b"z",
        "é",
        "a\tb\nc\\d\"e'f",
        "\U0001f600" * 3,
        "b c",
        '{"k": [1, "\\t"]}',
    ),
    (
        2,
        0,
        0,
        0,
        0,
        "0.0000000000",
        "0",
        -3.5,
        2.5,
        1901,
        "2026-02-28",
        "2026-02-28 00:00:00",
        "2026-02-28 00:00:00.000",
        "1970-01-01 00:00:01",
        "00:00:00.50",
        0,
        b"",
        b"",
        "",
        "",
        "",
        "a",
        "null",
    ),
    (3, *[None] * 22),
]


@pytest.mark.parametrize("direct", [[], ["--direct"]], ids=["driver", "direct"])
def test_every_type_round_trips(tmp_path, capsys, mysql_db, mysql_conn, runner, direct):
    execute(
        mysql_conn,
        TYPES,
        ("INSERT INTO every_type VALUES (" + ", ".join(["%s"] * 23) + ")", TYPE_ROWS),
    )
    target = tmp_path / "types"
    code, _, err = run_import(
        capsys,
        mysql_db,
        "--table",
        "every_type",
        "-m",
        "2",
        "-r",
        runner,
        "--target-dir",
        str(target),
        *direct,
    )
    assert code == 0, err
    lines = part_lines(target)
    assert lines == expected_lines(mysql_conn, "SELECT * FROM every_type", table="every_type")
    columns = mysql.table_columns(mysql_conn, "every_type")
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT * FROM every_type")
        truth = {row[0]: row for row in cur.fetchall()}
    for line in lines:
        fields = [parse_field(f) for f in line.split("\t")]
        values = [decode_value(text, col) for text, col in zip(fields, columns, strict=True)]
        stored = truth[values[0]]
        for col, value, want in zip(columns, values, stored, strict=True):
            if col.data_type == "bit" and want is not None:
                want = int.from_bytes(want, "big")
            if col.data_type == "time" and want is not None:
                continue  # decode_value keeps TIME as text; compared through encode_value above
            assert value == want, col.name
    assert "2026-01-05T10:30:00.250\t" in lines[0] and "2038-01-19T03:14:07.999999Z" in lines[0]


def test_incremental_append_picks_up_the_saved_last_value(tmp_path, capsys, mysql_db, mysql_conn):
    execute(
        mysql_conn,
        "CREATE TABLE events (id INT PRIMARY KEY, what VARCHAR(20))",
        ("INSERT INTO events VALUES (%s, %s)", [(i, f"e{i}") for i in range(1, 11)]),
    )
    target = tmp_path / "events"
    args = [
        "--table",
        "events",
        "-m",
        "2",
        "-r",
        "inline",
        "--target-dir",
        str(target),
        "--incremental",
        "append",
        "--check-column",
        "id",
    ]
    code, out, err = run_import(capsys, mysql_db, *args, "--last-value", "4")
    assert code == 0, err
    assert out == "last value: 10\n"
    assert part_lines(target) == sorted(f"{i}\te{i}" for i in range(5, 11))
    assert (target / STATE_NAME).is_file() and (target / SUCCESS).exists()

    execute(
        mysql_conn, ("INSERT INTO events VALUES (%s, %s)", [(i, f"e{i}") for i in (11, 12, 40)])
    )
    code, out, err = run_import(capsys, mysql_db, *args)  # no --last-value: the saved one
    assert code == 0, err
    assert out == "last value: 40\n"
    assert "3 rows" in err
    assert part_lines(target) == sorted(f"{i}\te{i}" for i in [*range(5, 13), 40])

    code, out, err = run_import(capsys, mysql_db, *args)  # nothing new
    assert code == 0 and out == "last value: 40\n" and "import mysql: 0 rows" in err
    assert len(part_lines(target)) == 9
    # the hidden state file is no input of a job: reading the directory gives the rows
    rows, _ = run_job(Identity, [target])
    assert len(rows) == 9


class Identity(MRKitJob):
    """Every input line as it is."""

    def mapper(self, _, line):
        yield None, line.decode("utf-8")


def test_incremental_lastmodified(tmp_path, capsys, mysql_db, mysql_conn):
    execute(
        mysql_conn,
        "CREATE TABLE docs (id INT PRIMARY KEY, body TEXT, updated_at DATETIME(6) NOT NULL)",
        "INSERT INTO docs VALUES (1, 'old', '2025-06-01 00:00:00'), "
        "(2, 'new', '2026-01-02 00:00:00')",
    )
    target = tmp_path / "docs"
    args = [
        "--table",
        "docs",
        "-m",
        "1",
        "-r",
        "inline",
        "--target-dir",
        str(target),
        "--incremental",
        "lastmodified",
        "--check-column",
        "updated_at",
    ]
    code, out, err = run_import(capsys, mysql_db, *args, "--last-value", "2026-01-01 00:00:00")
    assert code == 0, err
    assert part_lines(target) == ["2\tnew\t2026-01-02T00:00:00.000000"]
    first_last = out.split(": ", 1)[1].strip()
    execute(mysql_conn, "UPDATE docs SET body = 'edited', updated_at = NOW(6) WHERE id = 1")
    code, out, err = run_import(capsys, mysql_db, *args)
    assert code == 0, err
    assert out.split(": ", 1)[1].strip() > first_last
    lines = part_lines(target)
    assert len(lines) == 2 and any(line.startswith("1\tedited\t") for line in lines)


def test_query_with_conditions_and_split_by(tmp_path, capsys, mysql_db, mysql_conn):
    seed(mysql_db, users=50, films=20, notes=60)
    query = (
        "SELECT n.note_id, f.title, n.note FROM directors_notes n "
        "JOIN film f ON f.film_id = n.film_id WHERE f.title LIKE '%a%' AND $CONDITIONS"
    )
    target = tmp_path / "q"
    code, _, err = run_import(
        capsys,
        mysql_db,
        "--query",
        query,
        "--split-by",
        "n.note_id",
        "-m",
        "3",
        "-r",
        "inline",
        "--target-dir",
        str(target),
    )
    assert code == 0, err
    oracle = expected_lines(mysql_conn, query.replace("$CONDITIONS", "1 = 1"))
    assert part_lines(target) == oracle and oracle


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
@pytest.mark.parametrize("columns", ["id,l1,u1,u2", "l1,u1,id,u2"], ids=["id-first", "text-first"])
def test_direct_mixes_character_sets_and_collations(
    tmp_path, capsys, mysql_db, mysql_conn, fmt, columns
):
    """Text columns in latin1 and in two utf8mb4 collations, hostile text in each: --direct
    writes what the driver's path writes (the server converts to utf8mb4 for both). With a text
    column first, the TSV NULL masks end the line instead of riding on the first field."""
    execute(
        mysql_conn,
        "CREATE TABLE mixed (id INT PRIMARY KEY, l1 VARCHAR(40) CHARACTER SET latin1, "
        "u1 VARCHAR(40) COLLATE utf8mb4_unicode_ci, u2 TEXT COLLATE utf8mb4_bin)",
        (
            "INSERT INTO mixed VALUES (%s, %s, %s, %s)",
            [(i, t.replace("\U0001f600", "?"), t, t[::-1]) for i, t in enumerate(HOSTILE)],
        ),
        "INSERT INTO mixed VALUES (100, NULL, 'NULL', NULL), (101, 'NULL', NULL, '')",
    )
    out = {}
    for how in ([], ["--direct"]):
        target = tmp_path / f"m{len(how)}"
        code, _, err = run_import(
            capsys,
            mysql_db,
            *["--table", "mixed", "--columns", columns, "--split-by", "id", "-m", "2"],
            *["-r", "inline", "--format", fmt, *how],
            *["--target-dir", str(target)],
        )
        assert code == 0, err
        out[len(how)] = part_lines(target)
    want = expected_lines(mysql_conn, f"SELECT {columns} FROM mixed", fmt=fmt)
    assert out[0] == out[1] == want


def test_a_whole_table_on_a_not_null_key_is_planned_without_counting(mysql_db, mysql_conn):
    """Split on a primary key of a whole table, the counts are the server's estimate (no scan),
    and sparse keys still get quantile ranges of even size; a view, which has no estimate, and
    a nullable column are counted."""
    from mr.clients.mysql_import import Source, plan_import

    keys = [*range(1, 61), 10**12, 10**12 + 1]
    execute(
        mysql_conn,
        "CREATE TABLE sparse (id BIGINT PRIMARY KEY, k INT NULL)",
        ("INSERT INTO sparse VALUES (%s, %s)", [(k, None if k % 7 else k) for k in keys]),
        "ANALYZE TABLE sparse",
        "CREATE VIEW sparse_view AS SELECT * FROM sparse",
    )
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_NAME = 'sparse'")
        estimate = int(cur.fetchone()[0])
    plan = plan_import(mysql_conn, Source(table="sparse"), 4)
    assert plan.stats is not None and plan.stats.keys == plan.stats.rows == estimate
    assert [s.kind for s in plan.splits] == ["range"] * 4  # quantiles: not one huge range
    assert plan.splits[-1].lo < 10**12 - 1
    view = plan_import(mysql_conn, Source(table="sparse_view"), 4, split_by="id")
    assert view.stats is not None and view.stats.rows == len(keys)
    nullable = plan_import(mysql_conn, Source(table="sparse"), 4, split_by="k")
    assert nullable.stats is not None and nullable.stats.keys == 8
    assert nullable.splits[-1].kind == "null"


def test_direct_reads_a_wide_table_with_nulls_past_the_first_mask(
    tmp_path, capsys, mysql_db, mysql_conn
):
    """70 columns: two NULL masks a line. NULLs in each, text 'NULL' beside them, floats."""
    cols = ", ".join(
        f"c{i} {'DOUBLE' if i % 10 == 3 else 'VARCHAR(10)'} NULL" for i in range(1, 70)
    )
    rows = []
    for r in range(6):
        row = [r]
        for i in range(1, 70):
            if (i + r) % 7 == 0:
                row.append(None)
            elif i % 10 == 3:
                row.append(r * 1e20 + i)
            else:
                row.append("NULL" if (i + r) % 5 == 0 else f"v{i}\t{r}")
        rows.append(row)
    execute(
        mysql_conn,
        f"CREATE TABLE wide (id INT PRIMARY KEY, {cols})",
        ("INSERT INTO wide VALUES (" + ", ".join(["%s"] * 70) + ")", rows),
    )
    target = tmp_path / "wide"
    code, _, err = run_import(
        capsys,
        mysql_db,
        *["--table", "wide", "-m", "2", "-r", "inline", "--direct", "--target-dir", str(target)],
    )
    assert code == 0, err
    assert part_lines(target) == expected_lines(mysql_conn, "SELECT * FROM wide")


def test_direct_query_reads_a_join_and_needs_distinct_names(tmp_path, capsys, mysql_db, mysql_conn):
    """--direct reads a --query as a derived table: the rows of the driver's path, and a query
    with two columns of one name is refused with what to do."""
    seed(mysql_db, users=30, films=10, notes=40)
    query = (
        "SELECT n.note_id, f.title, n.note FROM directors_notes n "
        "JOIN film f ON f.film_id = n.film_id WHERE f.title LIKE '%a%' AND $CONDITIONS"
    )
    target = tmp_path / "q"
    common = ["--split-by", "n.note_id", "-m", "3", "-r", "inline", "--direct"]
    code, _, err = run_import(
        capsys, mysql_db, "--query", query, *common, "--target-dir", str(target)
    )
    assert code == 0, err
    oracle = expected_lines(mysql_conn, query.replace("$CONDITIONS", "1 = 1"))
    assert part_lines(target) == oracle and oracle
    twice = "SELECT n.film_id, f.film_id FROM directors_notes n JOIN film f USING (film_id) "
    code, _, err = run_import(
        capsys,
        mysql_db,
        *["--query", twice + "WHERE $CONDITIONS", *common, "--target-dir", str(tmp_path / "t")],
    )
    assert code == 2 and "distinct" in err and "AS name" in err
    assert len(err.strip().splitlines()) == 1


@pytest.fixture
def reader(mysql_db, mysql_conn):
    """A user with a password who may read the test's database: (user, password)."""
    user, secret = f"r_{mysql_db.database[2:10]}", "s3cret word"
    execute(
        mysql_conn,
        f"CREATE USER '{user}'@'%' IDENTIFIED BY {mysql_conn.escape(secret)}",
        f"GRANT SELECT ON `{mysql_db.database}`.* TO '{user}'@'%'",
    )
    try:
        yield user, secret
    finally:
        execute(mysql_conn, f"DROP USER '{user}'@'%'")


@pytest.mark.parametrize("direct", [[], ["--direct"]], ids=["driver", "direct"])
@pytest.mark.parametrize("via", ["option-file", "env"])
def test_a_password_from_an_option_file_or_the_environment(
    tmp_path, capsys, monkeypatch, mysql_db, mysql_conn, keyed, reader, direct, via
):
    """The password reaches the driver or the client (local runner: task processes) from
    --option-file or $MRKIT_MYSQL_PASSWORD, never from a command line; without it, access
    is denied and nothing is published."""
    from dataclasses import replace

    user, secret = reader
    server = replace(mysql_db, user=user)
    args = ["--table", "keyed", "-m", "2", "-r", "local", *direct]
    monkeypatch.delenv("MRKIT_MYSQL_PASSWORD", raising=False)
    code, _, err = run_import(capsys, server, *args, "--target-dir", str(tmp_path / "no"))
    assert code == 1 and "denied" in err, err
    assert not (tmp_path / "no").exists()
    if via == "env":
        monkeypatch.setenv("MRKIT_MYSQL_PASSWORD", secret)
    else:
        options = tmp_path / "my.cnf"
        options.write_text(f'[client]\npassword="{secret}"\n')
        options.chmod(0o600)
        args += ["--option-file", str(options)]
    target = tmp_path / "yes"
    code, _, err = run_import(capsys, server, *args, "--target-dir", str(target))
    assert code == 0, err
    assert part_lines(target) == expected_lines(mysql_conn, "SELECT * FROM keyed")


def seed(server, **sizes):
    """scripts/gen_mysql_seed.py into the test's database."""
    args = [f"--{k}={v}" for k, v in sizes.items()]
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gen_mysql_seed.py"), "--url", server.url, *args],
        check=True,
        capture_output=True,
        env={**os.environ, "MRKIT_MYSQL_PASSWORD": ""},
    )


def test_seed_import_and_join(tmp_path, capsys, mysql_db, mysql_conn):
    """The README walk-through: seed, import film and directors_notes, join them with
    mr/join.py; the rows are those of the same JOIN on the server."""
    from mr.join import Join

    seed(mysql_db, users=200, films=30, notes=90)
    for table in ("users", "film", "directors_notes"):
        code, _, err = run_import(
            capsys,
            mysql_db,
            "--table",
            table,
            "-m",
            "2",
            "-r",
            "inline",
            "--target-dir",
            str(tmp_path / table),
        )
        assert code == 0, err
    assert len(part_lines(tmp_path / "users")) == 200
    rows, _ = run_job(
        Join,
        [tmp_path / "film", tmp_path / "directors_notes"],
        args=["--left", "*/film/*", "--right-key-col", "1"],
    )
    # the server's JOIN, each side written as the import writes it and read as Join reads it
    films = expected_lines(mysql_conn, "SELECT * FROM film", table="film")
    notes = expected_lines(mysql_conn, "SELECT * FROM directors_notes", table="directors_notes")
    left = {r[0]: r for r in map(parse_tsv, films)}
    right = list(map(parse_tsv, notes))
    oracle = sorted(format_row(n[1], *left[n[1]], *n) for n in right if n[1] in left)
    assert rows == oracle and len(oracle) > 50


@pytest.mark.parametrize(
    "setup,args,message",
    [
        ("CREATE TABLE nokey (a INT)", ["--table", "nokey", "-m", "2"], "no primary key"),
        ("CREATE TABLE two (a INT, b INT, PRIMARY KEY (a, b))", ["--table", "two"], "--split-by"),
        ("CREATE TABLE s (id VARCHAR(5) PRIMARY KEY)", ["--table", "s"], "only integer columns"),
        (None, ["--table", "x`y"], "not a table name"),
        (None, ["--query", "SELECT 1"], "$CONDITIONS"),
        (None, ["--query", "SELECT 1 FROM DUAL WHERE $CONDITIONS", "-m", "2"], "--split-by"),
        (None, ["--table", "t", "-m", "0"], "-m must be 1 to 100"),
        (None, ["--table", "t", "-m", "101"], "-m must be 1 to 100"),
        (None, ["--table", "t", "--check-column", "id"], "--incremental"),
        (None, ["--table", "t", "--incremental", "append"], "--check-column"),
        (None, ["--table", "t", "--url", "mysql://u:secret@h/db"], "password"),
    ],
)
def test_usage_errors(tmp_path, capsys, mysql_db, mysql_conn, setup, args, message):
    if setup:
        execute(mysql_conn, setup)
    code, _, err = run_import(capsys, mysql_db, *args, "--target-dir", str(tmp_path / "out"))
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "out").exists()


def test_a_target_with_data_is_refused(tmp_path, capsys, mysql_db, mysql_conn):
    execute(mysql_conn, "CREATE TABLE t (id INT PRIMARY KEY)")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / ".keep").write_text("")
    code, _, err = run_import(
        capsys, mysql_db, "--table", "t", "--target-dir", str(tmp_path / "out")
    )
    assert code == 2 and "already holds data" in err


def test_a_missing_table_is_one_line_and_exit_1(tmp_path, capsys, mysql_db):
    code, _, err = run_import(
        capsys, mysql_db, "--table", "nope", "--target-dir", str(tmp_path / "o")
    )
    assert code == 1 and "does not exist" in err and len(err.strip().splitlines()) == 1


class DroppingProxy:
    """A TCP proxy to the server that stops like a server does: once `after` bytes of results
    have passed, it closes every connection and listens no more."""

    def __init__(self, host: str, port: int, after: int):
        self.upstream = (host, port)
        self.after = after
        self.passed = 0
        self.sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, src, dst, counted):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
                if counted:
                    with self.lock:
                        self.passed += len(data)
                    if self.passed > self.after:
                        self.stop()
                        return
        except OSError:
            pass

    def stop(self):
        with self.lock:
            for s in [self.listener, *self.sockets]:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


@pytest.mark.parametrize("direct", [[], ["--direct"]], ids=["driver", "direct"])
def test_server_lost_during_import(tmp_path, capsys, mysql_db, mysql_conn, runner, direct):
    execute(
        mysql_conn,
        "CREATE TABLE big (id INT PRIMARY KEY, pad CHAR(200))",
        ("INSERT INTO big VALUES (%s, %s)", [(i, "x" * 200) for i in range(1, 20001)]),
    )
    proxy = DroppingProxy(mysql_db.host, mysql_db.port, after=400_000)
    from dataclasses import replace

    via = replace(mysql_db, host="127.0.0.1", port=proxy.port)
    target = tmp_path / "big"
    try:
        code, _, err = run_import(
            capsys,
            via,
            *["--table", "big", "-m", "2", "-r", runner, "--target-dir", str(target), *direct],
        )
    finally:
        proxy.stop()
    assert code == 1, err
    assert "import failed, nothing published" in err
    assert "does not answer" in err or "Lost connection" in err or "cannot connect" in err
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".big")]  # no staging left


@pytest.mark.hadoop
@pytest.mark.parametrize("direct", [[], ["--direct"]], ids=["driver", "direct"])
def test_import_on_yarn_into_hdfs(capsys, mysql_db, mysql_conn, keyed, hdfs, hdfs_dir, direct):
    """-r hadoop: the map tasks run on YARN (NLineInputFormat, one split each) and write to
    HDFS; the rows are those of the inline runner. CSV, whose lines hold no TAB: streaming's
    default reader split them into a key and an empty value, and TextOutputFormat added a TAB
    to every line (mr/lib/jobconf.py, STREAM_MAP_OUTPUT)."""
    target = f"hdfs://{hdfs_dir}/keyed"
    code, _, err = run_import(
        capsys,
        mysql_db,
        "--table",
        "keyed",
        "--split-by",
        "k",
        "-m",
        "4",
        "-r",
        "hadoop",
        *direct,
        "--format",
        "csv",
        "--target-dir",
        target,
    )
    assert code == 0, err
    expected = expected_lines(mysql_conn, "SELECT * FROM keyed", fmt="csv")
    assert hdfs_rows(hdfs, f"{hdfs_dir}/keyed") == expected
    assert hdfs.exists(f"{hdfs_dir}/keyed/{SUCCESS}")
    assert len([e for e in hdfs.ls(f"{hdfs_dir}/keyed") if "part-" in e.path]) == 5


@pytest.mark.hadoop
def test_local_import_into_hdfs_and_incremental_state_there(
    capsys, mysql_db, mysql_conn, keyed, hdfs, hdfs_dir
):
    target = f"hdfs://{hdfs_dir}/inc"
    args = [
        "--table",
        "keyed",
        "-m",
        "2",
        "-r",
        "local",
        "--target-dir",
        target,
        "--incremental",
        "append",
        "--check-column",
        "id",
        "--last-value",
        "10",
    ]
    code, out, err = run_import(capsys, mysql_db, *args)
    assert code == 0, err
    assert out == "last value: 999\n"
    assert hdfs.exists(f"{hdfs_dir}/inc/{STATE_NAME}") and hdfs.exists(f"{hdfs_dir}/inc/{SUCCESS}")
    execute(mysql_conn, "INSERT INTO keyed VALUES (1500, 1, 'late')")
    code, out, err = run_import(capsys, mysql_db, *args[:-2])
    assert code == 0 and out == "last value: 1500\n"
    assert "1500\t1\tlate" in hdfs_rows(hdfs, f"{hdfs_dir}/inc")


@pytest.mark.parametrize("fmt", ["tsv", "csv"])
@pytest.mark.parametrize(
    "how", [["-r", "inline"], ["-r", "local", "--direct"]], ids=["driver", "direct-local"]
)
def test_import_then_export_gives_the_table_back(tmp_path, capsys, mysql_db, mysql_conn, fmt, how):
    """The oracle of the one value rule: every type and hostile text, imported by mrkit import
    mysql and loaded into an empty copy of the table by mrkit export mysql, compare equal to
    the original, column by column (NULL-safe, byte for byte)."""
    execute(
        mysql_conn,
        TYPES,
        ("INSERT INTO every_type VALUES (" + ", ".join(["%s"] * 23) + ")", TYPE_ROWS),
    )
    execute(mysql_conn, "CREATE TABLE every_back LIKE every_type")
    # hostile text in the VARCHAR and TEXT columns, every other column NULL
    hostile = [(i + 10, *[None] * 18, text, text, None, None) for i, text in enumerate(HOSTILE)]
    execute(mysql_conn, ("INSERT INTO every_type VALUES (" + ", ".join(["%s"] * 23) + ")", hostile))
    target = tmp_path / "every"
    code, _, err = run_import(
        capsys,
        mysql_db,
        "--table",
        "every_type",
        "-m",
        "3",
        "--format",
        fmt,
        *how,
        "--target-dir",
        str(target),
    )
    assert code == 0, err
    capsys.readouterr()
    code = main(
        [
            "export",
            "mysql",
            str(target),
            "--table",
            "every_back",
            "--url",
            mysql_db.url,
            "--format",
            fmt,
        ]
    )
    _, err = capsys.readouterr()
    assert code == 0, err
    columns = [c.name for c in mysql.table_columns(mysql_conn, "every_type")]
    same = " AND ".join(f"BINARY a.`{c}` <=> BINARY b.`{c}`" for c in columns)
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM every_type")
        total = cur.fetchone()[0]
        cur.execute(f"SELECT COUNT(*) FROM every_type a JOIN every_back b ON {same}")
        assert cur.fetchone()[0] == total == len(TYPE_ROWS) + len(HOSTILE)
