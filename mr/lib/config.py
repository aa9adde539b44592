"""Where mrkit keeps its state, and every environment variable that points a client at a server.

The engines of ``mrkit cluster up`` / ``mrkit hbase up`` write their state under one root
(``MRKIT_HOME``, default ``.cluster`` in a checkout, else ``~/.local/share/mrkit``), one folder
per engine; clients and jobs read the
files named here instead of importing the engines, so the layers stay one-way:

=========================  ==================================================================
``MRKIT_HOME``             root of the engines' state (jars, configs, data, logs, pid files);
                           default: <checkout>/.cluster, or $XDG_DATA_HOME/mrkit when installed
``MRJOB_CONF``             mrjob's own: the runner config (default: the cluster's, else the repo's)
``MRKIT_WEBHDFS_URL``      WebHDFS of the NameNode (``http://host:9870``; ``;``-separated for HA)
``MRKIT_HDFS_ALIAS``       an alias of the HdfsCLI config (``HDFSCLI_CONFIG`` or ~/.hdfscli.cfg)
``MRKIT_HBASE_HOST``       the HBase Thrift server's host (default 127.0.0.1)
``MRKIT_HBASE_THRIFT_PORT``  its port (default 9090)
``MRKIT_HBASE_TRANSPORT``  its Thrift transport: buffered (default) or framed
``MRKIT_HBASE_PROTOCOL``   its Thrift protocol: binary (default) or compact
``MRKIT_HBASE_SASL``       SASL/GSSAPI to it with this qop: auth, auth-int, auth-conf (its
                           ``hbase.thrift.security.qop``); off (default): a plain connection
``MRKIT_HBASE_SASL_SERVICE``  the first part of its Kerberos principal (default hbase)
``MRKIT_MYSQL_URL``        the MySQL/MariaDB server of mrkit export/import:
                           ``mysql://user@host:port/database`` (no password in it); default:
                           ``mysql://root@127.0.0.1:<MRKIT_MYSQL_PORT>/``, the `mrkit mysql up` one
``MRKIT_MYSQL_PORT``       the port of `mrkit mysql up`'s MariaDB (default 3307, beside a
                           system MySQL's 3306)
``MRKIT_MYSQL_PASSWORD``   the MySQL password (never on a command line, where ps shows it)
``MRKIT_BIND_HOST``        the address every engine of `mrkit ... up` listens on (default
                           127.0.0.1, this machine only; ``--bind-host`` of each ``up``)
``MRKIT_AUTH``             ``simple`` or ``kerberos``: how clients authenticate (default: the
                           Hadoop client configuration's; mr/lib/auth.py)
``MRKIT_PRINCIPAL``        the principal a refusal tells the user to kinit as
``MRKIT_KEYTAB``           its keytab, for the user's own ``kinit -kt`` (mrkit never reads it)
``MRKIT_WEBHDFS_CA``       the CA file that signs a Kerberized NameNode's HTTPS certificate
``MRKIT_SECURE_*_PORT``    the ports of ``mrkit cluster up --secure`` (mr/lib/defaults.py)
=========================  ==================================================================
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path

from mr.lib.errors import UsageError

#: the directory that holds the ``mr`` package: what PYTHONPATH needs for ``import mr``
PACKAGE_PARENT = Path(__file__).resolve().parents[2]
#: whether mr runs from a checkout of the repo (hive/, pig/, scripts/, setup.cfg beside mr/)
IS_CHECKOUT = (PACKAGE_PARENT / "setup.cfg").is_file() and (PACKAGE_PARENT / "hive").is_dir()
#: where the repo's fixed top level is: hive/ and pig/ (the twins), scripts/ (the engines' poms,
#: the hadoop launcher, the HBase gateway) and mrjob.conf. A checkout's own; an installed wheel
#: carries them as mr/_bundle (setup.py copies them there when the wheel is built).
RESOURCE_ROOT = PACKAGE_PARENT if IS_CHECKOUT else PACKAGE_PARENT / "mr" / "_bundle"
REPO_MRJOB_CONF = RESOURCE_ROOT / "mrjob.conf"

HBASE_HOST_ENV = "MRKIT_HBASE_HOST"
HBASE_PORT_ENV = "MRKIT_HBASE_THRIFT_PORT"
HBASE_TRANSPORT_ENV = "MRKIT_HBASE_TRANSPORT"
HBASE_PROTOCOL_ENV = "MRKIT_HBASE_PROTOCOL"
HBASE_SASL_ENV = "MRKIT_HBASE_SASL"
HBASE_SASL_SERVICE_ENV = "MRKIT_HBASE_SASL_SERVICE"
#: --hbase-sasl: off, or the SASL quality of protection the server asks for
HBASE_SASL_CHOICES = ("off", "auth", "auth-int", "auth-conf")
DEFAULT_HBASE_HOST = "127.0.0.1"
DEFAULT_HBASE_PORT = 9090
MYSQL_URL_ENV = "MRKIT_MYSQL_URL"
MYSQL_PORT_ENV = "MRKIT_MYSQL_PORT"
MYSQL_PASSWORD_ENV = "MRKIT_MYSQL_PASSWORD"
#: not 3306, so that it never clashes with a MySQL or MariaDB the system runs (Debian's
#: mariadb-server package starts one there)
DEFAULT_MYSQL_PORT = 3307
#: the Thrift settings happybase and HBase's ThriftServer support; HBase's defaults first (its
#: `-threadpool` server). Servers started with `-f`/`-c` (framed, compact) are common in 2.x.
THRIFT_TRANSPORTS = ("buffered", "framed")
THRIFT_PROTOCOLS = ("binary", "compact")
BIND_HOST_ENV = "MRKIT_BIND_HOST"
#: loopback: the engines have no authentication worth the name (simple auth believes any user
#: name), so by default nothing but this machine reaches them
DEFAULT_BIND_HOST = "127.0.0.1"
#: what listening on every interface is spelled as (the engines' clients connect to 127.0.0.1)
WILDCARD_HOSTS = ("0.0.0.0", "::")
_HOST_NAME = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*"
)


#: the environment variable naming the root of the engines' state
STATE_ROOT_ENV = "MRKIT_HOME"


def state_root() -> Path:
    """The root of the engines' state (not created here): $MRKIT_HOME; else a checkout's
    .cluster; else, for an installed mrkit, $XDG_DATA_HOME/mrkit (~/.local/share/mrkit).
    scripts/hadoop/bin/hadoop applies the same rule."""
    if os.environ.get(STATE_ROOT_ENV):
        return Path(os.environ[STATE_ROOT_ENV])
    if IS_CHECKOUT:
        return PACKAGE_PARENT / ".cluster"
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "mrkit"


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


def bind_host(value: str | None = None) -> str:
    """The address the engines listen on: `value` (a --bind-host), else $MRKIT_BIND_HOST, else
    127.0.0.1. UsageError unless it is an IP address or a host name: it goes into the engines'
    configuration files and command lines."""
    raw = value if value is not None else os.environ.get(BIND_HOST_ENV) or DEFAULT_BIND_HOST
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        pass
    if len(raw) > 253 or not _HOST_NAME.fullmatch(raw):
        where = "--bind-host" if value is not None else BIND_HOST_ENV
        raise UsageError(f"{where}={raw!r} is not an IP address or a host name")
    return raw


def connect_host(bind: str) -> str:
    """Where a client on this machine reaches a server that listens on `bind`: 127.0.0.1 for
    every interface (0.0.0.0, ::), else the address itself."""
    return "127.0.0.1" if bind in WILDCARD_HOSTS else bind


def use_bind_host(value: str | None) -> None:
    """Make a `--bind-host` the engines' setting (checked first), for this process and the
    engines it starts."""
    if value is not None:
        os.environ[BIND_HOST_ENV] = bind_host(value)


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


def hbase_sasl() -> str:
    """SASL/GSSAPI to the HBase Thrift server: $MRKIT_HBASE_SASL (a qop) or off."""
    return _choice(HBASE_SASL_ENV, HBASE_SASL_CHOICES)


def hbase_sasl_service() -> str:
    """The service name of the Thrift server's principal: $MRKIT_HBASE_SASL_SERVICE or hbase."""
    service = os.environ.get(HBASE_SASL_SERVICE_ENV) or "hbase"
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", service):
        raise UsageError(f"{HBASE_SASL_SERVICE_ENV}={service!r} is not a service name")
    return service


def _choice(env: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(env) or choices[0]
    if value not in choices:
        raise UsageError(f"{env}={value!r}: expected one of {', '.join(choices)}")
    return value


def mysql_port() -> int:
    """The port of `mrkit mysql up`'s MariaDB: $MRKIT_MYSQL_PORT or 3307; UsageError if it is
    not a port number."""
    raw = os.environ.get(MYSQL_PORT_ENV) or str(DEFAULT_MYSQL_PORT)
    try:
        port = int(raw)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise UsageError(f"{MYSQL_PORT_ENV}={raw!r} is not a port number")
    return port


def mysql_socket() -> Path:
    """The unix socket of `mrkit mysql up`'s MariaDB (in its state directory)."""
    return state_root() / "mariadb" / "mysqld.sock"


def mysql_url() -> str:
    """The MySQL server clients talk to: $MRKIT_MYSQL_URL, else `mrkit mysql up`'s MariaDB."""
    return os.environ.get(MYSQL_URL_ENV) or f"mysql://root@127.0.0.1:{mysql_port()}/"


def mysql_password() -> str | None:
    """The MySQL password from $MRKIT_MYSQL_PASSWORD (None when unset)."""
    return os.environ.get(MYSQL_PASSWORD_ENV)
