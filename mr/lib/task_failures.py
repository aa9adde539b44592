"""A failing task names the input record it was on: Hadoop shows a user only the task's stderr.

:class:`NamedFailures` is mixed into every job mrkit runs: its own (``MRKitJob``) and a user's
MRJob under ``mrkit run job.py`` (mr/lib/user_jobs.py), in the tasks as well as inline. It
adds one line to stderr before the task's traceback, ``mrkit: mapper of step 1 failed on input
record 3 of hdfs:///in/a.txt: b'...'``, and changes nothing else.
"""

from __future__ import annotations

from typing import Any

from mrjob.job import MRJob

from mr.lib import jobconf


class NamedFailures(MRJob):
    """map_pairs/combine_pairs/reduce_pairs that name the record a failing task was on."""

    def map_pairs(self, pairs: Any, step_num: int = 0) -> Any:
        return self._naming_failed_record(super().map_pairs, pairs, step_num, "mapper")

    def combine_pairs(self, pairs: Any, step_num: int = 0) -> Any:
        return self._naming_failed_record(super().combine_pairs, pairs, step_num, "combiner")

    def reduce_pairs(self, pairs: Any, step_num: int = 0) -> Any:
        return self._naming_failed_record(super().reduce_pairs, pairs, step_num, "reducer")

    def _naming_failed_record(self, run: Any, pairs: Any, step_num: int, role: str) -> Any:
        tracked = _TrackedPairs(pairs)
        try:
            yield from run(tracked, step_num=step_num)
        except Exception:
            self.stderr.write(tracked.describe(role, step_num).encode("utf-8") + b"\n")
            self.stderr.flush()
            raise


class _TrackedPairs:
    """An iterator over a task's (key, value) input pairs that remembers where it is."""

    def __init__(self, pairs: Any):
        self._pairs = iter(pairs)
        self.last: tuple[Any, Any] | None = None
        self.number = 0
        self.done = False

    def __iter__(self) -> _TrackedPairs:
        return self

    def __next__(self) -> tuple[Any, Any]:
        try:
            self.last = next(self._pairs)
        except StopIteration:
            self.done = True
            raise
        self.number += 1
        return self.last

    def describe(self, role: str, step_num: int) -> str:
        """One line for stderr: which input record the failing task was on."""
        where = f"mrkit: {role} of step {step_num + 1} failed"
        if self.last is None:
            return f"{where} before its first input record"
        if self.done:
            where += " after its last input record"
        key, value = self.last
        if role == "mapper":
            source = jobconf.get(jobconf.MAP_INPUT_FILE) or "its input"
            record = value if key is None else self.last
            return f"{where} on input record {self.number} of {source}: {_short(record)}"
        return f"{where} on key {_short(key)} (input record {self.number})"


def _short(value: Any, limit: int = 500) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"
