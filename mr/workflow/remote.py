"""Run a workflow on a real Oozie server: deploy, submit, follow, record; kill on Ctrl-C.

The walk of :func:`run_on_oozie`:

1. **deploy**: the application (workflow.xml, job.properties, the files its actions ship: job
   scripts, ``mr.tar.gz``, ``mrjob.tar.gz``, and child workflows) is written by
   :func:`render.write_app` and uploaded to HDFS, to a directory of its own per run (``<apps
   root>/<workflow>/<run stamp>``): Oozie localizes an action's files when the action starts, so
   an app shared by two runs could change under the first one.
2. **submit** over the REST API (``POST /v2/jobs?action=start``) with the properties: the
   rendered job.properties (nameNode, resourceManager, the app path, the sharelib), then the
   given file's and the given values. Parameters without a value are refused here, in one
   line, as the local runner refuses them (Oozie would answer ``E0738``).
3. **follow**: ``GET /v2/job/<id>?show=info`` every ``poll`` seconds; each node whose status
   changed is recorded (:class:`runs.NodeRun`, as the local runner records it) and given to
   ``on_node`` (the CLI prints a line), and ``run.json`` is rewritten, so ``mrkit workflow
   status`` and ``graph --run`` read an Oozie run as they read a local one.
4. **end**: SUCCEEDED, KILLED (the kill node's message, as Oozie records it on that node: error
   code ``E0729``) or FAILED. For each action that ended in ERROR the record keeps Oozie's error
   code and message and the YARN application that ran it (its console URL).

Ctrl-C (or SIGTERM) while following kills the Oozie job (``PUT ?action=kill``), records the run
KILLED and raises :class:`Interrupted` (a KeyboardInterrupt): a workflow never keeps running
behind a command that was stopped.

Node records as Oozie gives them: an action's attempts are its user retries + 1 (control nodes:
0, as the local runner counts them); ``data`` is its captured output (Java properties).
"""

from __future__ import annotations

import contextlib
import functools
import signal
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from mr.clients.hdfs import HDFS
from mr.clients.oozie import Oozie, OozieUnavailable
from mr.workflow.local import UTC, default_runs_dir, resolve_parameters
from mr.workflow.model import Workflow
from mr.workflow.properties import read_properties
from mr.workflow.render import write_app
from mr.workflow.runs import (
    ERROR,
    KILLED,
    RUNNING,
    CoordActionRun,
    CoordRun,
    NodeRun,
    WorkflowRun,
)

#: where applications are deployed, per workflow and run
DEFAULT_APPS_ROOT = "/user/{user}/mrkit-apps"
#: Oozie's statuses of a workflow that has ended
ENDED = {"SUCCEEDED", "KILLED", "FAILED"}
#: Oozie's action statuses, in the words the run record uses
ACTION_STATUS = {
    "PREP": RUNNING,
    "RUNNING": RUNNING,
    "START_RETRY": RUNNING,
    "START_MANUAL": RUNNING,
    "END_RETRY": RUNNING,
    "END_MANUAL": RUNNING,
    "DONE": RUNNING,
    "USER_RETRY": "USER_RETRY",
    "OK": "OK",
    "ERROR": ERROR,
    "FAILED": ERROR,
    "KILLED": KILLED,
}


@dataclass
class OozieSettings:
    """Where and how to run: the server, HDFS, the cluster's addresses, how often to poll."""

    oozie: Oozie
    fs: HDFS
    name_node: str
    resource_manager: str
    apps_root: str = DEFAULT_APPS_ROOT
    poll: float = 1.0
    on_node: Callable[[WorkflowRun, NodeRun], None] | None = None
    #: a coordinator's progress: called when one of its actions changes
    on_action: Callable[[CoordRun, CoordActionRun], None] | None = None
    #: seconds a follower waits for a server that stopped answering (restarted, or killed and
    #: started again: its jobs are in its database) before it gives up
    patience: float = 600.0
    #: told once, with a line to show, when the server stops answering
    on_wait: Callable[[str], None] | None = None


