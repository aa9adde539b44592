"""mrkit jobs as workflow actions: one map-reduce <streaming> action per step of an mrjob job.

:func:`job_actions` writes what ``-r hadoop`` would run, in Oozie's words: the mapper, combiner
and reducer commands as mrjob's hadoop runner renders them (``python3 word_count.py
--step-num=0 --mapper --tokenizer regex``, quoted by mrjob's own ``_hadoop_cmd_line``), the job
script as a ``<file>``, the ``mr`` package as the ``mr.tar.gz#mr`` ``<archive>`` (what
``MRKitJob.dirs()`` ships) and mrjob as ``mrjob.tar.gz#mrjob`` (what ``bootstrap_mrjob`` ships),
so tasks need neither installed, and the jobconf (the job's own,
``-D`` options, SORT_VALUES, a map-only step's zero reducers) as configuration properties, with
the input and output directories. The Python, ``cmdenv`` and Hadoop version come from the
``hadoop`` runner of mrjob.conf, as for ``-r hadoop``.

A job of several steps becomes a chain of actions, ``<name>-step1`` ... ``<name>-stepN``, that
pass data through intermediate directories under ``tmp_dir`` (per run: ``${wf:id()}``), then
``<name>-cleanup`` deletes them. Intermediate directories are deleted before their step
(``<prepare>``) so a rerun starts clean; the final output only when the job's options say
``--overwrite``, as the job itself would. What a streaming action cannot express is refused
with one line (:class:`JobNotExpressible`): ``mapper_raw`` (an input manifest), pre-filters, jar
and Spark steps, custom input/output formats, libjars.

The files the actions name (job script, ``mr.tar.gz``, ``mrjob.tar.gz``) are returned as
``app_files``: app-relative path -> local source, written by ``render.write_app`` and uploaded
with the app.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mrjob
from mrjob.bin import _hadoop_cmd_line  # the quoting -r hadoop uses for streaming commands
from mrjob.compat import translate_jobconf
from mrjob.conf import load_opts_from_mrjob_conf
from mrjob.job import MRJob
from mrjob.runner import _SORT_VALUES_JOBCONF, _SORT_VALUES_PARTITIONER

import mr
from mr.lib import jobconf as keys
from mr.lib.config import REPO_MRJOB_CONF, default_mrjob_conf
from mr.lib.errors import UsageError
from mr.workflow.nodes import Action, Delete, Fs, MapReduce, Streaming, step

#: the Hadoop whose configuration key names are written (that of `mrkit cluster up`)
HADOOP_VERSION = "3.4.1"
#: where the job script and the mr package go inside the workflow application directory
APP_DIR = "mrkit"
#: Python resolves the symlink YARN makes to a job script and would look for packages beside
#: the localized file only: the task's working directory, where the archives are unpacked,
#: goes on the path (-r hadoop ships mrjob as mrjob.zip with a setup wrapper to the same end)
TASK_ENV = {"PYTHONPATH": "."}
#: the intermediate directories of multi-step jobs (one per run of the workflow)
DEFAULT_TMP_DIR = "/tmp/mrkit-workflows/${wf:id()}"


class JobNotExpressible(UsageError):
    """A job (or its options) that a map-reduce streaming action cannot run."""


@dataclass
class JobActions:
    """The actions of one job, in order, and the files they need in the application dir."""

    actions: list[Action]
    app_files: dict[str, Path] = field(default_factory=dict)


def hadoop_runner_conf(conf_path: Path = REPO_MRJOB_CONF) -> dict[str, Any]:
    """The hadoop runner's options in mrjob.conf (python_bin, cmdenv ...), includes resolved."""
    merged: dict[str, Any] = {}
    for _, opts in load_opts_from_mrjob_conf("hadoop", str(conf_path)):
        merged.update(opts or {})
    return merged


def job_instance(job_class: type[MRJob], args: Sequence[str]) -> MRJob:
    """The job with its options parsed and checked as at launch; UsageError in one line."""
    stem = Path(job_class.mr_job_script() or job_class.__name__).stem
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            job = job_class(["-r", "hadoop", "--no-conf", *args])
    except SystemExit:  # argparse's own exit (a bad option value), its message on stderr
        said = stderr.getvalue().strip().splitlines()
        raise UsageError(
            f"{stem} {' '.join(args)}: {said[-1] if said else 'bad options'}"
        ) from None
    except ValueError as e:  # mrjob's arg parser raises this one
        raise UsageError(f"{stem} {' '.join(args)}: {e}") from None
    if job.options.args:
        raise UsageError(
            f"{stem}: give inputs as input=..., not among the options ({job.options.args})"
        )
    for check in ("check_declared_options", "validate_options"):
        if hasattr(job, check):
            try:
                getattr(job, check)()
            except UsageError as e:
                raise UsageError(f"{stem}: {e}") from None
    return job


