"""A live status line for a job run on a terminal: which step, and on YARN how far its map and
reduce tasks are, with the time it has taken.

Runs are quiet (mr/lib/job.py): mrjob's progress records reach the user only with ``-v``. On a
terminal, :class:`JobStatus` reads those records instead and keeps one line on stderr up to date,
``word_count: step 1/2, map 50% reduce 0% [00:12]``; it is gone when the run ends. The lines a
quiet run does print (counters, warnings, errors) clear it first, and it comes back under them.
Nothing of this reaches a pipe or a file.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from typing import IO

_STEP = re.compile(r"Running step (\d+) of (\d+)")
_PERCENT = re.compile(r"^\s*map\s+(\d+)%\s+reduce\s+(\d+)%\s*$")

#: the status lines being shown (one per running job launcher)
ACTIVE: list[JobStatus] = []


class JobStatus(logging.Handler):
    """A logging handler on mrjob's logger that turns its progress records into one live line."""

    def __init__(self, job: str, stream: IO[str] | None = None, tick: float = 1.0) -> None:
        super().__init__(logging.INFO)
        self.job = job
        #: the level of the logger before start() (restored by stop())
        self.saved_level = logging.NOTSET
        self.step = ""
        self.percent = ""
        # imported here: a run that shows no status line (stderr not a terminal) never needs it
        from tqdm import tqdm

        self.bar = tqdm(total=None, desc=f"{job}: starting", bar_format="{desc} [{elapsed}]",
                        file=stream or sys.stderr, leave=False, dynamic_ncols=True)  # fmt: skip
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._ticker = threading.Thread(target=self._tick, args=(tick,), daemon=True)
        self._ticker.start()

    @property
    def text(self) -> str:
        """What the line says, without the time."""
        return str(self.bar.desc)

    def _tick(self, every: float) -> None:
        while not self._stop.wait(every):
            with self._lock:
                self.bar.refresh()  # the elapsed time moves on between records

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        step = _STEP.search(message)
        percent = _PERCENT.match(message)
        if step:
            self.step, self.percent = f"step {step[1]}/{step[2]}", ""
        elif percent:
            self.percent = f"map {percent[1]}% reduce {percent[2]}%"
        else:
            return
        where = ", ".join(part for part in (self.step, self.percent) if part)
        with self._lock:
            self.bar.set_description_str(f"{self.job}: {where}")

    def clear(self) -> None:
        """Take the line away for a moment (another line is about to be printed)."""
        with self._lock:
            self.bar.clear()

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        with self._lock:
            self.bar.close()
        super().close()


def start(job: str, logger: str = "mrjob") -> JobStatus | None:
    """Show a status line for a run of job when stderr is a terminal; None otherwise."""
    if not sys.stderr.isatty():
        return None
    status = JobStatus(job)
    log = logging.getLogger(logger)
    status.saved_level = log.level
    if log.getEffectiveLevel() > logging.INFO:  # mrjob's logging not set up: hear its progress
        log.setLevel(logging.INFO)
    log.addHandler(status)
    ACTIVE.append(status)
    return status


def stop(status: JobStatus | None, logger: str = "mrjob") -> None:
    """End a status line that start() began (None: nothing to do)."""
    if status is None:
        return
    log = logging.getLogger(logger)
    log.removeHandler(status)
    log.setLevel(status.saved_level)
    if status in ACTIVE:
        ACTIVE.remove(status)
    status.close()


def clear_all() -> None:
    """Take every status line away for a moment (a log line is about to be printed)."""
    for status in ACTIVE:
        status.clear()
