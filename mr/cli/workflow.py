"""``mrkit workflow validate|render|import|run|status|kill|log|graph``: Oozie workflows.

validate: each file against Oozie's XSDs, then the graph and parameter checks; one line per
problem on stdout and exit 1, or one OK line per file and exit 0. A path that does not exist is
a usage error (exit 2). render: a Workflow defined in Python -> an application directory.
import: a workflow.xml -> a short summary of its nodes and transitions. run: the workflow on
this machine (``--engine local``, mr/workflow/local.py) or on an Oozie server (``--engine
oozie``, mr/workflow/remote.py: deployed to HDFS, submitted and followed; Ctrl-C kills the Oozie
job), one progress line per node on stderr, exit 0 when it SUCCEEDED, 1 when it was KILLED or
FAILED (the failing node, its error code and message, and on Oozie its YARN application, in one
line), 130/143 when interrupted; status, kill and log: a run's record (an Oozie run's brought up
to date from the server), stopping an Oozie run, and its actions' output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mr.cli.runs import find_run, load_object, oozie_settings, parse_properties, progress_printer
from mr.lib.defaults import WORKFLOW_MINUTE_SECONDS_ENV as MINUTE_SECONDS_ENV
from mr.lib.errors import NotFound, UsageError

if TYPE_CHECKING:
    from mr.clients.oozie import Oozie
    from mr.workflow.coordinator import Coordinator
    from mr.workflow.model import Action, Workflow
    from mr.workflow.runs import WorkflowRun

#: file names looked for in a directory given to validate
APP_FILES = ("workflow.xml", "coordinator.xml", "bundle.xml")


def files_to_validate(paths: list[str]) -> list[Path]:
    """The files named (a directory: its workflow/coordinator/bundle.xml); UsageError if none."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = [path / name for name in APP_FILES if (path / name).is_file()]
            if not inside:
                raise UsageError(f"{path}: a directory without {', '.join(APP_FILES)}")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file")
    return found


def cmd_validate(args: argparse.Namespace) -> int:
    from lxml import etree

    from mr.workflow.parse import read_xml
    from mr.workflow.properties import job_properties
    from mr.workflow.validate import validate_file

    files = files_to_validate(args.paths)
    properties = None
    if args.properties:
        if not Path(args.properties).is_file():
            raise UsageError(f"--properties {args.properties}: no such file")
        properties = job_properties(Path(args.properties))
    server = None
    if args.server:
        from mr.clients.oozie import Oozie

        server = Oozie()  # OozieUnavailable (exit 1, one line) when there is none
    bad = 0
    for path in files:
        problems = [str(p) for p in validate_file(path, properties)]
        if server is not None:
            problems += server_problems(server, path)
        for problem in problems:
            print(problem)
        if problems:
            bad += 1
        else:
            kind = etree.QName(read_xml(path)).localname
            print(f"OK {path} ({kind})")
    return 1 if bad else 0


def server_problems(server: Oozie, path: Path) -> list[str]:
    """What the Oozie server's own XSD check says of one file (nothing when it accepts it)."""
    from mr.clients.oozie import OozieError, OozieUnavailable

    try:
        server.validate(path.read_text(encoding="utf-8", errors="replace"), path.name)
    except OozieUnavailable:
        raise
    except OozieError as e:  # its code and message, on one line
        return [f"{path}: oozie: {' '.join(str(e).split())}"]
    return []


def load_workflow(spec: str) -> Workflow:
    """The Workflow at MODULE:ATTR (a module name or a .py file; ATTR may be a function)."""
    from mr.workflow.model import Workflow

    value = load_object(spec, "mr.workflow.examples:word_pipeline")
    if not isinstance(value, Workflow):
        raise UsageError(f"{spec}: not a Workflow (nor a function that returns one)")
    return value


def cmd_render(args: argparse.Namespace) -> int:
    from mr.workflow.render import write_app

    wf = load_workflow(args.workflow)
    for path in write_app(
        wf,
        Path(args.out),
        name_node=args.name_node,
        resource_manager=args.resource_manager,
        app_path=args.app_path,
    ):
        print(path)
    return 0


