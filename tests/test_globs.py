"""Hadoop's glob syntax (mr/lib/globs.py), each rule as Hadoop's GlobPattern states it."""

from __future__ import annotations

import pytest

from mr.lib.globs import component_matcher, expand_braces, has_magic, match_paths, unescape


@pytest.mark.parametrize(
    ("glob", "name", "matches"),
    [
        ("part-*", "part-00000", True),
        ("part-*", "_SUCCESS", False),
        ("*", "_SUCCESS", True),  # unlike a shell, and as hadoop fs -ls /out/* lists it
        ("*", ".hidden", True),
        ("part-?????", "part-00001", True),
        ("part-?????", "part-0001", False),
        ("part-[0-9]*", "part-7x", True),
        ("part-[0-9]*", "part-x7", False),
        ("[^p]*", "part-0", False),  # Hadoop's negation
        ("[!p]*", "_SUCCESS", True),  # and the shell's
        ("a\\*b", "a*b", True),  # an escaped wildcard is itself
        ("a\\*b", "axb", False),
        ("a.b", "axb", False),  # regex characters are plain
        ("(x)+", "(x)+", True),
        ("", "", True),
    ],
)
def test_component_match(glob, name, matches):
    assert component_matcher(glob)(name) is matches


@pytest.mark.parametrize(
    ("pattern", "expanded"),
    [
        ("/a/b", ["/a/b"]),
        ("/logs/{01,02}/*", ["/logs/01/*", "/logs/02/*"]),
        ("/x/{a,b{c,d}}", ["/x/a", "/x/bc", "/x/bd"]),  # nested
        ("/{2026/01,2025/12}/p", ["/2026/01/p", "/2025/12/p"]),  # across directories
        ("/a\\{b,c}", ["/a\\{b,c}"]),  # escaped: no alternatives
        ("/{,x}y", ["/y", "/xy"]),  # an empty alternative
    ],
)
def test_braces(pattern, expanded):
    assert expand_braces(pattern) == expanded


@pytest.mark.parametrize("bad", ["/a/{b,c", "/a/{{b}"])
def test_an_unclosed_brace_is_an_error(bad):
    with pytest.raises(ValueError, match="unclosed"):
        expand_braces(bad)


def test_an_unclosed_class_is_an_error():
    with pytest.raises(ValueError, match="unclosed"):
        component_matcher("part-[0-9")


def test_magic_and_escapes():
    assert has_magic("/out/part-*") and has_magic("/a/{b,c}") and has_magic("x[1]")
    assert not has_magic("/out/part-00000") and not has_magic("a\\*b")
    assert unescape("a\\*b\\\\c") == "a*b\\c"


def test_match_paths_walks_only_the_directories_a_glob_needs():
    tree = {
        "/": ["out", "logs"],
        "/out": ["_SUCCESS", "part-00000", "part-00001"],
        "/logs": ["2026"],
        "/logs/2026": ["01", "02"],
        "/logs/2026/01": ["x.log"],
        "/logs/2026/02": ["y.log"],
    }
    files = {f"{d.rstrip('/')}/{n}" for d, names in tree.items() for n in names}
    listed = []

    def names(directory):
        listed.append(directory)
        return tree.get(directory, [])

    def match(pattern):
        listed.clear()
        return match_paths(pattern, names, files.__contains__)

    assert match("/out/part-*") == ["/out/part-00000", "/out/part-00001"]
    assert listed == ["/out"]
    assert match("/logs/*/{01,02}/*.log") == ["/logs/2026/01/x.log", "/logs/2026/02/y.log"]
    assert match("/out/part-00000") == ["/out/part-00000"] and listed == []
    assert match("/nowhere/*") == []