def job_actions(
    job_class: type[MRJob],
    name: str,
    args: Sequence[str] = (),
    *,
    input: str | Sequence[str],
    output: str,
    tmp_dir: str = DEFAULT_TMP_DIR,
    conf_path: Path | None = None,
) -> JobActions:
    """The map-reduce streaming actions that run job_class with args from input to output.

    The Python of the commands, their cmdenv and the Hadoop version come from the hadoop runner
    of conf_path: default $MRJOB_CONF, else the mrjob.conf of `mrkit cluster up` while it runs
    (its python_bin is this venv's, absolute: tasks get no PATH of ours, and a job such as
    load_hbase needs its packages), else the repo's (python3)."""
    if conf_path is None:
        conf_path = Path(os.environ.get("MRJOB_CONF") or default_mrjob_conf())
    job = job_instance(job_class, args)
    script = Path(job_class.mr_job_script() or "")
    stem = script.stem
    runner = hadoop_runner_conf(conf_path)
    python = _python(runner.get("python_bin"))
    cmdenv = {**(runner.get("cmdenv") or {}), **TASK_ENV}
    env = [f"{k}={v}" for k, v in sorted(cmdenv.items())]

    non_options = job._non_option_kwargs()
    job_kwargs = job._job_kwargs()
    _refuse_unexpressible(stem, non_options, job_kwargs)

    files = {f"{APP_DIR}/{script.name}": script}
    file_refs = [f"{APP_DIR}/{script.name}#{script.name}"]
    extra_args: list[str] = []
    for arg in non_options["extra_args"]:
        if isinstance(arg, dict):  # a file option (add_file_arg): shipped beside the script
            local = Path(arg["path"])
            task_name = arg.get("name") or local.name
            if "://" in arg["path"]:
                file_refs.append(f"{arg['path']}#{task_name}")
            else:
                files[f"{APP_DIR}/{local.name}"] = local
                file_refs.append(f"{APP_DIR}/{local.name}#{task_name}")
            extra_args.append(task_name)
        else:
            extra_args.append(arg)
    # the packages tasks import, unpacked as ./mr and ./mrjob in the task's working directory
    archives = []
    for package in (mr, mrjob):
        pkg = package.__name__
        files[f"{APP_DIR}/{pkg}.tar.gz"] = Path(package.__file__ or "").resolve().parent
        archives.append(f"{APP_DIR}/{pkg}.tar.gz#{pkg}")

    steps = job._steps_desc()
    inputs = [input] if isinstance(input, str) else list(input)
    names = [name] if len(steps) == 1 else [f"{name}-step{i + 1}" for i in range(len(steps))]
    workdir = f"{tmp_dir}/{name}"
    actions: list[Action] = []
    for n, desc in enumerate(steps):
        _refuse_step(stem, n, desc)
        last = n == len(steps) - 1
        step_input = inputs if n == 0 else [f"{workdir}/step{n}"]
        step_output = output if last else f"{workdir}/step{n + 1}"

        def command(role: str, desc: dict[str, Any] = desc, n: int = n) -> str | None:
            sub = desc.get(role)
            if sub is None:
                return "cat" if role == "mapper" else None
            if sub["type"] == "command":
                return streaming_command(str(sub["command"]))
            return streaming_command(
                _hadoop_cmd_line(
                    [*python, script.name, f"--step-num={n}", f"--{role}", *extra_args]
                )
            )

        conf = _step_jobconf(job, job_kwargs, desc)
        combiner, reducer = command("combiner"), command("reducer")
        if combiner:
            # Oozie's streaming element has no combiner: streaming reads it from the job conf
            conf[keys.STREAM_COMBINE_COMMAND] = combiner
            conf[keys.OLD_API_COMBINER] = keys.STREAMING_COMBINER_CLASS
        if reducer is None:
            conf[keys.JOB_REDUCES] = "0"
        conf[keys.INPUT_DIR] = ",".join(step_input)
        conf[keys.OUTPUT_DIR] = step_output
        overwrite = not last or bool(getattr(job.options, "overwrite", False))
        actions.append(
            step(
                names[n],
                MapReduce(
                    streaming=Streaming(mapper=command("mapper"), reducer=reducer, env=env),
                    configuration=dict(sorted(conf.items())),
                    prepare=[Delete(step_output)] if overwrite else [],
                    files=list(file_refs),
                    archives=list(archives),
                ),
            )
        )
    if len(steps) > 1:
        actions.append(step(f"{name}-cleanup", Fs([Delete(workdir)])))
    return JobActions(actions, files)


