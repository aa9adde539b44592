"""``MrkitMySQLImportOperator`` and ``MrkitMySQLExportOperator``: ``mrkit import mysql`` (a
table or query into part files, Sqoop's way) and ``mrkit export mysql`` (a job's output into a
table, all or nothing), the server from an ``mrkit_mysql`` connection whose password reaches
the subprocess in its environment only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator

from mr.airflow import settings
from mr.airflow.hooks.jobs import MrkitHook
from mr.airflow.hooks.mysql import MySQLHook


class MrkitMySQLImportOperator(BaseOperator):
    """table or query (with $CONDITIONS), into target_dir (local or hdfs://). The other
    arguments: `mrkit import mysql --help`. Returns ``{"target_dir": ..., "counters": ...}``."""

    template_fields: Sequence[str] = ("table", "query", "target_dir", "last_value")

    def __init__(
        self,
        *,
        target_dir: str,
        table: str | None = None,
        query: str | None = None,
        mysql_conn_id: str = MySQLHook.default_conn_name,
        columns: str | None = None,
        split_by: str | None = None,
        num_mappers: int | None = None,
        format: str | None = None,
        direct: bool = False,
        overwrite: bool = False,
        incremental: str | None = None,
        check_column: str | None = None,
        last_value: str | None = None,
        runner: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if (table is None) == (query is None):
            raise ValueError("give table or query, not both")
        self.target_dir = target_dir
        self.table = table
        self.query = query
        self.mysql_conn_id = mysql_conn_id
        self.columns = columns
        self.split_by = split_by
        self.num_mappers = num_mappers
        self.format = format
        self.direct = direct
        self.overwrite = overwrite
        self.incremental = incremental
        self.check_column = check_column
        self.last_value = last_value
        self.runner = runner

    def execute(self, context: Any) -> dict[str, Any]:
        hook = MySQLHook(self.mysql_conn_id)
        options = {
            "table": self.table,
            "query": self.query,
            "columns": self.columns,
            "split_by": self.split_by,
            "num_mappers": self.num_mappers,
            "target_dir": self.target_dir,
            "format": self.format,
            "direct": self.direct,
            "overwrite": self.overwrite,
            "incremental": self.incremental,
            "check_column": self.check_column,
            "last_value": self.last_value,
            "runner": self.runner,
        }
        args = ["import", "mysql", *hook.cli_args(), *settings.option_args(options)]
        result = MrkitHook().run(args, env=hook.env())
        return {"target_dir": self.target_dir, "counters": result.total_counters()}


class MrkitMySQLExportOperator(BaseOperator):
    """path (a job's output directory or one file, local or hdfs://) into table. The other
    arguments: `mrkit export mysql --help`."""

    template_fields: Sequence[str] = ("path", "table")

    def __init__(
        self,
        *,
        path: str,
        table: str,
        mysql_conn_id: str = MySQLHook.default_conn_name,
        database: str | None = None,
        columns: str | None = None,
        update_key: str | None = None,
        format: str | None = None,
        max_bad_rows: int | None = None,
        batch_rows: int | None = None,
        allow_missing_success: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.path = path
        self.table = table
        self.mysql_conn_id = mysql_conn_id
        self.export_options = {
            "database": database,
            "columns": columns,
            "update_key": update_key,
            "format": format,
            "max_bad_rows": max_bad_rows,
            "batch_rows": batch_rows,
            "allow_missing_success": allow_missing_success,
            "progress": "never",
        }

    def execute(self, context: Any) -> dict[str, str]:
        hook = MySQLHook(self.mysql_conn_id)
        args = [
            "export",
            "mysql",
            self.path,
            "--table",
            self.table,
            *hook.cli_args(),
            *settings.option_args(self.export_options),
        ]
        MrkitHook().run(args, env=hook.env())
        return {"path": self.path, "table": self.table}
