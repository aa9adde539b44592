"""Python source for rendered DAG files: values as constructor calls, laid out as ruff format
(black's style, line length 100) lays them out, so a rendered file is formatted as written.

A value becomes an expression (:func:`expr`): strings, numbers, lists, dicts, dataclasses (the
class name with the fields that differ from their defaults: positional for those without a
default, keywords for the rest) and :class:`Code` (text kept as it is). :func:`layout` writes an
expression after a head (``ingest = ``) the way the formatter does: on one line when it fits;
else the brackets' content on one indented line when that fits; else one item per line with a
trailing comma (none after a sole item), each item laid out the same way.
"""

from __future__ import annotations

import dataclasses
import keyword
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

WIDTH = 100
INDENT = 4


@dataclass(frozen=True)
class Code:
    """An expression written as it is (a name, a call already formatted by hand)."""

    text: str


@dataclass
class Bracketed:
    """A call, list, dict or tuple: items between an opening and a closing bracket."""

    open: str
    items: list[tuple[str, Expr]] = field(default_factory=list)  # (prefix, value)
    close: str = ")"


Expr = Code | Bracketed


def string(text: str) -> str:
    """A string literal as the formatter writes it: double quotes unless the text holds double
    quotes and no single ones."""
    r = repr(text)
    if r.startswith('"') or ('"' in text and "'" not in text):
        return r
    body = r[1:-1].replace("\\'", "'").replace('"', '\\"')
    return f'"{body}"'


def expr(value: Any, *, names: dict[type, str] | None = None) -> Expr:
    """The expression that builds value (see the module docstring)."""
    if isinstance(value, Code | Bracketed):
        return value
    if isinstance(value, str):
        return Code(string(value))
    if value is None or isinstance(value, bool | int | float):
        return Code(repr(value))
    if isinstance(value, list | tuple):
        items = [("", expr(v, names=names)) for v in value]
        if isinstance(value, tuple):
            return Bracketed("(", items, ",)" if len(items) == 1 else ")")
        return Bracketed("[", items, "]")
    if isinstance(value, dict):
        return Bracketed(
            "{", [(f"{string(str(k))}: ", expr(v, names=names)) for k, v in value.items()], "}"
        )
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return call(
            (names or {}).get(type(value), type(value).__name__),
            *_dataclass_arguments(value, names),
        )
    raise TypeError(f"no Python source for {type(value).__name__}")


def _dataclass_arguments(value: Any, names: dict[type, str] | None) -> list[Any]:
    """Required fields and the first field by position, the others (if not their default)
    by name: ``Fs([Delete("x")])``, ``Shell("echo", arguments=["a"])``."""
    positional: list[Any] = []
    keywords: list[Any] = []
    shown = [f for f in dataclasses.fields(value)
             if f.init and not f.name.startswith("_") and f.name != "line"]  # fmt: skip
    for i, f in enumerate(shown):
        v = getattr(value, f.name)
        if f.default is not dataclasses.MISSING:
            default: Any = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = dataclasses.MISSING
        if default is dataclasses.MISSING or (i == 0 and v != default):
            if keywords:  # after a keyword, by name too
                keywords.append(Keyword(f.name, expr(v, names=names)))
            else:
                positional.append(expr(v, names=names))
        elif v != default:
            keywords.append(Keyword(f.name, expr(v, names=names)))
    return [*positional, *keywords]


@dataclass(frozen=True)
class Keyword:
    name: str
    value: Expr


def call(function: str, *arguments: Any, **keywords: Any) -> Bracketed:
    """``function(arguments..., name=value...)``; arguments may be Keyword items."""
    items: list[tuple[str, Expr]] = []
    for a in arguments:
        if isinstance(a, Keyword):
            items.append((f"{a.name}=", a.value))
        else:
            items.append(("", expr(a)))
    items += [(f"{k}=", expr(v)) for k, v in keywords.items()]
    return Bracketed(f"{function}(", items, ")")


