"""Fixes to mrjob 0.7.4 (its last release), applied once when ``mr.lib.job`` is imported.

- History logs of any user. mrjob finds a YARN job's history file (``.jhist``: which container
  ran each failed task attempt, hence where its stderr and the Python traceback are) only when
  the submitting user is called ``hadoop`` (EMR's user): its pattern is
  ``job_<id>-<time>-hadoop-...``. For every other user a failed job on YARN said only
  "subprocess failed with code 1". The pattern here accepts any user name.
"""

from __future__ import annotations

import re

import mrjob.logs.history

#: job_<cluster>_<nnnn>-<submit time>-<user>-<job name>-...[.jhist]
HISTORY_LOG_PATH_RE = re.compile(
    r"^(?P<prefix>.*?/)(?P<job_id>job_\d+_\d{4})[_-]\d+[_-](?P<suffix>\S*)$"
)


def apply() -> None:
    """Install the fixes (idempotent)."""
    mrjob.logs.history._HISTORY_LOG_PATH_RE = HISTORY_LOG_PATH_RE
