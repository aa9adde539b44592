"""Model -> Oozie XML: workflow.xml (pretty, deterministic) and job.properties text.

Children are written in the order the schema wants them (``ORDER``); children the model kept
without knowing them (``extra``) go to the place their tag has in that order, unknown tags last.
The same workflow always gives the same bytes: golden-file tests and diffs in review rely on it.
"""

from __future__ import annotations

import copy
import gzip
import io
import tarfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lxml import etree

from mr.workflow.model import (
    Action,
    Decision,
    Delete,
    End,
    Fork,
    Fs,
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
    Workflow,
)
from mr.workflow.properties import properties_text

#: child order of each element, as the 1.0 schemas (and the older ones, where they have them)
ORDER = {
    "map-reduce": ("job-tracker", "resource-manager", "name-node", "prepare", "streaming",
                   "pipes", "launcher", "job-xml", "configuration", "config-class", "file",
                   "archive"),
    "shell": ("job-tracker", "resource-manager", "name-node", "prepare", "launcher", "job-xml",
              "configuration", "exec", "argument", "env-var", "file", "archive", "capture-output"),
    "fs": ("name-node", "job-xml", "configuration"),
    "sub-workflow": ("app-path", "propagate-configuration", "configuration"),
    "global": ("job-tracker", "resource-manager", "name-node", "launcher", "job-xml",
               "configuration"),
    "workflow-app": ("parameters", "global", "credentials", "start", "node", "end"),
    "action": ("body", "ok", "error"),
}  # fmt: skip

#: the keys every job.properties of render_properties has (workflows may use them as ${...})
STANDARD_PROPERTIES = (
    "nameNode",
    "resourceManager",
    "oozie.wf.application.path",
    "oozie.use.system.libpath",
)
#: workflow versions before 1.0 call the ResourceManager a job tracker
JOB_TRACKER_NAMESPACES = ("0.1", "0.2", "0.2.5", "0.3", "0.4", "0.4.5", "0.5")


class Builder:
    """Makes elements of one namespace (the workflow's, or an action's own)."""

    def __init__(self, namespace: str):
        self.ns = namespace
        # the namespace as the default one (lxml-stubs want str keys; None is lxml's "default")
        self.nsmap: Any = {None: namespace}

    def el(self, tag: str, text: str | None = None, **attrs: str | None) -> Raw:
        e = etree.Element(f"{{{self.ns}}}{tag}", nsmap=self.nsmap)
        for key, value in attrs.items():
            if value is not None:
                e.set(key.replace("_", "-"), value)
        if text is not None:
            e.text = text
        return e

    def texts(self, tag: str, values: Iterable[str]) -> list[Raw]:
        return [self.el(tag, v) for v in values]

    def configuration(self, conf: dict[str, str]) -> list[Raw]:
        if not conf:
            return []
        c = self.el("configuration")
        for name, value in conf.items():
            p = etree.SubElement(c, f"{{{self.ns}}}property")
            etree.SubElement(p, f"{{{self.ns}}}name").text = name
            etree.SubElement(p, f"{{{self.ns}}}value").text = value
        return [c]

    def prepare(self, ops: list[Delete | Mkdir]) -> list[Raw]:
        if not ops:
            return []
        p = self.el("prepare")
        for op in ops:
            p.append(self.fs_op(op))
        return [p]

    def fs_op(self, op: Delete | Mkdir | Move | Touchz | Raw) -> Raw:
        if isinstance(op, Delete):
            return self.el("delete", path=op.path)
        if isinstance(op, Mkdir):
            return self.el("mkdir", path=op.path)
        if isinstance(op, Move):
            return self.el("move", source=op.source, target=op.target)
        if isinstance(op, Touchz):
            return self.el("touchz", path=op.path)
        return copy.deepcopy(op)

    def resource_manager(self, value: str | None) -> list[Raw]:
        if value is None:
            return []
        old = self.ns.rsplit(":", 1)[-1] in JOB_TRACKER_NAMESPACES
        return [self.el("job-tracker" if old else "resource-manager", value)]

    def optional(self, tag: str, value: str | None) -> list[Raw]:
        return [] if value is None else [self.el(tag, value)]


