"""What ``mrkit workflow`` and ``mrkit coord`` share: ``--property`` values, apps named
MODULE:ATTR, run records found by id or directory, progress lines on stderr, and how to reach
Oozie and the cluster. Below both command modules, so neither imports the other."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mr.lib.errors import NotFound, UsageError

if TYPE_CHECKING:
    from mr.workflow.runs import CoordActionRun, CoordRun, WorkflowRun


def parse_properties(items: list[str]) -> dict[str, str]:
    values = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--property {item}: expected NAME=VALUE")
        values[name] = value
    return values


def load_object(spec: str, example: str) -> object:
    """The value at MODULE:ATTR (mr.workflow.apps.load_object, imported when called)."""
    from mr.workflow.apps import load_object as load

    return load(spec, example)


def find_run(spec: str, record: str = "") -> Path:
    """The directory of a run: a path (its directory or its record file: run.json, or
    coord.json for a coordinator's), or a run id; NotFound naming what to give."""
    from mr.workflow.local import default_runs_dir
    from mr.workflow.runs import RUN_FILE

    record = record or RUN_FILE
    path = Path(spec)
    if path.is_file() and path.name == record:
        return path.parent
    if (path / record).is_file():
        return path
    by_id = default_runs_dir() / spec
    if "/" not in spec and (by_id / record).is_file():
        return by_id
    kind = "coordinator run" if record != RUN_FILE else "run"
    raise NotFound(f"{spec}: no such {kind} (give a run id or a run directory)")


def progress_printer(quiet: bool):
    """One line per node on stderr as it ends (on a terminal, unless quiet), or None."""
    from mr.workflow.runs import NodeRun

    if quiet or not sys.stderr.isatty():
        return None

    def show(run: WorkflowRun, node: NodeRun) -> None:
        line = f"{run.name}: {node.status:<10} {node.name} [{node.kind}]"
        if node.status == "RUNNING":
            line += f" (attempt {node.attempts})" if node.attempts > 1 else ""
        elif node.attempts > 1:
            line += f" ({node.attempts} attempts)"
        if node.error_code:
            line += f" {node.error_code}: {node.error_message}"
        print(line, file=sys.stderr, flush=True)

    return show


def action_printer(quiet: bool):
    """One line per action change on stderr (on a terminal, unless quiet), or None."""
    if quiet or not sys.stderr.isatty():
        return None

    def show(run: CoordRun, action: CoordActionRun) -> None:
        line = f"{run.name}: {action.nominal_time} #{action.number} {action.status}"
        if action.missing:
            line += " waiting for " + ", ".join(action.missing)
        if action.message:
            line += f": {action.message}"
        print(line, file=sys.stderr, flush=True)

    return show


def oozie_settings(given: dict[str, str], file_values: dict[str, str], quiet: bool):
    """How to reach Oozie ($OOZIE_URL or `mrkit oozie up`'s) and the cluster: nameNode and
    resourceManager given, else job.properties', else the cluster of `mrkit cluster up`;
    progress lines for workflow nodes and coordinator actions unless quiet."""
    from mr.clients.hdfs import client
    from mr.clients.oozie import Oozie
    from mr.engines import hadoop
    from mr.lib import auth
    from mr.workflow.remote import OozieSettings

    values = {**file_values, **given}
    name_node, resource_manager = values.get("nameNode"), values.get("resourceManager")
    cluster = hadoop.info()
    if auth.is_kerberos():  # the secure cluster of `mrkit cluster up --secure`, if it runs
        from mr.engines import secure

        secure_cluster = secure.info()
        if secure_cluster is not None:
            name_node = name_node or secure_cluster.fs_uri
            rm_port = secure_cluster.ports["MRKIT_SECURE_RM_PORT"]
            resource_manager = resource_manager or f"localhost:{rm_port}"
    elif cluster is not None:
        name_node = name_node or cluster.fs_uri
        resource_manager = resource_manager or f"localhost:{cluster.ports.rm}"
    if not name_node or not resource_manager:
        raise UsageError(
            "no cluster: start one (`mrkit cluster up`, `mrkit oozie up`; with Kerberos "
            "`--secure` on both) or give "
            "--property nameNode=hdfs://HOST:PORT --property resourceManager=HOST:PORT"
        )
    return OozieSettings(oozie=Oozie(), fs=client(), name_node=name_node,
                         resource_manager=resource_manager, on_node=progress_printer(quiet),
                         on_action=action_printer(quiet), on_wait=say_waiting)  # fmt: skip


def say_waiting(line: str) -> None:
    """A follower's word that the server stopped answering (it waits for it to return)."""
    print(f"mrkit: {line}", file=sys.stderr, flush=True)
