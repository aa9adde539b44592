"""What mrkit's launcher adds to any MRJob: the run a user sees, whoever wrote the job.

:class:`Launcher` is the launcher half of ``MRKitJob`` (mr/lib/job.py) and is mixed into a
user's own MRJob by ``mrkit run job.py`` (mr/lib/user_jobs.py); it changes no task, protocol or
row:

- checks that end in one line on stderr and exit code 2: a missing input path, an input
  directory holding a subdirectory, an output directory that already holds data (unless
  ``--overwrite``), a bad option value, a runner mrkit does not run (``-r emr``, ``-r dataproc``);
- atomic local output: part files are written to a hidden sibling directory, renamed into place
  when the job succeeds, and marked with ``_SUCCESS`` (Hadoop's committer does this on HDFS);
- quiet runs (counters, warnings and errors; ``-v`` for mrjob's progress lines), a live status
  line on a terminal, ``<job>: job failed: ...`` and exit code 1 for a failed step;
- mrjob.conf: mrkit's (the cluster's while ``mrkit cluster up`` runs), with the user's own on
  top, and the user's options mrkit cannot honour named;
- the ``mr`` package ships with the job, so tasks run where mrkit is not installed, and the
  fixes of mr/lib/mrjob_fixes.py for the runner in use;
- on a Kerberized cluster (mr/lib/auth.py), ``-r hadoop`` without a valid ticket is one line
  naming the principal to kinit as, exit code 2, before any JVM; the hadoop client gets Java's
  krb5.conf in HADOOP_CLIENT_OPTS.
"""

from __future__ import annotations

import atexit
import codecs
import json
import logging
import os
import signal
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from mrjob.conf import find_mrjob_conf
from mrjob.fs.local import LocalFilesystem
from mrjob.job import MRJob
from mrjob.step import StepFailedException

import mr
from mr.lib import mrjob_fixes, stdlib_compat
from mr.lib.config import (
    REPO_MRJOB_CONF,
    cluster_mrjob_conf,
    default_mrjob_conf,
    use_default_mrjob_conf,
)
from mr.lib.defaults import COUNTERS_FILE_ENV
from mr.lib.defaults import RUNNERS as RUNNERS
from mr.lib.errors import BROKEN_PIPE_EXIT, UsageError, discard_stdout
from mr.lib.held_logs import HeldLogs, hadoop_client_error
from mr.lib.inputs import local_input_files
from mr.lib.publish import publish_dir, remove, start_output
from mr.lib.uris import is_local, uri_path

mrjob_fixes.apply()


