"""``DoneFlagSensor``: waits for a directory's ``_SUCCESS`` (or a dataset's own done-flag, e.g.
``flag=dataset.flag`` of an mr.workflow.coordinator.Dataset) on HDFS or the local file system.
With ``deferrable=True`` the wait runs in the triggerer (mr.airflow.triggers.done_flag), so a
long wait holds no worker slot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseSensorOperator
from airflow.sdk.exceptions import AirflowException

from mr.airflow import settings
from mr.airflow.hooks.webhdfs import WebHdfsHook
from mr.airflow.triggers.done_flag import DoneFlagTrigger
from mr.lib.publish import SUCCESS


class DoneFlagSensor(BaseSensorOperator):
    """paths: one directory or several (local, ``file://`` or ``hdfs://``); all must be done.
    webhdfs_conn_id: an ``mrkit_webhdfs`` connection for hdfs:// paths (None: mrkit's default
    lookup). settle: seconds the trigger waits before its first poll (see DoneFlagTrigger)."""

    template_fields: Sequence[str] = ("paths", "flag")

    def __init__(
        self,
        *,
        paths: str | Sequence[str],
        flag: str = SUCCESS,
        webhdfs_conn_id: str | None = None,
        deferrable: bool = False,
        settle: float = 10.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.paths = paths
        self.flag = flag
        self.webhdfs_conn_id = webhdfs_conn_id
        self.deferrable = deferrable
        self.settle = settle

    def hook(self) -> WebHdfsHook:
        return WebHdfsHook(self.webhdfs_conn_id)

    def poke(self, context: Any) -> bool:
        missing = self.hook().missing(self.paths, self.flag)
        if missing:
            self.log.info("not done yet: %s", ", ".join(missing))
        return not missing

    def execute(self, context: Any) -> Any:
        if not self.deferrable:
            return super().execute(context)
        if self.poke(context):
            return None
        found = self.hook().settings()
        self.defer(
            trigger=DoneFlagTrigger(
                paths=settings.split_paths(self.paths),
                flag=self.flag,
                webhdfs_url=found.url if found else None,
                user=found.user if found else None,
                poke_interval=float(self.poke_interval),
                settle=self.settle,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=float(self.timeout)),
        )

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> None:
        if not event or event.get("status") != "done":
            raise AirflowException(f"the done-flag trigger ended without the flags: {event}")
        self.log.info("done: %s", ", ".join(event["paths"]))
