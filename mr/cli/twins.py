"""``mrkit hive run`` and ``mrkit pig run``: a Hive or Pig twin on this machine, one builder for
both (mr/engines/twins.py holds what the runners share)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mr.engines import hive, pig
from mr.engines.twins import RUNNER_VARS, TwinRun, find_script, parse_vars
from mr.lib.errors import UsageError


@dataclass(frozen=True)
class TwinCommand:
    """What `mrkit <name> run` needs of an engine: where its scripts live and how to run one."""

    name: str
    folder: str
    ext: str
    run: Callable[[TwinRun], Path]
    description: str


ENGINES = (
    TwinCommand("hive", "hive", ".q", hive.run, hive.__doc__ or ""),
    TwinCommand("pig", "pig", ".pig", pig.run, pig.__doc__ or ""),
)


def absolute(path: str) -> str:
    """A local path made absolute (the engine runs elsewhere); a URI as it is."""
    return path if "://" in path else str(Path(path).resolve())


def twin_run(engine: TwinCommand, args: argparse.Namespace) -> TwinRun:
    """The run the command line asks for; UsageError, before any JVM starts, for an unknown
    twin, a bad --var (or one of RUNNER_VARS) or a missing --input path. (An --output that
    holds data is refused by the runner, mr.engines.twins.run, before its JVM starts.)"""
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


def run_command(engine: TwinCommand) -> Callable[[argparse.Namespace], int]:
    """The function of `mrkit <engine> run`: prints the output directory."""

    def cmd_run(args: argparse.Namespace) -> int:
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
