"""A small Oozie EL evaluator for the local runner: what real workflows put in ``${...}``.

Supported: parameters (``${input}``, dotted names such as ``${user.name}``), string literals
('...' or "..."), numbers, ``true``/``false``/``null``; the operators ``eq ne lt gt le ge``
(and ``== != < > <= >=``), ``and or not`` (and ``&& || !``), ``empty``, ``+ - * / div mod``,
``[...]`` on a map; the functions ``wf:id() wf:name() wf:appPath() wf:user() wf:conf('x')
wf:actionData('node') wf:lastErrorNode() wf:errorCode('node') wf:errorMessage('node') wf:run()``,
``fs:exists fs:isDir fs:fileSize fs:dirSize``, ``hadoop:counters('node')`` (:func:`hadoop_counters`)
and ``concat trim firstNotNull``; Oozie's constants (:data:`CONSTANTS`: ``RECORDS``, ``MAP_IN``
..., ``KB`` ...) where no parameter has the name. Anything else is refused when the expression
is parsed (:class:`ELError`, one line), before a run starts. A coordinator's configuration has
the ``coord:`` functions instead (:data:`COORD_FUNCTIONS`; those of HCatalog datasets are in
mr/workflow/hcat.py).

Comparison follows the EL rules workflows rely on: two values that read as numbers compare as
numbers, a boolean against a string compares as booleans, otherwise as strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from mr.lib.errors import UsageError

EL_RE = re.compile(r"\$\{((?:'[^']*'|\"[^\"]*\"|[^}'\"])*)\}")
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<op>==|!=|<=|>=|&&|\|\||[<>!()\[\],:+\-*/%])|(?P<name>[A-Za-z_][\w.]*))"
)
_WORD_OPS = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=",
             "and": "&&", "or": "||", "not": "!", "div": "/", "mod": "%"}  # fmt: skip


class ELError(UsageError):
    """An expression the local runner cannot parse or evaluate (one line)."""


class Context(Protocol):
    """What EL functions read: variables, the run's state, the file system."""

    def variable(self, name: str) -> Any: ...

    def function(self, name: str) -> Callable[..., Any]: ...


#: function names a Context must answer to (checked at parse time)
FUNCTIONS = frozenset(
    "wf:id wf:name wf:appPath wf:user wf:conf wf:actionData wf:lastErrorNode wf:errorCode "
    "wf:errorMessage wf:run fs:exists fs:isDir fs:fileSize fs:dirSize hadoop:counters concat "
    "trim firstNotNull".split()
)
#: the functions of a coordinator action's configuration (mr/workflow/coord_local.py), with
#: those of HCatalog datasets (mr/workflow/hcat.py)
COORD_FUNCTIONS = frozenset(
    "coord:nominalTime coord:actualTime coord:dataIn coord:dataOut coord:formatTime "
    "coord:dateOffset coord:name coord:user coord:conf concat trim firstNotNull "
    "coord:databaseIn coord:databaseOut coord:tableIn coord:tableOut "
    "coord:dataInPartitionFilter coord:dataInPartitionMin coord:dataInPartitionMax "
    "coord:dataInPartitions coord:dataOutPartitions coord:dataOutPartitionValue".split()
)
#: Oozie's workflow EL constants (oozie-default.xml, ELService.constants.workflow): sizes, and
#: the group and names of Hadoop's record counters (HadoopELFunctions)
RECORDS = "org.apache.hadoop.mapred.Task$Counter"
CONSTANTS: dict[str, Any] = {
    "KB": 1024,
    "MB": 1024**2,
    "GB": 1024**3,
    "TB": 1024**4,
    "PB": 1024**5,
    "RECORDS": RECORDS,
    "MAP_IN": "MAP_INPUT_RECORDS",
    "MAP_OUT": "MAP_OUTPUT_RECORDS",
    "REDUCE_IN": "REDUCE_INPUT_RECORDS",
    "REDUCE_OUT": "REDUCE_OUTPUT_RECORDS",
    "GROUPS": "REDUCE_INPUT_GROUPS",
}
#: Hadoop's task counters as YARN's job report shows them (the group "Map-Reduce Framework",
#: display names, what mrjob reads) -> their names in RECORDS (Hadoop maps the old group name
#: to TaskCounter, so Oozie's RECORDS reads them on Hadoop 2 and 3)
TASK_COUNTERS = {
    "Map input records": "MAP_INPUT_RECORDS",
    "Map output records": "MAP_OUTPUT_RECORDS",
    "Reduce input records": "REDUCE_INPUT_RECORDS",
    "Reduce output records": "REDUCE_OUTPUT_RECORDS",
    "Reduce input groups": "REDUCE_INPUT_GROUPS",
    "Combine input records": "COMBINE_INPUT_RECORDS",
    "Combine output records": "COMBINE_OUTPUT_RECORDS",
    "Spilled Records": "SPILLED_RECORDS",
}
FRAMEWORK_GROUP = "Map-Reduce Framework"


