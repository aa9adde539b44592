"""``MySQLHook`` (connection type ``mrkit_mysql``): mrkit's MySQL client (mr/clients/mysql.py)
for the server a Connection names. The password stays out of every command line: `mrkit
import|export mysql` get it in their environment (MRKIT_MYSQL_PASSWORD)."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseHook

from mr.airflow import settings
from mr.clients import mysql


class MySQLHook(BaseHook):
    conn_name_attr = "mysql_conn_id"
    default_conn_name = "mrkit_mysql_default"
    conn_type = "mrkit_mysql"
    hook_name = "mrkit MySQL"

    def __init__(self, mysql_conn_id: str = default_conn_name) -> None:
        super().__init__()
        self.mysql_conn_id = mysql_conn_id

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "relabeling": {"schema": "Database"},
            "placeholders": {"host": "127.0.0.1", "port": "3306", "extra": '{"socket": ""}'},
        }

    def settings(self) -> settings.MySQLSettings:
        return settings.mysql_settings(self.get_connection(self.mysql_conn_id))

    def server(self) -> mysql.Server:
        return mysql.parse_url(self.settings().url)

    def get_conn(self) -> Any:
        """A PyMySQL connection (mrkit's session settings: utf8mb4, UTC, no autocommit)."""
        s = self.settings()
        return mysql.connect(mysql.parse_url(s.url), password=s.password or "")

    def cli_args(self) -> list[str]:
        return ["--url", self.settings().url]

    def env(self) -> dict[str, str]:
        return self.settings().env()
