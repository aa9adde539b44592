"""``DoneFlagTrigger``: waits in the triggerer (no worker slot held) until every path's
done-flag is there, polling WebHDFS (mrkit's client, in a thread: the triggerer's event loop
never blocks) or the local file system."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from mr.airflow.hooks.webhdfs import missing_flags
from mr.clients import hdfs
from mr.lib.publish import SUCCESS


class DoneFlagTrigger(BaseTrigger):
    """paths: local or hdfs:// directories; flag: the file that says one is done ("" = the
    directory itself); webhdfs_url/user: the NameNode(s) (``;`` for HA), None for mrkit's
    default lookup; settle: seconds before the first poll (the sensor has just looked).

    Why settle: Airflow 3.3.2's scheduler fails a deferred task whose trigger fires before the
    executor has reported the deferring attempt's exit (the stale "success" meets the resumed
    task queued again: apache/airflow#66374, #72716). Measured here: the exit was reported 5 s
    after the deferral on a loaded machine, the trigger had fired 4 s after it, and the task
    was marked failed. Waiting 10 s before the first poll keeps a flag that is already there
    from racing that report."""

    def __init__(
        self,
        paths: list[str],
        flag: str = SUCCESS,
        webhdfs_url: str | None = None,
        user: str | None = None,
        poke_interval: float = 5.0,
        settle: float = 10.0,
    ) -> None:
        super().__init__()
        self.paths = list(paths)
        self.flag = flag
        self.webhdfs_url = webhdfs_url
        self.user = user
        self.poke_interval = poke_interval
        self.settle = settle

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "paths": self.paths,
                "flag": self.flag,
                "webhdfs_url": self.webhdfs_url,
                "user": self.user,
                "poke_interval": self.poke_interval,
                "settle": self.settle,
            },
        )

    def _client(self) -> hdfs.HDFS:
        return hdfs.client(url=self.webhdfs_url, user=self.user)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        said: list[str] | None = None
        await asyncio.sleep(self.settle)
        while True:
            try:
                missing = await asyncio.to_thread(
                    missing_flags, self.paths, self.flag, self._client
                )
            except hdfs.HdfsUnavailable as e:
                # a NameNode that is down for a while: keep waiting (the sensor's timeout ends it)
                self.log.warning("%s; polling again in %ss", e, self.poke_interval)
                await asyncio.sleep(self.poke_interval)
                continue
            if not missing:
                yield TriggerEvent({"status": "done", "paths": self.paths, "flag": self.flag})
                return
            if missing != said:
                self.log.info("waiting for %s", ", ".join(missing))
                said = missing
            await asyncio.sleep(self.poke_interval)
