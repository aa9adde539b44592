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
- Splits on the inline and local runners. mrjob cuts the map input into about two splits per
  core and the sorted reduce input into two per reducer by reading every line in Python and
  writing it to the task's file again (a second or more for 40 MB), so a job with as many
  distinct keys as a dictionary (word_count over real text) spent more time there than in its
  tasks. Here the cuts are found by seeking (a split ends with the line that holds its last
  byte, and a reduce split never cuts a run of one key, as before) and the bytes are copied by
  the kernel (``os.copy_file_range``): the same splits, made faster. mrkit's own jobs also get
  one split per core (``num_cores``) instead of two, since a second wave of tasks paid their
  start-up again and, for a reducer, the keys they share (:func:`one_split_per_core`, which
  ``MRKitJob`` calls on its runners); any other MRJob keeps mrjob's two, because a job whose
  rows depend on its tasks (a count per task) would give other rows. Compressed input and
  input manifests are split by mrjob as before.
- Forked tasks on the local runner. mrjob starts every task of ``-r local`` as a new Python
  (``python job.py --mapper``), which imports mrjob and the job again: about 0.13 CPU
  seconds of each task (a 10 MB word count, two maps and two reduces: 1.37-1.43 CPU s with new
  Pythons, 0.83-0.88 with forks, at a load average of 7). For mrkit's own jobs
  whose tasks would run the launcher's own Python on the job's own file (no setup wrapper,
  command or pre-filter, no input manifest), each task is a ``fork()`` of mrjob's pool worker
  that runs the job class's task in the child, with the task's working directory, environment,
  argv and stdin/stdout/stderr files, as the new Python would (:func:`fork_tasks`, which
  ``MRKitJob`` calls). Splits, sort, partitioning, counters and a failing task's stderr and exit
  code are mrjob's, unchanged; a task's ``mr`` package is the launcher's, not the copy shipped
  in its working directory (a ``python_bin`` of another Python, or mrjob's bootstrap, still
  starts one per task, as before). Forks share the launcher's hash seed.