def flat(e: Expr) -> str:
    """The expression on one line."""
    if isinstance(e, Code):
        return e.text
    inner = ", ".join(prefix + flat(v) for prefix, v in e.items)
    return f"{e.open}{inner}{e.close}"


def layout(e: Expr, indent: int = 0, head: int = 0, tail: int = 0) -> str:
    """The expression laid out from column head (after what precedes it on the line) at block
    indent `indent`, with `tail` characters to follow it on its last line."""
    one = flat(e)
    if head + len(one) + tail <= WIDTH:
        return one
    if isinstance(e, Code):
        return _split_string(e.text, indent, head, tail)
    if not e.items:
        return one
    pad = " " * (indent + INDENT)
    inner = ", ".join(prefix + flat(v) for prefix, v in e.items)
    if indent + INDENT + len(inner) <= WIDTH:
        return f"{e.open}\n{pad}{inner}\n{' ' * indent}{e.close}"
    sole = len(e.items) == 1 and e.close != ",)"
    lines = []
    for prefix, v in e.items:
        comma = "" if sole else ","
        body = layout(v, indent + INDENT, indent + INDENT + len(prefix), len(comma))
        lines.append(f"{pad}{prefix}{body}{comma}")
    close = ")" if e.close == ",)" else e.close
    return f"{e.open}\n" + "\n".join(lines) + f"\n{' ' * indent}{close}"


def _split_string(text: str, indent: int, head: int, tail: int) -> str:
    """A string literal too long for its line as an implicit concatenation, cut after spaces,
    its pieces on lines of their own at indent (text that is not a plain literal as it is)."""
    quote = text[:1]
    if quote not in ("'", '"') or len(text) < 2 or text[-1] != quote or "\\" in text:
        return text
    words = re.split(r"(?<= )", text[1:-1])
    pieces: list[str] = []
    current = ""
    room = WIDTH - head - 2
    for word in words:
        if current and len(current) + len(word) > room:
            pieces.append(current)
            current = ""
            room = WIDTH - indent - 2 - tail
        current += word
    pieces.append(current)
    return f"\n{' ' * indent}".join(f"{quote}{p}{quote}" for p in pieces)


def statement(head: str, e: Expr, indent: int = 0, tail: str = "") -> str:
    """``head`` + the expression + ``tail``, indented, laid out to fit."""
    pad = " " * indent
    return f"{pad}{head}{layout(e, indent, indent + len(head), len(tail))}{tail}"


_NOT_WORD = re.compile(r"\W")


def identifier(name: str, taken: Iterable[str] = ()) -> str:
    """A Python name for a node name: characters that cannot be in a name become ``_``; a
    leading digit or a keyword gets a ``_`` in front; a name already taken gets ``_2``..."""
    ident = _NOT_WORD.sub("_", name) or "_"
    if ident[0].isdigit() or keyword.iskeyword(ident) or ident in _RESERVED:
        ident = f"_{ident}"
    used = set(taken)
    candidate, n = ident, 2
    while candidate in used:
        candidate, n = f"{ident}_{n}", n + 1
    return candidate


#: names a rendered DAG file defines or imports itself
_RESERVED = frozenset(
    "dag DAG Label datetime pendulum oozie Workflow Coordinator Dataset DataIn DataOut "
    "Action Kill End Fork Join Decision Case Parameter Fs Shell SubWorkflow MapReduce Delete "
    "Mkdir Move Touchz Job JobStep Command Unsupported OozieTasks".split()
)


def chain_lines(chains: Sequence[Sequence[str]], indent: int) -> list[str]:
    """``a >> b >> [c, d]`` statements, each within the line length (a long chain is cut in
    two, the second starting where the first stopped)."""
    out: list[str] = []
    pad = " " * indent
    for chain in chains:
        current: list[str] = []
        for part in chain:
            candidate = [*current, part]
            if current and len(pad + " >> ".join(candidate)) > WIDTH and len(current) > 1:
                out.append(pad + " >> ".join(current))
                current = [current[-1], part]
            else:
                current = candidate
        if len(current) > 1:
            out.append(pad + " >> ".join(current))
    return out
