"""Airflow Connections -> mrkit's client settings, and the command lines the hooks run: pure
functions, no Airflow import (tested where Airflow is not installed).

A connection is anything with Airflow's Connection attributes (``host``, ``port``, ``login``,
``password``, ``schema``, ``extra_dejson``).

- WebHDFS (``mrkit_webhdfs``): ``extra.urls``, a list or a ``;``-separated string of NameNode
  URLs (HA: mrkit's client tries each), else ``http://host:port`` (port 9870; ``schema`` https
  for TLS); ``login`` is the HDFS user.
- HBase Thrift (``mrkit_hbase``): ``host``, ``port`` (9090), ``extra.transport`` (buffered or
  framed), ``extra.protocol`` (binary or compact); a Kerberized gateway: ``extra.sasl`` (its
  ``hbase.thrift.security.qop``: auth, auth-int, auth-conf) and ``extra.sasl_service`` (its
  principal's first part, default hbase), the ticket being the worker's (``KRB5CCNAME``).
- MySQL (``mrkit_mysql``): ``host``, ``port`` (3306), ``login`` (root), ``schema`` (the
  database), ``extra.socket``; ``password`` goes to the ``mrkit`` subprocess in its
  environment (MRKIT_MYSQL_PASSWORD), never on its command line, where ``ps`` shows it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from mr.lib.config import (
    DEFAULT_HBASE_PORT,
    HBASE_SASL_CHOICES,
    HBASE_SASL_SERVICE_ENV,
    MYSQL_PASSWORD_ENV,
    THRIFT_PROTOCOLS,
    THRIFT_TRANSPORTS,
)
from mr.lib.defaults import HADOOP_PORT_DEFAULTS, RUNNERS
from mr.lib.errors import UsageError
from mr.lib.publish import SUCCESS
from mr.lib.uris import is_local, uri_path

DEFAULT_WEBHDFS_PORT = HADOOP_PORT_DEFAULTS["MRKIT_WEBHDFS_PORT"]
DEFAULT_MYSQL_PORT = 3306
TWIN_ENGINES = ("hive", "pig")


class ConnectionLike(Protocol):
    host: str | None
    port: int | None
    login: str | None
    password: str | None
    schema: str | None

    @property
    def extra_dejson(self) -> dict[str, Any]: ...


# -- WebHDFS -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebHdfsSettings:
    """NameNode URLs (more than one: HA) and the HDFS user."""

    urls: tuple[str, ...]
    user: str | None = None

    @property
    def url(self) -> str:
        """The form mrkit's client and MRKIT_WEBHDFS_URL take (``;`` between HA NameNodes)."""
        return ";".join(self.urls)


def webhdfs_settings(conn: ConnectionLike) -> WebHdfsSettings:
    extra = conn.extra_dejson or {}
    raw = extra.get("urls")
    if isinstance(raw, str):
        urls = [u.strip() for u in raw.split(";") if u.strip()]
    elif isinstance(raw, Sequence):
        urls = [str(u).strip() for u in raw if str(u).strip()]
    elif conn.host:
        scheme = "https" if (conn.schema or "").lower() == "https" else "http"
        host = conn.host if "://" not in conn.host else conn.host.split("://", 1)[1]
        urls = [f"{scheme}://{host}:{conn.port or DEFAULT_WEBHDFS_PORT}"]
    else:
        raise UsageError("a WebHDFS connection needs a host or extra 'urls' (NameNode URLs)")
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"WebHDFS URL {url!r}: expected http://host:port")
    return WebHdfsSettings(tuple(urls), conn.login or None)


# -- HBase Thrift --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HBaseSettings:
    host: str
    port: int = DEFAULT_HBASE_PORT
    transport: str = THRIFT_TRANSPORTS[0]
    protocol: str = THRIFT_PROTOCOLS[0]
    #: off, or the SASL qop of a Kerberized gateway, and its principal's service name
    sasl: str = "off"
    sasl_service: str | None = None

    def cli_args(self) -> list[str]:
        """The options of `mrkit index ...` for this server."""
        return [
            "--hbase-host",
            self.host,
            "--hbase-port",
            str(self.port),
            "--hbase-transport",
            self.transport,
            "--hbase-protocol",
            self.protocol,
            *(("--hbase-sasl", self.sasl) if self.sasl != "off" else ()),
        ]

    def env(self) -> dict[str, str]:
        """The environment of `mrkit index ...` for this server (the SASL service name)."""
        return {HBASE_SASL_SERVICE_ENV: self.sasl_service} if self.sasl_service else {}