- Spark step groups after the first. mrjob's Spark runner runs consecutive streaming steps with
  the same jobconf in one spark-submit, and starts another for a step whose jobconf differs
  (grep's second step sets ``mapreduce.job.reduces=1``). For that second submit it passes the
  harness ``--steps-desc`` with only that group's steps but ``--first-step-num`` counted over all
  the job's steps, and the harness slices again: it ran no step and copied the first step's
  output as the job's rows. The steps description here is the job's whole list, which is what
  the harness's numbering expects (applied by :func:`apply_spark` when a job runs on Spark).
  With a local master the Spark runner keeps step and counter output in ``$TMPDIR/<job
  key>-spark``, which mrjob's clean-up never removed; it is removed with the job's other
  temporary files now, and so is its HDFS twin on a YARN master.
- Spark on YARN. With ``--spark-master yarn`` spark-submit gets HADOOP_CONF_DIR, the Spark
  jars' archive on HDFS and settings for the mini cluster (mr/lib/spark_yarn.py), and mrjob's
  HDFS calls go over WebHDFS, as for the hadoop runner below.
- HDFS calls around a YARN job. mrjob's hadoop runner checks inputs, uploads the job's files,
  lists and reads the output and deletes its temporary directory with ``hadoop fs`` commands, a
  JVM each. With a NameNode configured (mr/lib/webhdfs.py), those calls go over WebHDFS
  (mr/lib/mrjob_webhdfs.py) and ``hadoop fs`` stays the fallback (other NameNodes, or WebHDFS
  unreachable). Applied by :func:`apply_hadoop` when a job runs on Hadoop.
- Directory archives. A job ships the ``mr`` package (and a job's own directories, such as
  PyMySQL for mr/mysql_import.py) to its tasks as a ``.tar.gz`` that mrjob builds again on every
  run, at gzip's slowest level: 0.2 s of a small job's time on the local runner. Here an archive
  is built once per content (the SHA-256 of its files' names and bytes, read each run) at gzip
  level 1, kept in ``archive_cache_dir()``, and copied into the job's temporary directory; a
  change to any file makes another. The inline and local runners also unpacked each archive
  for every step (0.17 s for ``mr`` and PyMySQL); a cached archive is unpacked once, beside it,
  and the step's cache entry is a symlink to that tree.
- Refusals of a plain MRJob. The input rules above refuse a subdirectory (as Hadoop does)
  with mrkit's ``UsageError``, raised inside mrjob's runner; a job that is not an ``MRKitJob``
  (whose launcher reports it already) says it in one line on stderr with exit code 2 instead
  of a traceback (``MRJob.run_job`` is wrapped).
- pyspark at start-up. ``mrjob.bin`` (every runner) imports pyspark, when it is installed, only
  to look for ``spark-submit`` beside it: 0.07-0.15 s of every job's launcher. It is imported
  here with pyspark hidden, and :func:`apply_spark` hands it pyspark when a job runs on Spark.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import traceback
from collections.abc import Callable, Iterator
from functools import partial
from typing import IO, Any

import mrjob.job
import mrjob.logs.history
import mrjob.runner
import mrjob.sim
from mrjob.cat import is_compressed
from mrjob.parse import is_uri

from mr.lib import jobconf, spark_yarn
from mr.lib.errors import UsageError
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


#: set on a runner by one_split_per_core()
_ONE_SPLIT_PER_CORE = "_mrkit_one_split_per_core"


def one_split_per_core(runner: Any) -> Any:
    """Give a runner's tasks one split per core instead of mrjob's two (mrkit's own jobs, see
    the module docstring); the runner."""
    setattr(runner, _ONE_SPLIT_PER_CORE, True)
    return runner


def _splits_per_core(runner: Any) -> int:
    return 1 if getattr(runner, _ONE_SPLIT_PER_CORE, False) else 2


_sim_pick_mapper_split_size = mrjob.sim.SimMRJobRunner._pick_mapper_split_size


def _pick_mapper_split_size(self: Any, input_paths: list[str], step_num: int) -> int:
    if step_num == 0 and str(self._jobconf_for_step(0).get(jobconf.LINES_PER_MAP)) == "1":
        return 1  # a split ends after the first line that reaches one byte: every line
    if _splits_per_core(self) != 1:
        return int(_sim_pick_mapper_split_size(self, input_paths, step_num))
    # one split per core (mrjob's aims at two); compressed files are a split each
    compressed = sum(1 for path in input_paths if _compressed(path))
    size = sum(os.stat(path).st_size for path in input_paths if not _compressed(path))
    return size // max(self._num_mappers(step_num) - compressed, 1)


def line_ranges(
    f: IO[bytes], split_size: int, key: Callable[[bytes], bytes] | None = None
) -> Iterator[tuple[int, int]]:
    """(start, end) byte ranges of whole lines of `f`, each ending with the line that holds its
    byte number start + split_size - 1 (mrjob's rule: the line that makes the split reach
    split_size bytes) or, with `key`, with the last line whose key is that line's (a run of one
    key is never cut). An empty file is one empty range, as mrjob makes one task of it."""
    size = os.fstat(f.fileno()).st_size
    start = 0
    while True:
        end = min(start + max(split_size, 1), size)
        if end < size:
            f.seek(end - 1)
            last = f.readline()
            end = f.tell()
            if key is not None and end < size:
                # the line holding byte end-1 may have started before it: its whole text
                f.seek(_line_start(f, end - len(last)))
                run = key(f.readline())
                while (line := f.readline()) and key(line) == run:
                    end = f.tell()
        yield start, end
        start = end
        if start >= size:
            return


def _line_start(f: IO[bytes], at: int) -> int:
    """The offset of the line that holds byte `at` (the byte after the last newline before)."""
    pos = at
    while pos > 0:
        step = min(pos, 65536)
        f.seek(pos - step)
        chunk = f.read(step)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            return pos - step + newline + 1
        pos -= step
    return 0


def copy_range(src: IO[bytes], dest: IO[bytes], start: int, length: int) -> None:
    """Copy `length` bytes of `src` from `start` to the end of `dest`, in the kernel where it
    can (Linux's copy_file_range), else through a buffer."""
    dest.flush()
    offset = start
    left = length
    copy = getattr(os, "copy_file_range", None)
    while left > 0 and copy is not None:
        try:
            done = copy(src.fileno(), dest.fileno(), left, offset)
        except OSError:  # another filesystem or kernel: copy through a buffer
            break
        if done == 0:
            break
        offset += done
        left -= done
    src.seek(offset)
    while left > 0:
        chunk = src.read(min(left, 1 << 20))
        if not chunk:
            break
        dest.write(chunk)
        left -= len(chunk)


_sim_split_mapper_input = mrjob.sim.SimMRJobRunner._split_mapper_input


def _split_mapper_input(self: Any, input_paths: Any, step_num: int) -> list[dict[str, Any]]:
    input_paths = list(input_paths)
    if (step_num == 0 and self._uses_input_manifest()) or any(map(_compressed, input_paths)):
        return list(_sim_split_mapper_input(self, input_paths, step_num))
    split_size = self._pick_mapper_split_size(input_paths, step_num)
    dests = self._yield_split_fileobjs("mapper", step_num)
    splits = []
    for path in input_paths:
        with open(path, "rb") as src:
            for start, end in line_ranges(src, split_size):
                with next(dests) as dest:
                    copy_range(src, dest, start, end - start)
                splits.append({"file": path, "start": start, "length": end - start})
    return splits


#: job classes of the runners whose tasks are forked (fork_tasks), by runner id; filled in the
#: launcher before mrjob's pool forks its workers, which find the class here (nothing pickled)
_FORKED_JOBS: dict[int, type] = {}


def fork_tasks(runner: Any, job_cls: type) -> Any:
    """Run a local runner's tasks as forks of the launcher instead of new Pythons (see the
    module docstring: "Forked tasks"); the runner. Other runners are left as they are."""
    # the pool's workers must be forks too, to find the class in _FORKED_JOBS
    import mrjob.local  # here, not at the top: only a local run needs it

    if not _local_invoke_task_func:
        _local_invoke_task_func.append(mrjob.local.LocalMRJobRunner._invoke_task_func)
        mrjob.local.LocalMRJobRunner._invoke_task_func = _invoke_task_func
    if (
        isinstance(runner, mrjob.local.LocalMRJobRunner)
        and hasattr(os, "fork")
        and multiprocessing.get_start_method() == "fork"
    ):
        runner._mrkit_forked_job = job_cls
        _FORKED_JOBS[id(runner)] = job_cls
    return runner


_local_invoke_task_func: list[Callable[..., Any]] = []  # mrjob's, saved by fork_tasks()


def _invoke_task_func(self: Any, task_type: str, step_num: int, task_num: int) -> Any:
    job_cls: type | None = getattr(self, "_mrkit_forked_job", None)
    if job_cls is None or _FORKED_JOBS.get(id(self)) is not job_cls:
        return _local_invoke_task_func[0](self, task_type, step_num, task_num)
    if not _forkable(self, job_cls, task_type, step_num):
        return _local_invoke_task_func[0](self, task_type, step_num, task_num)
    argv = self._substep_args(step_num, task_type)  # [python, script, --step-num=N, --mapper..]
    return partial(
        _run_forked_task, id(self), task_type, step_num, task_num, argv, self._num_steps()
    )


def _forkable(runner: Any, job_cls: type, task_type: str, step_num: int) -> bool:
    """Whether the task would run ``sys.executable job_cls's-file ARGS`` and nothing more."""
    substep = runner._get_step(step_num).get(task_type) or {}
    if substep.get("type") != "script" or "pre_filter" in substep:
        return False
    if runner._setup_wrapper_script_path or (
        step_num == 0 and task_type == "mapper" and runner._uses_input_manifest()
    ):
        return False
    if runner._task_python_bin() != [sys.executable]:
        return False
    module_file = getattr(sys.modules.get(job_cls.__module__), "__file__", None)
    return bool(module_file) and os.path.realpath(str(module_file)) == os.path.realpath(
        runner._script_path
    )


def _run_forked_task(
    runner_id: int,
    task_type: str,
    step_num: int,
    task_num: int,
    argv: list[str],
    num_steps: int,
    stdin: IO[bytes],
    stdout: IO[bytes],
    stderr: IO[bytes],
    wd: str,
    env: dict[str, str],
) -> None:
    """mrjob's _invoke_task_in_subprocess, with a fork that runs the task instead of a new
    Python; a task that exits non-zero fails as mrjob's would (the same reason)."""
    job_cls = _FORKED_JOBS[runner_id]
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    pid = os.fork()
    if pid == 0:  # the task: never returns, never runs the launcher's atexit clean-up
        code = 1
        try:
            code = _task_in_child(job_cls, argv[1:], stdin, stdout, stderr, wd, env)
        finally:
            os._exit(code)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if code != 0:
        from mrjob.local import _TaskFailedException

        raise _TaskFailedException(
            reason=str(subprocess.CalledProcessError(code, argv)),
            step_num=step_num,
            num_steps=num_steps,
            task_type=task_type,
            task_num=task_num,
        )


def _task_in_child(
    job_cls: type,
    argv: list[str],
    stdin: IO[bytes],
    stdout: IO[bytes],
    stderr: IO[bytes],
    wd: str,
    env: dict[str, str],
) -> int:
    """Run the task in this (forked) process as ``python SCRIPT ARGS`` would; its exit code."""
    for fd, f in enumerate((stdin, stdout, stderr)):
        os.dup2(f.fileno(), fd)
    # fresh streams on the task's files (the launcher's may hold buffered bytes)
    sys.stdin = io.TextIOWrapper(open(0, "rb", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(open(1, "wb", closefd=False), encoding="utf-8")
    sys.stderr = io.TextIOWrapper(
        open(2, "wb", closefd=False), encoding="utf-8", errors="backslashreplace"
    )
    code = 0
    try:
        os.chdir(wd)
        os.environ.clear()
        os.environ.update(env)
        sys.argv = argv
        sys.path[0] = os.path.dirname(os.path.abspath(argv[0]))
        job_cls(argv[1:]).execute()
    except SystemExit as e:
        if isinstance(e.code, int) or e.code is None:
            code = e.code or 0
        else:
            print(e.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    try:
        sys.stdout.flush()
    except OSError:
        traceback.print_exc()
        code = code or 1
    sys.stderr.flush()
    return code


def _compressed(path: str) -> bool:
    return bool(is_compressed(path))


def _split_reducer_input(self: Any, step_num: int) -> int:
    path = self._sorted_reducer_input_path(step_num)
    split_size = os.stat(path).st_size // (self._num_reducers(step_num) * _splits_per_core(self))
    dests = self._yield_split_fileobjs("reducer", step_num)
    tasks = 0
    with open(path, "rb") as src:
        for start, end in line_ranges(src, split_size, key=_reducer_key):
            with next(dests) as dest:
                copy_range(src, dest, start, end - start)
            tasks += 1
    return tasks


def _reducer_key(line: bytes) -> bytes:
    return line.rstrip(b"\r\n").split(b"\t", 1)[0]


#: archives kept in the cache (the newest by use); an old one is made again if needed
ARCHIVE_CACHE_KEEP = 16


def archive_cache_dir() -> str:
    """Where built directory archives are kept: ``$XDG_CACHE_HOME/mrkit/archives`` (default
    ``~/.cache``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mrkit", "archives")


def archive_members(dir_path: str) -> list[tuple[str, str]]:
    """(path on disk, name in the archive) of every file under `dir_path`, sorted by name, as
    mrjob archives a directory (its files at every level, symlinks followed)."""
    members = []
    for root, dirs, files in os.walk(dir_path, followlinks=True):
        dirs.sort()
        for name in files:
            path = os.path.join(root, name)
            members.append((path, os.path.relpath(path, dir_path)))
    return sorted(members, key=lambda m: m[1])


def archive_digest(members: list[tuple[str, str]]) -> str:
    """The SHA-256 of the members' names and bytes (the cache key)."""
    digest = hashlib.sha256()
    for path, name in members:
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        with open(path, "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    return digest.hexdigest()


_mrjob_create_dir_archive = mrjob.runner.MRJobRunner._create_dir_archive


def _create_dir_archive(self: Any, dir_path: str) -> None:
    if is_uri(dir_path) or not os.path.isdir(dir_path):
        _mrjob_create_dir_archive(self, dir_path)  # remote, or mrjob's own error
        return
    tar_gz_path = self._dir_archive_path(dir_path)
    if tar_gz_path in self._dir_archives_created:
        return
    members = archive_members(dir_path)
    cache = archive_cache_dir()
    cached = os.path.join(cache, archive_digest(members) + ".tar.gz")
    if not os.path.exists(cached):
        os.makedirs(cache, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=cache, prefix=".building-", suffix=".tar.gz")
        try:
            with (
                os.fdopen(fd, "wb") as raw,
                tarfile.open(fileobj=raw, mode="w:gz", compresslevel=1) as tar,
            ):
                for path, name in members:
                    tar.add(path, name, recursive=False)
            os.replace(temp, cached)  # whole or not at all, also with two builders at once
        except BaseException:
            os.unlink(temp)
            raise
        _prune(cache)
    os.makedirs(os.path.dirname(tar_gz_path), exist_ok=True)
    shutil.copyfile(cached, tar_gz_path)
    os.utime(cached)  # used: the last to be pruned
    _CACHED_COPIES[os.path.realpath(tar_gz_path)] = cached
    self._dir_archives_created.add(tar_gz_path)


#: a job's copy of an archive -> the cached archive it is a copy of
_CACHED_COPIES: dict[str, str] = {}
_mrjob_unarchive = mrjob.sim.unarchive


def _unarchive(archive_path: str, dest: str) -> None:
    """mrjob's unarchive for the simulated distributed cache: a copy of a cached archive is
    a symlink to the tree unpacked (once) beside it."""
    cached = _CACHED_COPIES.get(os.path.realpath(archive_path))
    if cached is None or not os.path.exists(cached):
        _mrjob_unarchive(archive_path, dest)
        return
    tree = cached[: -len(".tar.gz")] + ".d"
    if not os.path.isdir(tree):
        temp = tempfile.mkdtemp(dir=os.path.dirname(cached), prefix=".unpacking-")
        _mrjob_unarchive(cached, temp)
        try:
            os.rename(temp, tree)
        except OSError:  # another run unpacked it first
            shutil.rmtree(temp, ignore_errors=True)
    os.symlink(tree, dest)


def _prune(cache: str) -> None:
    entries = [e for e in os.scandir(cache) if e.name.endswith(".tar.gz")]
    entries.sort(key=lambda e: e.stat().st_mtime, reverse=True)
    for old in entries[ARCHIVE_CACHE_KEEP:]:
        try:
            os.unlink(old.path)
        except FileNotFoundError:
            pass  # pruned by another run
        shutil.rmtree(old.path[: -len(".tar.gz")] + ".d", ignore_errors=True)


def import_bin_without_pyspark() -> None:
    """Import mrjob.bin (once) as if pyspark were not installed (see the module docstring)."""
    if "mrjob.bin" in sys.modules:
        return
    hidden = "pyspark" not in sys.modules
    if hidden:
        sys.modules["pyspark"] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        importlib.import_module("mrjob.bin")
    finally:
        if hidden:
            del sys.modules["pyspark"]


_mrjob_run_job = mrjob.job.MRJob.run_job


def _run_job(self: Any) -> None:
    try:
        _mrjob_run_job(self)
    except UsageError as e:
        prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "mrjob"
        print(f"{prog}: error: {e}", file=sys.stderr)
        sys.exit(2)


def apply() -> None:
    """Install the fixes (idempotent)."""
    import_bin_without_pyspark()
    mrjob.job.MRJob.run_job = _run_job
    mrjob.runner.MRJobRunner._create_dir_archive = _create_dir_archive
    mrjob.sim.unarchive = _unarchive
    mrjob.logs.history._HISTORY_LOG_PATH_RE = HISTORY_LOG_PATH_RE
    mrjob.sim.SimMRJobRunner._input_paths_for_step = _input_paths_for_step
    mrjob.sim.SimMRJobRunner._pick_mapper_split_size = _pick_mapper_split_size
    mrjob.sim.SimMRJobRunner._split_mapper_input = _split_mapper_input
    mrjob.sim.SimMRJobRunner._split_reducer_input = _split_reducer_input
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
    import mrjob.bin
    import mrjob.spark.runner as spark

    try:
        pyspark: Any = importlib.import_module("pyspark")
    except ImportError:
        pyspark = None
    mrjob.bin.pyspark = pyspark  # spark-submit may be beside it
    if not _SPARK_SCRIPT_ARGS:
        _SPARK_SCRIPT_ARGS.append(spark.SparkMRJobRunner._spark_script_args)
        spark.SparkMRJobRunner._spark_script_args = _spark_script_args
        _SPARK_CLEANUP.append(spark.SparkMRJobRunner._cleanup_local_tmp)
        spark.SparkMRJobRunner._cleanup_local_tmp = _cleanup_spark_local_tmp
        _SPARK_ON_YARN.update(
            fs=spark.SparkMRJobRunner.fs,
            submit_args=spark.SparkMRJobRunner._spark_submit_args,
            run_submit=spark.SparkMRJobRunner._run_spark_submit,
        )
        spark.SparkMRJobRunner.fs = property(_spark_runner_fs)
        spark.SparkMRJobRunner._spark_submit_args = _spark_submit_args
        spark.SparkMRJobRunner._run_spark_submit = _run_spark_submit
        spark.SparkMRJobRunner._cleanup_hadoop_tmp = _cleanup_spark_hdfs_tmp


_SPARK_CLEANUP: list[Any] = []


def _cleanup_spark_local_tmp(self: Any) -> None:
    """mrjob's local clean-up, and the Spark runner's own temporary directory
    (``$TMPDIR/<job key>-spark``: step and counter output) when it is local; mrjob removes the
    first only, so every run on a local master left one behind."""
    _SPARK_CLEANUP[0](self)
    tmp = getattr(self, "_spark_tmp_dir", None)
    if tmp and _local(tmp) and os.path.isdir(tmp):
        shutil.rmtree(tmp, ignore_errors=True)


#: mrjob's own Spark runner methods that the YARN fixes wrap
_SPARK_ON_YARN: dict[str, Any] = {}


def _spark_runner_fs(self: Any) -> Any:
    """mrjob's file systems for the Spark runner, with WebHDFS in front of `hadoop fs` on a
    YARN master (as for the hadoop runner)."""
    if self._fs is None and spark_yarn.is_yarn(self._opts.get("spark_master")):
        from mrjob.fs.composite import CompositeFilesystem

        from mr.lib.mrjob_webhdfs import job_filesystem, unreachable

        spark_yarn.hadoop_conf_dir()  # no cluster: one line before anything is uploaded
        webhdfs = job_filesystem()
        built = _SPARK_ON_YARN["fs"].fget(self)
        if webhdfs is not None:
            fs = CompositeFilesystem()
            fs.add_fs("webhdfs", webhdfs, disable_if=unreachable)
            for name in built._fs_names:
                fs.add_fs(name, getattr(built, name), built._disable_if.get(name))
            self._fs = fs
    return _SPARK_ON_YARN["fs"].fget(self)


def _spark_submit_args(self: Any, step_num: int) -> list[str]:
    """mrjob's spark-submit arguments, after mr/lib/spark_yarn.py's settings on a YARN master
    (first: a later --conf of the job's own spark_args wins)."""
    args: list[str] = list(_SPARK_ON_YARN["submit_args"](self, step_num))
    if not spark_yarn.is_yarn(self._spark_master()):
        return args
    if not getattr(self, "_mrkit_spark_archive", None):
        from mr.lib.webhdfs import default_fs, raw_client

        path = spark_yarn.hdfs_archive(raw_client(), archive_cache_dir())
        self._mrkit_spark_archive = (default_fs() or "hdfs://") + path
    return spark_yarn.submit_args(self._mrkit_spark_archive) + args


def _run_spark_submit(self: Any, args: list[str], env: dict[str, str], record_callback: Any) -> Any:
    """spark-submit, on a YARN master with HADOOP_CONF_DIR (spark_yarn.hadoop_conf_dir())."""
    if spark_yarn.is_yarn(self._spark_master()):
        env = {**env, "HADOOP_CONF_DIR": spark_yarn.hadoop_conf_dir()}
    return _SPARK_ON_YARN["run_submit"](self, args, env, record_callback)


def _cleanup_spark_hdfs_tmp(self: Any) -> None:
    """The Spark runner's temporary directory on HDFS (a YARN master's: uploaded inputs and
    files, step and counter output), which mrjob never removed (its hadoop runner does)."""
    import mrjob.spark.runner as spark

    tmp = getattr(self, "_spark_tmp_dir", None)
    if tmp and tmp.startswith("hdfs:"):
        try:
            self.fs.rm(tmp)
        except Exception as e:  # as mrjob's hadoop runner: a clean-up that fails is logged
            spark.log.exception(e)


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