def summary(wf: Workflow) -> list[str]:
    """A few lines that show a workflow: parameters, then each node and where it goes."""
    from mr.workflow.model import Action, Decision, Fork, Join, Kill

    lines = [f"workflow {wf.name} ({wf.namespace}), start -> {wf.start}"]
    for p in wf.parameters:
        lines.append(f"  param {p.name}" + (" (required)" if p.value is None else f" = {p.value}"))
    for n in wf.nodes:
        if isinstance(n, Action):
            lines.append(f"  action {n.name} [{body_summary(n)}] ok -> {n.ok}, error -> {n.error}")
        elif isinstance(n, Fork):
            lines.append(f"  fork {n.name} -> {', '.join(n.paths)}")
        elif isinstance(n, Join):
            lines.append(f"  join {n.name} -> {n.to}")
        elif isinstance(n, Decision):
            cases = ", ".join(f"{c.predicate} -> {c.to}" for c in n.cases)
            lines.append(f"  decision {n.name}: {cases}, default -> {n.default}")
        elif isinstance(n, Kill):
            lines.append(f"  kill {n.name}: {n.message}")
        else:
            lines.append(f"  end {n.name}")
    return lines


def body_summary(action: Action) -> str:
    from lxml import etree

    from mr.workflow.model import Fs, MapReduce, RawAction, Shell, SubWorkflow

    body = action.body
    if isinstance(body, MapReduce):
        if body.streaming is not None:
            return f"streaming: {body.streaming.mapper}"
        return "map-reduce"
    if isinstance(body, Shell):
        return f"shell: {' '.join([body.exec, *body.arguments])}"
    if isinstance(body, Fs):
        return "fs: " + ", ".join(type(op).__name__.lower() for op in body.ops)
    if isinstance(body, SubWorkflow):
        return f"sub-workflow: {body.app_path}"
    assert isinstance(body, RawAction)
    return etree.QName(body.element).localname


def cmd_import(args: argparse.Namespace) -> int:
    from lxml import etree

    from mr.workflow.parse import parse_workflow_file, read_xml

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    kind = etree.QName(read_xml(path)).localname  # ParseError is a UsageError: exit 2
    if kind == "coordinator-app":
        from mr.workflow.coordinator import parse_coordinator_file

        print("\n".join(coordinator_summary(parse_coordinator_file(path))))
    elif kind == "bundle-app":
        from mr.workflow.coordinator import parse_bundle_file

        bundle = parse_bundle_file(path)
        print(f"bundle {bundle.name}, kick-off {bundle.kick_off_time or 'now'}")
        for name, app in bundle.coordinators.items():
            print(f"  coordinator {name}: {app}")
    else:
        print("\n".join(summary(parse_workflow_file(path))))
    return 0


def coordinator_summary(c: Coordinator) -> list[str]:
    """A few lines that show a coordinator: its schedule, datasets, events and workflow."""
    lines = [f"coordinator {c.name} ({c.namespace}): {c.frequency} from {c.start} to {c.end} "
             f"({c.timezone})"]  # fmt: skip
    for d in c.datasets:
        flag = "_SUCCESS" if d.done_flag is None else (d.done_flag or "the directory")
        lines.append(f"  dataset {d.name}: {d.frequency} from {d.initial_instance}: "
                     f"{d.uri_template} (done: {flag})")  # fmt: skip
    for i in c.inputs:
        which = ", ".join(i.instances) or f"{i.start_instance} .. {i.end_instance}"
        lines.append(f"  input {i.name} <- {i.dataset} {which}")
    for o in c.outputs:
        lines.append(f"  output {o.name} -> {o.dataset} {o.instance}")
    lines.append(f"  runs {c.app_path()}")
    for key, value in c.configuration.items():
        lines.append(f"    {key} = {value}")
    return lines


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "workflow",
        help="Oozie workflows: validate, render, import; run locally, status, log, graph",
        description="Oozie workflow, coordinator and bundle XML, without a server.",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    q = sub.add_parser(
        "validate",
        help="check Oozie XML against Oozie's XSDs and the graph rules",
        description="Validate workflow, coordinator and bundle XML against the XSDs of "
        "oozie-client 5.2.1 (fetched with Maven the first time), then workflows' graphs "
        "(dangling transitions, unreachable nodes, cycles, forks without their join) and "
        "${parameters} nothing defines (the file's <parameters>, job.properties beside it). "
        "One line per problem, exit 1; exit 0 when every file is valid.",
    )
    q.add_argument(
        "--server",
        action="store_true",
        help="also send each file to an Oozie server's own validation (POST /v2/validate): the "
        "server of $OOZIE_URL, else of `mrkit oozie up`",
    )
    q.add_argument("paths", nargs="+", metavar="PATH", help="XML files, or app directories")
    q.add_argument(
        "--properties", metavar="FILE", help="job.properties to use (default: beside each file)"
    )
    q.set_defaults(func=cmd_validate)

    q = sub.add_parser(
        "render",
        help="write a Python-defined workflow as workflow.xml + job.properties",
        description="Write the Workflow at MODULE:ATTR (module name or .py file; ATTR a "
        "Workflow or a function returning one) into DIR: workflow.xml, job.properties and "
        "the files its actions ship (job scripts, mr.tar.gz).",
    )
    q.add_argument(
        "workflow", metavar="MODULE:ATTR", help="e.g. mr.workflow.examples:word_pipeline"
    )
    q.add_argument("--out", required=True, metavar="DIR", help="application directory to write")
    q.add_argument("--name-node", help="nameNode of job.properties (default: the local cluster)")
    q.add_argument("--resource-manager", help="resourceManager of job.properties")
    q.add_argument(
        "--app-path", help="oozie.wf.application.path (default: /user/${user.name}/NAME)"
    )
    q.set_defaults(func=cmd_render)

    q = sub.add_parser(
        "import",
        help="summarise an existing workflow.xml: parameters, nodes, transitions",
        description="Read a workflow.xml (workflow schema 0.1 to 1.0) into mrkit's model and "
        "print its parameters and nodes with their transitions.",
    )
    q.add_argument("file", metavar="FILE", help="workflow.xml")
    q.set_defaults(func=cmd_import)

    add_run_commands(sub)


