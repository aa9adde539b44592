"""Where the NameNode's WebHDFS is: one answer for ``mrkit hdfs`` and for jobs.

Which NameNode (first that applies), for ``mrkit hdfs`` (mr/clients/hdfs.py) and for jobs:

1. a URL given, or ``MRKIT_WEBHDFS_URL`` (``http://host:9870``; ``url1;url2`` for HA);
2. an alias given, or ``MRKIT_HDFS_ALIAS``: an alias of the HdfsCLI config (``HDFSCLI_CONFIG``
   or ``~/.hdfscli.cfg``; ``[NAME.alias]`` with ``url`` and ``user``);
3. the cluster started by ``mrkit cluster up`` (its state in ``.cluster/hadoop``);
4. ``default.alias`` of the HdfsCLI config.

How the client authenticates (a user name, or SPNEGO with a Kerberos ticket over HTTPS) is
mr/lib/auth.py's answer, not this module's.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from mr.lib.config import cluster_hdfscli_config


class HdfsError(RuntimeError):
    """An HDFS operation failed; the message says which path and why."""


class HdfsUnavailable(HdfsError):
    """The NameNode's WebHDFS does not answer; the message names its URL."""


def webhdfs_source(url: str | None = None, alias: str | None = None) -> tuple[str, Any]:
    """(where the client comes from, an ``hdfs.Client`` from the HdfsCLI config or None when
    the source is a URL); HdfsUnavailable when nothing is configured."""
    from hdfs.config import Config
    from hdfs.util import HdfsError as LibHdfsError

    url = url or os.environ.get("MRKIT_WEBHDFS_URL")
    if url:
        return url, None
    alias = alias or os.environ.get("MRKIT_HDFS_ALIAS")
    config = Config()
    if alias:
        try:
            return f"alias {alias} in {config.path}", config.get_client(alias)
        except LibHdfsError as e:
            raise HdfsError(f"HdfsCLI alias {alias!r}: {e}") from None
    cluster = cluster_hdfscli_config()  # written by `mrkit cluster up` while it runs
    if cluster.exists():
        try:
            source = f"the cluster of `mrkit cluster up` ({cluster})"
            return source, Config(str(cluster)).get_client()
        except LibHdfsError as e:
            raise HdfsError(f"HdfsCLI config {cluster}: {e}") from None
    try:
        return f"default alias in {config.path}", config.get_client()
    except LibHdfsError:
        raise HdfsUnavailable(
            "no HDFS configured: start one with `mrkit cluster up`, or set MRKIT_WEBHDFS_URL "
            "(http://namenode:9870) or an alias in ~/.hdfscli.cfg (MRKIT_HDFS_ALIAS)"
        ) from None


def raw_client(url: str | None = None, alias: str | None = None, user: str | None = None) -> Any:
    """An ``hdfs.Client`` for the configured NameNode (webhdfs_source's order), authenticated
    as mr/lib/auth.py decides: a Kerberized cluster gets SPNEGO with the user's ticket (no
    ticket: auth.NoTicket) and never a user name; an open one the user name (``user``, else the
    OS user)."""
    from hdfs import Client, InsecureClient

    from mr.lib import auth

    source, configured = webhdfs_source(url, alias)
    if auth.is_kerberos():
        # the alias's URL, with mrkit's session instead of the alias's own client class
        where = configured.url if configured is not None else source
        return Client(where, session=auth.webhdfs_session(), timeout=30)
    if configured is None:
        configured = InsecureClient(source, user=user or getpass.getuser(), timeout=30)
    return configured


def file_status(client: Any, path: str) -> dict[str, Any] | None:
    """WebHDFS's FileStatus of a path, None when it does not exist. Not the hdfs package's
    ``status(strict=False)``, which answers None for every error: a path that a secure cluster
    refuses to show (Permission denied) looked missing."""
    from hdfs.util import HdfsError as LibHdfsError

    try:
        status: dict[str, Any] = client.status(path, strict=True)
    except LibHdfsError as e:
        if getattr(e, "exception", None) == "FileNotFoundException":
            return None
        raise
    return status


def default_fs() -> str | None:
    """The default file system (``fs.defaultFS``, ``hdfs://host:port``) of the Hadoop client
    configuration jobs use: $HADOOP_CONF_DIR's, else the one `mrkit cluster up` writes; None
    when neither says."""
    conf_dir = os.environ.get("HADOOP_CONF_DIR")
    return _fs_default_of(Path(conf_dir) if conf_dir else cluster_conf_dir())


def cluster_conf_dir() -> Path:
    """The client configuration `mrkit cluster up` writes for its cluster."""
    from mr.lib.config import state_root

    return state_root() / "hadoop" / "conf"


def namenode_of_source(source: str) -> str | None:
    """The ``fs.defaultFS`` of the NameNode a webhdfs_source() answer names, when it is known:
    that of the cluster of `mrkit cluster up` (its own client configuration); None for a URL or
    an alias, which say nothing of their NameNode's RPC address."""
    if source.startswith("the cluster of `mrkit cluster up`"):
        return _fs_default_of(cluster_conf_dir())
    return None


def _fs_default_of(conf: Path) -> str | None:
    import xml.etree.ElementTree as ET

    site = conf / "core-site.xml"
    if not site.is_file():
        return None
    try:
        root = ET.parse(site).getroot()
    except ET.ParseError:
        return None
    for prop in root.iter("property"):
        if prop.findtext("name") == "fs.defaultFS":
            return (prop.findtext("value") or "").strip() or None
    return None
