"""``mrkit workflow validate|render|import``: Oozie workflows offline (mr/workflow/).

validate: each file against Oozie's XSDs, then the graph and parameter checks; one line per
problem on stdout and exit 1, or one OK line per file and exit 0. A path that does not exist is
a usage error (exit 2). render: a Workflow defined in Python -> an application directory.
import: a workflow.xml -> a short summary of its nodes and transitions.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
from pathlib import Path

from lxml import etree

from mr.lib.errors import UsageError
from mr.workflow.model import Action, Decision, Fork, Join, Kill, Workflow
from mr.workflow.parse import parse_workflow_file, read_xml
from mr.workflow.render import write_app

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
    from mr.workflow.validate import job_properties, validate_file

    files = files_to_validate(args.paths)
    properties = None
    if args.properties:
        if not Path(args.properties).is_file():
            raise UsageError(f"--properties {args.properties}: no such file")
        properties = job_properties(Path(args.properties))
    bad = 0
    for path in files:
        problems = validate_file(path, properties)
        for problem in problems:
            print(problem)
        if problems:
            bad += 1
        else:
            kind = etree.QName(read_xml(path)).localname
            print(f"OK {path} ({kind})")
    return 1 if bad else 0


def load_workflow(spec: str) -> Workflow:
    """The Workflow at MODULE:ATTR (a module name or a .py file; ATTR may be a function)."""
    module_name, sep, attr = spec.rpartition(":")
    if not sep or not module_name or not attr:
        raise UsageError(f"{spec}: expected MODULE:ATTR (mr.workflow.examples:word_pipeline)")
    if module_name.endswith(".py"):
        path = Path(module_name)
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        loader = importlib.util.spec_from_file_location(path.stem, path)
        if loader is None or loader.loader is None:
            raise UsageError(f"{path}: not a Python module")
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            raise UsageError(f"{spec}: no module {e.name!r}") from None
    value = getattr(module, attr, None)
    if callable(value) and not isinstance(value, Workflow):
        value = value()
    if not isinstance(value, Workflow):
        raise UsageError(f"{spec}: not a Workflow (nor a function that returns one)")
    return value


def cmd_render(args: argparse.Namespace) -> int:
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
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    wf = parse_workflow_file(path)  # ParseError is a UsageError: exit 2
    print("\n".join(summary(wf)))
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "workflow",
        help="Oozie workflows offline: validate, render, import",
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