def patiently(settings: OozieSettings, ask: Callable[[], Any]) -> Any:
    """ask(), asked again every poll while the server does not answer, for settings.patience
    seconds; then its OozieUnavailable."""
    deadline = None
    while True:
        try:
            return ask()
        except OozieUnavailable as e:
            if deadline is None:
                deadline = time.monotonic() + settings.patience
                if settings.on_wait is not None:
                    settings.on_wait(f"{e.message}; waiting up to {settings.patience:.0f}s")
            if time.monotonic() >= deadline:
                raise
            time.sleep(max(settings.poll, 1.0))


def deploy(wf: Workflow, settings: OozieSettings, stamp: str) -> tuple[str, dict[str, str]]:
    """Upload the workflow application; (its HDFS path, the rendered job.properties)."""
    return upload_app(wf.name, functools.partial(write_app, wf), settings, stamp)


def upload_app(
    name: str, write: Callable[..., object], settings: OozieSettings, stamp: str
) -> tuple[str, dict[str, str]]:
    """Write an application (write(out_dir, name_node=, resource_manager=, app_path=)) to a
    temporary directory and upload it to <apps root>/<name>/<stamp>; (that HDFS path, the
    rendered job.properties)."""
    app_path = f"{settings.apps_root.format(user=settings.oozie.user)}/{name}/{stamp}"
    with tempfile.TemporaryDirectory(prefix="mrkit-app-") as tmp:
        out = Path(tmp) / "app"
        write(out, name_node=settings.name_node, resource_manager=settings.resource_manager,
              app_path=f"${{nameNode}}{app_path}")  # fmt: skip
        properties = read_properties((out / "job.properties").read_text(encoding="utf-8"))
        settings.fs.put(out, app_path)
    return app_path, properties


def run_on_oozie(
    wf: Workflow,
    settings: OozieSettings,
    *,
    properties: Mapping[str, str] | None = None,
    file_properties: Mapping[str, str] | None = None,
    run_dir: Path | None = None,
    runs_root: Path | None = None,
) -> WorkflowRun:
    """Deploy, submit and follow wf on the server; the run record, also in run.json of run_dir
    (default: runs_root/<Oozie job id>, so `mrkit workflow status ID` finds it)."""
    resolve_parameters(
        wf,
        properties,
        {"nameNode": settings.name_node, **(file_properties or {})},
    )  # a parameter nothing sets: one line, before anything is uploaded
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    app_path, rendered = deploy(wf, settings, stamp)
    values = {**rendered, **(file_properties or {}), **(properties or {})}
    values["oozie.wf.application.path"] = f"{settings.name_node}{app_path}"
    job_id = settings.oozie.submit(values)
    if run_dir is None:
        run_dir = (runs_root or default_runs_dir()) / job_id
    run_dir.mkdir(parents=True, exist_ok=True)
    record = WorkflowRun(
        id=job_id,
        name=wf.name,
        engine="oozie",
        parameters=dict(values),
        run_dir=str(run_dir),
    )
    record.write(run_dir)
    try:
        with terminate_as_interrupt():
            return follow(settings, record, run_dir)
    except KeyboardInterrupt as e:  # Ctrl-C or SIGTERM
        _kill_quietly(settings.oozie, job_id)
        record.status = KILLED
        record.message = "stopped by the user: the Oozie job was killed"
        record.write(run_dir)
        raise Interrupted(job_id, terminated=isinstance(e, Terminated)) from None


class Terminated(KeyboardInterrupt):
    """SIGTERM while following a run: it unwinds as Ctrl-C does."""