#: the engines of `mrkit workflow run`: this machine, or an Oozie server over its REST API
ENGINES = ("local", "oozie")


def load_app(spec: str) -> tuple[Workflow, Path | None, dict[str, str]]:
    """(workflow, application directory, job.properties values) of APP: a directory with
    workflow.xml (and job.properties), a workflow.xml, or MODULE:ATTR / file.py:ATTR."""
    from mr.workflow.parse import parse_workflow_file
    from mr.workflow.properties import job_properties

    path = Path(spec)
    if path.is_dir():
        if not (path / "workflow.xml").is_file():
            raise UsageError(f"{path}: a directory without workflow.xml")
        path = path / "workflow.xml"
    if path.is_file() and path.suffix != ".py":
        return (
            parse_workflow_file(path),
            path.parent,
            job_properties(path.parent / "job.properties"),
        )
    if ":" in spec:
        return load_workflow(spec), None, {}
    raise UsageError(f"{spec}: no such file or directory (nor MODULE:ATTR)")


def cmd_run(args: argparse.Namespace) -> int:
    from mr.engines import state_dir
    from mr.workflow.local import (
        DEFAULT_RETRY_CODES,
        LocalSettings,
        minute_seconds_from_env,
        run_workflow,
    )
    from mr.workflow.properties import job_properties

    wf, app_dir, file_values = load_app(args.app)
    if args.properties:
        if not Path(args.properties).is_file():
            raise UsageError(f"--properties {args.properties}: no such file")
        file_values = job_properties(Path(args.properties))
    given = parse_properties(args.property)
    run_dir = Path(args.run_dir).resolve() if args.run_dir else None
    if args.engine == "oozie":
        from mr.workflow.remote import Interrupted

        for option in ("root", "retry_codes", "minute_seconds"):
            if getattr(args, option) is not None:
                raise UsageError(
                    f"--{option.replace('_', '-')} is for --engine local (on Oozie: the "
                    "cluster's HDFS, and the server's settings of `mrkit oozie up`)"
                )
        try:
            result = run_remote(wf, given, file_values, run_dir, args.quiet)
        except Interrupted as e:
            print(f"mrkit workflow run: {wf.name}: interrupted; killed the Oozie job {e.job_id}",
                  file=sys.stderr)  # fmt: skip
            return 143 if e.terminated else 130
        return report(wf, result)
    codes = DEFAULT_RETRY_CODES
    if args.retry_codes:
        codes = frozenset(c.strip() for c in args.retry_codes.split(",") if c.strip())
        codes = codes if args.retry_codes_only else DEFAULT_RETRY_CODES | codes
    minute = args.minute_seconds
    if minute is None:
        minute = minute_seconds_from_env()
    settings = LocalSettings(
        root=Path(args.root).resolve() if args.root else state_dir("workflow-root"),
        runner=args.runner,
        retry_codes=codes,
        minute_seconds=minute,
        on_node=progress_printer(args.quiet),
    )
    result = run_workflow(
        wf, settings, properties=given, file_properties=file_values, run_dir=run_dir,
        app_dir=app_dir,
    )  # fmt: skip
    return report(wf, result)


