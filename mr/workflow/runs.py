"""The record of one workflow run, in Oozie's words, whichever engine ran it.

Per node, named and typed as Oozie's REST API reports actions (``:start:`` first, control nodes
of type ``:START:``, ``switch``, ``:FORK:``, ``:JOIN:``, ``:KILL:``, ``:END:``): its status
(actions: ``OK``, ``ERROR``, ``KILLED``, and ``RUNNING``/``USER_RETRY`` while they run; control
nodes ``OK``), the
attempts it took, start and end times, the transition taken, the error code and message, and
the data a ``capture-output`` action wrote (what ``wf:actionData`` returns). The workflow:
``SUCCEEDED`` (its end node reached), ``KILLED`` (a kill node), ``FAILED`` (an error of the
workflow itself, such as a decision that cannot be evaluated), or ``RUNNING`` while it runs.
Nodes that never started are not recorded, as Oozie records none. :meth:`WorkflowRun.comparable`
leaves out what differs between engines by nature (ids, times), so two runs compare with ``==``.
The record is written as ``run.json`` in the run directory after every node.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: action statuses (Oozie's WorkflowAction.Status words this package produces); RUNNING and
#: USER_RETRY (failed, waiting for its retry) only while the action runs
OK, ERROR, KILLED, USER_RETRY = "OK", "ERROR", "KILLED", "USER_RETRY"
#: workflow statuses (Oozie's WorkflowJob.Status words)
RUNNING, SUCCEEDED, FAILED = "RUNNING", "SUCCEEDED", "FAILED"
RUN_FILE = "run.json"


@dataclass
class NodeRun:
    """One node of a run: what happened to it."""

    name: str
    #: the action type (map-reduce, shell, fs, sub-workflow, hive ...) or, for control nodes,
    #: Oozie's type words: :START:, switch (a decision), :FORK:, :JOIN:, :KILL:, :END:
    kind: str
    status: str = OK
    attempts: int = 0
    started: str | None = None
    ended: str | None = None
    transition: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    data: dict[str, str] = field(default_factory=dict)
    #: the run id of a sub-workflow's run (Oozie: the action's external id)
    external_id: str | None = None
    #: on Oozie, the web page of the YARN application that ran the action (its logs)
    console_url: str | None = None

    def comparable(self) -> dict[str, Any]:
        """The fields two engines should agree on."""
        return {"name": self.name, "status": self.status, "attempts": self.attempts,
                "transition": self.transition, "error_code": self.error_code,
                "data": self.data}  # fmt: skip


@dataclass
class WorkflowRun:
    """One run of a workflow: its status and the nodes it went through, in order."""

    id: str
    name: str
    engine: str
    status: str = RUNNING
    started: str | None = None
    ended: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    nodes: list[NodeRun] = field(default_factory=list)
    #: the kill node's message (parameters substituted) when KILLED, the reason when FAILED
    message: str | None = None
    run_dir: str | None = None

    def node(self, name: str) -> NodeRun | None:
        """The last run of a node by that name (None if it never started)."""
        return next((n for n in reversed(self.nodes) if n.name == name), None)

    def failed_node(self) -> NodeRun | None:
        """The last action that ended in ERROR (Oozie's wf:lastErrorNode)."""
        return next((n for n in reversed(self.nodes) if n.status == ERROR), None)

    def comparable(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "message": self.message,
                "nodes": sorted((n.comparable() for n in self.nodes),
                                key=lambda n: n["name"])}  # fmt: skip

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> WorkflowRun:
        raw = json.loads(text)
        nodes = [NodeRun(**n) for n in raw.pop("nodes", [])]
        return cls(**raw, nodes=nodes)

    def write(self, run_dir: Path) -> Path:
        """Write run.json atomically (a reader never sees half a file)."""
        path = run_dir / RUN_FILE
        tmp = run_dir / f".{RUN_FILE}.tmp"
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def read(cls, path: Path) -> WorkflowRun:
        if path.is_dir():
            path = path / RUN_FILE
        return cls.from_json(path.read_text(encoding="utf-8"))

    def summary_lines(self) -> list[str]:
        """The run as text: one line for the workflow, one per node."""
        lines = [
            f"{self.id} {self.name} {self.status}" + (f": {self.message}" if self.message else "")
        ]
        for n in self.nodes:
            line = f"  {n.status:<7} {n.name} [{n.kind}]"
            if n.attempts > 1:
                line += f" {n.attempts} attempts"
            if n.transition:
                line += f" -> {n.transition}"
            if n.error_code:
                line += f" {n.error_code}: {n.error_message}"
            if n.data:
                line += " " + " ".join(f"{k}={v}" for k, v in n.data.items())
            lines.append(line)
        return lines


# --- coordinators ---------------------------------------------------------------------------

#: coordinator action statuses (Oozie's CoordinatorAction.Status words)
WAITING, READY, TIMEDOUT, SKIPPED = "WAITING", "READY", "TIMEDOUT", "SKIPPED"
#: a coordinator whose actions all ended, some not SUCCEEDED (CoordinatorJob.Status)
DONEWITHERROR = "DONEWITHERROR"
#: the statuses an action ends in
ACTION_ENDED = frozenset({SUCCEEDED, KILLED, FAILED, TIMEDOUT, SKIPPED})
COORD_FILE = "coord.json"


@dataclass
class CoordActionRun:
    """One action of a coordinator: its nominal time, status, and what it still waits for."""

    number: int
    nominal_time: str
    status: str = WAITING
    #: the inputs not there yet (the URIs whose done-flag is missing)
    missing: list[str] = field(default_factory=list)
    created: str | None = None
    ended: str | None = None
    #: the workflow run's id (Oozie: the action's external id) and, locally, its directory
    workflow_id: str | None = None
    run_dir: str | None = None
    #: the workflow's properties this action resolved (coord:dataIn ... substituted)
    properties: dict[str, str] = field(default_factory=dict)
    message: str | None = None

    def comparable(self) -> dict[str, Any]:
        return {"number": self.number, "nominal_time": self.nominal_time,
                "status": self.status}  # fmt: skip


@dataclass
class CoordRun:
    """One run of a coordinator: its actions by nominal time, and how it was started."""

    id: str
    name: str
    engine: str
    status: str = RUNNING
    start: str | None = None
    end: str | None = None
    #: how to find the definition again (MODULE:ATTR or an app directory) for a rerun
    app: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    actions: list[CoordActionRun] = field(default_factory=list)
    run_dir: str | None = None
    message: str | None = None

    def action(self, number: int) -> CoordActionRun | None:
        return next((a for a in self.actions if a.number == number), None)

    def comparable(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status,
                "actions": [a.comparable() for a in self.actions]}  # fmt: skip

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> CoordRun:
        raw = json.loads(text)
        actions = [CoordActionRun(**a) for a in raw.pop("actions", [])]
        return cls(**raw, actions=actions)

    def write(self, run_dir: Path) -> Path:
        """Write coord.json atomically."""
        run_dir.mkdir(parents=True, exist_ok=True)
        path = run_dir / COORD_FILE
        tmp = run_dir / f".{COORD_FILE}.tmp"
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def read(cls, path: Path) -> CoordRun:
        if path.is_dir():
            path = path / COORD_FILE
        return cls.from_json(path.read_text(encoding="utf-8"))

    def summary_lines(self) -> list[str]:
        """The run as text: one line for the coordinator, one per action."""
        head = f"{self.id} {self.name} {self.status}" + (
            f": {self.message}" if self.message else ""
        )
        lines = [head]
        for a in self.actions:
            line = f"  {a.number:>4} {a.nominal_time} {a.status}"
            if a.workflow_id:
                line += f" {a.workflow_id}"
            if a.missing:
                line += " waiting for " + ", ".join(a.missing)
            if a.message:
                line += f": {a.message}"
            lines.append(line)
        return lines
