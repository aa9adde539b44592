"""``HBaseThriftHook`` (connection type ``mrkit_hbase``): mrkit's HBase index client
(mr/clients/hbase.py) for the Thrift server a Connection names (host, port, extra transport,
protocol, and for a Kerberized gateway sasl and sasl_service), and the same settings as `mrkit
index` options and environment."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseHook

from mr.airflow import settings
from mr.clients import hbase


class HBaseThriftHook(BaseHook):
    conn_name_attr = "hbase_conn_id"
    default_conn_name = "mrkit_hbase_default"
    conn_type = "mrkit_hbase"
    hook_name = "mrkit HBase Thrift"

    def __init__(self, hbase_conn_id: str = default_conn_name) -> None:
        super().__init__()
        self.hbase_conn_id = hbase_conn_id

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        return {
            "hidden_fields": ["login", "password", "schema"],
            "placeholders": {
                "host": "127.0.0.1",
                "port": "9090",
                "extra": '{"transport": "buffered", "protocol": "binary", "sasl": "off"}',
            },
        }

    def settings(self) -> settings.HBaseSettings:
        return settings.hbase_settings(self.get_connection(self.hbase_conn_id))

    def get_conn(self) -> hbase.Index:
        """An Index (a small pool of Thrift connections): close it, or use it in a with."""
        s = self.settings()
        return hbase.Index(
            host=s.host,
            port=s.port,
            transport=s.transport,
            protocol=s.protocol,
            sasl=s.sasl,
            sasl_service=s.sasl_service,
            pool_size=1,
        )

    def cli_args(self) -> list[str]:
        """`--hbase-host ... --hbase-sasl` for `mrkit index load`."""
        return self.settings().cli_args()

    def env(self) -> dict[str, str]:
        """The environment `mrkit index load` needs besides (the SASL service name)."""
        return self.settings().env()