class Lookup(dict[str, Any]):
    """A map whose ``[key]`` for a key it lacks asks ``missing(key)`` (which may raise
    ELError naming what is there) rather than giving null."""

    def __init__(self, items: Mapping[str, Any], missing: Callable[[str], Any]):
        super().__init__(items)
        self.missing = missing

    def lookup(self, key: str) -> Any:
        return self[key] if key in self else self.missing(key)


def hadoop_counters(node: str, counters: Mapping[str, Mapping[str, int]] | None) -> Lookup:
    """``hadoop:counters(node)``: {group: {counter: n}} of the map-reduce action `node`, as
    Oozie's HadoopELFunctions gives them (``ACTION_TYPE`` MAP_REDUCE, and the group RECORDS
    when the job ran on YARN); a counter a group lacks is 0 (Oozie: "0 ... for undefined
    counters"). ELError when the node has no counters, and for a group it lacks (naming the
    groups it has): a decision on a group that is not there would silently take the wrong
    branch."""
    call = f"hadoop:counters('{node}')"
    if counters is None:
        raise ELError(f"{call}: no counters: {node!r} is not a map-reduce action of an mrkit "
                      "job that succeeded in this run")  # fmt: skip
    groups: dict[str, Any] = {"ACTION_TYPE": "MAP_REDUCE"}
    for group, names in counters.items():
        groups[group] = Lookup(names, lambda _: 0)
    framework = counters.get(FRAMEWORK_GROUP, {})
    records = {TASK_COUNTERS[k]: v for k, v in framework.items() if k in TASK_COUNTERS}
    if records:
        groups[RECORDS] = Lookup(records, lambda _: 0)

    def missing(group: str) -> Any:
        have = ", ".join(sorted(g for g in groups if g != "ACTION_TYPE")) or "none"
        why = ""
        if group == RECORDS:
            why = (
                "; Hadoop's record counters (RECORDS) come from a job run on YARN "
                "(-r hadoop): the inline and local runners count only the job's own"
            )
        raise ELError(f"{call} has no counter group {group!r} (it has: {have}){why}")

    return Lookup(groups, missing)


@dataclass(frozen=True)
class _Node:
    kind: str  # lit, var, call, op, index
    value: Any = None
    args: tuple[_Node, ...] = ()


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ELError(f"cannot read {text[pos:]!r}")
        pos = m.end()
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "name" and value in _WORD_OPS:
            yield "op", _WORD_OPS[value]
        elif kind == "name" and value == "empty":
            yield "op", "empty"
        else:
            yield kind, value