def run_remote(
    wf: Workflow,
    given: dict[str, str],
    file_values: dict[str, str],
    run_dir: Path | None,
    quiet: bool,
) -> WorkflowRun:
    """Run on the Oozie server over its REST API (see :func:`oozie_settings`)."""
    from mr.workflow.remote import run_on_oozie

    settings = oozie_settings(given, file_values, quiet)
    return run_on_oozie(
        wf, settings, properties=given, file_properties=file_values, run_dir=run_dir
    )


def report(wf: Workflow, result: WorkflowRun) -> int:
    """The run's id, status and record on stdout; exit 0 if it SUCCEEDED, else the failing
    node (its error code and message, and where its YARN logs are) on stderr and exit 1."""
    print(f"{result.id} {result.status} {result.run_dir}")
    if result.status == "SUCCEEDED":
        return 0
    failed = result.failed_node()
    where = (
        f"node {failed.name!r}: {failed.error_code}: {failed.error_message}"
        if failed
        else str(result.message)
    )
    if failed and failed.console_url:
        where += f" (YARN: {failed.console_url})"
    print(f"mrkit workflow run: {wf.name} {result.status}: {where}", file=sys.stderr)
    return 1


def cmd_status(args: argparse.Namespace) -> int:
    from mr.workflow.runs import WorkflowRun

    run_dir = find_run(args.run)
    run = WorkflowRun.read(run_dir)
    if run.engine == "oozie" and run.status not in ("SUCCEEDED", "KILLED", "FAILED"):
        from mr.clients.oozie import Oozie
        from mr.workflow.remote import refresh

        refresh(Oozie(), run)  # a run followed elsewhere, or whose follower was stopped
        run.write(run_dir)
    print("\n".join(run.summary_lines()))
    return 0


def cmd_kill(args: argparse.Namespace) -> int:
    from mr.clients.oozie import Oozie
    from mr.workflow.runs import WorkflowRun

    run = WorkflowRun.read(find_run(args.run))
    if run.engine != "oozie":
        raise UsageError(f"{args.run}: a {run.engine} run; stop it where it runs (Ctrl-C)")
    Oozie().kill(run.id)
    print(f"{run.id} KILLED")
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    from mr.workflow.runs import WorkflowRun

    run_dir = find_run(args.run)
    run = WorkflowRun.read(run_dir)
    if run.engine == "oozie":
        from mr.clients.oozie import Oozie

        # Oozie's own log of the job (its launchers' output is in YARN: the console URLs)
        lines = Oozie().log(run.id).splitlines()
        if args.node:
            lines = [line for line in lines if f"ACTION[{run.id}@{args.node}]" in line]
        print("\n".join(lines))
        for node in run.nodes:
            if node.console_url and (not args.node or node.name == args.node):
                print(f"==> {node.name}: YARN application {node.console_url}")
        return 0
    logs = sorted(
        (run_dir / "logs").glob(f"{args.node or '*'}.*.log"),
        key=lambda p: (p.stat().st_mtime, p.name),
    )
    if args.node and not logs:
        raise NotFound(f"{args.run}: no output of node {args.node!r}")
    for log in logs:
        name, attempt = log.name[: -len(".log")].rsplit(".", 1)
        print(f"==> {name} (attempt {attempt}) <==")
        sys.stdout.write(log.read_text(encoding="utf-8", errors="replace"))
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    from mr.workflow.draw import draw
    from mr.workflow.runs import WorkflowRun

    wf, _, _ = load_app(args.app)
    run = WorkflowRun.read(find_run(args.run)) if args.run else None
    if run is not None and run.name != wf.name:
        raise UsageError(f"--run {args.run}: a run of {run.name}, not of {wf.name}")
    print(draw(wf, Path(args.out), run))
    return 0


