"""``WebHdfsHook`` (connection type ``mrkit_webhdfs``): mrkit's WebHDFS client
(mr/clients/hdfs.py) for the NameNode(s) a Connection names; done-flag checks for the sensor
and its trigger. The connection's fields: mr/airflow/settings.py."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from airflow.sdk import BaseHook

from mr.airflow import settings
from mr.clients import hdfs
from mr.lib.publish import SUCCESS

#: the variable mrkit's HDFS lookup reads first (mr/lib/webhdfs.py)
WEBHDFS_URL_ENV = "MRKIT_WEBHDFS_URL"


class WebHdfsHook(BaseHook):
    """WebHDFS from a Connection; with no connection id, mrkit's own lookup (MRKIT_WEBHDFS_URL,
    the HdfsCLI alias, the cluster of `mrkit cluster up`)."""

    conn_name_attr = "webhdfs_conn_id"
    default_conn_name = "mrkit_webhdfs_default"
    conn_type = "mrkit_webhdfs"
    hook_name = "mrkit WebHDFS"

    def __init__(self, webhdfs_conn_id: str | None = default_conn_name) -> None:
        super().__init__()
        self.webhdfs_conn_id = webhdfs_conn_id

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["password"],
            "relabeling": {"login": "HDFS user", "schema": "http or https"},
            "placeholders": {
                "host": "namenode (or extra urls for HA)",
                "port": "9870",
                "extra": '{"urls": "http://nn1:9870;http://nn2:9870"}',
            },
        }

    def settings(self) -> settings.WebHdfsSettings | None:
        """The connection's NameNodes and user; None without a connection id."""
        if not self.webhdfs_conn_id:
            return None
        return settings.webhdfs_settings(self.get_connection(self.webhdfs_conn_id))

    def get_conn(self) -> hdfs.HDFS:
        found = self.settings()
        if found is None:
            return hdfs.client()
        return hdfs.client(url=found.url, user=found.user)

    def env(self) -> dict[str, str]:
        """The environment that points a `mrkit` subprocess at these NameNodes."""
        found = self.settings()
        if found is None:
            return {}
        env = {WEBHDFS_URL_ENV: found.url}
        if found.user:
            env["HADOOP_USER_NAME"] = found.user
        return env

    def missing(self, paths: str | Sequence[str], flag: str = SUCCESS) -> list[str]:
        """The done-flags of paths that are not there yet (empty: all done)."""
        return missing_flags(paths, flag, self.get_conn)


def missing_flags(
    paths: str | Sequence[str], flag: str, fs: Callable[[], hdfs.HDFS] | None = None
) -> list[str]:
    """The done-flags of paths that are not there yet: hdfs:// paths over WebHDFS (the client
    fs() makes, once, when one is needed; mrkit's default lookup without it), others on the
    local file system."""
    missing = []
    client = None
    for path in settings.split_paths(paths):
        target = settings.flag_path(path, flag)
        if settings.on_hdfs(path):
            client = client or (fs() if fs else hdfs.client())
            there = client.exists(hdfs.hdfs_path(target))
        else:
            there = os.path.exists(settings.local_path(target))
        if not there:
            missing.append(target)
    return missing
