"""The direct path of `mrkit import mysql --direct`: the mysql client reads, the server formats.

Sqoop's direct mode for MySQL had each map task run mysqldump instead of reading through JDBC.
Here each map task runs the ``mariadb`` (or ``mysql``) client with ``--batch --quick`` on its
split's SELECT, wrapped so that every column is the expression of its field text
(mr/lib/sqlvalues.py direct_select_list): the server and the client write the lines as the
import's rules say, and the task finishes them in blocks of whole lines (NULLs, the escapes the
client does not make, floats: mr/lib/sqlvalues.py finish_client_tsv) and counts them. No row
passes through the driver or is parsed by Python, except the lines holding a NULL or a float.

The launcher side (:func:`plan_direct`) learns the columns' names and kinds from the source's
SELECT run on no rows, and (:func:`direct_sql`) makes each split's statement: the planned
SELECT, its parameters as literals (integers, or hex string literals: nothing to escape), as a
derived table under the select list of field expressions. A --query must give its columns
distinct names for that (MySQL's rule for a derived table).

Needs: the client on every node that runs a map task (``apt-get install mariadb-client``);
the password as for the driver (``$MRKIT_MYSQL_PASSWORD``, handed to the client as
``MYSQL_PWD``, or ``--option-file``, handed as ``--defaults-file``).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from mr.clients.mysql import CONNECT_TIMEOUT, SESSION_INIT, MySQLError, Server, raw_cursor
from mr.lib import config
from mr.lib.errors import UsageError
from mr.lib.sqlvalues import (
    column_kind,
    direct_select_list,
    finish_client_tsv,
    fix_float_fields,
    masks_carried,
    sql_text,
)

#: the client programs, in the order they are looked for
CLIENTS = ("mariadb", "mysql")
#: bytes read from the client at a time
BLOCK_BYTES = 1 << 20
#: the pipe from the client holds this much (at most; see _widen_pipe)
PIPE_BYTES = 4 << 20


class Columns(NamedTuple):
    """The source's result columns: names and kinds (mr/lib/sqlvalues.py column_kind)."""

    names: list[str]
    kinds: list[str]

    @property
    def carried(self) -> bool:
        """Whether a TSV line's NULL masks ride on its first field."""
        return masks_carried(self.kinds)

    @property
    def floats(self) -> list[int]:
        """The column numbers (0-based) whose fields the task rewrites."""
        return [i for i, k in enumerate(self.kinds) if k == "float"]


def plan_direct(conn: Any, probe: tuple[str, list[Any]]) -> Columns:
    """The columns of the source, from `probe`: its SELECT (driver parameters) with a
    predicate that holds for no row. UsageError if two columns share a name (a derived table
    cannot hold them)."""
    sql, params = probe
    cur = raw_cursor(conn)
    try:
        cur.execute(sql, list(params))
        fields = cur._result.fields
        cur.fetchall()
    finally:
        cur.close()
    names = [f.name for f in fields]
    seen: dict[str, str] = {}
    for name in names:
        if name.lower() in seen:
            raise UsageError(
                f"--direct reads the source as a derived table, whose columns need distinct "
                f"names, and two are called {name!r}: give each an alias (AS name)"
            )
        seen[name.lower()] = name
    return Columns(names, [column_kind(f.type_code, f.charsetnr) for f in fields])