class Interrupted(KeyboardInterrupt):
    """The run was stopped (Ctrl-C or SIGTERM) and its Oozie job killed."""

    def __init__(self, job_id: str, terminated: bool):
        super().__init__(job_id)
        self.job_id = job_id
        self.terminated = terminated


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` meanwhile (where a handler of our own can be set)."""

    def raise_terminated(signum: int, frame: Any) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, raise_terminated)
    except ValueError:  # not the main thread: leave SIGTERM alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _kill_quietly(oozie: Oozie, job_id: str) -> None:
    try:
        oozie.kill(job_id)
    except Exception:  # the server may be gone too; nothing more can be done from here
        pass


def follow(settings: OozieSettings, record: WorkflowRun, run_dir: Path) -> WorkflowRun:
    """Poll the job until it ends, recording each node as its status changes."""
    while True:
        changed = patiently(settings, lambda: refresh(settings.oozie, record))
        record.write(run_dir)
        for node in changed:
            if settings.on_node:
                settings.on_node(record, node)
        if record.status in ENDED:
            return record
        time.sleep(settings.poll)


def refresh(oozie: Oozie, record: WorkflowRun) -> list[NodeRun]:
    """Bring the record up to date with the server; the nodes that changed, in Oozie's order."""
    info = oozie.info(record.id)
    record.started = record.started or _iso(info.get("startTime"))
    changed = []
    for action in info.get("actions") or []:
        node = node_run(action)
        old = record.node(node.name)
        if old is None or _key(old) != _key(node):
            _replace(record, node)
            changed.append(node)
    status = str(info.get("status"))
    record.status = status
    if status in ENDED:
        record.ended = _iso(info.get("endTime"))
        record.message = end_message(record, status)
    return changed


def _key(node: NodeRun) -> tuple[Any, ...]:
    return (node.status, node.attempts, node.error_code, node.transition, node.external_id)


def _replace(record: WorkflowRun, node: NodeRun) -> None:
    for i, old in enumerate(record.nodes):
        if old.name == node.name:
            record.nodes[i] = node
            return
    record.nodes.append(node)


def end_message(record: WorkflowRun, status: str) -> str | None:
    """KILLED: the kill node's message (Oozie keeps it on that node, error code E0729)."""
    if status == "SUCCEEDED":
        return None
    for node in record.nodes:
        if node.kind == ":KILL:" and node.error_message:
            return node.error_message
    failed = record.failed_node()
    return f"{failed.name}: {failed.error_message}" if failed else None


def is_control(kind: str) -> bool:
    return kind.startswith(":") or kind == "switch"


def node_run(action: Mapping[str, Any]) -> NodeRun:
    """One action of Oozie's job info as a node record."""
    kind = str(action.get("type") or "")
    status = ACTION_STATUS.get(str(action.get("status")), str(action.get("status")))
    retries = int(action.get("userRetryCount") or 0)
    data = action.get("data")
    node = NodeRun(
        name=str(action.get("name")),
        kind=kind,
        status=status,
        attempts=0 if is_control(kind) else retries + 1,
        started=_iso(action.get("startTime")),
        ended=_iso(action.get("endTime")),
        transition=action.get("transition") or None,
        error_code=action.get("errorCode") or None,
        error_message=action.get("errorMessage") or None,
        data=read_properties(data) if isinstance(data, str) and data.strip() else {},
        external_id=action.get("externalId") or None,
        console_url=_url(action.get("consoleUrl")),
    )
    if status == RUNNING:
        node.transition = None
    return node


def _url(value: Any) -> str | None:
    """Oozie's consoleUrl: '-' or empty for actions that ran no YARN application."""
    text = str(value or "").strip()
    return text if text and text != "-" else None


def _iso(stamp: Any) -> str | None:
    """Oozie's RFC 822 times (``Tue, 01 Dec 2026 23:55:02 GMT``) as ISO 8601."""
    if not stamp:
        return None
    try:
        return parsedate_to_datetime(str(stamp)).isoformat(timespec="milliseconds")
    except (TypeError, ValueError):
        return str(stamp)
