"""``mrkit hive run`` and ``mrkit pig run``: a Hive or Pig twin on this machine, one builder for
both (mr/engines/twins.py holds what the runners share)."""

from __future__ import annotations

import argparse
import os
import posixpath
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from mr.cli.docs import module_doc
from mr.lib.errors import UsageError

if TYPE_CHECKING:
    from mr.engines.twins import TwinRun


def run_hive(job: TwinRun, hadoop_conf: Path | None = None) -> Path:
    from mr.engines import hive

    return hive.run(job, hadoop_conf)


def run_pig(job: TwinRun, hadoop_conf: Path | None = None) -> Path:
    from mr.engines import pig

    return pig.run(job, hadoop_conf)


class TwinCommand(NamedTuple):
    """What `mrkit <name> run` needs of an engine: where its scripts live and how to run one
    (the engine's module is imported when a twin runs, not to build the parser; a NamedTuple,
    not a dataclass, which would import inspect for it)."""

    name: str
    folder: str
    ext: str
    run: Callable[[TwinRun], Path]
    #: run on a cluster: (the run, its Hadoop client conf dir)
    run_on: Callable[[TwinRun, Path], Path]
    description: str


ENGINES = (
    TwinCommand("hive", "hive", ".q", run_hive, run_hive, module_doc("mr.engines.hive") or ""),
    TwinCommand("pig", "pig", ".pig", run_pig, run_pig, module_doc("mr.engines.pig") or ""),
)


def absolute(path: str) -> str:
    """A local path made absolute (the engine runs elsewhere); a URI as it is."""
    return path if "://" in path else str(Path(path).resolve())


def twin_run(engine: TwinCommand, args: argparse.Namespace) -> TwinRun:
    """The run the command line asks for; UsageError, before any JVM starts, for an unknown
    twin, a bad --var (or one of RUNNER_VARS) or a missing --input path. (An --output that
    holds data is refused by the runner, mr.engines.twins.run, before its JVM starts.)"""
    from mr.engines.twins import RUNNER_VARS, TwinRun, find_script, parse_vars

    script = find_script(engine.folder, engine.ext, args.script)
    variables = parse_vars(args.var)
    for name in sorted(set(RUNNER_VARS) & variables.keys()):
        # substitution is textual: OUTPUT=/elsewhere would write where the runner does not look
        raise UsageError(f"--var {name}: set by the runner, not by --var")
    if "://" not in args.input and not Path(args.input).exists():
        raise UsageError(f"--input {args.input}: no such file or directory")
    variables["INPUT"] = absolute(args.input)
    return TwinRun(
        script=script,
        output=Path(args.output).resolve(),
        vars=variables,
        overwrite=args.overwrite,
    )


def on_cluster(args: argparse.Namespace) -> bool:
    """--cluster or an hdfs:// --output: the twin runs on the cluster (YARN), reading and
    writing HDFS; with --cluster, a path without a scheme is an HDFS path (hdfs:///path)."""
    if args.cluster:
        args.input, args.output = (
            p if "://" in p else "hdfs://" + posixpath.join("/", p)
            for p in (args.input, args.output)
        )
    if args.output.startswith("hdfs://"):
        if not args.input.startswith("hdfs://"):
            raise UsageError(f"--input {args.input}: an hdfs:// URI, as --output is")
        return True
    if args.input.startswith("hdfs://"):
        raise UsageError(
            f"--output {args.output}: an hdfs:// URI, as --input is (the twin then runs on "
            "the cluster)"
        )
    return False


def cluster_conf() -> Path:
    """The Hadoop client configuration: $HADOOP_CONF_DIR, else that of `mrkit cluster up`."""
    from mr.engines import EngineError, hadoop

    given = os.environ.get("HADOOP_CONF_DIR")
    if given:
        return Path(given)
    if hadoop.info() is None:
        raise EngineError(
            "an hdfs:// --output needs a cluster: start one (`mrkit cluster up`) or set "
            "HADOOP_CONF_DIR to its client configuration"
        )
    return hadoop.conf_dir()


