"""Import: an Oozie workflow.xml (any workflow namespace, 0.1 to 1.0) -> the model.

What the model knows becomes its fields; what it does not know is kept as XML (``extra``,
:class:`RawAction`), so ``render_workflow(parse_workflow(x))`` is the same workflow as ``x``.
Each node remembers its line for validate's messages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

from mr.lib.errors import UsageError
from mr.workflow.model import (
    SHELL_NAMESPACES,
    WORKFLOW_NAMESPACES,
    Action,
    ActionBody,
    Case,
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


class ParseError(UsageError):
    """The file is not XML, or not an Oozie workflow-app (one line: what and where)."""

    def __init__(self, file: str, line: int | None, reason: str):
        super().__init__(f"{file}:{line}: {reason}" if line else f"{file}: {reason}")
        self.file, self.line, self.reason = file, line, reason


def read_xml(path: Path) -> Raw:
    """The root element of an XML file (no DTDs, no entities, no network). A file with a
    DOCTYPE is refused, as Oozie's own parser refuses it: an entity declared there could read
    a local file into a value (``<!ENTITY x SYSTEM "file:///...">``) or grow without end."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=True, load_dtd=False
    )
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as e:
        # an entity of a DOCTYPE where XML allows none (an attribute) is the DOCTYPE's fault
        line = _doctype_line(path)
        if line is not None:
            raise ParseError(str(path), line, DOCTYPE_REFUSED) from None
        raise ParseError(str(path), e.lineno, f"not well-formed XML: {e.msg}") from None
    if tree.docinfo.doctype:  # type: ignore[union-attr]  # (lxml-stubs lack it)
        raise ParseError(str(path), _doctype_line(path), DOCTYPE_REFUSED)
    return tree.getroot()


DOCTYPE_REFUSED = "a DOCTYPE is not allowed (Oozie refuses DTDs and entities): remove it"


def _doctype_line(path: Path) -> int | None:
    """The line of the file's DOCTYPE, or None if it has none."""
    data = path.read_bytes()
    at = data.find(b"<!DOCTYPE")
    return data.count(b"\n", 0, at) + 1 if at >= 0 else None


def parse_workflow_file(path: Path) -> Workflow:
    return parse_workflow(read_xml(path), str(path))


def parse_workflow(root: Raw, where: str = "<xml>") -> Workflow:
    """The model of a <workflow-app> element."""
    q = etree.QName(root)
    if q.localname != "workflow-app" or q.namespace not in WORKFLOW_NAMESPACES:
        raise ParseError(
            where,
            line_of(root),
            f"<{q.localname}> in {q.namespace or 'no namespace'} is not an Oozie workflow-app "
            f"(namespaces {WORKFLOW_NAMESPACES[0]} .. {WORKFLOW_NAMESPACES[-1]})",
        )
    return _Reader(q.namespace or "").workflow(root)


def line_of(e: Raw) -> int | None:
    """The line an element starts on (lxml-stubs type sourceline loosely)."""
    line: Any = e.sourceline
    return line if isinstance(line, int) else None


def local(e: Raw) -> str:
    return etree.QName(e).localname if isinstance(e.tag, str) else ""


