"""MySQL and MariaDB over PyMySQL: where the server is, connecting, names and errors.

- Where: a URL, ``mysql://user@host:port/database`` (``mysql://user@/database?socket=/path``
  for a unix socket), parsed here only (:func:`parse_url`); the default is ``MRKIT_MYSQL_URL``,
  else `mrkit mysql up`'s MariaDB (mr.lib.config.mysql_url). A password is never part of a URL
  or a command line (ps shows both): it comes from ``MRKIT_MYSQL_PASSWORD`` or from an option
  file (``[client]`` group, as the mysql command reads it).
- Every session is set the same way on connect: ``time_zone = '+00:00'`` (TIMESTAMP values are
  read and written in UTC, mr/lib/sqlvalues.py), a strict ``sql_mode`` (a value that does not
  fit is an error, never silently cut), utf8mb4, no autocommit.
- Names: a table or column name from a user reaches SQL only through :func:`quote_name`, which
  accepts ``[A-Za-z0-9_$]``, 1 to 64 characters, not all digits, and backtick-quotes it; values
  are always driver parameters.
- Errors: :class:`MySQLError`, one line saying what to do (the CLI prints it, exit code 1);
  a bad name is a UsageError (exit code 2).

Why PyMySQL: pure Python (no compiler, no libmysqlclient-dev, one wheel for every Python
3.10-3.13), so it installs anywhere pip does and ships to YARN task nodes the way `mr` does.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pymysql
import pymysql.cursors
from pymysql.constants import CLIENT

from mr.lib import config
from mr.lib.errors import UsageError
from mr.lib.sqlvalues import Column

#: what every session runs on connect (see the module docstring)
SQL_MODE = (
    "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
    "NO_ENGINE_SUBSTITUTION"
)
SESSION_INIT = f"SET time_zone = '+00:00', sql_mode = '{SQL_MODE}'"
NAME_PATTERN = re.compile(r"[A-Za-z0-9_$]{1,64}")
CONNECT_TIMEOUT = 10

# server error numbers this module turns into a message
ER_ACCESS_DENIED = 1045
ER_DBACCESS_DENIED = 1044
ER_BAD_DB = 1049
ER_NO_SUCH_TABLE = 1146
CR_CONN_HOST_ERROR = 2003
CR_CONNECTION_ERROR = 2002


class MySQLError(RuntimeError):
    """The server cannot be reached, refuses us, or refuses a statement; one line for the user."""


@dataclass(frozen=True)
class Server:
    """Where a MySQL server is and who we are there (no password: see the module docstring)."""

    host: str = "127.0.0.1"
    port: int = 3306
    user: str = "root"
    database: str = ""
    socket: str = ""

    @property
    def url(self) -> str:
        """The URL this came from (or would have)."""
        where = f"{self.host}:{self.port}" if not self.socket else ""
        query = f"?socket={self.socket}" if self.socket else ""
        return f"mysql://{self.user}@{where}/{self.database}{query}"

    def where(self) -> str:
        return self.socket or f"{self.host}:{self.port}"


def parse_url(url: str) -> Server:
    """A Server from ``mysql://user@host:port/database`` (port 3306 if left out; ``?socket=PATH``
    for a unix socket); UsageError for anything else, and for a URL with a password in it."""
    parts = urlsplit(url)
    if parts.scheme not in ("mysql", "mariadb"):
        raise UsageError(f"{url!r} is not a MySQL URL (mysql://user@host:port/database)")
    if parts.password is not None:
        raise UsageError(
            "a MySQL URL must not hold the password (ps shows command lines): set "
            f"{config.MYSQL_PASSWORD_ENV} or use an option file"
        )
    try:
        port = parts.port or 3306
    except ValueError:
        raise UsageError(f"{url!r}: the port is not a number") from None
    query = parse_qs(parts.query)
    unknown = set(query) - {"socket"}
    if unknown:
        raise UsageError(f"{url!r}: unknown parameter {sorted(unknown)[0]!r} (only socket=PATH)")
    database = unquote(parts.path.lstrip("/"))
    if database:
        check_name(database, "database")
    return Server(
        host=parts.hostname or "127.0.0.1",
        port=port,
        user=unquote(parts.username or "root"),
        database=database,
        socket=query.get("socket", [""])[0],
    )


def default_server() -> Server:
    """The server named by $MRKIT_MYSQL_URL, else `mrkit mysql up`'s MariaDB."""
    return parse_url(config.mysql_url())


def check_name(name: str, what: str = "table") -> str:
    """`name` if it is a plain MySQL name (letters, digits, _ and $; 1-64; not all digits);
    UsageError otherwise. Nothing else from a user becomes part of a statement."""
    if not NAME_PATTERN.fullmatch(name) or name.isdigit():
        raise UsageError(
            f"{name!r} is not a {what} name mrkit accepts (letters, digits, _ and $, "
            "at most 64, not only digits)"
        )
    return name


def quote_name(name: str, what: str = "table") -> str:
    """`name` checked (check_name) and in backticks, ready for a statement."""
    return f"`{check_name(name, what)}`"


def check_names(text: str, what: str = "column") -> list[str]:
    """``a,b,c`` -> ['a', 'b', 'c'], each checked; UsageError for an empty item or a repeat."""
    names = [check_name(n.strip(), what) for n in text.split(",")]
    seen = {n.lower() for n in names}
    if len(seen) != len(names):
        raise UsageError(f"{text!r} names a {what} twice")
    return names