class Launcher(MRJob):
    """The launcher side of a job run by mrkit (see the module docstring)."""

    def configure_args(self) -> None:
        super().configure_args()
        parser = self.arg_parser

        def one_line_error(message: str) -> None:
            # argparse prints its usage line first; one line that points at --help reads better
            parser.exit(2, f"{parser.prog}: error: {message} (see --help)\n")

        parser.error = one_line_error
        self.arg_parser.add_argument(
            "--overwrite",
            action="store_true",
            help="replace the contents of --output-dir if it already holds data "
            "(default: refuse with exit code 2)",
        )

    def job_label(self) -> str:
        """How the job names itself in its messages: its file's stem."""
        path = self.mr_job_script() or sys.argv[0] or "mrjob"
        return os.path.splitext(os.path.basename(path))[0]

    def dirs(self) -> list[str]:
        # ship the `mr` package into each task's working directory (tasks run `python job.py`
        # there, so `import mr` finds it even where mrkit is not installed); the inline runner
        # runs tasks in this process, which has `mr` already
        if self._runner_class().alias == "inline":
            return super().dirs()
        return [os.path.dirname(os.path.abspath(mr.__file__)) + "#mr"] + super().dirs()

    def _runner_kwargs(self) -> dict[str, Any]:
        kwargs = super()._runner_kwargs()
        if self._runner_class().alias == "spark":
            # Spark gets no task working dir on a local[*] master, so dirs() does not reach
            # it: put the package on the PYTHONPATH of the driver and executors instead
            kwargs["py_files"] = [*(kwargs.get("py_files") or []), _package_zip()]
            mrjob_fixes.apply_spark()
        elif self._runner_class().alias == "hadoop":
            from mr.lib import auth

            if auth.is_kerberos():
                # fail closed before any JVM: one line naming the principal to kinit as
                auth.require_ticket()
                os.environ.update(auth.java_env())
            mrjob_fixes.apply_hadoop()
        return kwargs

    def check_declared_options(self) -> None:
        """Check the options a base class declared (column options); UsageError if wrong."""

    def validate_options(self) -> None:
        """Check option values before anything runs; raise UsageError with one clear line.

        Runs after check_declared_options(): column options are valid indexes by then."""

    def usage_error(self, message: str) -> None:
        """Print `<job>: error: message` and exit 2."""
        prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "mrkit"
        print(f"{prog}: error: {message}", file=sys.stderr)
        sys.exit(2)

    @classmethod
    def set_up_logging(cls, quiet: bool = False, verbose: bool = False, stream: Any = None) -> None:
        """mrjob's logging, but quiet by default: a run shows its counters, warnings and errors;
        mrjob's progress lines ("Creating temp directory", "Running step 1 of 2", Hadoop's
        map/reduce percentages) only with -v (which also shows mrjob's debug lines)."""
        super().set_up_logging(quiet=quiet, verbose=verbose, stream=stream)
        if not quiet and not verbose:
            for name in ("mrjob", "__main__"):
                for handler in logging.getLogger(name).handlers:
                    handler.addFilter(essential_record)

    def run_job(self) -> None:
        runner = self.options.runner
        if runner is not None and runner not in RUNNERS:
            self.usage_error(
                f"-r {runner}: mrkit runs jobs on {', '.join(RUNNERS)}; {runner} is one of "
                "mrjob's cloud runners, which mrkit does not support"
            )
        self._read_mrjob_confs()
        log_stream = codecs.getwriter("utf_8")(self.stderr)
        self.set_up_logging(
            quiet=self.options.quiet, verbose=self.options.verbose, stream=log_stream
        )
        try:
            self.check_declared_options()
            self.validate_options()
            self._check_local_inputs()
        except UsageError as e:
            self.usage_error(str(e))

        final_dir = self.options.output_dir
        # a plain path is local except on Hadoop, where it is a path of the cluster's file system
        on_hadoop = self._runner_class().alias == "hadoop"
        staged = (
            final_dir and is_local(final_dir) and (final_dir.startswith("file:") or not on_hadoop)
        )
        if staged:
            final_dir = os.path.abspath(uri_path(final_dir))
            try:
                staging = str(start_output(final_dir, self.options.overwrite))
            except UsageError as e:
                self.usage_error(str(e))
            except OSError as e:
                self._failed(f"--output-dir {final_dir}: {e}")
            if on_hadoop:
                # Hadoop's output committer refuses an output dir that exists: it makes its own
                os.rmdir(staging)
            self.options.output_dir = f"file://{staging}" if on_hadoop else staging

        # mrjob's log lines wait until the paths are checked: a job refused before it starts
        # says so in one line, not after "Creating temp directory ..." and Java's stderr
        early = HeldLogs()
        quiet, verbose = self.options.quiet, self.options.verbose
        # imported here, in the launcher: tasks run where tqdm may not be installed
        from mr.lib import job_status

        status = None  # a live line on a terminal, once the job is past its checks
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            # SIGTERM unwinds like Ctrl-C: the runner cleans up (on YARN, closing the hadoop
            # client's pty kills the application) instead of dying on the spot
            _LAUNCHER_PID[:] = [os.getpid()]
            signal.signal(signal.SIGTERM, _terminated)
        try:
            with early, self.make_runner() as runner:
                self._check_paths(runner, final_dir if not staged else None, early)
                early.release()
                if not (quiet or verbose):
                    status = job_status.start(self.job_label())
                try:
                    runner.run()
                except StepFailedException as e:
                    job_status.stop(status)
                    print(f"{self.job_label()}: job failed: {e}", file=sys.stderr)
                    sys.exit(1)
                job_status.stop(status)  # the rows come next, on the same terminal
                self.last_counters = runner.counters()
                write_counters(self.last_counters)
                if staged:
                    publish_dir(uri_path(self.options.output_dir), final_dir)
                if self._should_cat_output():
                    write_chunks(self.stdout, runner.cat_output())
        except (UsageError, NotImplementedError) as e:
            # NotImplementedError: what mrjob's runner cannot run (a command step inline)
            self.usage_error(str(e))
        except _Unreachable as e:
            self._failed(str(e))
        except KeyboardInterrupt as e:
            code = 143 if isinstance(e, _Terminated) else 130
            print(f"{self.job_label()}: interrupted; stopped the job", file=sys.stderr)
            sys.exit(code)
        except BrokenPipeError:
            # the rows' reader went away (`... | head -1`): the job is done, say nothing
            discard_stdout()
            sys.exit(BROKEN_PIPE_EXIT)
        except _failures() as e:  # evaluated only for an exception that gets this far
            # a NameNode that does not answer, a full disk, a file system gone read-only
            # mid-run, HDFS refusing a path (permissions on a secure cluster): a failure, not a
            # bug
            self._failed(f"job failed: {e}")
        finally:
            job_status.stop(status)
            if staged:
                remove(uri_path(self.options.output_dir))

    def _failed(self, message: str) -> None:
        """Print `<job>: message` and exit 1 (a failure that is not a usage problem)."""
        print(f"{self.job_label()}: {message}", file=sys.stderr)
        sys.exit(1)

    def _check_local_inputs(self) -> None:
        # before the runner exists, so that its log lines do not precede the one error line
        local = LocalFilesystem()
        for path in self._input_paths():
            if path != "-" and local.can_handle_path(path):
                if not local.exists(path):
                    raise UsageError(f"input path {path} does not exist")
                # a subdirectory Hadoop would refuse is refused here, before the runner starts
                for _ in local_input_files(path, self.options.jobconf or {}):
                    pass

    def _check_paths(self, runner: Any, remote_output: str | None, logs: HeldLogs) -> None:
        def exists(path: str) -> bool:
            seen = len(logs.records)
            try:
                found = bool(runner.fs.exists(path))
            except OSError:
                found = False
            # mrjob reads some failures of `hadoop fs -ls` as "no such path", others as IOError
            unreachable = hadoop_client_error(logs.lines()[seen:])
            if unreachable:
                raise _Unreachable(
                    f"{unreachable} for {path}: is the cluster up? (`mrkit cluster status`)"
                )
            return found

        for path in self._input_paths():
            if path == "-":
                continue
            if runner.fs.can_handle_path(path) and not exists(path):
                raise UsageError(f"input path {path} does not exist")
            if path.startswith("hdfs://"):
                # its first entry: a directory the user may see but not list (permissions on a
                # secure cluster) fails here in one line, not in Java's job submission
                next(iter(runner.fs.ls(path)), None)
        if remote_output and runner.fs.can_handle_path(remote_output):
            if exists(remote_output):
                if not self.options.overwrite:
                    raise UsageError(
                        f"output directory {remote_output} already exists; "
                        "choose another --output-dir or pass --overwrite"
                    )
                runner.fs.rm(remote_output)

    def _input_paths(self) -> list[str]:
        return list(self.options.args or [])

    def _read_mrjob_confs(self) -> None:
        """mrkit's mrjob.conf (the cluster's while `mrkit cluster up` runs), then the user's own
        on top of it (mrjob's places: $MRJOB_CONF, ~/.mrjob.conf, /etc/mrjob.conf), naming each
        option of the user's that mrkit cannot honour; `-c`/`--no-conf` as mrjob reads them."""
        if self.options.conf_paths is not None:
            return
        user = user_mrjob_conf()
        if user is None:
            use_default_mrjob_conf()
            return
        self.options.conf_paths = [str(default_mrjob_conf()), user]
        for problem in unhonoured_options(user):
            print(f"{self.job_label()}: warning: {problem}", file=sys.stderr)


