"""The `mrkit` command: list and run jobs; engine, HDFS and index commands plug in here."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

import mr
from mr.lib.job import MRKitJob

# Modules that add sub-commands: each defines add_cli(subparsers).
COMMAND_MODULES: list[str] = [
    "mr.engines.hadoop",
    "mr.engines.hbase",
    "mr.clients.hdfs",
    "mr.cli.index",
    "mr.engines.hive",
    "mr.engines.pig",
]


def job_modules() -> dict[str, str]:
    """{stem: module name} for every job file in mr/ (a module defining an MRKitJob)."""
    found = {}
    for info in pkgutil.iter_modules([str(Path(mr.__file__).parent)]):
        if info.ispkg or info.name.startswith("_"):
            continue
        found[info.name] = f"mr.{info.name}"
    return dict(sorted(found.items()))


def job_class(stem: str) -> type[MRKitJob] | None:
    module = importlib.import_module(job_modules()[stem])
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, MRKitJob)
            and value.__module__ == module.__name__
        ):
            return value
    return None


def summary(stem: str) -> str:
    module = importlib.import_module(job_modules()[stem])
    return (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""


def cmd_jobs(args: argparse.Namespace) -> int:
    stems = [s for s in job_modules() if job_class(s)]
    width = max(map(len, stems), default=0)
    for stem in stems:
        print(f"{stem:<{width}}  {summary(stem)}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    jobs = job_modules()
    if args.job not in jobs or job_class(args.job) is None:
        print(
            f"mrkit run: error: no job named {args.job!r}; `mrkit jobs` lists them",
            file=sys.stderr,
        )
        return 2
    cls = job_class(args.job)
    sys.argv = [f"{args.job}.py", *args.job_args]
    cls.run()
    return 0


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error (and exit code 2) instead of usage + error."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="mrkit",
        description="MapReduce streaming jobs in Python: run them inline, locally, on YARN "
        "or Spark; run their Hive and Pig twins; load and query the HBase index.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser("jobs", help="list the jobs with one line each", description="List jobs.")
    p.set_defaults(func=cmd_jobs)
    p = sub.add_parser(
        "run",
        help="run one job: mrkit run JOB INPUT... [-r RUNNER] [--output-dir DIR] [options]",
        description="Run one job. Everything after JOB goes to the job itself: input paths, "
        "-r inline|local|hadoop|spark, --output-dir DIR, and the job's own options "
        "(`mrkit run JOB --help` lists them).",
        add_help=True,
    )
    p.add_argument("job", help="job name, as `mrkit jobs` lists it")
    p.add_argument("job_args", nargs=argparse.REMAINDER, help="inputs and job options")
    p.set_defaults(func=cmd_run)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
