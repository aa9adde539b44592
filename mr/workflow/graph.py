"""Graph checks the XSDs cannot make, as Oozie makes them when a workflow is submitted.

Rules (each problem names its node): ``no-end``, ``duplicate-name``, ``dangling-transition``
(to a node that does not exist, or none at all), ``unreachable`` (no path from start), ``cycle``
(Oozie runs DAGs only), ``fork-join`` (every path of a fork must meet in one join, and a join
closes one fork), and ``undefined-parameter`` (``${name}`` that is no parameter, job.properties
key or EL constant).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lxml import etree

from mr.workflow import el
from mr.workflow.model import Action, Decision, End, Fork, Join, Kill, Node, Raw, Workflow
from mr.workflow.parse import line_of
from mr.workflow.problems import Problem

#: names EL knows without a definition: size units, Hadoop counter groups, SLA time units,
#: the URI template variables of coordinator datasets, and the user Oozie sets
EL_CONSTANTS = frozenset(el.CONSTANTS) | frozenset(
    "YEAR MONTH DAY HOUR MINUTE MINUTES HOURS DAYS user.name".split()  # a dataset's template
)
EL_KEYWORDS = frozenset(
    "true false null empty not and or div mod eq ne lt gt le ge instanceof".split()
)
#: report(node, rule, message)
Report = Callable[[Node | None, str, str], None]
_EL = re.compile(r"\$\{((?:'[^']*'|\"[^\"]*\"|[^}'\"])*)\}")
_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
# a name, maybe ns:function, maybe called
_NAME = re.compile(r"([A-Za-z_][\w.]*)(\s*:\s*[A-Za-z_]\w*)?(\s*\()?")


def check_graph(wf: Workflow, file: str) -> list[Problem]:
    """Every graph problem of a workflow, in document order per rule."""
    problems: list[Problem] = []

    def problem(node: Node | None, rule: str, message: str) -> None:
        problems.append(
            Problem(file, rule, message, node.name if node else None, node.line if node else None)
        )

    by_name: dict[str, Node] = {}
    for n in wf.nodes:
        if n.name in by_name:
            problem(n, "duplicate-name", f"another node is named {n.name!r}; names are unique")
        by_name.setdefault(n.name, n)

    if not any(isinstance(n, End) for n in wf.nodes):
        problems.append(Problem(file, "no-end", "a workflow needs an end node (Workflow.end())"))
    if wf.start not in by_name:
        problems.append(
            Problem(file, "dangling-transition", f"start goes to {wf.start!r}, no such node")
        )
    for n in wf.nodes:
        for kind, target in wf.successors(n):
            if target not in by_name:
                problem(n, "dangling-transition", f"{kind} goes to {target!r}, no such node")
        if isinstance(n, Action) and (not n.ok or not n.error):
            problem(n, "dangling-transition", "an action needs both ok and error transitions")
        if isinstance(n, Join) and not n.to:
            problem(n, "dangling-transition", "a join needs a 'to' transition")
        if isinstance(n, Decision) and not n.default:
            problem(n, "dangling-transition", "a decision needs a default transition")

    reached = _reachable(wf, by_name)
    for n in wf.nodes:
        if n.name not in reached:
            problem(n, "unreachable", "no path from start leads here")

    for cycle_node, back_to in _cycles(wf, by_name):
        problem(cycle_node, "cycle", f"its transition to {back_to!r} closes a loop")

    if not any(p.rule == "cycle" for p in problems):
        _check_forks(wf, by_name, problem)
    return problems


def _next(wf: Workflow, by_name: dict[str, Node], n: Node) -> Iterator[Node]:
    for _, target in wf.successors(n):
        if target in by_name:
            yield by_name[target]


def _reachable(wf: Workflow, by_name: dict[str, Node]) -> set[str]:
    seen: set[str] = set()
    todo = [by_name[wf.start]] if wf.start in by_name else []
    while todo:
        n = todo.pop()
        if n.name not in seen:
            seen.add(n.name)
            todo.extend(_next(wf, by_name, n))
    return seen


def _cycles(wf: Workflow, by_name: dict[str, Node]) -> list[tuple[Node, str]]:
    """(node, target) of each transition that goes back to a node on the current path."""
    found: list[tuple[Node, str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(n: Node) -> None:
        state[n.name] = 1
        for _, target in wf.successors(n):
            if target not in by_name:
                continue
            if state.get(target) == 1:
                found.append((n, target))
            elif target not in state:
                visit(by_name[target])
        state[n.name] = 2

    for n in wf.nodes:
        if n.name not in state:
            visit(n)
    return found


def _check_forks(wf: Workflow, by_name: dict[str, Node], problem: Report) -> None:
    joins_of: dict[str, set[str]] = {}

    def joins_from(start: str, depth: int) -> set[str]:
        """The joins (or 'end') the non-error paths from start reach first."""
        found: set[str] = set()
        seen: set[str] = set()
        todo = [start]
        while todo:
            name = todo.pop()
            if name in seen or name not in by_name:
                continue
            seen.add(name)
            n = by_name[name]
            if isinstance(n, Join):
                found.add(name)
            elif isinstance(n, Kill):
                continue  # an error path ends the workflow: no join needed
            elif isinstance(n, Fork) and depth < len(wf.nodes):  # depth: no endless recursion
                inner = join_of(n, depth + 1)
                inner_join = by_name.get(inner) if inner else None
                if isinstance(inner_join, Join) and inner_join.to:
                    todo.append(inner_join.to)
            elif isinstance(n, Action):
                todo.extend([n.ok] if n.ok else [])
            elif isinstance(n, Decision):
                todo.extend([c.to for c in n.cases] + [n.default])
            else:
                found.add(f"end node {name!r}")
        return found

    def join_of(fork: Fork, depth: int = 0) -> str | None:
        joins = set().union(*(joins_from(p, depth) for p in fork.paths))
        joins_of[fork.name] = joins
        return next(iter(joins)) if len(joins) == 1 else None

    forks = [n for n in wf.nodes if isinstance(n, Fork)]
    closed_by: dict[str, list[str]] = {}
    for fork in forks:
        join = join_of(fork)
        joins = joins_of[fork.name]
        if join is None or join not in by_name:
            reached = ", ".join(sorted(joins)) or "nothing"
            problem(fork, "fork-join", f"its paths must meet in one join; they reach {reached}")
        else:
            closed_by.setdefault(join, []).append(fork.name)
    for join, closing in closed_by.items():
        if len(closing) > 1:
            problem(by_name[join], "fork-join", f"closes more than one fork: {', '.join(closing)}")
    for n in wf.nodes:
        if isinstance(n, Join) and not any(n.name in joins for joins in joins_of.values()):
            problem(n, "fork-join", "no fork leads to this join")


def el_names(text: str) -> Iterator[str]:
    """The variable names used in the ${...} expressions of a text (functions left out)."""
    for expression in _EL.findall(text):
        bare = _STRING.sub("''", expression)
        for name, function, call in _NAME.findall(bare):
            if not function and not call and name not in EL_KEYWORDS:
                yield name


def check_parameters(root: Raw, defined: set[str], file: str) -> list[Problem]:
    """``undefined-parameter`` for each ${name} in texts and attributes that nothing defines."""
    known = defined | EL_CONSTANTS
    problems: list[Problem] = []
    for e in root.iter():
        if not isinstance(e.tag, str):
            continue
        texts = [e.text or "", *(str(v) for v in e.attrib.values())]
        for name in sorted({n for t in texts for n in el_names(t)}):
            if name not in known and name.split(".")[0] not in known:
                problems.append(
                    Problem(
                        file,
                        "undefined-parameter",
                        f"${{{name}}} is not a parameter, a job.properties key or an EL constant",
                        _node_name(e),
                        line_of(e),
                    )
                )
    return problems


def _node_name(e: Raw) -> str | None:
    """The name of the workflow node (or coordinator/bundle part) an element is in."""
    for ancestor in [e, *e.iterancestors()]:
        if ancestor.get("name") is not None and ancestor.getparent() is not None:
            local = etree.QName(ancestor).localname
            if local in {"action", "decision", "fork", "join", "kill", "end", "dataset",
                         "data-in", "data-out", "coordinator"}:  # fmt: skip
                return str(ancestor.get("name"))
    return None
