"""The nodes of an Oozie workflow and the bodies of its actions, as dataclasses: what a
:class:`~mr.workflow.model.Workflow` holds, and what the job rendering (mr.workflow.jobs) makes,
below both (mr.workflow.model re-exports every name, the one place users import from).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

#: where child workflows (Workflow.sub_workflow) go inside the application directory
SUB_APPS_DIR = "sub"
#: the workflow schema version this package writes
WORKFLOW_NS = "uri:oozie:workflow:1.0"
#: every workflow-app namespace Oozie 5.2.1 reads (oozie-client's XSDs)
WORKFLOW_NAMESPACES = tuple(
    f"uri:oozie:workflow:{v}" for v in ("0.1", "0.2", "0.2.5", "0.3", "0.4", "0.4.5", "0.5", "1.0")
)
SHELL_NS = "uri:oozie:shell-action:1.0"
SHELL_NAMESPACES = tuple(f"uri:oozie:shell-action:{v}" for v in ("0.1", "0.2", "0.3", "1.0"))

#: an XML element the model keeps as it is (an unknown child, an unknown action kind)
Raw = etree._Element

#: Oozie's own kill-node message naming the failed node and its error
DEFAULT_KILL_MESSAGE = "${wf:lastErrorNode()} failed: [${wf:errorMessage(wf:lastErrorNode())}]"


# -- action bodies ----------------------------------------------------------------------------


@dataclass
class Delete:
    path: str


@dataclass
class Mkdir:
    path: str


@dataclass
class Move:
    source: str
    target: str


@dataclass
class Touchz:
    path: str


FsOp = Delete | Mkdir | Move | Touchz


@dataclass
class Streaming:
    """Hadoop streaming inside a map-reduce action: commands as the task's shell line."""

    mapper: str | None = None
    reducer: str | None = None
    record_reader: str | None = None
    record_reader_mapping: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)


@dataclass
class MapReduce:
    """``<map-reduce>``: a MapReduce job, here mostly Hadoop streaming (``streaming``)."""

    streaming: Streaming | None = None
    configuration: dict[str, str] = field(default_factory=dict)
    prepare: list[Delete | Mkdir] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    archives: list[str] = field(default_factory=list)
    job_xml: list[str] = field(default_factory=list)
    resource_manager: str | None = None
    name_node: str | None = None
    extra: list[Raw] = field(default_factory=list)


@dataclass
class Shell:
    """``<shell>`` (uri:oozie:shell-action): one command on a YARN node."""

    exec: str
    arguments: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    archives: list[str] = field(default_factory=list)
    configuration: dict[str, str] = field(default_factory=dict)
    prepare: list[Delete | Mkdir] = field(default_factory=list)
    capture_output: bool = False
    job_xml: list[str] = field(default_factory=list)
    resource_manager: str | None = None
    name_node: str | None = None
    namespace: str = SHELL_NS
    extra: list[Raw] = field(default_factory=list)


@dataclass
class Fs:
    """``<fs>``: file system operations in order (an op the model lacks, e.g. chmod, is Raw)."""

    ops: list[FsOp | Raw] = field(default_factory=list)
    name_node: str | None = None
    configuration: dict[str, str] = field(default_factory=dict)
    job_xml: list[str] = field(default_factory=list)
    extra: list[Raw] = field(default_factory=list)


@dataclass
class SubWorkflow:
    """``<sub-workflow>``: run the workflow application at app_path as a child."""

    app_path: str
    propagate_configuration: bool = False
    configuration: dict[str, str] = field(default_factory=dict)
    extra: list[Raw] = field(default_factory=list)


@dataclass
class RawAction:
    """An action kind the model has no class for (hive, pig, java, spark, email ...), as XML."""

    element: Raw


ActionBody = MapReduce | Shell | Fs | SubWorkflow | RawAction


# -- nodes ------------------------------------------------------------------------------------


@dataclass
class Action:
    name: str
    body: ActionBody
    ok: str | None = None
    error: str | None = None
    retry_max: int | None = None
    retry_interval: int | None = None
    #: other attributes (cred, retry-policy) and children (sla:info), kept for the round trip
    attributes: dict[str, str] = field(default_factory=dict)
    extra: list[Raw] = field(default_factory=list)
    line: int | None = field(default=None, compare=False)


@dataclass
class Case:
    to: str
    predicate: str


@dataclass
class Decision:
    name: str
    cases: list[Case]
    default: str
    line: int | None = field(default=None, compare=False)


@dataclass
class Fork:
    name: str
    paths: list[str]
    line: int | None = field(default=None, compare=False)


@dataclass
class Join:
    name: str
    to: str | None = None
    line: int | None = field(default=None, compare=False)


@dataclass
class Kill:
    name: str
    message: str = DEFAULT_KILL_MESSAGE
    line: int | None = field(default=None, compare=False)


@dataclass
class End:
    name: str = "end"
    line: int | None = field(default=None, compare=False)


Node = Action | Decision | Fork | Join | Kill | End


@dataclass
class Parameter:
    """A workflow parameter; a None value means it must come from job.properties."""

    name: str
    value: str | None = None
    description: str | None = None


@dataclass
class Global:
    """``<global>``: settings every action inherits."""

    resource_manager: str | None = None
    name_node: str | None = None
    job_xml: list[str] = field(default_factory=list)
    configuration: dict[str, str] = field(default_factory=dict)
    extra: list[Raw] = field(default_factory=list)


def step(
    name: str,
    body: ActionBody,
    *,
    error: str | None = None,
    retry_max: int | None = None,
    retry_interval: int | None = None,
) -> Action:
    """An action for Workflow.fork branches (its ok is set when it is added)."""
    return Action(name, body, error=error, retry_max=retry_max, retry_interval=retry_interval)