def _failures() -> tuple[type[BaseException], ...]:
    """What a run may raise that is a failure, not a bug: OSError and the WebHDFS errors."""
    return (OSError, *_hdfs_errors())


def _hdfs_errors() -> tuple[type[BaseException], ...]:
    """What the WebHDFS client raises for a refused call (mrjob's HDFS calls go through it);
    imported in the launcher, when an exception is to be matched: a task's Python may lack the
    hdfs package, and a run that fails with none never needs it (0.04 s of start-up)."""
    from hdfs.util import HdfsError as LibHdfsError

    from mr.lib.webhdfs import HdfsError

    return (LibHdfsError, HdfsError)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the job's launcher is, so that it unwinds as Ctrl-C does."""


_LAUNCHER_PID: list[int] = []


def _terminated(signum: int, frame: Any) -> None:
    if os.getpid() not in _LAUNCHER_PID:
        # a process forked from the launcher that kept the handler (see below): die as usual
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    raise _Terminated()


def _sigterm_default_in_child() -> None:
    """A process forked from the launcher (mrjob's local task pool) gets SIGTERM's default
    action back at once, from the kernel, not from a Python handler. With the handler, a pool
    worker that mrjob terminated after a failed task could live on for ever: a SIGTERM that
    comes between the worker's sem_trywait and sem_wait on the pool's queue lock runs no Python
    code until the wait returns, and the launcher, which holds that lock, waited for the worker
    (seen: a failing job under Airflow that never ended)."""
    if signal.getsignal(signal.SIGTERM) is _terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


