"""Fixes to mrjob 0.7.4 (its last release), applied once when ``mr.lib.job`` is imported.

- History logs of any user. mrjob finds a YARN job's history file (``.jhist``: which container
  ran each failed task attempt, hence where its stderr and the Python traceback are) only when
  the submitting user is called ``hadoop`` (EMR's user): its pattern is
  ``job_<id>-<time>-hadoop-...``. For every other user a failed job on YARN said only
  "subprocess failed with code 1". The pattern here accepts any user name.
- Hidden input files. mrjob's inline and local runners (``SimMRJobRunner._input_paths_for_step``,
  through ``LocalFilesystem.ls``) read every file under an input directory, at every level:
  ``_SUCCESS``, ``_logs/``, ``.crc`` and editors' ``.swp`` files too, which Hadoop's
  FileInputFormat skips (its hiddenFileFilter), and subdirectories that Hadoop refuses. The first
  step's input files are listed here by ``mr.lib.inputs.local_input_files`` instead, which lists
  them as Hadoop does; later steps read their ``part-*`` files as before.
"""

from __future__ import annotations

import re
from typing import Any

import mrjob.logs.history
import mrjob.sim

from mr.lib.inputs import local_input_files

#: job_<cluster>_<nnnn>-<submit time>-<user>-<job name>-...[.jhist]
HISTORY_LOG_PATH_RE = re.compile(
    r"^(?P<prefix>.*?/)(?P<job_id>job_\d+_\d{4})[_-]\d+[_-](?P<suffix>\S*)$"
)


_sim_input_paths_for_step = mrjob.sim.SimMRJobRunner._input_paths_for_step


def _input_paths_for_step(self: Any, step_num: int) -> list[str]:
    if step_num != 0:
        return list(_sim_input_paths_for_step(self, step_num))
    conf = self._jobconf_for_step(step_num)
    return [path for given in self._get_input_paths() for path in local_input_files(given, conf)]


def apply() -> None:
    """Install the fixes (idempotent)."""
    mrjob.logs.history._HISTORY_LOG_PATH_RE = HISTORY_LOG_PATH_RE
    mrjob.sim.SimMRJobRunner._input_paths_for_step = _input_paths_for_step