def literal(value: Any) -> str:
    """A parameter as SQL text: integers as digits, strings as hex literals."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"a split parameter is an integer or a string, not {value!r}")
    return str(value) if isinstance(value, int) else sql_text(value)


def quote_column(name: str) -> str:
    """A result column's name (the server's) as an identifier."""
    return "`" + name.replace("`", "``") + "`"


def direct_sql(select: tuple[str, list[Any]], columns: Columns, fmt: str) -> str:
    """The statement a direct task runs: `select` (driver syntax: %s parameters, %% for %)
    with its parameters as literals, under the select list of the fields in `fmt`."""
    sql, params = select
    inner = sql % tuple(literal(p) for p in params)
    fields = direct_select_list(columns.kinds, [quote_column(n) for n in columns.names], fmt)
    return f"SELECT {fields} FROM ({inner}) AS mrkit_direct"


def client_binary() -> str:
    """The path of the mysql client; MySQLError saying how to install it if there is none."""
    for name in CLIENTS:
        found = shutil.which(name)
        if found:
            return found
    raise MySQLError(
        "--direct needs the mariadb (or mysql) client on every node that runs a map task: "
        "apt-get install mariadb-client (or import without --direct)"
    )


def client_command(server: Server, option_file: str | None = None, raw: bool = False) -> list[str]:
    """The client's command line, without the statement: batch output, escaped (TAB, LF,
    backslash and NUL) unless `raw`. No password on it (ps shows it)."""
    command = [
        client_binary(),
        f"--defaults-file={option_file}" if option_file else "--no-defaults",
        "--batch",
        *(["--raw"] if raw else []),
        "--skip-column-names",
        "--quick",
        "--skip-reconnect",
        "--default-character-set=utf8mb4",
        f"--connect-timeout={CONNECT_TIMEOUT}",
        f"--init-command={SESSION_INIT}",
        f"--user={server.user}",
    ]
    if server.socket:
        command.append(f"--socket={server.socket}")
    else:
        command += [f"--host={server.host}", f"--port={server.port}", "--protocol=TCP"]
    if server.database:
        command.append(f"--database={server.database}")
    return command


def client_env() -> dict[str, str]:
    """The client's environment: the password from $MRKIT_MYSQL_PASSWORD as MYSQL_PWD, and no
    MYSQL_PWD of the caller's (the driver would not use it either)."""
    env = dict(os.environ)
    env.pop("MYSQL_PWD", None)
    secret = config.mysql_password()
    if secret is not None:
        env["MYSQL_PWD"] = secret
    return env


def direct_blocks(
    statement: str,
    server: Server,
    fmt: str,
    width: int,
    floats: Sequence[int] = (),
    option_file: str | None = None,
    carried: bool = False,
) -> Iterator[tuple[bytes, int]]:
    """Run `statement` (direct_sql's, of `width` columns; `carried`: its NULL masks on the first
    field, mr/lib/sqlvalues.py masks_carried) with the client; yield blocks of
    whole lines in `fmt` (joined by newlines, no final one) and their line counts. MySQLError
    (the client's message) if it fails, also after some rows: the caller must not keep them."""
    if option_file is not None and not Path(option_file).is_file():
        raise UsageError(f"option file {option_file} does not exist")
    command = [*client_command(server, option_file, raw=fmt == "csv"), f"--execute={statement}"]
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, env=client_env())
        assert proc.stdout is not None
        _widen_pipe(proc.stdout.fileno())
        pieces: list[bytes] = []  # the bytes of a line not yet ended
        try:
            while data := proc.stdout.read(BLOCK_BYTES):
                cut = data.rfind(b"\n")
                if cut < 0:
                    pieces.append(data)
                    continue
                block = b"".join([*pieces, data[:cut]]) if pieces else data[:cut]
                pieces = [data[cut + 1 :]] if cut + 1 < len(data) else []
                rows = block.count(b"\n") + 1
                if fmt == "tsv":
                    block = finish_client_tsv(block, width, floats, carried)
                elif floats:
                    block = fix_float_fields(block, floats)
                yield block, rows
            code = proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if code != 0 or pieces:
            stderr.seek(0)
            raise MySQLError(_client_error(stderr.read(), code, server))


def _widen_pipe(fd: int) -> None:
    """Let the client run a block ahead of the task: a pipe holds 64 KiB, so the client (and
    the server behind it) stopped whenever the task finished a block. Linux only; the most an
    unprivileged process may ask for (/proc/sys/fs/pipe-max-size, 1 MiB by default)."""
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setpipe is None:
        return
    try:
        with open("/proc/sys/fs/pipe-max-size", encoding="ascii") as f:
            size = min(int(f.read()), PIPE_BYTES)
        fcntl.fcntl(fd, setpipe, size)
    except (OSError, ValueError):
        pass  # a smaller pipe is slower, not wrong


def _client_error(stderr: bytes, code: int, server: Server) -> str:
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    said = lines[-1].strip() if lines else "no message"
    if code == 0:
        said = "the output ends inside a row"
    return f"MySQL at {server.where()}: {said} (the mysql client of --direct, exit code {code})"
