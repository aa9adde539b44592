"""Coordinators and bundles: the model, rendered to Oozie XML and read back.

A :class:`Coordinator` runs a workflow at a frequency between a start and an end, each run
(an *action*, at its *nominal time*) waiting for its input datasets' instances to be done.
It renders to coordinator-app 0.5; :func:`parse_coordinator` reads any coordinator-app
(0.1-0.5) back. A :class:`Bundle` starts several coordinators together (bundle-app 0.2).

    daily = Coordinator(
        "daily-report", workflow=report_wf, frequency="${coord:days(1)}",
        start="${start}", end="${end}",
        datasets=[Dataset("logs", "${coord:days(1)}", "2026-01-01T00:00Z",
                          "${nameNode}/data/logs/${YEAR}/${MONTH}/${DAY}")],
        inputs=[DataIn("logs", "logs")],
        configuration={"input": "${coord:dataIn('logs')}",
                       "day": "${coord:formatTime(coord:nominalTime(), 'yyyy-MM-dd')}"},
    )

Texts stay as the user wrote them (``${start}``, ``${coord:days(1)}``): a runner resolves them
with the job's properties (mr/workflow/schedule.py holds the time rules). The workflow is a
:class:`~mr.workflow.model.Workflow` shipped in the same application directory, or the app path
of one deployed elsewhere (what :func:`parse_coordinator` gives).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from mr.workflow.model import Parameter, Raw, Workflow
from mr.workflow.parse import ParseError, line_of, local, read_xml
from mr.workflow.properties import job_properties, properties_text
from mr.workflow.render import Builder, parameters_element, to_xml

COORDINATOR_NS = "uri:oozie:coordinator:0.5"
COORDINATOR_NAMESPACES = tuple(f"uri:oozie:coordinator:0.{n}" for n in range(1, 6))
BUNDLE_NS = "uri:oozie:bundle:0.2"
BUNDLE_NAMESPACES = ("uri:oozie:bundle:0.1", BUNDLE_NS)
#: what the execution control accepts (NONE from coordinator 0.5 on)
EXECUTION_ORDERS = ("FIFO", "LIFO", "LAST_ONLY", "NONE")
#: the property that names the workflow application a rendered coordinator runs
WORKFLOW_PATH_PROPERTY = "workflowAppPath"
#: the instance a data-in or data-out names when none is given
CURRENT = "${coord:current(0)}"


@dataclass
class Dataset:
    """Data that arrives at a frequency, one directory per instance.

    done_flag: None writes no <done-flag> (Oozie's default, ``_SUCCESS``, which every mrkit job
    and twin writes); "" an empty one (the directory's existence is enough)."""

    name: str
    frequency: str
    initial_instance: str
    uri_template: str
    timezone: str = "UTC"
    done_flag: str | None = None

    @property
    def flag(self) -> str:
        """The file that marks an instance done ("" = the directory itself)."""
        return "_SUCCESS" if self.done_flag is None else self.done_flag


@dataclass
class DataIn:
    """An input event: instances of a dataset an action waits for.

    Either instances (``${coord:current(0)}``, ``${coord:latest(0)}``), or a range from
    start_instance to end_instance (``${coord:current(-6)}`` .. ``${coord:current(0)}``)."""

    name: str
    dataset: str
    instances: list[str] = field(default_factory=list)
    start_instance: str | None = None
    end_instance: str | None = None

    def __post_init__(self) -> None:
        if not self.instances and self.start_instance is None:
            self.instances = [CURRENT]


@dataclass
class DataOut:
    """An output event: the instance of a dataset an action writes (``coord:dataOut``)."""

    name: str
    dataset: str
    instance: str = CURRENT


@dataclass
class Controls:
    """timeout (minutes an action waits for its inputs; -1 forever), concurrency (actions
    running at once), execution (FIFO, LIFO, LAST_ONLY, NONE), throttle (actions waiting at
    once). None: Oozie's default."""

    timeout: int | None = None
    concurrency: int | None = None
    execution: str | None = None
    throttle: int | None = None

    def is_empty(self) -> bool:
        return all(v is None for v in (self.timeout, self.concurrency, self.execution,
                                       self.throttle))  # fmt: skip


@dataclass
class Coordinator:
    """An Oozie coordinator application (see the module's docstring)."""

    name: str
    workflow: Workflow | str
    frequency: str = "${coord:days(1)}"
    start: str = "${start}"
    end: str = "${end}"
    timezone: str = "UTC"
    datasets: list[Dataset] = field(default_factory=list)
    inputs: list[DataIn] = field(default_factory=list)
    outputs: list[DataOut] = field(default_factory=list)
    controls: Controls = field(default_factory=Controls)
    #: the properties each action passes to its workflow (EL of coord: functions allowed)
    configuration: dict[str, str] = field(default_factory=dict)
    parameters: list[Parameter] = field(default_factory=list)
    #: job.properties values
    properties: dict[str, str] = field(default_factory=dict)
    namespace: str = COORDINATOR_NS

    def dataset(self, name: str) -> Dataset:
        for d in self.datasets:
            if d.name == name:
                return d
        raise KeyError(name)

    def app_path(self) -> str:
        """The workflow's application path as the coordinator XML names it."""
        if isinstance(self.workflow, Workflow):
            return f"${{{WORKFLOW_PATH_PROPERTY}}}"
        return self.workflow


@dataclass
class Bundle:
    """An Oozie bundle: coordinators started together (each in its own directory)."""

    name: str
    coordinators: dict[str, Coordinator | str] = field(default_factory=dict)
    kick_off_time: str | None = None
    parameters: list[Parameter] = field(default_factory=list)
    #: per coordinator (by name): properties passed to it
    configuration: dict[str, dict[str, str]] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    namespace: str = BUNDLE_NS


# --- render ---------------------------------------------------------------------------------


def coordinator_element(c: Coordinator) -> Raw:
    b = Builder(c.namespace)
    root = b.el("coordinator-app", name=c.name, frequency=c.frequency, start=c.start,
                end=c.end, timezone=c.timezone)  # fmt: skip
    root.extend(parameters_element(b, c.parameters))
    if not c.controls.is_empty():
        controls = b.el("controls")
        for tag in ("timeout", "concurrency", "execution", "throttle"):
            value = getattr(c.controls, tag)
            if value is not None:
                controls.append(b.el(tag, str(value)))
        root.append(controls)
    if c.datasets:
        datasets = b.el("datasets")
        for d in c.datasets:
            e = b.el("dataset", name=d.name, frequency=d.frequency,
                     initial_instance=d.initial_instance, timezone=d.timezone)  # fmt: skip
            e.append(b.el("uri-template", d.uri_template))
            if d.done_flag is not None:
                e.append(b.el("done-flag", d.done_flag))
            datasets.append(e)
        root.append(datasets)
    if c.inputs:
        events = b.el("input-events")
        for i in c.inputs:
            e = b.el("data-in", name=i.name, dataset=i.dataset)
            if i.start_instance is not None:
                e.append(b.el("start-instance", i.start_instance))
                e.append(b.el("end-instance", i.end_instance or CURRENT))
            else:
                e.extend(b.texts("instance", i.instances))
            events.append(e)
        root.append(events)
    if c.outputs:
        events = b.el("output-events")
        for o in c.outputs:
            e = b.el("data-out", name=o.name, dataset=o.dataset)
            e.append(b.el("instance", o.instance))
            events.append(e)
        root.append(events)
    action = b.el("action")
    workflow = b.el("workflow")
    workflow.append(b.el("app-path", c.app_path()))
    workflow.extend(b.configuration(c.configuration))
    action.append(workflow)
    root.append(action)
    return root


def render_coordinator(c: Coordinator) -> str:
    """coordinator.xml of a coordinator."""
    return to_xml(coordinator_element(c))


def render_bundle(bundle: Bundle) -> str:
    """bundle.xml of a bundle (each coordinator's app path: its directory, or the path given)."""
    b = Builder(bundle.namespace)
    root = b.el("bundle-app", name=bundle.name)
    root.extend(parameters_element(b, bundle.parameters))
    if bundle.kick_off_time is not None:
        controls = b.el("controls")
        controls.append(b.el("kick-off-time", bundle.kick_off_time))
        root.append(controls)
    for name, coord in bundle.coordinators.items():
        e = b.el("coordinator", name=name)
        path = coord if isinstance(coord, str) else f"${{bundleAppPath}}/{name}"
        e.append(b.el("app-path", path))
        e.extend(b.configuration(bundle.configuration.get(name, {})))
        root.append(e)
    return to_xml(root)


def write_coordinator_app(
    c: Coordinator,
    out: Path,
    *,
    name_node: str | None = None,
    resource_manager: str | None = None,
    app_path: str | None = None,
) -> list[Path]:
    """The application directory: coordinator.xml and job.properties, and the workflow's app
    (workflow.xml and its files) in the same directory when the workflow is shipped."""
    from mr.workflow.render import STANDARD_PROPERTIES, write_app

    out.mkdir(parents=True, exist_ok=True)
    path = app_path or f"${{nameNode}}/user/${{user.name}}/{c.name}"
    written: list[Path] = []
    values: dict[str, str] = {}
    if isinstance(c.workflow, Workflow):
        written = write_app(c.workflow, out, name_node=name_node,
                            resource_manager=resource_manager, app_path=path)  # fmt: skip
        values = job_properties(out / "job.properties")
        # the app is a coordinator's: a workflow path as well would submit the workflow
        values.pop(STANDARD_PROPERTIES[2], None)
        values[WORKFLOW_PATH_PROPERTY] = path
    values["oozie.coord.application.path"] = path
    values.update(c.properties)
    (out / "coordinator.xml").write_text(render_coordinator(c), encoding="utf-8")
    (out / "job.properties").write_text(
        properties_text(f"the Oozie coordinator {c.name}", values), encoding="utf-8"
    )
    return [out / "coordinator.xml", out / "job.properties",
            *(p for p in written if p.name not in ("job.properties",))]  # fmt: skip


# --- parse ----------------------------------------------------------------------------------


def parse_coordinator_file(path: Path) -> Coordinator:
    return parse_coordinator(read_xml(path), str(path))


def parse_coordinator(root: Raw, where: str = "<xml>") -> Coordinator:
    """The model of a <coordinator-app> element (its workflow: the app path it names)."""
    q = etree.QName(root)
    if q.localname != "coordinator-app" or q.namespace not in COORDINATOR_NAMESPACES:
        raise ParseError(where, line_of(root),
                         f"<{q.localname}> in {q.namespace or 'no namespace'} is not an Oozie "
                         "coordinator-app")  # fmt: skip
    ns = q.namespace or ""

    def find(e: Raw, path: str) -> Raw | None:
        return e.find("/".join(f"{{{ns}}}{p}" for p in path.split("/")))

    def findall(e: Raw, path: str) -> list[Raw]:
        return list(e.findall("/".join(f"{{{ns}}}{p}" for p in path.split("/"))))

    def text(e: Raw | None) -> str | None:
        return None if e is None else (e.text or "").strip()

    def number(e: Raw | None) -> int | None:
        t = text(e)
        if e is None or t is None:
            return None
        try:
            return int(t)
        except ValueError:
            raise ParseError(where, line_of(e), f"<{local(e)}> {t!r} is not a number") from None

    c = Coordinator(
        name=root.get("name", ""),
        workflow=text(find(root, "action/workflow/app-path")) or "",
        frequency=root.get("frequency", ""),
        start=root.get("start", ""),
        end=root.get("end", ""),
        timezone=root.get("timezone", "UTC"),
        namespace=ns,
    )
    c.parameters = [
        Parameter(
            text(find(p, "name")) or "", text(find(p, "value")), text(find(p, "description"))
        )  # fmt: skip
        for p in findall(root, "parameters/property")
    ]
    controls = find(root, "controls")
    if controls is not None:
        c.controls = Controls(
            timeout=number(find(controls, "timeout")),
            concurrency=number(find(controls, "concurrency")),
            execution=text(find(controls, "execution")),
            throttle=number(find(controls, "throttle")),
        )
    for d in findall(root, "datasets/dataset"):
        c.datasets.append(Dataset(
            name=d.get("name", ""), frequency=d.get("frequency", ""),
            initial_instance=d.get("initial-instance", ""),
            uri_template=text(find(d, "uri-template")) or "",
            timezone=d.get("timezone", "UTC"), done_flag=text(find(d, "done-flag")),
        ))  # fmt: skip
    for e in findall(root, "input-events/data-in"):
        start = find(e, "start-instance")
        c.inputs.append(DataIn(
            e.get("name", ""), e.get("dataset", ""),
            instances=[text(i) or "" for i in findall(e, "instance")],
            start_instance=text(start), end_instance=text(find(e, "end-instance")),
        ))  # fmt: skip
    for e in findall(root, "output-events/data-out"):
        c.outputs.append(DataOut(e.get("name", ""), e.get("dataset", ""),
                                 text(find(e, "instance")) or CURRENT))  # fmt: skip
    c.configuration = {
        text(find(p, "name")) or "": text(find(p, "value")) or ""
        for p in findall(root, "action/workflow/configuration/property")
    }
    return c


def parse_bundle_file(path: Path) -> Bundle:
    return parse_bundle(read_xml(path), str(path))


def parse_bundle(root: Raw, where: str = "<xml>") -> Bundle:
    """The model of a <bundle-app> element (each coordinator: the app path it names)."""
    q = etree.QName(root)
    if q.localname != "bundle-app" or q.namespace not in BUNDLE_NAMESPACES:
        raise ParseError(where, line_of(root),
                         f"<{q.localname}> in {q.namespace or 'no namespace'} is not an Oozie "
                         "bundle-app")  # fmt: skip
    ns = q.namespace or ""

    def child_text(e: Raw, tag: str) -> str | None:
        found = e.find(f"{{{ns}}}{tag}")
        return None if found is None else (found.text or "").strip()

    bundle = Bundle(root.get("name", ""), namespace=ns)
    for p in root.findall(f"{{{ns}}}parameters/{{{ns}}}property"):
        bundle.parameters.append(Parameter(child_text(p, "name") or "", child_text(p, "value"),
                                           child_text(p, "description")))  # fmt: skip
    controls = root.find(f"{{{ns}}}controls")
    if controls is not None:
        bundle.kick_off_time = child_text(controls, "kick-off-time")
    for c in root.findall(f"{{{ns}}}coordinator"):
        name = c.get("name", "")
        bundle.coordinators[name] = child_text(c, "app-path") or ""
        conf = {
            child_text(p, "name") or "": child_text(p, "value") or ""
            for p in c.findall(f"{{{ns}}}configuration/{{{ns}}}property")
        }
        if conf:
            bundle.configuration[name] = conf
    return bundle
