"""A workflow drawn with Graphviz (``mrkit workflow graph``), its nodes coloured by a run.

Shapes say the node's kind: an action is a box (its type beneath its name), a decision a
diamond, a fork and a join trapezia, a kill node an octagon, the end a double circle. An ``ok``
transition is a solid line, ``error`` a dashed red one, a decision's cases are labelled with
their predicates. Given a run (:class:`mr.workflow.runs.WorkflowRun`), each node is filled
with the colour of its status (``STATUS_COLOURS``; grey: it never started) and the
transitions the run took are drawn bold. The ``dot`` program (Debian's graphviz package) lays
the graph out; scripts/bootstrap installs it.
"""

from __future__ import annotations

from pathlib import Path

import graphviz

from mr.engines import EngineError
from mr.lib.errors import UsageError
from mr.workflow.model import Action, Decision, End, Fork, Join, Kill, Node, Workflow
from mr.workflow.runs import WorkflowRun

#: fill colour per node status; NOT_RUN for nodes the run never reached
STATUS_COLOURS = {
    "OK": "#a5d6a7",  # green
    "ERROR": "#ef9a9a",  # red
    "KILLED": "#ffcc80",  # orange
    "RUNNING": "#90caf9",  # blue
    "USER_RETRY": "#fff59d",  # yellow
}
NOT_RUN = "#e0e0e0"  # grey
NO_RUN = "#ffffff"
FORMATS = ("svg", "png")
PREDICATE_WIDTH = 40
#: the start node's id in the drawing (Oozie node names cannot hold a colon, nor this)
START_ID = "start."


def _shape(node: Node) -> str:
    if isinstance(node, Action):
        return "box"
    if isinstance(node, Decision):
        return "diamond"
    if isinstance(node, Fork):
        return "trapezium"
    if isinstance(node, Join):
        return "invtrapezium"
    if isinstance(node, Kill):
        return "octagon"
    assert isinstance(node, End)
    return "doublecircle"


def _label(node: Node) -> str:
    if isinstance(node, Action):
        from mr.workflow.local import action_kind

        return f"{node.name}\n[{action_kind(node)}]"
    return node.name


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= PREDICATE_WIDTH else text[: PREDICATE_WIDTH - 3] + "..."


def drawing(wf: Workflow, run: WorkflowRun | None = None) -> graphviz.Digraph:
    """The graph of wf (Graphviz source), coloured by run when one is given."""
    g = graphviz.Digraph(wf.name, graph_attr={"rankdir": "TB", "label": wf.name})
    g.attr("node", style="filled", fontname="Helvetica", fontsize="11")
    g.attr("edge", fontname="Helvetica", fontsize="9")
    taken: set[tuple[str, str]] = set()
    if run is not None:
        for n in run.nodes:
            for target in (n.transition or "").split(","):
                if target:
                    taken.add((n.name, target))

    def fill(name: str) -> str:
        if run is None:
            return NO_RUN
        done = run.node(name)
        return STATUS_COLOURS.get(done.status, NOT_RUN) if done else NOT_RUN

    g.node(START_ID, "start", shape="circle", fillcolor=fill(":start:"))
    if wf.start:
        g.edge(START_ID, wf.start, penwidth="2" if (":start:", wf.start) in taken else "1")
    for node in wf.nodes:
        g.node(node.name, _label(node), shape=_shape(node), fillcolor=fill(node.name))
        cases = {c.to: c.predicate for c in node.cases} if isinstance(node, Decision) else {}
        for kind, target in wf.successors(node):
            attrs = {"penwidth": "2.5" if (node.name, target) in taken else "1"}
            if kind == "error":
                attrs.update(style="dashed", color="#c62828", label="error")
            elif kind == "case":
                attrs["label"] = _short(cases.get(target, ""))
            elif kind == "default":
                attrs["label"] = "default"
            g.edge(node.name, target, **attrs)
    return g


def draw(wf: Workflow, out: Path, run: WorkflowRun | None = None) -> Path:
    """Write the drawing of wf to out (.svg or .png); EngineError when dot is missing."""
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise UsageError(f"--out {out}: give a .svg or .png file")
    try:
        data = drawing(wf, run).pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise EngineError(
            "dot (Graphviz) is not installed: run scripts/bootstrap, or apt-get install graphviz"
        ) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out
