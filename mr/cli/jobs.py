"""``mrkit jobs`` (the jobs, one line each), ``mrkit run JOB ...`` and ``mrkit demo``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import mr
from mr.lib.errors import UsageError

if TYPE_CHECKING:
    from mrjob.job import MRJob

    from mr.lib.job import MRKitJob


def job_modules() -> dict[str, str]:
    """{stem: module name} for every module of mr/ (the top level of mr/ holds only jobs)."""
    found = {
        info.name: f"mr.{info.name}"
        for info in pkgutil.iter_modules([str(Path(mr.__file__).parent)])
        if not info.ispkg
    }
    return dict(sorted(found.items()))


def _module(stem: str) -> ModuleType:
    modules = job_modules()
    if stem not in modules:
        raise UsageError(f"no job named {stem!r}; `mrkit jobs` lists them")
    return importlib.import_module(modules[stem])


def job_class(stem: str) -> type[MRKitJob]:
    """The job class defined by mr/<stem>.py; UsageError if there is no such job."""
    from mr.lib.job import MRKitJob

    module = _module(stem)
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, MRKitJob)
            and value.__module__ == module.__name__
        ):
            return value
    raise TypeError(f"{module.__file__} defines no MRKitJob: mr/ is for job files only")


def summary(stem: str) -> str:
    """The first line of the job module's docstring."""
    doc = (_module(stem).__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""


def cmd_jobs(args: argparse.Namespace) -> int:
    if args.path is not None:
        return _list_job_files(Path(args.path))
    stems = list(job_modules())
    width = max(map(len, stems), default=0)
    for stem in stems:
        print(f"{stem:<{width}}  {summary(stem)}")
    return 0


def _list_job_files(directory: Path) -> int:
    from mr.lib.user_jobs import scan

    found = scan(directory)
    if not found:
        print(f"no MRJob classes in the *.py files of {directory}", file=sys.stderr)
        return 0
    names = [f"{job.path.name}:{job.name}" for job in found]
    width = max(map(len, names))
    for name, job in zip(names, found, strict=True):
        print(f"{name:<{width}}  {job.summary}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from mr.lib.user_jobs import is_job_file

    cls: type[MRJob]
    if is_job_file(args.job):
        cls, argv0, job_args = _user_job(Path(args.job), args.job_args)
    else:
        cls, argv0, job_args = job_class(args.job), f"{args.job}.py", args.job_args
    # the job parses sys.argv itself and names itself after argv[0] in its error lines
    saved = sys.argv
    sys.argv = [argv0, *job_args]
    try:
        cls.run()
    finally:
        sys.argv = saved
    return 0


def _user_job(path: Path, job_args: list[str]) -> tuple[type[MRJob], str, list[str]]:
    """A user's MRJob file: (its class with mrkit's launcher, argv[0], the job's arguments
    without --class)."""
    from mr.lib import user_jobs

    wanted, rest = _class_option(job_args)
    module = user_jobs.load(path)
    job = user_jobs.pick(module, path, wanted)
    return user_jobs.launcher_class(job, path), str(path), rest


def _class_option(job_args: list[str]) -> tuple[str | None, list[str]]:
    """(NAME of `--class NAME` or `--class=NAME`, the other arguments)."""
    rest = list(job_args)
    for i, arg in enumerate(rest):
        if arg == "--class":
            if i + 1 == len(rest):
                raise UsageError("--class needs the name of an MRJob class")
            name = rest[i + 1]
            del rest[i : i + 2]
            return name, rest
        if arg.startswith("--class="):
            del rest[i]
            return arg.split("=", 1)[1], rest
    return None, rest


NEXT_STEPS = """
next:
  mrkit jobs                                           every job, one line each
  mrkit run word_count FILE... -r local                a job on your files (--help: options)
  mrkit hive run word_count --input FILE --output DIR  its Hive twin (pig run: its Pig twin)
  mrkit cluster up                                     Hadoop on this machine, then
  mrkit run word_count -r hadoop hdfs:///PATH          the same job on YARN"""

#: the sample every install carries (package data)
SAMPLE = Path(mr.__file__).parent / "data" / "sample.txt"


def cmd_demo(args: argparse.Namespace) -> int:
    """word_count on the bundled sample, inline: the top words, then what to try next."""
    from mr.lib.config import use_default_mrjob_conf
    from mr.word_count import WordCount

    use_default_mrjob_conf()
    job = WordCount(["-r", "inline", "-q", str(SAMPLE)])
    with job.make_runner() as runner:
        runner.run()
        counts = [(word, int(n)) for word, n in job.parse_output(runner.cat_output())]
    top = sorted(counts, key=lambda wc: (-wc[1], wc[0]))[: args.top]
    print(f"word_count on {SAMPLE} (inline runner): {len(counts)} words, the top {len(top)}:")
    for word, n in top:
        print(f"  {word:<12} {n}")
    print(NEXT_STEPS)
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "jobs",
        help="list the jobs with one line each",
        description="List mrkit's jobs, or with --path the MRJob classes of your own job files.",
    )
    p.add_argument(
        "--path",
        metavar="DIR",
        help="list the MRJob classes of the *.py files in DIR (read, not run), each as "
        "FILE:CLASS with the first line of its docstring",
    )
    p.set_defaults(func=cmd_jobs)
    p = subparsers.add_parser(
        "run",
        help="run one job: mrkit run JOB INPUT... [-r RUNNER] [--output-dir DIR] [options]",
        description="Run one job: one of mrkit's, or your own MRJob file, unmodified "
        "(mrkit run path/to/job.py [--class NAME] ...; --class when the file holds several "
        "MRJob classes and its __main__ block does not say which). Everything after JOB goes to "
        "the job itself: input paths, -r inline|local|hadoop|spark, --output-dir DIR, and the "
        "job's own options (`mrkit run JOB --help` lists them).",
    )
    p.add_argument("job", help="job name, as `mrkit jobs` lists it, or the path of a job file")
    p.add_argument("job_args", nargs=argparse.REMAINDER, help="inputs and job options")
    p.set_defaults(func=cmd_run)
    p = subparsers.add_parser(
        "demo",
        help="word_count on the bundled sample: the top words, and what to try next",
        description="Run word_count on the sample text mrkit carries (inline runner) and show "
        "the most frequent words.",
    )
    p.add_argument("--top", type=int, default=10, metavar="N", help="how many words (default 10)")
    p.set_defaults(func=cmd_demo)
