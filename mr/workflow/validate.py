"""Offline validation of Oozie XML: Oozie's own XSDs, then the graph and parameter checks.

The XSDs are read straight from oozie-client-5.2.1.jar in the Oozie lib dir
(``mr.engines.fetch("oozie")``), never copied into the repository. They are loaded together,
through one wrapper schema that imports every namespace: the workflow schema accepts an action
of another namespace (``xs:any namespace="##other"``) only if that namespace's schema is loaded
(processContents strict), so shell, hive, spark ... actions validate only with all of them.

:func:`validate_file` takes a workflow-app, coordinator-app or bundle-app and returns its
problems, each one line (``mr.workflow.problems.Problem``): XSD errors first (a file that breaks
the schema gets no graph checks), then the graph of a workflow, then ${parameters} that nothing
defines (the file's <parameters>, and the job.properties next to it).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from mr.workflow.graph import _node_name, check_graph, check_parameters
from mr.workflow.model import WORKFLOW_NAMESPACES, Raw, Workflow
from mr.workflow.parse import ParseError, line_of, parse_workflow, read_xml
from mr.workflow.problems import Problem
from mr.workflow.properties import job_properties
from mr.workflow.render import STANDARD_PROPERTIES, render_workflow

OOZIE_CLIENT_JAR = "oozie-client-5.2.1.jar"
#: the root elements validate knows, by their local name
APP_KINDS = ("workflow-app", "coordinator-app", "bundle-app")


def client_jar() -> Path:
    """oozie-client's jar in the Oozie lib dir, fetched with Maven the first time."""
    from mr.engines import EngineError, fetch

    jar = fetch("oozie") / OOZIE_CLIENT_JAR
    if not jar.exists():
        raise EngineError(
            f"{jar} is missing after fetching Oozie's jars: check scripts/oozie/pom.xml"
        )
    return jar


def xsd_files(jar: Path) -> dict[str, bytes]:
    """{file name: bytes} of every .xsd at the top of the jar."""
    with zipfile.ZipFile(jar) as z:
        return {n: z.read(n) for n in z.namelist() if n.endswith(".xsd") and "/" not in n}


class _JarResolver(etree.Resolver):
    """Serves schemaLocation="x.xsd" from the jar's files (no network, no disk)."""

    def __init__(self, files: dict[str, bytes]):
        super().__init__()
        self.files = files

    def resolve(self, system_url, public_id, context):  # type: ignore[override]
        name = (system_url or "").rsplit("/", 1)[-1]
        if name in self.files:
            return self.resolve_string(self.files[name], context, base_url=name)
        return None


def wrapper_schema(files: dict[str, bytes]) -> bytes:
    """One schema that imports every namespace the XSDs define (the first file of each)."""
    xs = "http://www.w3.org/2001/XMLSchema"
    root = etree.Element(f"{{{xs}}}schema", nsmap={"xs": xs})
    seen: set[str] = set()
    for name in sorted(files):
        target = etree.fromstring(files[name]).get("targetNamespace")
        if target and target not in seen:  # oozie-common-1.0.xsd has none: it is included
            seen.add(target)
            etree.SubElement(root, f"{{{xs}}}import", namespace=target, schemaLocation=name)
    return etree.tostring(root)


@lru_cache(maxsize=2)
def oozie_schema(jar: Path) -> etree.XMLSchema:
    """Every Oozie XSD of the jar as one lxml XMLSchema."""
    files = xsd_files(jar)
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_JarResolver(files))
    doc = etree.fromstring(wrapper_schema(files), parser, base_url="wrapper.xsd")
    return etree.XMLSchema(etree.ElementTree(doc))


_NS_IN_BRACES = re.compile(r"\{[^}]*\}")
# key (backslash escapes allowed), separator (= : or whitespace), value


def schema_problems(root: Raw, file: str, jar: Path) -> list[Problem]:
    """The XSD errors of a document, one Problem each."""
    schema = oozie_schema(jar)
    if schema.validate(etree.ElementTree(root)):
        return []
    problems = []
    tree = root.getroottree()
    errors: Iterable[Any] = schema.error_log  # type: ignore[assignment]
    for error in errors:
        found = tree.xpath(error.path) if error.path else []
        element = found[0] if isinstance(found, list) and found else None
        node = _node_name(element) if isinstance(element, etree._Element) else None
        message = _NS_IN_BRACES.sub("", error.message)
        problems.append(Problem(file, "xsd", message, node, error.line or None))
    return problems


def declared_parameters(root: Raw) -> set[str]:
    """The names of the <parameters> of a workflow, coordinator or bundle."""
    ns = etree.QName(root).namespace
    return {
        (name.text or "").strip()
        for name in root.findall(f"{{{ns}}}parameters/{{{ns}}}property/{{{ns}}}name")
    }


def passed_by_coordinator(path: Path) -> set[str]:
    """The properties a coordinator beside a workflow passes to it (its action's configuration)."""
    try:
        root = read_xml(path)
    except (ParseError, OSError):
        return set()
    ns = etree.QName(root).namespace
    names = root.findall(
        f"{{{ns}}}action/{{{ns}}}workflow/{{{ns}}}configuration/{{{ns}}}property/{{{ns}}}name"
    )
    return {(n.text or "").strip() for n in names}


