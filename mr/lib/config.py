"""Where mrkit keeps its state, and every environment variable that points a client at a server.

The engines of ``mrkit cluster up`` / ``mrkit hbase up`` write their state under one root
(``MRKIT_HOME``, default ``<repo>/.cluster``), one folder per engine; clients and jobs read the
files named here instead of importing the engines, so the layers stay one-way:

=========================  ==================================================================
``MRKIT_HOME``             root of the engines' state (jars, configs, data, logs, pid files)
``MRJOB_CONF``             mrjob's own: the runner config (default: the cluster's, else the repo's)
``MRKIT_WEBHDFS_URL``      WebHDFS of the NameNode (``http://host:9870``; ``;``-separated for HA)
``MRKIT_HDFS_ALIAS``       an alias of the HdfsCLI config (``HDFSCLI_CONFIG`` or ~/.hdfscli.cfg)
``MRKIT_HBASE_HOST``       the HBase Thrift server's host (default 127.0.0.1)
``MRKIT_HBASE_THRIFT_PORT``  its port (default 9090)
``MRKIT_HBASE_TRANSPORT``  its Thrift transport: buffered (default) or framed
``MRKIT_HBASE_PROTOCOL``   its Thrift protocol: binary (default) or compact
=========================  ==================================================================
"""

from __future__ import annotations

import os
from pathlib import Path

from mr.lib.errors import UsageError

REPO_ROOT = Path(__file__).resolve().parents[2]
REPO_MRJOB_CONF = REPO_ROOT / "mrjob.conf"

HBASE_HOST_ENV = "MRKIT_HBASE_HOST"
HBASE_PORT_ENV = "MRKIT_HBASE_THRIFT_PORT"
HBASE_TRANSPORT_ENV = "MRKIT_HBASE_TRANSPORT"
HBASE_PROTOCOL_ENV = "MRKIT_HBASE_PROTOCOL"
DEFAULT_HBASE_HOST = "127.0.0.1"
DEFAULT_HBASE_PORT = 9090
#: the Thrift settings happybase and HBase's ThriftServer support; HBase's defaults first (its
#: `-threadpool` server). Servers started with `-f`/`-c` (framed, compact) are common in 2.x.
THRIFT_TRANSPORTS = ("buffered", "framed")
THRIFT_PROTOCOLS = ("binary", "compact")


def state_root() -> Path:
    """The root of the engines' state: $MRKIT_HOME, else <repo>/.cluster (not created here)."""
    return Path(os.environ.get("MRKIT_HOME") or REPO_ROOT / ".cluster")


def cluster_mrjob_conf() -> Path:
    """The mrjob.conf that `mrkit cluster up` writes while its cluster runs."""
    return state_root() / "hadoop" / "mrjob.conf"


def cluster_hdfscli_config() -> Path:
    """The HdfsCLI config (alias ``mrkit``) that `mrkit cluster up` writes while it runs."""
    return state_root() / "hadoop" / "hdfscli.cfg"


def default_mrjob_conf() -> Path:
    """The cluster's mrjob.conf while `mrkit cluster up` runs, else the repo's mrjob.conf."""
    conf = cluster_mrjob_conf()
    return conf if conf.exists() else REPO_MRJOB_CONF


def use_default_mrjob_conf() -> None:
    """Point MRJOB_CONF at default_mrjob_conf() unless the user set it."""
    conf = default_mrjob_conf()
    if conf.exists():
        os.environ.setdefault("MRJOB_CONF", str(conf))


def hbase_host() -> str:
    """The HBase Thrift server's host: $MRKIT_HBASE_HOST or 127.0.0.1."""
    return os.environ.get(HBASE_HOST_ENV, DEFAULT_HBASE_HOST)


def hbase_port() -> int:
    """The HBase Thrift server's port: $MRKIT_HBASE_THRIFT_PORT or 9090."""
    return int(os.environ.get(HBASE_PORT_ENV, DEFAULT_HBASE_PORT))


def hbase_transport() -> str:
    """The Thrift transport of the HBase server: $MRKIT_HBASE_TRANSPORT or buffered."""
    return _choice(HBASE_TRANSPORT_ENV, THRIFT_TRANSPORTS)


def hbase_protocol() -> str:
    """The Thrift protocol of the HBase server: $MRKIT_HBASE_PROTOCOL or binary."""
    return _choice(HBASE_PROTOCOL_ENV, THRIFT_PROTOCOLS)


def _choice(env: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(env) or choices[0]
    if value not in choices:
        raise UsageError(f"{env}={value!r}: expected one of {', '.join(choices)}")
    return value
