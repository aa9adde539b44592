"""``MrkitIndexLoadOperator``: TSV rows into an HBase table (``mrkit index load``, the
load_hbase job), the Thrift server from an ``mrkit_hbase`` connection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator

from mr.airflow import settings
from mr.airflow.hooks.hbase import HBaseThriftHook
from mr.airflow.hooks.jobs import MrkitHook


class MrkitIndexLoadOperator(BaseOperator):
    """Returns ``{table: rows loaded}``. row_key_cols, columns, batch_size, max_versions,
    format, runner: as `mrkit index load --help` says."""

    template_fields: Sequence[str] = ("table", "inputs")

    def __init__(
        self,
        *,
        table: str,
        inputs: str | Sequence[str],
        hbase_conn_id: str = HBaseThriftHook.default_conn_name,
        row_key_cols: str | None = None,
        columns: str | None = None,
        batch_size: int | None = None,
        max_versions: int | None = None,
        format: str | None = None,
        runner: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.table = table
        self.inputs = inputs
        self.hbase_conn_id = hbase_conn_id
        self.load_options = {
            "row_key_cols": row_key_cols,
            "columns": columns,
            "batch_size": batch_size,
            "max_versions": max_versions,
            "format": format,
            "runner": runner,
        }

    def execute(self, context: Any) -> dict[str, int]:
        hook = HBaseThriftHook(self.hbase_conn_id)
        args = [
            "index",
            "load",
            *hook.cli_args(),
            *settings.option_args(self.load_options),
            self.table,
            *settings.split_paths(self.inputs),
        ]
        return MrkitHook.loaded_rows(MrkitHook().run(args, env=hook.env()))
