"""``mrkit coord run|status|rerun|kill``: coordinators, on this machine or on Oozie.

run: the coordinator at APP (MODULE:ATTR naming a Coordinator, or a directory holding
coordinator.xml, the workflow.xml it runs and job.properties) from its start to its end:
``--engine local`` (mr/workflow/coord_local.py: actions up to now, a start in the past catches
up, each action waits for its inputs' done-flags) or ``--engine oozie`` (deployed to HDFS,
submitted and followed; Ctrl-C kills it). ``--dry-run`` lists the actions and the properties
their workflows would get, and runs nothing. One line per action change on stderr (on a
terminal); the run's id, status and record directory on stdout; exit 0 when every action
SUCCEEDED, 1 when some did not (one line naming them), 130/143 when interrupted.
status: a run's actions (an Oozie run's brought up to date). rerun: actions again, by number
or nominal date (their outputs deleted first). kill: an Oozie run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mr.cli.runs import action_printer, find_run, load_object, oozie_settings, parse_properties
from mr.lib.errors import UsageError

if TYPE_CHECKING:
    from mr.workflow.coordinator import Coordinator
    from mr.workflow.runs import CoordRun

EXAMPLE = "mr.workflow.examples:daily_report"


def load_coordinator(spec: str) -> tuple[Coordinator, dict[str, str]]:
    """(coordinator, job.properties values) of APP: MODULE:ATTR or an app directory."""
    from mr.workflow.coordinator import Coordinator, parse_coordinator_file
    from mr.workflow.parse import parse_workflow_file
    from mr.workflow.properties import job_properties

    path = Path(spec)
    if path.is_dir() or path.suffix == ".xml":
        xml = path / "coordinator.xml" if path.is_dir() else path
        if not xml.is_file():
            raise UsageError(f"{spec}: no coordinator.xml there")
        coord = parse_coordinator_file(xml)
        beside = xml.parent / "workflow.xml"
        if beside.is_file():  # the layout write_coordinator_app makes: the workflow beside it
            coord.workflow = parse_workflow_file(beside)
        return coord, job_properties(xml.parent / "job.properties")
    value = load_object(spec, EXAMPLE)
    if not isinstance(value, Coordinator):
        raise UsageError(f"{spec}: not a Coordinator (nor a function that returns one)")
    return value, {}


def cmd_run(args: argparse.Namespace) -> int:
    coord, file_values = load_coordinator(args.app)
    if args.properties:
        from mr.workflow.properties import job_properties

        if not Path(args.properties).is_file():
            raise UsageError(f"--properties {args.properties}: no such file")
        file_values = job_properties(Path(args.properties))
    given = parse_properties(args.property)
    run_dir = Path(args.run_dir).resolve() if args.run_dir else None
    if args.engine == "oozie":
        for option in ("root", "minute_seconds", "dry_run"):
            if getattr(args, option):
                raise UsageError(f"--{option.replace('_', '-')} is for --engine local")
        from mr.workflow.coord_remote import run_coordinator_on_oozie
        from mr.workflow.remote import Interrupted

        settings = oozie_settings(given, file_values, args.quiet)
        try:
            record = run_coordinator_on_oozie(
                coord, settings, properties=given, file_properties=file_values,
                run_dir=run_dir, wait=not args.no_wait, app=args.app,
            )  # fmt: skip
        except Interrupted as e:
            print(f"mrkit coord run: {coord.name}: interrupted; killed the Oozie job {e.job_id}",
                  file=sys.stderr)  # fmt: skip
            return 143 if e.terminated else 130
        return report(record, args.no_wait)
    from mr.workflow.coord_local import run_coordinator

    settings_ = local_settings(args)
    record = run_coordinator(
        coord, settings_, properties=given, file_properties=file_values,
        run_dir=run_dir or default_run_dir(coord.name), app=args.app,
    )  # fmt: skip
    if args.dry_run:
        for action in record.actions:
            shown = {k: v for k, v in action.properties.items() if k in coord.configuration}
            pairs = " ".join(f"{k}={v}" for k, v in shown.items())
            print(f"{action.number:>4} {action.nominal_time} {action.status} {pairs}".rstrip())
        return 0
    return report(record)


def default_run_dir(name: str) -> Path:
    from datetime import datetime

    from mr.workflow.local import UTC, default_runs_dir

    return default_runs_dir() / f"{name}-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S-%f')}"


def local_settings(args: argparse.Namespace):
    from mr.engines import state_dir
    from mr.workflow.coord_local import CoordSettings
    from mr.workflow.local import LocalSettings, minute_seconds_from_env

    minute = args.minute_seconds
    if minute is None:
        minute = minute_seconds_from_env()
    workflow = LocalSettings(
        root=Path(args.root).resolve() if args.root else state_dir("workflow-root"),
        runner=args.runner,
        minute_seconds=minute,
    )
    return CoordSettings(workflow=workflow, poll=args.poll, dry_run=args.dry_run,
                         on_action=action_printer(args.quiet))  # fmt: skip


def report(record: CoordRun, submitted_only: bool = False) -> int:
    """The run's id, status and directory on stdout; exit 0 when every action SUCCEEDED, else
    one line naming those that did not and exit 1."""
    print(f"{record.id} {record.status} {record.run_dir}")
    if record.status == "SUCCEEDED" or submitted_only:
        return 0
    bad = [a for a in record.actions if a.status != "SUCCEEDED"]
    named = ", ".join(f"#{a.number} {a.nominal_time} {a.status}" for a in bad) or record.message
    print(f"mrkit coord run: {record.name} {record.status}: {named}", file=sys.stderr)
    return 1


def find_coord_run(spec: str) -> Path:
    """The directory of a coordinator run: its directory, its coord.json, or its id."""
    from mr.workflow.runs import COORD_FILE

    return find_run(spec, COORD_FILE)


def cmd_status(args: argparse.Namespace) -> int:
    from mr.workflow.runs import CoordRun

    run_dir = find_coord_run(args.run)
    record = CoordRun.read(run_dir)
    if record.engine == "oozie":
        from mr.workflow.coord_remote import refresh_coordinator

        refresh_coordinator(oozie_settings(record.parameters, {}, True), record)
        record.write(run_dir)
    print("\n".join(record.summary_lines()))
    return 0


def cmd_kill(args: argparse.Namespace) -> int:
    import time

    from mr.workflow.coord_remote import COORD_ENDED, refresh_coordinator
    from mr.workflow.runs import CoordRun

    run_dir = find_coord_run(args.run)
    record = CoordRun.read(run_dir)
    if record.engine != "oozie":
        raise UsageError(f"{record.id}: a local run stops with Ctrl-C; kill is for Oozie runs")
    settings = oozie_settings(record.parameters, {}, True)
    settings.oozie.kill(record.id)
    deadline = time.monotonic() + 30  # the server ends its actions, then the coordinator
    refresh_coordinator(settings, record)
    while record.status not in COORD_ENDED and time.monotonic() < deadline:
        time.sleep(1)
        refresh_coordinator(settings, record)
    record.write(run_dir)
    print(f"{record.id} {record.status}")
    return 0 if record.status in COORD_ENDED else 1


def moment(text: str, option: str, end_of_day: bool = False) -> str:
    """A time (2026-01-05T06:00Z), or a day's first (or last) minute, in Oozie's form."""
    from mr.workflow.schedule import format_time, parse_time

    if "T" not in text:
        text += "T23:59Z" if end_of_day else "T00:00Z"
    try:
        return format_time(parse_time(text))
    except UsageError:
        raise UsageError(
            f"--date {option}: give a day (2026-01-05), a time (2026-01-05T06:00Z) or a range "
            "(2026-01-02..2026-01-05)"
        ) from None


def cmd_rerun(args: argparse.Namespace) -> int:
    from mr.workflow.runs import CoordRun

    run_dir = find_coord_run(args.run)
    record = CoordRun.read(run_dir)
    numbers = list(args.numbers or [])
    for day in args.date or []:
        first, _, last = day.partition("..")
        low, high = moment(first, day), moment(last or first, day, end_of_day=True)
        found = [a.number for a in record.actions if low <= a.nominal_time <= high]
        if not found:
            raise UsageError(f"--date {day}: no action of {record.id} has that nominal time")
        numbers += found
    if not numbers:
        raise UsageError("give --action N or --date DAY (each may repeat)")
    if record.engine == "oozie":
        from mr.workflow.coord_remote import follow_coordinator, rerun_on_oozie

        settings = oozie_settings(record.parameters, {}, args.quiet)
        before = rerun_on_oozie(settings, record, numbers)
        return report(follow_coordinator(settings, record, run_dir, rerun=before))
    from mr.workflow.coord_local import rerun_actions

    if not record.app:
        raise UsageError(f"{record.id}: the run does not say which coordinator it ran")
    coord, _ = load_coordinator(record.app)
    return report(rerun_actions(coord, local_settings(args), run_dir, numbers))


def add_local_options(q: argparse.ArgumentParser) -> None:
    q.add_argument("--root", metavar="DIR", help="--engine local: the directory that stands "
                   "for the name node (default: mrkit's state dir, workflow-root)")  # fmt: skip
    q.add_argument("--runner", choices=("inline", "local"), default="inline",
                   help="--engine local: mrjob's runner for the jobs (default inline)")  # fmt: skip
    q.add_argument("--poll", type=float, default=5.0, metavar="SECONDS",
                   help="--engine local: seconds between input checks (default 5)")  # fmt: skip
    q.add_argument("--minute-seconds", type=float, metavar="SECONDS",
                   help="--engine local: seconds a minute of timeout lasts")  # fmt: skip
    q.add_argument("-q", "--quiet", action="store_true", help="no progress lines")


def add_commands(subparsers) -> None:
    p = subparsers.add_parser(
        "coord",
        help="coordinators: run a workflow at a frequency, waiting for its input data",
        description="Oozie coordinators: run on this machine or on Oozie, status, rerun, kill.",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    q = sub.add_parser(
        "run",
        help="run a coordinator from its start to its end (a start in the past catches up)",
        description="Run the coordinator at APP: actions at its frequency from start to end "
        "(those not in the future), each waiting for its inputs' done-flags, then running its "
        "workflow. APP: MODULE:ATTR naming a Coordinator (or a function returning one), or a "
        "directory with coordinator.xml, workflow.xml and job.properties.",
    )
    q.add_argument("app", metavar="APP", help=f"MODULE:ATTR ({EXAMPLE}) or an app directory")
    q.add_argument("--engine", choices=("local", "oozie"), default="local",
                   help="local: this machine (default); oozie: the server of $OOZIE_URL or "
                   "`mrkit oozie up`")  # fmt: skip
    q.add_argument("--property", action="append", default=[], metavar="NAME=VALUE",
                   help="a property (start, end, nameNode ...); repeat for more")  # fmt: skip
    q.add_argument("--properties", metavar="FILE", help="job.properties to read")
    q.add_argument("--run-dir", metavar="DIR", help="where the run's record goes")
    q.add_argument("--dry-run", action="store_true",
                   help="--engine local: list the actions, run nothing")  # fmt: skip
    q.add_argument("--no-wait", action="store_true",
                   help="--engine oozie: return once the coordinator is submitted")  # fmt: skip
    add_local_options(q)
    q.set_defaults(func=cmd_run)

    q = sub.add_parser("status", help="a run's actions: nominal time, status, what they wait for")
    q.add_argument("run", metavar="RUN", help="a run directory, its coord.json, or a run id")
    q.set_defaults(func=cmd_status)

    q = sub.add_parser(
        "rerun",
        help="run actions of a run again (their outputs deleted first)",
        description="Run chosen actions of a coordinator run again: their output-event "
        "instances are deleted, then they wait for their inputs and run (Oozie: coord-rerun "
        "with refresh).",
    )
    q.add_argument("run", metavar="RUN", help="a run directory, its coord.json, or a run id")
    q.add_argument("--action", dest="numbers", type=int, action="append", metavar="N",
                   help="an action number; repeat for more")  # fmt: skip
    q.add_argument("--date", action="append", metavar="DAY",
                   help="the actions of a day (2026-01-05), a time (2026-01-05T06:00Z) or a "
                   "range (2026-01-02..2026-01-05, both included)")  # fmt: skip
    add_local_options(q)
    q.set_defaults(func=cmd_rerun, dry_run=False)

    q = sub.add_parser("kill", help="kill a coordinator running on Oozie")
    q.add_argument("run", metavar="RUN", help="a run directory, its coord.json, or a run id")
    q.set_defaults(func=cmd_kill)