class _Reader:
    def __init__(self, ns: str):
        self.ns = ns

    def mine(self, e: Raw, ns: str | None = None) -> bool:
        return isinstance(e.tag, str) and etree.QName(e).namespace == (ns or self.ns)

    def workflow(self, root: Raw) -> Workflow:
        wf = Workflow(name=root.get("name", ""), namespace=self.ns)
        readers: dict[str, Callable[[Raw], Node]] = {
            "action": self.action,
            "decision": self.decision,
            "fork": lambda e: Fork(e.get("name", ""), [p.get("start", "") for p in self.kids(e)]),
            "join": lambda e: Join(e.get("name", ""), e.get("to")),
            "kill": lambda e: Kill(e.get("name", ""), self.text(e, "message") or ""),
            "end": lambda e: End(e.get("name", "")),
        }
        for child in self.kids(root, everything=True):
            name = local(child)
            if self.mine(child) and name in readers:
                node = readers[name](child)
                node.line = line_of(child)
                wf.nodes.append(node)  # as they are: duplicates are validate's to report
            elif self.mine(child) and name == "start":
                wf.start = child.get("to")
            elif self.mine(child) and name == "parameters":
                wf.parameters = [
                    Parameter(
                        self.text(p, "name") or "",
                        self.text(p, "value"),
                        self.text(p, "description"),
                    )  # fmt: skip
                    for p in self.kids(child)
                ]
            elif self.mine(child) and name == "global":
                wf.global_ = self.global_(child)
            else:
                wf.extra.append(child)
        return wf

    def kids(self, e: Raw, everything: bool = False) -> list[Raw]:
        return [c for c in e if isinstance(c.tag, str) and (everything or self.mine(c))]

    def text(self, e: Raw, tag: str, ns: str | None = None) -> str | None:
        found = e.find(f"{{{ns or self.ns}}}{tag}")
        return None if found is None else (found.text or "")

    def texts(self, e: Raw, tag: str, ns: str | None = None) -> list[str]:
        return [c.text or "" for c in e.findall(f"{{{ns or self.ns}}}{tag}")]

    def configuration(self, e: Raw, ns: str | None = None) -> dict[str, str]:
        conf = e.find(f"{{{ns or self.ns}}}configuration")
        if conf is None:
            return {}
        return {
            self.text(p, "name", ns) or "": self.text(p, "value", ns) or ""
            for p in conf.findall(f"{{{ns or self.ns}}}property")
        }

    def prepare(self, e: Raw, ns: str | None = None) -> list[Delete | Mkdir]:
        prep = e.find(f"{{{ns or self.ns}}}prepare")
        ops: list[Delete | Mkdir] = []
        for op in [] if prep is None else prep:
            if local(op) == "delete":
                ops.append(Delete(op.get("path", "")))
            elif local(op) == "mkdir":
                ops.append(Mkdir(op.get("path", "")))
        return ops

    def resource_manager(self, e: Raw, ns: str | None = None) -> str | None:
        rm = self.text(e, "resource-manager", ns)
        return rm if rm is not None else self.text(e, "job-tracker", ns)

    def extra(self, e: Raw, known: set[str], ns: str | None = None) -> list[Raw]:
        return [
            c for c in e if isinstance(c.tag, str) and not (self.mine(c, ns) and local(c) in known)
        ]

    def global_(self, e: Raw) -> Global:
        known = {"job-tracker", "resource-manager", "name-node", "job-xml", "configuration"}
        return Global(
            resource_manager=self.resource_manager(e),
            name_node=self.text(e, "name-node"),
            job_xml=self.texts(e, "job-xml"),
            configuration=self.configuration(e),
            extra=self.extra(e, known),
        )

    def decision(self, e: Raw) -> Decision:
        switch = e.find(f"{{{self.ns}}}switch")
        cases = [] if switch is None else switch.findall(f"{{{self.ns}}}case")
        default = None if switch is None else switch.find(f"{{{self.ns}}}default")
        return Decision(
            e.get("name", ""),
            [Case(c.get("to", ""), (c.text or "").strip()) for c in cases],
            "" if default is None else default.get("to", ""),
        )

    def action(self, e: Raw) -> Action:
        attributes = {str(k): str(v) for k, v in e.attrib.items()}
        name = attributes.pop("name", "")
        retry_max = _pop_int(attributes, "retry-max")
        retry_interval = _pop_int(attributes, "retry-interval")
        children = self.kids(e, everything=True)
        body_el = children[0] if children else None
        body = self.body(body_el) if body_el is not None else RawAction(etree.Element("missing"))
        ok, error = e.find(f"{{{self.ns}}}ok"), e.find(f"{{{self.ns}}}error")
        transitions = {"ok", "error"}
        return Action(
            name,
            body,
            ok=None if ok is None else ok.get("to"),
            error=None if error is None else error.get("to"),
            retry_max=retry_max,
            retry_interval=retry_interval,
            attributes=attributes,
            extra=[c for c in children[1:] if not (self.mine(c) and local(c) in transitions)],
        )

    def body(self, e: Raw) -> ActionBody:
        kind = local(e)
        if self.mine(e) and kind == "map-reduce" and e.find(f"{{{self.ns}}}pipes") is None:
            return self.map_reduce(e)
        if self.mine(e) and kind == "fs":
            return self.fs(e)
        if self.mine(e) and kind == "sub-workflow":
            return SubWorkflow(
                app_path=self.text(e, "app-path") or "",
                propagate_configuration=e.find(f"{{{self.ns}}}propagate-configuration") is not None,
                configuration=self.configuration(e),
                extra=self.extra(e, {"app-path", "propagate-configuration", "configuration"}),
            )
        if kind == "shell" and etree.QName(e).namespace in SHELL_NAMESPACES:
            return self.shell(e)
        return RawAction(e)

    def map_reduce(self, e: Raw) -> MapReduce:
        s = e.find(f"{{{self.ns}}}streaming")
        streaming = None
        if s is not None:
            streaming = Streaming(
                mapper=self.text(s, "mapper"),
                reducer=self.text(s, "reducer"),
                record_reader=self.text(s, "record-reader"),
                record_reader_mapping=self.texts(s, "record-reader-mapping"),
                env=self.texts(s, "env"),
            )
        known = {"job-tracker", "resource-manager", "name-node", "prepare", "streaming",
                 "job-xml", "configuration", "file", "archive"}  # fmt: skip
        return MapReduce(
            streaming=streaming,
            configuration=self.configuration(e),
            prepare=self.prepare(e),
            files=self.texts(e, "file"),
            archives=self.texts(e, "archive"),
            job_xml=self.texts(e, "job-xml"),
            resource_manager=self.resource_manager(e),
            name_node=self.text(e, "name-node"),
            extra=self.extra(e, known),
        )

    def shell(self, e: Raw) -> Shell:
        ns = etree.QName(e).namespace or ""
        known = {"job-tracker", "resource-manager", "name-node", "prepare", "job-xml",
                 "configuration", "exec", "argument", "env-var", "file", "archive",
                 "capture-output"}  # fmt: skip
        return Shell(
            exec=self.text(e, "exec", ns) or "",
            arguments=self.texts(e, "argument", ns),
            env=self.texts(e, "env-var", ns),
            files=self.texts(e, "file", ns),
            archives=self.texts(e, "archive", ns),
            configuration=self.configuration(e, ns),
            prepare=self.prepare(e, ns),
            capture_output=e.find(f"{{{ns}}}capture-output") is not None,
            job_xml=self.texts(e, "job-xml", ns),
            resource_manager=self.resource_manager(e, ns),
            name_node=self.text(e, "name-node", ns),
            namespace=ns,
            extra=self.extra(e, known, ns),
        )

    def fs(self, e: Raw) -> Fs:
        ops: list[Delete | Mkdir | Move | Touchz | Raw] = []
        settings = {"name-node", "job-xml", "configuration"}
        for c in self.kids(e, everything=True):
            kind = local(c) if self.mine(c) else ""
            if kind == "delete":
                ops.append(Delete(c.get("path", "")))
            elif kind == "mkdir":
                ops.append(Mkdir(c.get("path", "")))
            elif kind == "move":
                ops.append(Move(c.get("source", ""), c.get("target", "")))
            elif kind == "touchz":
                ops.append(Touchz(c.get("path", "")))
            elif kind not in settings:
                ops.append(c)  # chmod, chgrp, setrep: kept in their place among the ops
        return Fs(
            ops=ops,
            name_node=self.text(e, "name-node"),
            configuration=self.configuration(e),
            job_xml=self.texts(e, "job-xml"),
        )


def _pop_int(attributes: dict[str, str], key: str) -> int | None:
    """An attribute that is a number, taken out; EL (``${retries}``) stays an attribute."""
    value = attributes.get(key)
    if value is None or not value.isdigit():
        return None
    del attributes[key]
    return int(value)
