"""The Oozie workflow model: workflow-app (uri:oozie:workflow:1.0) as Python dataclasses.

A :class:`Workflow` holds its nodes in document order (start first, end last when rendered):
:class:`Action` (a body such as :class:`MapReduce` or :class:`Shell`, ``ok``/``error``
transitions, retries), :class:`Fork`/:class:`Join`, :class:`Decision` (``switch`` cases with EL
predicates and a default), :class:`Kill` and :class:`End`. Parameters with defaults, the
``global`` section and job.properties values sit beside them.

The fluent API chains as it goes: each :meth:`Workflow.action` becomes the ``ok`` of the nodes
still open before it (the start, the previous action, a join), and its ``error`` defaults to the
workflow's kill node::

    wf = Workflow("ingest", kill_message="failed at ${wf:lastErrorNode()}")
    wf.param("input", "/data/in").action("mkdir", Fs([Mkdir("${output}")])).end()

What the model does not know is kept, not dropped: an action kind it has no class for (hive,
pig, java, spark, email ...) is a :class:`RawAction` holding the element, and unknown children
of known elements ride along in ``extra`` (rendered at their place in the schema's order), so an
imported workflow renders back to the same XML. Later layers (the Oozie server engine, REST runs,
the local runner) read the same objects: :meth:`Workflow.successors` is the graph,
:attr:`Workflow.app_files` what must be uploaded into the application directory. The nodes and
the action bodies are defined in mr.workflow.nodes, below mr.workflow.jobs (which makes actions of
a job) and this module, which re-exports them: import them from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mr.lib.errors import UsageError
from mr.workflow.nodes import (
    DEFAULT_KILL_MESSAGE,
    SHELL_NAMESPACES,
    SHELL_NS,
    SUB_APPS_DIR,
    WORKFLOW_NAMESPACES,
    WORKFLOW_NS,
    Action,
    ActionBody,
    Case,
    Decision,
    Delete,
    End,
    Fork,
    Fs,
    FsOp,
    Global,
    Join,
    Kill,
    MapReduce,
    Mkdir,
    Move,
    Node,
    Parameter,
    Raw,
    RawAction,
    Shell,
    Streaming,
    SubWorkflow,
    Touchz,
    step,
)

if TYPE_CHECKING:
    from mr.workflow.jobs import JobActions


#: the model's names: the nodes (defined in mr.workflow.nodes) and the workflow
__all__ = [
    "Action",
    "ActionBody",
    "Case",
    "DEFAULT_KILL_MESSAGE",
    "Decision",
    "Delete",
    "End",
    "Fork",
    "Fs",
    "FsOp",
    "Global",
    "Join",
    "Kill",
    "MapReduce",
    "Mkdir",
    "Move",
    "Node",
    "Parameter",
    "Raw",
    "RawAction",
    "SHELL_NAMESPACES",
    "SHELL_NS",
    "SUB_APPS_DIR",
    "Shell",
    "Streaming",
    "SubWorkflow",
    "Touchz",
    "WORKFLOW_NAMESPACES",
    "WORKFLOW_NS",
    "Workflow",
    "WorkflowError",
    "step",
]


class WorkflowError(UsageError):
    """The fluent API was used in a way that cannot make a workflow (one line, what to do)."""


@dataclass
class Workflow:
    """An Oozie workflow application: the nodes, and how to build them fluently."""

    name: str
    start: str | None = None
    nodes: list[Node] = field(default_factory=list)
    parameters: list[Parameter] = field(default_factory=list)
    global_: Global | None = None
    #: job.properties values beyond nameNode/resourceManager/application path
    properties: dict[str, str] = field(default_factory=dict)
    #: app-relative path -> local file or directory (a directory is shipped as a .tar.gz)
    app_files: dict[str, Path] = field(default_factory=dict)
    namespace: str = WORKFLOW_NS
    #: <credentials>, the workflow's <sla:info> and other unknown children, kept as they are
    extra: list[Raw] = field(default_factory=list)
    #: child workflows shipped inside this application (:meth:`sub_workflow`): app-relative
    #: directory -> Workflow, rendered into that directory beside workflow.xml
    children: dict[str, Workflow] = field(default_factory=dict)
    #: the name of the kill node the fluent API sends errors to (created on first use)
    kill_node: str = "fail"
    kill_message: str = DEFAULT_KILL_MESSAGE
    _open: list[str] = field(default_factory=list, repr=False, compare=False)

    # -- lookup ---------------------------------------------------------------------------

    def node(self, name: str) -> Node | None:
        return next((n for n in self.nodes if n.name == name), None)

    def actions(self) -> Iterator[Action]:
        return (n for n in self.nodes if isinstance(n, Action))

    def end_node(self) -> End | None:
        return next((n for n in self.nodes if isinstance(n, End)), None)

    def successors(self, node: Node) -> list[tuple[str, str]]:
        """(kind, target) of every transition out of a node: ok, error, path, case, default, to."""
        if isinstance(node, Action):
            return [(k, t) for k, t in (("ok", node.ok), ("error", node.error)) if t]
        if isinstance(node, Fork):
            return [("path", p) for p in node.paths]
        if isinstance(node, Decision):
            default = [("default", node.default)] if node.default else []
            return [("case", c.to) for c in node.cases] + default
        if isinstance(node, Join):
            return [("to", node.to)] if node.to else []
        return []

    def parameter_names(self) -> set[str]:
        return {p.name for p in self.parameters} | set(self.properties)

    # -- fluent building --------------------------------------------------------------------

    def param(
        self, name: str, default: str | None = None, description: str | None = None
    ) -> Workflow:
        """Declare a parameter (a default of None: job.properties must set it)."""
        self.parameters = [p for p in self.parameters if p.name != name]
        self.parameters.append(Parameter(name, default, description))
        return self

    def global_settings(
        self,
        *,
        resource_manager: str | None = None,
        name_node: str | None = None,
        configuration: dict[str, str] | None = None,
    ) -> Workflow:
        """Set what every action inherits (``<global>``); configuration is added to."""
        g = self.global_ or Global()
        g.resource_manager = resource_manager or g.resource_manager
        g.name_node = name_node or g.name_node
        g.configuration.update(configuration or {})
        self.global_ = g
        return self

    def add(self, node: Node) -> Workflow:
        """Add a node as it is (no chaining); its name must be new."""
        if self.node(node.name) is not None:
            raise WorkflowError(f"workflow {self.name}: a node named {node.name!r} exists already")
        if isinstance(node, End):
            self.nodes.append(node)
        else:
            # the end node stays last (the schema wants it there)
            end = self.end_node()
            at = self.nodes.index(end) if end is not None else len(self.nodes)
            self.nodes.insert(at, node)
        return self

    def _link(self, target: str) -> None:
        """Point every open transition at target; the start too if it is unset."""
        if self.start is None:
            self.start = target
        for name in self._open:
            node = self.node(name)
            if isinstance(node, Action):
                node.ok = target
            elif isinstance(node, Join):
                node.to = target
            elif isinstance(node, Decision) and not node.default:
                node.default = target
        self._open = []

    def action(
        self,
        name: str,
        body: ActionBody,
        *,
        error: str | None = None,
        retry_max: int | None = None,
        retry_interval: int | None = None,
    ) -> Workflow:
        """Add an action after the open nodes; errors go to `error` (default: the kill node)."""
        self._link(name)
        self.add(
            Action(
                name,
                body,
                error=error or self._kill(),
                retry_max=retry_max,
                retry_interval=retry_interval,
            )  # fmt: skip
        )
        self._open = [name]
        return self

    def actions_in_sequence(self, actions: Iterable[Action]) -> Workflow:
        """Add prepared actions (e.g. from mr.workflow.jobs) one after the other."""
        for a in actions:
            self.action(a.name, a.body, error=a.error, retry_max=a.retry_max,
                        retry_interval=a.retry_interval)  # fmt: skip
        return self

    def job(
        self,
        name: str,
        job_class: type,
        args: Sequence[str] = (),
        *,
        input: str | Sequence[str],
        output: str,
    ) -> Workflow:
        """Add an mrkit (mrjob) job: one map-reduce streaming action per step (mr.workflow.jobs)."""
        from mr.workflow.jobs import job_actions

        made = job_actions(job_class, name, args, input=input, output=output)
        self.app_files.update(made.app_files)
        return self.actions_in_sequence(made.actions)

    def sub_workflow(
        self,
        name: str,
        child: Workflow,
        *,
        propagate_configuration: bool = True,
        configuration: dict[str, str] | None = None,
        error: str | None = None,
    ) -> Workflow:
        """Run child as a sub-workflow; its application ships inside this one, in
        ``sub/<child name>/``, found at run time with ``${wf:appPath()}``."""
        directory = f"{SUB_APPS_DIR}/{child.name}"
        self.children[directory] = child
        body = SubWorkflow(
            f"${{wf:appPath()}}/{directory}", propagate_configuration, dict(configuration or {})
        )
        return self.action(name, body, error=error)

    def fork(
        self, name: str, branches: Iterable[Iterable[Action] | JobActions], join: str | None = None
    ) -> Workflow:
        """Fork into branches (actions in sequence, or a job's actions), joined by `join`."""
        from mr.workflow.jobs import JobActions

        branch_lists: list[list[Action]] = []
        for branch in branches:
            if isinstance(branch, JobActions):
                self.app_files.update(branch.app_files)
                branch_lists.append(list(branch.actions))
            else:
                branch_lists.append(list(branch))
        if len(branch_lists) < 2 or not all(branch_lists):
            raise WorkflowError(f"fork {name!r}: give at least two branches of one action or more")
        join_name = join or f"{name}-join"
        self._link(name)
        self.add(Fork(name, [b[0].name for b in branch_lists]))
        for branch_actions in branch_lists:
            for a, after in zip(branch_actions, [*branch_actions[1:], None], strict=True):
                self.add(
                    Action(
                        a.name,
                        a.body,
                        ok=after.name if after else join_name,
                        error=a.error or self._kill(),
                        retry_max=a.retry_max,
                        retry_interval=a.retry_interval,
                    )  # fmt: skip
                )
        self.add(Join(join_name))
        self._open = [join_name]
        return self

    def decision(self, name: str, cases: dict[str, str], default: str | None = None) -> Workflow:
        """A switch: {predicate: node to go to}; `default` (or the next node added) otherwise.

        Targets may be added later: transitions are checked by validate, not here."""
        self._link(name)
        self.add(Decision(name, [Case(to, pred) for pred, to in cases.items()], default or ""))
        self._open = [] if default else [name]
        return self

    def end(self, name: str = "end") -> Workflow:
        """Add the end node; the open nodes go there."""
        self._link(name)
        self.add(End(name))
        return self

    def kill(self, name: str, message: str = DEFAULT_KILL_MESSAGE) -> Workflow:
        """Add a kill node (not chained: actions name it as their error)."""
        return self.add(Kill(name, message))

    def _kill(self) -> str:
        if self.node(self.kill_node) is None:
            self.add(Kill(self.kill_node, self.kill_message))
        return self.kill_node