def describe(error: pymysql.err.MySQLError, server: Server) -> str:
    """One line for a driver error: what happened and what to do."""
    code = error.args[0] if error.args and isinstance(error.args[0], int) else 0
    text = error.args[1] if len(error.args) > 1 else str(error)
    if code in (CR_CONN_HOST_ERROR, CR_CONNECTION_ERROR):
        return (
            f"cannot connect to MySQL at {server.where()} (is it running? `mrkit mysql up` "
            f"starts mrkit's own; {config.MYSQL_URL_ENV} or --url names another)"
        )
    if code in (ER_ACCESS_DENIED, ER_DBACCESS_DENIED):
        return (
            f"access denied at {server.where()}: {text} (the password comes from "
            f"{config.MYSQL_PASSWORD_ENV} or --option-file)"
        )
    return f"MySQL at {server.where()}: {text}" + (f" (error {code})" if code else "")


@contextlib.contextmanager
def errors(server: Server) -> Iterator[None]:
    """Driver errors inside become MySQLError with a one-line message."""
    try:
        yield
    except pymysql.err.MySQLError as e:
        raise MySQLError(describe(e, server)) from e


def connect(
    server: Server | None = None,
    password: str | None = None,
    option_file: str | Path | None = None,
    database: str | None = None,
    local_infile: bool = False,
) -> pymysql.connections.Connection[Any]:
    """A connection set up as the module docstring says. The password: the argument, else
    $MRKIT_MYSQL_PASSWORD, else the option file's, else none."""
    server = server or default_server()
    if database is not None:
        server = replace(server, database=check_name(database, "database") if database else "")
    if option_file is not None and not Path(option_file).is_file():
        raise UsageError(f"option file {option_file} does not exist")
    kwargs: dict[str, Any] = {}
    secret = password if password is not None else config.mysql_password()
    if secret is not None:
        kwargs["password"] = secret
    if option_file is not None:
        kwargs["read_default_file"] = str(option_file)
    if server.socket:
        kwargs["unix_socket"] = server.socket
    with errors(server):
        return pymysql.connect(
            host=server.host,
            port=server.port,
            user=server.user,
            database=server.database or None,
            charset="utf8mb4",
            autocommit=False,
            init_command=SESSION_INIT,
            connect_timeout=CONNECT_TIMEOUT,
            local_infile=local_infile,
            client_flag=CLIENT.FOUND_ROWS,
            **kwargs,
        )


def answers(server: Server | None = None, password: str | None = None) -> str | None:
    """The server's version if it answers a query, else None."""
    try:
        conn = connect(server, password=password)
    except (MySQLError, UsageError):
        return None
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT VERSION()")
            row = cur.fetchone()
        return str(row[0]) if row else None
    except pymysql.err.MySQLError:
        return None
    finally:
        conn.close()


def raw_cursor(conn: Any) -> Any:
    """A streaming cursor whose values are the server's text (bytes for binary columns): the
    driver converts nothing (no float, no Decimal, no datetime), mr/lib/sqlvalues.py does."""
    conn.decoders = {}  # PyMySQL's per-type converters, read at each result: none
    return conn.cursor(pymysql.cursors.SSCursor)


def current_database(conn: pymysql.connections.Connection[Any]) -> str:
    """The connection's database; UsageError when it has none."""
    with conn.cursor() as cur:
        cur.execute("SELECT DATABASE()")
        row = cur.fetchone()
    if not row or not row[0]:
        raise UsageError("no database: name it in the URL (mysql://user@host:port/DATABASE)")
    return str(row[0])


COLUMNS_QUERY = """
SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE,
       CHARACTER_MAXIMUM_LENGTH, CHARACTER_OCTET_LENGTH, DATETIME_PRECISION, IS_NULLABLE,
       EXTRA
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s
ORDER BY ORDINAL_POSITION
"""


def table_columns(conn: pymysql.connections.Connection[Any], table: str) -> list[Column]:
    """The columns of a table in the connection's database, in order (generated ones too,
    marked); MySQLError if there is no such table."""
    database = current_database(conn)
    with conn.cursor() as cur:
        cur.execute(COLUMNS_QUERY, (database, check_name(table)))
        rows = cur.fetchall()
    if not rows:
        raise MySQLError(f"table {database}.{table} does not exist")
    return [
        Column(
            name=str(name),
            data_type=str(data_type).lower(),
            unsigned="unsigned" in str(column_type).lower(),
            precision=precision,
            scale=scale,
            char_length=char_length,
            octet_length=octet_length,
            fsp=fsp,
            nullable=nullable == "YES",
            generated="GENERATED" in str(extra).upper(),
        )
        for (name, data_type, column_type, precision, scale, char_length, octet_length, fsp,
             nullable, extra) in rows
    ]  # fmt: skip


def unique_keys(conn: pymysql.connections.Connection[Any], table: str) -> list[set[str]]:
    """The column sets of a table's PRIMARY KEY and UNIQUE indexes (lower-case names)."""
    database = current_database(conn)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS "
            "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s AND NON_UNIQUE = 0",
            (database, check_name(table)),
        )
        keys: dict[str, set[str]] = {}
        for index, column in cur.fetchall():
            keys.setdefault(str(index), set()).add(str(column).lower())
    return list(keys.values())


def table_engine(conn: pymysql.connections.Connection[Any], table: str) -> str:
    """The storage engine of a table (InnoDB, MyISAM, Aria ...)."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT ENGINE FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
            (current_database(conn), check_name(table)),
        )
        row = cur.fetchone()
    return str(row[0]) if row and row[0] else ""