os.register_at_fork(after_in_child=_sigterm_default_in_child)


class _Unreachable(ConnectionError):
    """A Hadoop client could not reach the NameNode of a job's input or output."""


def write_counters(counters: list[dict[str, dict[str, int]]]) -> None:
    """The counters of a run that succeeded, as JSON, into $MRKIT_COUNTERS_FILE if set (for a
    caller that runs `mrkit run` as a subprocess: the Airflow operator)."""
    path = os.environ.get(COUNTERS_FILE_ENV)
    if path:
        Path(path).write_text(json.dumps(counters, sort_keys=True))


#: the counter groups Hadoop's framework keeps for every job (3.4's display names): shown with
#: -v, and in the counters a run hands on (MRKIT_COUNTERS_FILE, Airflow's XCom), not by default
HADOOP_COUNTER_GROUPS = frozenset({
    "File System Counters", "Job Counters", "Map-Reduce Framework", "Shuffle Errors",
    "File Input Format Counters", "File Output Format Counters",
})  # fmt: skip


def job_counters_only(message: str) -> str:
    """mrjob's counters block (``Counters: N``, a tab and a group, two tabs and
    ``name=value``) without Hadoop's own groups; "" when nothing else is left."""
    lines = message.split("\n")
    if len(lines) < 2:
        return message
    kept: list[str] = []
    counted = 0
    keep = False
    for line in lines[1:]:
        if line.startswith("\t\t"):
            if keep:
                kept.append(line)
                counted += 1
        elif line.startswith("\t"):
            keep = line.strip() not in HADOOP_COUNTER_GROUPS
            if keep:
                kept.append(line)
        else:  # not the shape mrjob writes: leave the message alone
            return message
    return "\n".join([f"{lines[0].split(':')[0]}: {counted}", *kept]) if counted else ""