def validate_file(path: Path, properties: dict[str, str] | None = None) -> list[Problem]:
    """Every problem of one Oozie XML file (XML that is not well-formed is one, too)."""
    file = str(path)
    try:
        root = read_xml(path)
    except ParseError as e:
        return [Problem(file, "xml", e.reason, None, e.line)]
    kind = etree.QName(root).localname
    if kind not in APP_KINDS:
        expected = f"{', '.join(APP_KINDS[:-1])} or {APP_KINDS[-1]}"
        return [Problem(file, "xsd", f"<{kind}> is not an Oozie {expected}", None, line_of(root))]
    problems = schema_problems(root, file, client_jar())
    if problems:
        return problems
    if properties is None:
        properties = job_properties(path.parent / "job.properties")
    defined = declared_parameters(root) | set(properties)
    if kind == "workflow-app":
        defined |= passed_by_coordinator(path.parent / "coordinator.xml")
        problems += check_graph(parse_workflow(root, file), file)
    elif kind == "coordinator-app":
        problems += check_coordinator(root, file)
    return problems + check_parameters(root, defined, file)


_INSTANCE = re.compile(r"\$\{\s*coord:(current|latest|future|offset|absolute)\(.*\)\s*\}")


def check_coordinator(root: Raw, file: str) -> list[Problem]:
    """What Oozie refuses when a coordinator is submitted and the XSD lets through: a frequency
    or time it cannot read, an execution order it does not know, an event on a dataset that
    is not defined, an instance that is not a coord: instance function. Values that are
    ${parameters} are left to the run."""
    from mr.workflow.coordinator import EXECUTION_ORDERS, parse_coordinator
    from mr.workflow.schedule import ScheduleError, parse_frequency, parse_time, zone

    coord = parse_coordinator(root, file)
    problems: list[Problem] = []

    ns = etree.QName(root).namespace

    def problem(message: str, node: str | None = None, tag: str | None = None) -> None:
        """One problem, at the line of the element it is about (tag, named node) if found."""
        where = root
        for e in root.iter(f"{{{ns}}}{tag}" if tag else root.tag):
            if node is None or e.get("name") == node:
                where = e
                break
        problems.append(Problem(file, "coordinator", message, node, line_of(where)))

    def fixed(text: str) -> bool:  # no parameter in it: it can be checked now
        return "${" not in text.replace("${coord:", "")

    def readable(check, text: str, what: str, node: str | None = None, tag: str | None = None):
        if fixed(text):
            try:
                check(text)
            except ScheduleError as e:
                problem(f"{what}: {e}", node, tag)

    readable(parse_frequency, coord.frequency, "frequency")
    readable(parse_time, coord.start, "start")
    readable(parse_time, coord.end, "end")
    readable(zone, coord.timezone, "timezone")
    execution = coord.controls.execution
    if execution is not None and fixed(execution) and execution not in EXECUTION_ORDERS:
        problem(f"execution {execution!r} is not one of {', '.join(EXECUTION_ORDERS)}",
                tag="execution")  # fmt: skip
    names = {d.name for d in coord.datasets}
    for d in coord.datasets:
        readable(parse_frequency, d.frequency, "frequency", d.name, "dataset")
        readable(parse_time, d.initial_instance, "initial-instance", d.name, "dataset")
    events: list[tuple[str, str, str, list[str]]] = [
        ("data-in", i.name, i.dataset,
         [*i.instances, *(t for t in (i.start_instance, i.end_instance) if t)])
        for i in coord.inputs
    ] + [("data-out", o.name, o.dataset, [o.instance]) for o in coord.outputs]  # fmt: skip
    for tag, name, dataset, texts in events:
        if dataset not in names:
            problem(f"the dataset {dataset!r} is not defined in <datasets>", name, tag)
        for text in texts:
            if fixed(text) and not _INSTANCE.fullmatch(text.strip()):
                problem(f"instance {text!r}: give ${{coord:current(n)}} or "
                        "${coord:latest(n)}", name, tag)  # fmt: skip
    return problems


def validate_workflow(wf: Workflow, file: str = "<workflow>") -> list[Problem]:
    """Every problem of a workflow built in Python, with the lines of its rendered XML.

    The graph first: a transition or end node the builder left open is named as such, not as
    the schema errors it also causes."""
    root = etree.fromstring(render_workflow(wf).encode())
    problems = check_graph(parse_workflow(root, file), file)
    if problems:
        return problems
    problems = schema_problems(root, file, client_jar())
    if problems:
        return problems
    defined = wf.parameter_names() | set(STANDARD_PROPERTIES)
    return check_parameters(root, defined, file)


__all__ = [
    "APP_KINDS",
    "WORKFLOW_NAMESPACES",
    "ParseError",
    "Problem",
    "client_jar",
    "validate_file",
    "validate_workflow",
]