def hbase_settings(conn: ConnectionLike) -> HBaseSettings:
    extra = conn.extra_dejson or {}
    transport = str(extra.get("transport") or THRIFT_TRANSPORTS[0])
    protocol = str(extra.get("protocol") or THRIFT_PROTOCOLS[0])
    if transport not in THRIFT_TRANSPORTS:
        raise UsageError(f"HBase transport {transport!r}: expected one of {THRIFT_TRANSPORTS}")
    if protocol not in THRIFT_PROTOCOLS:
        raise UsageError(f"HBase protocol {protocol!r}: expected one of {THRIFT_PROTOCOLS}")
    sasl = str(extra.get("sasl") or "off")
    if sasl not in HBASE_SASL_CHOICES:
        raise UsageError(f"HBase sasl {sasl!r}: expected one of {HBASE_SASL_CHOICES}")
    service = extra.get("sasl_service")
    if service is not None and not re.fullmatch(r"[A-Za-z0-9_.-]+", str(service)):
        raise UsageError(f"HBase sasl_service {service!r}: expected a service name (hbase)")
    return HBaseSettings(
        host=conn.host or "127.0.0.1",
        port=int(conn.port or DEFAULT_HBASE_PORT),
        transport=transport,
        protocol=protocol,
        sasl=sasl,
        sasl_service=str(service) if service else None,
    )


# -- MySQL ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MySQLSettings:
    """Where the server is (a URL without the password) and the password, kept apart."""

    url: str
    password: str | None = None

    def env(self) -> dict[str, str]:
        """The environment of a `mrkit` subprocess: the password, if any."""
        return {MYSQL_PASSWORD_ENV: self.password} if self.password is not None else {}

    def __repr__(self) -> str:  # never the password in a log line
        return f"MySQLSettings(url={self.url!r}, password={'***' if self.password else None})"


def mysql_settings(conn: ConnectionLike) -> MySQLSettings:
    from urllib.parse import quote

    extra = conn.extra_dejson or {}
    user = quote(conn.login or "root", safe="")
    database = conn.schema or ""
    socket = extra.get("socket")
    where = "" if socket else f"{conn.host or '127.0.0.1'}:{conn.port or DEFAULT_MYSQL_PORT}"
    query = f"?socket={socket}" if socket else ""
    return MySQLSettings(f"mysql://{user}@{where}/{database}{query}", conn.password or None)


# -- done-flags ----------------------------------------------------------------------------------


def flag_path(path: str, flag: str = SUCCESS) -> str:
    """The file that says a directory is done: ``path/_SUCCESS``, a dataset's own done-flag,
    or the directory itself when the flag is "" (Oozie's empty done-flag)."""
    return posixpath.join(path.rstrip("/") or "/", flag) if flag else path


def on_hdfs(path: str) -> bool:
    """Whether a sensor path is an HDFS path (``hdfs://...``); others are local."""
    return not is_local(path) and path.startswith("hdfs:")


def split_paths(paths: str | Sequence[str]) -> list[str]:
    return [paths] if isinstance(paths, str) else list(paths)


# -- command lines -------------------------------------------------------------------------------


def option_args(options: Mapping[str, Any] | None) -> list[str]:
    """A job's options as arguments: ``{"top": 3, "overwrite": True, "jobconf": ["a=1",
    "b=2"]}`` -> ``--top 3 --overwrite --jobconf a=1 --jobconf b=2`` (False and None: left
    out)."""
    args: list[str] = []
    for name, value in (options or {}).items():
        flag = "--" + name.replace("_", "-") if not name.startswith("-") else name
        values = value if isinstance(value, list | tuple) else [value]
        for one in values:
            if one is None or one is False:
                continue
            args += [flag] if one is True else [flag, str(one)]
    return args


def run_args(
    job: str,
    inputs: str | Sequence[str],
    output_dir: str,
    runner: str = "inline",
    options: Mapping[str, Any] | None = None,
    job_class: str | None = None,
    overwrite: bool = False,
) -> list[str]:
    """`mrkit run` arguments for a job name or a job file."""
    if runner not in RUNNERS:
        raise UsageError(f"runner {runner!r}: expected one of {', '.join(RUNNERS)}")
    if not output_dir:
        raise UsageError("a job operator needs an output_dir")
    args = ["run", job]
    if job_class:
        args += ["--class", job_class]
    args += [*split_paths(inputs), "-r", runner, "--output-dir", output_dir]
    if overwrite:
        args.append("--overwrite")
    return args + option_args(options)


def twin_args(
    engine: str,
    twin: str,
    input: str,
    output: str,
    params: Mapping[str, str | int | float] | None = None,
    cluster: bool = False,
    overwrite: bool = False,
) -> list[str]:
    """`mrkit hive|pig run` arguments; each parameter is one ``--var NAME=VALUE``, typed and
    checked against the script's header by mrkit before any JVM starts."""
    if engine not in TWIN_ENGINES:
        raise UsageError(f"twin engine {engine!r}: expected hive or pig")
    args = [engine, "run", twin, "--input", input, "--output", output]
    if cluster:
        args.append("--cluster")
    if overwrite:
        args.append("--overwrite")
    for name, value in (params or {}).items():
        if isinstance(value, bool):
            raise UsageError(f"twin parameter {name}: booleans have no Hive/Pig literal")
        args += ["--var", f"{name}={value}"]
    return args


def local_path(path: str) -> str:
    """The local path of a sensor path (``file:///a`` -> ``/a``)."""
    return uri_path(path)