def ordered(parent: Raw, children: Iterable[Raw], extra: Iterable[Raw], order: tuple[str, ...]):
    """Append children and copies of extra to parent in the schema's order (stable)."""

    def rank(e: Raw) -> int:
        local = etree.QName(e).localname if isinstance(e.tag, str) else ""
        return order.index(local) if local in order else len(order)

    for e in sorted([*children, *(copy.deepcopy(x) for x in extra)], key=rank):
        parent.append(e)
    return parent


def body_element(b: Builder, body: MapReduce | Shell | Fs | SubWorkflow | RawAction) -> Raw:
    """The element of an action's body."""
    if isinstance(body, RawAction):
        return copy.deepcopy(body.element)
    if isinstance(body, MapReduce):
        children = [
            *b.resource_manager(body.resource_manager),
            *b.optional("name-node", body.name_node),
            *b.prepare(body.prepare),
            *([streaming_element(b, body.streaming)] if body.streaming else []),
            *b.texts("job-xml", body.job_xml),
            *b.configuration(body.configuration),
            *b.texts("file", body.files),
            *b.texts("archive", body.archives),
        ]
        return ordered(b.el("map-reduce"), children, body.extra, ORDER["map-reduce"])
    if isinstance(body, Shell):
        s = Builder(body.namespace)
        children = [
            *s.resource_manager(body.resource_manager),
            *s.optional("name-node", body.name_node),
            *s.prepare(body.prepare),
            *s.texts("job-xml", body.job_xml),
            *s.configuration(body.configuration),
            s.el("exec", body.exec),
            *s.texts("argument", body.arguments),
            *s.texts("env-var", body.env),
            *s.texts("file", body.files),
            *s.texts("archive", body.archives),
            *([s.el("capture-output")] if body.capture_output else []),
        ]
        return ordered(s.el("shell"), children, body.extra, ORDER["shell"])
    if isinstance(body, Fs):
        children = [
            *b.optional("name-node", body.name_node),
            *b.texts("job-xml", body.job_xml),
            *b.configuration(body.configuration),
        ]
        fs = ordered(b.el("fs"), children, body.extra, ORDER["fs"])
        for op in body.ops:  # in their own order, after the settings
            fs.append(b.fs_op(op))
        return fs
    children = [
        b.el("app-path", body.app_path),
        *([b.el("propagate-configuration")] if body.propagate_configuration else []),
        *b.configuration(body.configuration),
    ]
    return ordered(b.el("sub-workflow"), children, body.extra, ORDER["sub-workflow"])


def streaming_element(b: Builder, s: Streaming) -> Raw:
    e = b.el("streaming")
    for child in [
        *b.optional("mapper", s.mapper),
        *b.optional("reducer", s.reducer),
        *b.optional("record-reader", s.record_reader),
        *b.texts("record-reader-mapping", s.record_reader_mapping),
        *b.texts("env", s.env),
    ]:
        e.append(child)
    return e


def node_element(b: Builder, node: Node) -> Raw:
    if isinstance(node, Action):
        e = b.el(
            "action",
            name=node.name,
            retry_max=None if node.retry_max is None else str(node.retry_max),
            retry_interval=None if node.retry_interval is None else str(node.retry_interval),
        )
        for key, value in node.attributes.items():
            e.set(key, value)
        e.append(body_element(b, node.body))
        e.append(b.el("ok", to=node.ok or ""))
        e.append(b.el("error", to=node.error or ""))
        for x in node.extra:
            e.append(copy.deepcopy(x))
        return e
    if isinstance(node, Decision):
        e = b.el("decision", name=node.name)
        switch = etree.SubElement(e, f"{{{b.ns}}}switch")
        for case in node.cases:
            switch.append(b.el("case", case.predicate, to=case.to))
        switch.append(b.el("default", to=node.default))
        return e
    if isinstance(node, Fork):
        e = b.el("fork", name=node.name)
        for path in node.paths:
            e.append(b.el("path", start=path))
        return e
    if isinstance(node, Join):
        return b.el("join", name=node.name, to=node.to or "")
    if isinstance(node, Kill):
        e = b.el("kill", name=node.name)
        e.append(b.el("message", node.message))
        return e
    return b.el("end", name=node.name)