def run_on_cluster(engine: TwinCommand, args: argparse.Namespace) -> str:
    """The twin on YARN, its rows written to a hidden directory beside --output, its data files
    named part-NNNNN (Hive writes 000000_0, Pig part-m-00000), then renamed into place and
    marked with _SUCCESS: --output never holds a partial result, and data in it is replaced
    only with --overwrite."""
    from mr.clients.hdfs import client, hdfs_path
    from mr.lib.publish import part_names

    job = twin_run(engine, args)
    conf = cluster_conf()
    fs = client()
    target = hdfs_path(args.output).rstrip("/")
    if fs.exists(target) and fs.ls(target) and not args.overwrite:
        raise UsageError(f"--output {args.output}: holds data; give --overwrite to replace it")
    parent, name = posixpath.split(target)
    staging = f"{parent}/.{name}.{uuid.uuid4().hex[:12]}.tmp"
    job.vars["OUTPUT"] = f"{_authority(args.output)}{staging}"
    try:
        engine.run_on(job, conf)
        files = [e for e in fs.ls(staging) if not e.is_dir]
        names = part_names([posixpath.basename(e.path) for e in files])
        for entry in files:
            name = posixpath.basename(entry.path)
            if name in names:
                fs.rename(entry.path, f"{staging}/{names[name]}")
            else:  # Hive's and Pig's markers and checksums: _SUCCESS is written below
                fs.rm(entry.path)
        if fs.exists(target):
            fs.rm(target, recursive=True)
        fs.rename(staging, target)
    finally:
        if fs.exists(staging):
            fs.rm(staging, recursive=True)
    fs.mark_success(target)
    return args.output


def _authority(uri: str) -> str:
    """``hdfs://host:port`` of ``hdfs://host:port/a/b`` (``hdfs://`` of ``hdfs:///a/b``)."""
    rest = uri[len("hdfs://") :]
    return "hdfs://" + rest.split("/", 1)[0]


def run_command(engine: TwinCommand) -> Callable[[argparse.Namespace], int]:
    """The function of `mrkit <engine> run`: prints the output directory."""

    def cmd_run(args: argparse.Namespace) -> int:
        if on_cluster(args):
            print(run_on_cluster(engine, args))
            return 0
        print(engine.run(twin_run(engine, args)))
        return 0

    return cmd_run


def add_engine(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], engine: TwinCommand
) -> None:
    """``mrkit <engine> run STEM|FILE --input PATH --output DIR [--var NAME=VALUE]``."""
    p = subparsers.add_parser(
        engine.name,
        help=f"run a {engine.name.capitalize()} twin: "
        f"mrkit {engine.name} run STEM|FILE --input --output",
        description=engine.description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    r = sub.add_parser("run", help=f"run {engine.folder}/<STEM>{engine.ext} or a script file")
    r.add_argument(
        "script", metavar="STEM|FILE", help=f"twin stem ({engine.folder}/STEM{engine.ext}) or path"
    )
    r.add_argument("--input", required=True, help="input file or directory (the INPUT variable)")
    r.add_argument(
        "--output",
        required=True,
        help="output directory, published atomically; refused if it holds data "
        "(any file, dotfiles too) unless --overwrite",
    )
    r.add_argument(
        "--cluster",
        action="store_true",
        help="run on the cluster (YARN; $HADOOP_CONF_DIR, else `mrkit cluster up`'s): paths "
        "without a scheme are HDFS paths (an hdfs:// --output implies it)",
    )
    r.add_argument(
        "--overwrite",
        action="store_true",
        help="replace what --output holds (default: refuse with exit code 2)",
    )
    r.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a script variable (repeatable); e.g. --var N=3",
    )
    r.set_defaults(func=run_command(engine))


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for engine in ENGINES:
        add_engine(subparsers, engine)