def essential_record(record: logging.LogRecord) -> bool:
    """Whether a log record is shown without -v: warnings, errors and the job's own counters
    (Hadoop's groups only with -v); a live status line, mr/lib/job_status.py, steps aside."""
    message = record.getMessage()
    shown = record.levelno >= logging.WARNING
    if not shown and message.lstrip().startswith("Counters"):
        message = job_counters_only(message)
        record.msg, record.args = message, None
        shown = bool(message)
    if shown and "mr.lib.job_status" in sys.modules:  # a launcher that shows a status line
        sys.modules["mr.lib.job_status"].clear_all()
    return shown


_PACKAGE_ZIP: list[str] = []


def _package_zip() -> str:
    """A zip of the `mr` package for Spark's --py-files, built once per process."""
    if not _PACKAGE_ZIP or not os.path.exists(_PACKAGE_ZIP[0]):
        root = Path(mr.__file__).resolve().parent
        fd, path = tempfile.mkstemp(prefix="mrkit-", suffix=".zip")
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted(root.rglob("*")):
                if p.is_file() and "__pycache__" not in p.parts:
                    z.write(p, str(Path("mr") / p.relative_to(root)))
            # Spark's harness imports mrjob before the job (and so before mr): the standard
            # modules mrjob needs and this Python lacks, as files beside mr
            for name, text in stdlib_compat.archive_files().items():
                z.writestr(name, text)
        atexit.register(remove, path)
        _PACKAGE_ZIP[:] = [path]
    return _PACKAGE_ZIP[0]


def write_chunks(out: Any, chunks: Any, size: int = 1 << 16) -> None:
    """Write the bytes of `chunks` to `out` in writes of about `size` bytes. mrjob's
    cat_output() yields a local part file line by line (a file object is its own iterator), and
    a write per row cost as much as the reduce step of a job with many small rows. (Not much
    larger: one write of more than a pipe holds can end without an error when the reader goes
    away, and the job must see that it did: tests/test_cli.py, rows into a closed pipe.)"""
    buffer: list[bytes] = []
    held = 0
    for chunk in chunks:
        buffer.append(chunk)
        held += len(chunk)
        if held >= size:
            out.write(b"".join(buffer))
            buffer, held = [], 0
    out.write(b"".join(buffer))
    out.flush()


def user_mrjob_conf() -> str | None:
    """The user's own mrjob.conf where mrjob would find it ($MRJOB_CONF, ~/.mrjob.conf,
    /etc/mrjob.conf), or None: none, or one of mrkit's (the repo's or the cluster's)."""
    found = find_mrjob_conf()
    if found is None:
        return None
    ours = {os.path.realpath(p) for p in (REPO_MRJOB_CONF, cluster_mrjob_conf())}
    return None if os.path.realpath(found) in ours else found


#: option: (a value of it that mrkit does not honour, why)
UNHONOURED = {
    "check_input_paths": (False, "mrkit always checks input paths before a job starts"),
}


def unhonoured_options(path: str) -> list[str]:
    """One line for each setting of the mrjob.conf at `path` that mrkit cannot honour: the
    sections of runners it does not run, and the values of UNHONOURED."""
    from mrjob.conf import _conf_object_at_path

    conf = _conf_object_at_path(path) or {}
    problems = []
    for runner, opts in sorted((conf.get("runners") or {}).items()):
        if runner not in RUNNERS:
            problems.append(
                f"{path}: runners.{runner} is not read: mrkit runs jobs on {', '.join(RUNNERS)}"
            )
            continue
        for opt, value in sorted((opts or {}).items()):
            if opt in UNHONOURED and value == UNHONOURED[opt][0]:
                why = UNHONOURED[opt][1]
                problems.append(f"{path}: runners.{runner}.{opt}: {value} is not honoured: {why}")
    return problems
