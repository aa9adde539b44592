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
- Directories in an input manifest. A job whose mapper reads whole files (``mapper_raw``, such
  as record_index) gets an "input manifest" of file URIs; mrjob writes a local directory into it
  as it is ("local paths are expected to be single files"), and the task then fails opening a
  directory. On the inline and local runners the manifest lists the directory's files instead,
  by the same rule as above.
- NLineInputFormat on the inline and local runners. mrjob's one-machine runners ignore a job's
  Hadoop input format and cut the input into about two splits per core, so a job whose map
  tasks each take one line of a small file (mr/mysql_import.py: one line per split of a MySQL
  table) got several lines in one task, or all of them. A job that sets
  ``mapreduce.input.lineinputformat.linespermap`` to 1 (NLineInputFormat's one line per map
  task, which it asks for on YARN) gets each line as its own map task here too.
- Spark step groups after the first. mrjob's Spark runner runs consecutive streaming steps with
  the same jobconf in one spark-submit, and starts another for a step whose jobconf differs
  (grep's second step sets ``mapreduce.job.reduces=1``). For that second submit it passes the
  harness ``--steps-desc`` with only that group's steps but ``--first-step-num`` counted over all
  the job's steps, and the harness slices again: it ran no step and copied the first step's
  output as the job's rows. The steps description here is the job's whole list, which is what
  the harness's numbering expects (applied by :func:`apply_spark` when a job runs on Spark).
- HDFS calls around a YARN job. mrjob's hadoop runner checks inputs, uploads the job's files,
  lists and reads the output and deletes its temporary directory with ``hadoop fs`` commands, a
  JVM each. With a NameNode configured (mr/lib/webhdfs.py), those calls go over WebHDFS
  (mr/lib/mrjob_webhdfs.py) and ``hadoop fs`` stays the fallback (other NameNodes, or WebHDFS
  unreachable). Applied by :func:`apply_hadoop` when a job runs on Hadoop.
"""

from __future__ import annotations

import json
import re
from typing import Any

import mrjob.logs.history
import mrjob.runner
import mrjob.sim
from mrjob.parse import is_uri

from mr.lib import jobconf
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


def _local(path: str) -> bool:
    return path != "-" and (not is_uri(path) or path.startswith("file:"))


_create_input_manifest = mrjob.runner.MRJobRunner._create_input_manifest_if_needed


def _create_input_manifest_if_needed(self: Any) -> None:
    if not isinstance(self, mrjob.sim.SimMRJobRunner):
        return _create_input_manifest(self)
    conf = self._jobconf_for_step(0)
    files = [
        path
        for given in self._get_input_paths()
        for path in (local_input_files(given, conf) if _local(given) else [given])
    ]
    self._get_input_paths = lambda: files  # the instance's, for the one call below
    try:
        return _create_input_manifest(self)
    finally:
        del self._get_input_paths


_sim_pick_mapper_split_size = mrjob.sim.SimMRJobRunner._pick_mapper_split_size


def _pick_mapper_split_size(self: Any, input_paths: list[str], step_num: int) -> int:
    if step_num == 0 and str(self._jobconf_for_step(0).get(jobconf.LINES_PER_MAP)) == "1":
        return 1  # a split ends after the first line that reaches one byte: every line
    return int(_sim_pick_mapper_split_size(self, input_paths, step_num))


def apply() -> None:
    """Install the fixes (idempotent)."""
    mrjob.logs.history._HISTORY_LOG_PATH_RE = HISTORY_LOG_PATH_RE
    mrjob.sim.SimMRJobRunner._input_paths_for_step = _input_paths_for_step
    mrjob.sim.SimMRJobRunner._pick_mapper_split_size = _pick_mapper_split_size
    mrjob.runner.MRJobRunner._create_input_manifest_if_needed = _create_input_manifest_if_needed


def _spark_script_args(self: Any, step_num: int, last_step_num: int | None = None) -> list[str]:
    import mrjob.spark.runner as spark

    args = list(_SPARK_SCRIPT_ARGS[0](self, step_num, last_step_num))
    if "--steps-desc" in args:
        at = args.index("--steps-desc") + 1
        args[at] = spark._emr_proof_steps_desc(json.dumps(self._get_steps()))
    return args


_SPARK_SCRIPT_ARGS: list[Any] = []


def apply_spark() -> None:
    """Install the Spark runner's fix (idempotent); imports mrjob's Spark runner, so only when
    a job runs on Spark."""
    import mrjob.spark.runner as spark

    if not _SPARK_SCRIPT_ARGS:
        _SPARK_SCRIPT_ARGS.append(spark.SparkMRJobRunner._spark_script_args)
        spark.SparkMRJobRunner._spark_script_args = _spark_script_args


def _hadoop_runner_fs(self: Any) -> Any:
    from mrjob.fs.composite import CompositeFilesystem
    from mrjob.fs.hadoop import HadoopFilesystem
    from mrjob.fs.local import LocalFilesystem

    from mr.lib.mrjob_webhdfs import job_filesystem, unreachable

    if self._fs is None:
        fs = CompositeFilesystem()
        webhdfs = job_filesystem()
        if webhdfs is not None:
            fs.add_fs("webhdfs", webhdfs, disable_if=unreachable)
        fs.add_fs("hadoop", HadoopFilesystem(self._opts["hadoop_bin"] or None))
        fs.add_fs("local", LocalFilesystem())
        self._fs = fs
    return self._fs


def apply_hadoop() -> None:
    """Install the hadoop runner's fix (idempotent); imports mrjob's hadoop runner, so only
    when a job runs on Hadoop."""
    import mrjob.hadoop

    mrjob.hadoop.HadoopJobRunner.fs = property(_hadoop_runner_fs)