def parameters_element(b: Builder, parameters: list[Parameter]) -> list[Raw]:
    if not parameters:
        return []
    e = b.el("parameters")
    for p in parameters:
        prop = etree.SubElement(e, f"{{{b.ns}}}property")
        etree.SubElement(prop, f"{{{b.ns}}}name").text = p.name
        if p.value is not None:
            etree.SubElement(prop, f"{{{b.ns}}}value").text = p.value
        if p.description is not None:
            etree.SubElement(prop, f"{{{b.ns}}}description").text = p.description
    return [e]


def global_element(b: Builder, g: Global | None) -> list[Raw]:
    if g is None:
        return []
    children = [
        *b.resource_manager(g.resource_manager),
        *b.optional("name-node", g.name_node),
        *b.texts("job-xml", g.job_xml),
        *b.configuration(g.configuration),
    ]
    return [ordered(b.el("global"), children, g.extra, ORDER["global"])]


def workflow_element(wf: Workflow) -> Raw:
    """The <workflow-app> element of a workflow."""
    b = Builder(wf.namespace)
    root = b.el("workflow-app", name=wf.name)
    end = [n for n in wf.nodes if isinstance(n, End)]
    inner = [n for n in wf.nodes if not isinstance(n, End)]
    children = [
        *parameters_element(b, wf.parameters),
        *global_element(b, wf.global_),
        b.el("start", to=wf.start or ""),
        *(node_element(b, n) for n in inner),
        *(node_element(b, n) for n in end),
    ]
    for c in children:
        root.append(c)
    # <credentials> goes before <start>, anything else (sla:info) after <end>
    start = root.find(f"{{{b.ns}}}start")
    assert start is not None
    for x in wf.extra:
        if etree.QName(x).localname == "credentials":
            start.addprevious(copy.deepcopy(x))
        else:
            root.append(copy.deepcopy(x))
    return root


def to_xml(root: Raw) -> str:
    """Pretty XML text with a declaration, two-space indent, a final newline."""
    root = copy.deepcopy(root)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True).decode()


def render_workflow(wf: Workflow) -> str:
    """workflow.xml of a workflow."""
    return to_xml(workflow_element(wf))


def render_properties(
    wf: Workflow,
    *,
    name_node: str | None = None,
    resource_manager: str | None = None,
    app_path: str | None = None,
) -> str:
    """job.properties: where the cluster is, where the application is, then wf.properties.

    nameNode and resourceManager default to the cluster of `mrkit cluster up` (its ports from
    MRKIT_HDFS_PORT and MRKIT_RM_PORT); the application path to /user/${user.name}/<name>."""
    from mr.engines.hadoop import Ports

    ports = Ports.from_env()
    standard = (
        name_node or f"hdfs://localhost:{ports.hdfs}",
        resource_manager or f"localhost:{ports.rm}",
        app_path or f"${{nameNode}}/user/${{user.name}}/{wf.name}",
        # streaming and the launcher come from Oozie's sharelib on HDFS
        "true",
    )
    values = {**dict(zip(STANDARD_PROPERTIES, standard, strict=True)), **wf.properties}
    return properties_text(f"the Oozie workflow {wf.name}", values)


def write_app(
    wf: Workflow,
    out: Path,
    *,
    name_node: str | None = None,
    resource_manager: str | None = None,
    app_path: str | None = None,
) -> list[Path]:
    """Write the application directory: workflow.xml, job.properties, wf.app_files (a
    directory as a reproducible .tar.gz) and the child workflows (wf.children, each in its own
    directory); return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "workflow.xml", out / "job.properties"]
    written[0].write_text(render_workflow(wf), encoding="utf-8")
    properties = render_properties(
        wf, name_node=name_node, resource_manager=resource_manager, app_path=app_path
    )
    written[1].write_text(properties, encoding="utf-8")
    for target, source in sorted(wf.app_files.items()):
        path = out / target
        path.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            path.write_bytes(tar_gz(source))
        else:
            path.write_bytes(source.read_bytes())
        written.append(path)
    for directory, child in sorted(wf.children.items()):
        written += write_app(child, out / directory, name_node=name_node,
                             resource_manager=resource_manager)  # fmt: skip
    return written


def tar_gz(directory: Path) -> bytes:
    """A .tar.gz of a directory's files (no __pycache__), the same bytes for the same files."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for path in sorted(directory.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            info = tarfile.TarInfo(str(path.relative_to(directory)))
            data = path.read_bytes()
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)