def add_run_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    q = sub.add_parser(
        "run",
        help="run a workflow on this machine (--engine local) or on Oozie (--engine oozie)",
        description="Run a workflow without Oozie, with Oozie's semantics (transitions, "
        "fork/join, decisions, retries, kill messages): jobs with mrjob's inline or local "
        "runner, Hive/Pig twins in local mode, fs and shell actions here. hdfs:// paths (and "
        "the nameNode's) live under --root. A record of the run (run.json) goes to --run-dir; "
        "exit 0 when the workflow SUCCEEDED, 1 when it was KILLED or FAILED, 2 for a usage "
        "error.",
    )
    q.add_argument(
        "app", metavar="APP", help="app directory, workflow.xml, or MODULE:ATTR / file.py:ATTR"
    )
    q.add_argument(
        "--engine", choices=ENGINES, default="local",
        help="local: this machine, without Oozie (default); oozie: deploy to HDFS and run on "
        "the Oozie server ($OOZIE_URL, else `mrkit oozie up`'s), following it; Ctrl-C kills "
        "the Oozie job",
    )  # fmt: skip
    q.add_argument(
        "--property", action="append", default=[], metavar="NAME=VALUE",
        help="a parameter value (repeatable); beats job.properties and <parameters> defaults",
    )  # fmt: skip
    q.add_argument("--properties", metavar="FILE", help="job.properties (default: the app's)")
    q.add_argument(
        "--root", metavar="DIR",
        help="local directory that stands for HDFS: hdfs://host/x is DIR/x "
        "(default: <state dir>/workflow-root; state dir: $MRKIT_HOME or .cluster)",
    )  # fmt: skip
    q.add_argument("--runner", choices=("inline", "local"), default="inline",
                   help="mrjob runner for map-reduce actions")  # fmt: skip
    q.add_argument(
        "--run-dir", metavar="DIR",
        help="where the run record goes (default: <state dir>/workflow-runs/ID)",
    )  # fmt: skip
    q.add_argument(
        "--retry-codes", metavar="CODES",
        help="error codes retried besides Oozie's defaults (user.retry.error.code.ext), "
        "comma-separated; ALL retries every error; a shell's exit code is its error code",
    )  # fmt: skip
    q.add_argument("--retry-codes-only", action="store_true",
                   help="retry only --retry-codes, not Oozie's defaults too")  # fmt: skip
    q.add_argument(
        "--minute-seconds", type=float, metavar="S",
        help=f"seconds a minute of retry-interval lasts (default 60, or ${MINUTE_SECONDS_ENV})",
    )  # fmt: skip
    q.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    q.set_defaults(func=cmd_run)

    q = sub.add_parser(
        "status",
        help="show a run: the workflow's status, each node's status, attempts and errors",
        description="Print the record of a run (its run.json): one line for the workflow, "
        "one per node.",
    )
    q.add_argument("run", metavar="RUN", help="run id, or run directory")
    q.set_defaults(func=cmd_status)

    q = sub.add_parser(
        "kill",
        help="kill a run on Oozie (mrkit workflow kill RUN)",
        description="Kill the Oozie job of a run started with --engine oozie (its run id, the "
        "Oozie job id, or run directory). A local run stops with Ctrl-C.",
    )
    q.add_argument("run", metavar="RUN", help="run id, or run directory")
    q.set_defaults(func=cmd_kill)

    q = sub.add_parser(
        "log",
        help="print what a run's actions wrote (local: stdout and stderr per attempt; oozie: "
        "the job's Oozie log and its YARN applications)",
    )
    q.add_argument("run", metavar="RUN", help="run id, or run directory")
    q.add_argument("node", nargs="?", help="only this node")
    q.set_defaults(func=cmd_log)

    q = sub.add_parser(
        "graph",
        help="draw a workflow (SVG or PNG), its nodes coloured by a run",
        description="Draw the workflow with Graphviz: actions as boxes, decisions as "
        "diamonds, fork/join as trapezia, kill as an octagon; ok transitions solid, error "
        "dashed. With --run, nodes are filled by status (green OK, red ERROR, orange KILLED, "
        "grey not run) and the transitions taken are bold. Needs dot (scripts/bootstrap "
        "installs Debian's graphviz).",
    )
    q.add_argument(
        "app", metavar="APP", help="app directory, workflow.xml, or MODULE:ATTR / file.py:ATTR"
    )
    q.add_argument("--out", required=True, metavar="FILE", help="FILE.svg or FILE.png")
    q.add_argument("--run", metavar="RUN", help="colour by this run (run id or run directory)")
    q.set_defaults(func=cmd_graph)
