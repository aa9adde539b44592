"""mr/clients/mysql_direct.py: the statements and the client command of `import mysql --direct`
(its rows are compared with the driver's path in tests/test_mysql_import.py)."""

from __future__ import annotations

import pytest

from mr.cli import main
from mr.clients import mysql_direct
from mr.clients.mysql import MySQLError, Server
from mr.lib.errors import UsageError


def test_parameters_become_literals_that_need_no_escaping():
    assert mysql_direct.literal(-5) == "-5"
    assert (
        mysql_direct.literal("2026-01-05 10:00:00")
        == "_utf8mb4 X'323032362d30312d30352031303a30303a3030'"
    )
    assert mysql_direct.literal("'; DROP TABLE x; --").startswith("_utf8mb4 X'")
    for bad in (1.5, True, None, b"x"):
        with pytest.raises(TypeError):
            mysql_direct.literal(bad)


def test_the_statement_wraps_the_planned_select_as_a_derived_table():
    columns = mysql_direct.Columns(["id", "we`ird"], ["integer", "text"])
    sql = mysql_direct.direct_sql(
        ("SELECT * FROM `t` WHERE (`id` >= %s AND `id` < %s) AND txt LIKE 'a%%'", [1, 9]),
        columns,
        "tsv",
    )
    assert sql.startswith("SELECT CONCAT(IFNULL(`id`, ''), IF((((`id`) IS NULL) << 0 | ")
    assert "), `we``ird` FROM (" in sql
    # a server-given name quoted, its backtick doubled
    assert sql.endswith(
        "FROM (SELECT * FROM `t` WHERE (`id` >= 1 AND `id` < 9) AND txt LIKE 'a%') AS mrkit_direct"
    )
    assert columns.floats == []
    assert mysql_direct.Columns(["a", "b"], ["float", "float"]).floats == [0, 1]


def test_the_client_command_holds_no_password(monkeypatch):
    monkeypatch.setattr(mysql_direct, "client_binary", lambda: "/usr/bin/mariadb")
    monkeypatch.setenv("MRKIT_MYSQL_PASSWORD", "hunter2")
    tcp = mysql_direct.client_command(Server("db.example", 3310, "reader", "shop"))
    assert tcp[:2] == ["/usr/bin/mariadb", "--no-defaults"]
    assert {"--host=db.example", "--port=3310", "--protocol=TCP", "--database=shop"} <= set(tcp)
    assert "--batch" in tcp and "--skip-reconnect" in tcp and "--raw" not in tcp
    assert "--raw" in mysql_direct.client_command(Server(), raw=True)
    assert not any("hunter2" in arg for arg in tcp)
    assert mysql_direct.client_env()["MYSQL_PWD"] == "hunter2"
    monkeypatch.delenv("MRKIT_MYSQL_PASSWORD")
    monkeypatch.setenv("MYSQL_PWD", "not ours")
    assert "MYSQL_PWD" not in mysql_direct.client_env()
    sock = mysql_direct.client_command(Server(socket="/run/m.sock"), option_file="/etc/my.cnf")
    assert sock[1] == "--defaults-file=/etc/my.cnf" and "--socket=/run/m.sock" in sock
    assert not any(arg.startswith("--host") for arg in sock)


def test_a_missing_client_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(mysql_direct.shutil, "which", lambda name: None)
    with pytest.raises(MySQLError, match="apt-get install mariadb-client"):
        mysql_direct.client_binary()


def test_a_missing_client_is_one_line_before_anything_runs(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(mysql_direct.shutil, "which", lambda name: None)
    code = main(
        [
            "import",
            "mysql",
            "--url",
            "mysql://root@127.0.0.1:1/x",
            "--table",
            "t",
            "--direct",
            "--target-dir",
            str(tmp_path / "out"),
        ]  # fmt: skip
    )
    err = capsys.readouterr().err
    assert code == 1 and "mariadb-client" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_failing_client_is_a_one_line_error(monkeypatch, tmp_path):
    """The client's last line of stderr and its exit code, also when rows came first; a
    missing option file is a usage error."""
    fake = tmp_path / "mariadb"
    fake.write_text("#!/bin/sh\nprintf '1\\tok\\t0\\n2\\tcut'\necho 'ERROR 2013 (HY000) at line 1: "
                    "Lost connection to server during query' >&2\nexit 1\n")  # fmt: skip
    fake.chmod(0o755)
    monkeypatch.setattr(mysql_direct, "client_binary", lambda: str(fake))
    blocks = mysql_direct.direct_blocks("SELECT 1", Server(), "tsv", 2)
    assert next(blocks) == (b"1\tok", 1)
    with pytest.raises(MySQLError, match=r"Lost connection to server during query .*exit code 1"):
        next(blocks)
    with pytest.raises(UsageError, match="does not exist"):
        next(mysql_direct.direct_blocks("SELECT 1", Server(), "tsv", 2, option_file="/nope"))


def test_blocks_are_whole_lines_whatever_the_reads(monkeypatch, tmp_path):
    """Lines longer than a read, and reads ending anywhere: every line once, whole, counted."""
    lines = [b"x" * n for n in (0, 1, 5, 17, 3, 40, 2)]
    out = tmp_path / "rows"
    out.write_bytes(b"".join(line + b"\n" for line in lines))
    fake = tmp_path / "mariadb"
    fake.write_text(f"#!/bin/sh\ncat {out}\n")
    fake.chmod(0o755)
    monkeypatch.setattr(mysql_direct, "client_binary", lambda: str(fake))
    monkeypatch.setattr(mysql_direct, "BLOCK_BYTES", 7)
    got = list(mysql_direct.direct_blocks("SELECT 1", Server(), "csv", 1))  # lines as they come
    assert b"\n".join(b for b, _ in got).split(b"\n") == lines
    assert sum(n for _, n in got) == len(lines)


def test_the_pipe_from_the_client_holds_a_block():
    import fcntl
    import os

    if not hasattr(fcntl, "F_GETPIPE_SZ"):
        pytest.skip("pipe sizes are Linux's")
    read, write = os.pipe()
    try:
        mysql_direct._widen_pipe(read)
        with open("/proc/sys/fs/pipe-max-size", encoding="ascii") as f:
            most = int(f.read())
        assert fcntl.fcntl(read, fcntl.F_GETPIPE_SZ) >= min(most, mysql_direct.BLOCK_BYTES)
    finally:
        os.close(read)
        os.close(write)
