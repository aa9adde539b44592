"""Hadoop's path globs (``hadoop fs -ls '/out/part-*'``), as pure functions over path text.

The syntax is Hadoop's (FileSystem.globStatus, GlobPattern): ``?`` one character, ``*`` any
characters, ``[abc]`` / ``[a-z]`` a class (``[^a]`` or ``[!a]`` outside it), ``{a,b}``
alternatives (nested, and may hold ``/``), ``\\c`` the character c itself. Wildcards never
match ``/``, and, unlike a shell, they match names that start with ``.`` or ``_`` (Hadoop's
globs do; FileInputFormat's hidden-file rule is another matter, mr/lib/inputs.py).

    >>> expand_braces("/logs/{2026/01,2025/12}/part-*")
    ['/logs/2026/01/part-*', '/logs/2025/12/part-*']
    >>> component_matcher("part-[0-9]*")("part-00001")
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

_MAGIC = re.compile(r"(?<!\\)[*?\[{]")


def has_magic(text: str) -> bool:
    """Whether text holds an unescaped wildcard (``* ? [ {``)."""
    return _MAGIC.search(text) is not None


def expand_braces(pattern: str) -> list[str]:
    """Every pattern that pattern's ``{a,b}`` alternatives stand for, in order; ValueError for
    an unclosed ``{``."""
    start = _first_open_brace(pattern)
    if start is None:
        return [pattern]
    depth, i, commas = 0, start, []
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                break
        elif c == "," and depth == 1:
            commas.append(i)
        i += 1
    else:
        raise ValueError(f"{pattern}: unclosed {{ in the glob")
    head, tail = pattern[:start], pattern[i + 1 :]
    bounds = [start, *commas, i]
    choices = [pattern[a + 1 : b] for a, b in zip(bounds, bounds[1:], strict=False)]
    return [p for choice in choices for p in expand_braces(head + choice + tail)]


def _first_open_brace(pattern: str) -> int | None:
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "{":
            return i
        i += 1
    return None


def unescape(text: str) -> str:
    """A glob component without wildcards, as the name it stands for (``\\*`` is ``*``)."""
    return re.sub(r"\\(.)", r"\1", text)


def component_matcher(component: str) -> Callable[[str], bool]:
    """A test of one path component (a name, no ``/``) against one glob component without
    braces; ValueError for an unclosed ``[``."""
    regex, i = [], 0
    while i < len(component):
        c = component[i]
        if c == "\\" and i + 1 < len(component):
            regex.append(re.escape(component[i + 1]))
            i += 2
            continue
        if c == "*":
            regex.append("[^/]*")
        elif c == "?":
            regex.append("[^/]")
        elif c == "[":
            end = component.find("]", i + 2)
            if end < 0:
                raise ValueError(f"{component}: unclosed [ in the glob")
            body = component[i + 1 : end]
            negate = body[:1] in ("^", "!")
            body = body[1:] if negate else body
            escaped = body.replace("\\", "\\\\").replace("[", "\\[")
            regex.append(f"[{'^' if negate else ''}{escaped}]")
            i = end
        else:
            regex.append(re.escape(c))
        i += 1
    compiled = re.compile("".join(regex), re.DOTALL)
    return lambda name: compiled.fullmatch(name) is not None


def match_paths(
    pattern: str, names: Callable[[str], Iterable[str]], exists: Callable[[str], bool]
) -> list[str]:
    """The paths that match an absolute glob, sorted, on a file system given by two functions:
    names(directory) lists a directory's names ([] for a file or nothing), exists(path). A
    pattern without wildcards gives itself if it exists. ValueError for a broken glob."""
    found: set[str] = set()
    for one in expand_braces(pattern):
        candidates = ["/"]
        for part in [p for p in one.split("/") if p]:
            if has_magic(part):
                matches = component_matcher(part)
                candidates = [f"{c.rstrip('/')}/{n}" for c in candidates for n in names(c)
                              if matches(n)]  # fmt: skip
            else:
                candidates = [f"{c.rstrip('/')}/{unescape(part)}" for c in candidates]
        found.update(c for c in candidates if exists(c))
    return sorted(found)