class _Parser:
    def __init__(self, text: str, functions: frozenset[str]):
        self.toks = list(_tokens(text))
        self.functions = functions
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, op: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (op is not None and tok != ("op", op)):
            raise ELError(f"expected {op or 'more'} at token {self.i + 1}")
        self.i += 1
        return tok

    def at(self, *ops: str) -> str | None:
        tok = self.peek()
        return tok[1] if tok and tok[0] == "op" and tok[1] in ops else None

    def parse(self) -> _Node:
        node = self.binary(0)
        if self.peek() is not None:
            raise ELError(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return node

    LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> _Node:
        if level == len(self.LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while op := self.at(*self.LEVELS[level]):
            self.take()
            left = _Node("op", op, (left, self.binary(level + 1)))
        return left

    def unary(self) -> _Node:
        if op := self.at("!", "-", "empty"):
            self.take()
            return _Node("op", "u" + op, (self.unary(),))
        node = self.primary()
        while self.at("["):
            self.take()
            key = self.binary(0)
            self.take("]")
            node = _Node("index", None, (node, key))
        return node

    def primary(self) -> _Node:
        kind, value = self.take()
        if kind == "str":
            return _Node("lit", re.sub(r"\\(.)", r"\1", value[1:-1]))
        if kind == "num":
            return _Node("lit", float(value) if "." in value else int(value))
        if kind == "op" and value == "(":
            node = self.binary(0)
            self.take(")")
            return node
        if kind != "name":
            raise ELError(f"unexpected {value!r}")
        if value in ("true", "false"):
            return _Node("lit", value == "true")
        if value == "null":
            return _Node("lit", None)
        name = value
        if self.at(":"):
            self.take()
            name = f"{value}:{self.take()[1]}"
        if not self.at("("):
            if ":" in name:
                raise ELError(f"{name} without (...)")
            return _Node("var", name)
        self.take("(")
        args: list[_Node] = []
        while not self.at(")"):
            args.append(self.binary(0))
            if not self.at(")"):
                self.take(",")
        self.take(")")
        if name not in self.functions:
            raise ELError(f"unsupported EL function {name}()")
        return _Node("call", name, tuple(args))


def parse(expression: str, functions: frozenset[str] = FUNCTIONS) -> _Node:
    """The tree of one expression (the text between ``${`` and ``}``); ELError if unsupported."""
    return _Parser(expression, functions).parse()


def check(text: str, functions: frozenset[str] = FUNCTIONS) -> None:
    """ELError for the first ``${...}`` in text the evaluator cannot handle."""
    for m in EL_RE.finditer(text):
        try:
            parse(m.group(1), functions)
        except ELError as e:
            raise ELError(f"{m.group(0)}: {e}") from None


def calls(text: str, functions: frozenset[str] = FUNCTIONS) -> Iterator[tuple[str, list[Any]]]:
    """(function, its arguments: a literal's value, else None) of each call in text's ``${...}``."""

    def walk(node: _Node) -> Iterator[tuple[str, list[Any]]]:
        if node.kind == "call":
            yield node.value, [a.value if a.kind == "lit" else None for a in node.args]
        for child in node.args:
            yield from walk(child)

    for m in EL_RE.finditer(text):
        yield from walk(parse(m.group(1), functions))


def substitute(text: str, ctx: Context, functions: frozenset[str] = FUNCTIONS) -> str:
    """Text with every ``${...}`` replaced by its value (as Oozie writes it: true, 3, '')."""

    def value(m: re.Match[str]) -> str:
        try:
            return as_text(_eval(parse(m.group(1), functions), ctx))
        except ELError as e:
            raise ELError(f"{m.group(0)}: {e}") from None

    return EL_RE.sub(value, text)


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _coerced(a: Any, b: Any) -> tuple[Any, Any]:
    if isinstance(a, bool) or isinstance(b, bool):
        return _boolean(a), _boolean(b)
    na, nb = _number(a), _number(b)
    if na is not None and nb is not None:
        return na, nb
    return as_text(a), as_text(b)


def _boolean(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _eval(node: _Node, ctx: Context) -> Any:
    if node.kind == "lit":
        return node.value
    if node.kind == "var":
        return ctx.variable(node.value)
    if node.kind == "call":
        return ctx.function(node.value)(*(_eval(a, ctx) for a in node.args))
    if node.kind == "index":
        container, key = (_eval(a, ctx) for a in node.args)
        if not isinstance(container, dict):
            raise ELError(f"[{key!r}] on a value that is not a map")
        if isinstance(container, Lookup):
            return container.lookup(as_text(key))
        return container.get(as_text(key))
    op = node.value
    if op == "u!":
        return not _boolean(_eval(node.args[0], ctx))
    if op == "uempty":
        v = _eval(node.args[0], ctx)
        return v is None or v == "" or v == {} or v == []
    if op == "u-":
        n = _number(_eval(node.args[0], ctx))
        if n is None:
            raise ELError("- on a value that is not a number")
        return -n
    if op == "&&":
        return _boolean(_eval(node.args[0], ctx)) and _boolean(_eval(node.args[1], ctx))
    if op == "||":
        return _boolean(_eval(node.args[0], ctx)) or _boolean(_eval(node.args[1], ctx))
    a, b = (_eval(x, ctx) for x in node.args)
    if op in ("+", "-", "*", "/", "%"):
        na, nb = _number(a), _number(b)
        if na is None or nb is None:
            raise ELError(f"{op} on values that are not numbers ({as_text(a)!r}, {as_text(b)!r})")
        return {"+": na + nb, "-": na - nb, "*": na * nb,
                "/": na / nb if nb else float("inf"), "%": na % nb if nb else 0}[op]  # fmt: skip
    x, y = _coerced(a, b)
    return {"==": x == y, "!=": x != y, "<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]