def streaming_command(command: str) -> str:
    """A command as Oozie must pass it: Oozie copies <mapper>/<reducer> into the job conf as
    they are, and Hadoop streaming URL-decodes them (``+`` would become a space, ``%41`` an
    ``A``), so those two characters are percent-encoded and nothing else."""
    return command.replace("%", "%25").replace("+", "%2B")


def _python(python_bin: Any) -> list[str]:
    if not python_bin:
        return ["python3"]
    return [str(python_bin)] if isinstance(python_bin, str) else [str(p) for p in python_bin]


def _step_jobconf(job: MRJob, job_kwargs: dict[str, Any], desc: dict[str, Any]) -> dict[str, str]:
    """The jobconf of a step as -r hadoop computes it, with Hadoop 3 key names, as text."""
    merged: dict[str, Any] = {}
    if job_kwargs.get("sort_values"):
        merged.update(_SORT_VALUES_JOBCONF)
        merged[keys.OLD_API_PARTITIONER] = _SORT_VALUES_PARTITIONER
    if job_kwargs.get("partitioner"):
        merged[keys.OLD_API_PARTITIONER] = job_kwargs["partitioner"]
    merged.update(job_kwargs.get("jobconf") or {})
    merged.update(desc.get("jobconf") or {})
    conf = {}
    for key, value in merged.items():
        if value is None:  # mrjob: None unsets a key
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        conf[translate_jobconf(key, HADOOP_VERSION)] = text
    return conf


def _refuse_unexpressible(stem: str, non_options: dict[str, Any], kw: dict[str, Any]) -> None:
    why = []
    if non_options.get("hadoop_input_format"):
        why.append(f"input format {non_options['hadoop_input_format']}")
    if non_options.get("hadoop_output_format"):
        why.append(f"output format {non_options['hadoop_output_format']}")
    if kw.get("libjars"):
        why.append("libjars")
    if kw.get("upload_archives") or kw.get("upload_files") or _own_dirs(kw):
        why.append("uploaded files, archives or dirs besides the mr package")
    if why:
        raise JobNotExpressible(
            f"{stem}: {', '.join(why)} cannot go into an Oozie streaming action; "
            "run it with -r hadoop"
        )


def _own_dirs(kw: dict[str, Any]) -> list[str]:
    package = os.path.dirname(os.path.abspath(mr.__file__)) + "#mr"
    return [d for d in kw.get("upload_dirs") or [] if d != package]


def _refuse_step(stem: str, n: int, desc: dict[str, Any]) -> None:
    where = f"{stem}: step {n + 1}"
    if desc.get("type") != "streaming":
        raise JobNotExpressible(f"{where} is a {desc.get('type')} step; only streaming steps fit")
    if desc.get("input_manifest"):
        raise JobNotExpressible(
            f"{where} uses mapper_raw (an input manifest), which an Oozie streaming action "
            "cannot express; run it with -r hadoop"
        )
    for role in ("mapper", "combiner", "reducer"):
        if (desc.get(role) or {}).get("pre_filter"):
            raise JobNotExpressible(
                f"{where}: a {role} pre_filter cannot go into a streaming action"
            )


def load_hbase_actions(
    name: str,
    *,
    input: str,
    output: str,
    table: str,
    columns: str | None = None,
    args: Sequence[str] = (),
) -> JobActions:
    """The load_hbase job as an action: input rows into an HBase table (idempotent)."""
    from mr.load_hbase import LoadHBase

    options = ["--table", table, *(["--columns", columns] if columns else []), *args]
    return job_actions(LoadHBase, name, options, input=input, output=output)
