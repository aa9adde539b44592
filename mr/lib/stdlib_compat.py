"""Stand-ins for the two standard-library modules mrjob 0.7.4 imports and newer Pythons dropped.

mrjob 0.7.4, its last release, imports ``distutils`` (removed in Python 3.12; mrjob uses
``distutils.version.LooseVersion`` in mrjob/compat.py and ``distutils.spawn.find_executable``
in mrjob/util.py) and ``pipes`` (removed in 3.13; mrjob uses only ``pipes.quote``, which is
``shlex.quote``). :func:`install` registers small modules under those names in ``sys.modules``,
only where the standard library has no such module, so Python 3.10 and 3.11 keep their own and
nothing is written to site-packages.

The ``mr`` package calls :func:`install` when it is imported; so every runnable file imports
``mr`` before mrjob: job scripts take MRStep and the protocols from :mod:`mr.lib.job`
(tests/test_layers.py checks it), the CLI lives in ``mr``, and the archive of ``mr`` that
Spark's harness imports carries this module and a ``sitecustomize`` that calls it
(mr/lib/job.py), because the harness imports mrjob before the job.

setuptools' own distutils (``_distutils_hack``, a finder that setuptools' ``.pth`` file puts on
``sys.meta_path`` at start-up) is not used: a stand-in in ``sys.modules`` wins over it, and where
the standard library has distutils (3.10, 3.11) :func:`install` imports the standard library's
``distutils.version`` and ``distutils.spawn`` past that finder, before mrjob asks for them.
setuptools' copy loads pkg_resources and setuptools: a third of a second at the start of every
job, task and command (``python -X importtime -c 'import mr.lib.job'``: 0.42 s with it, 0.22 s
without).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import re
import shlex
import shutil
import sys
import types
import warnings
from typing import Any

#: standard-library modules mrjob 0.7.4 imports that some supported Pythons lack
MODULES = ("distutils", "pipes")


class LooseVersion:
    """A version string compared as distutils' LooseVersion compares it: split into numbers
    (compared as numbers) and lower-case words, dots dropped (``'3.4.1' < '3.10'``)."""

    _PART = re.compile(r"(\d+|[a-z]+|\.)")

    def __init__(self, vstring: str | None = None) -> None:
        self.vstring = ""
        self.version: list[Any] = []
        if vstring:
            self.parse(vstring)

    def parse(self, vstring: str) -> None:
        self.vstring = vstring
        self.version = [_number_or_word(p) for p in self._PART.split(vstring) if p and p != "."]

    def __str__(self) -> str:
        return self.vstring

    def __repr__(self) -> str:
        return f"LooseVersion('{self.vstring}')"

    def _other(self, other: object) -> list[Any] | None:
        if isinstance(other, str):
            return LooseVersion(other).version
        if isinstance(other, LooseVersion):
            return other.version
        return None

    def __eq__(self, other: object) -> bool:
        theirs = self._other(other)
        return NotImplemented if theirs is None else self.version == theirs

    def __lt__(self, other: object) -> bool:
        theirs = self._other(other)
        return NotImplemented if theirs is None else self.version < theirs

    def __le__(self, other: object) -> bool:
        theirs = self._other(other)
        return NotImplemented if theirs is None else self.version <= theirs

    def __gt__(self, other: object) -> bool:
        theirs = self._other(other)
        return NotImplemented if theirs is None else self.version > theirs

    def __ge__(self, other: object) -> bool:
        theirs = self._other(other)
        return NotImplemented if theirs is None else self.version >= theirs

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value, as distutils'


def _number_or_word(part: str) -> int | str:
    try:
        return int(part)
    except ValueError:
        return part


def find_executable(executable: str, path: str | None = None) -> str | None:
    """distutils.spawn.find_executable: the full path of an executable on path (default
    $PATH), or None."""
    return shutil.which(executable, path=path)


def lacks(name: str) -> bool:
    """Whether no directory of sys.path has module name: meta-path hooks such as setuptools'
    distutils hack do not count, nor do stand-ins registered in sys.modules."""
    return importlib.machinery.PathFinder.find_spec(name) is None


def missing(name: str) -> bool:
    """Whether module name needs a stand-in: sys.path lacks it and nothing registered it."""
    return name not in sys.modules and lacks(name)


def archive_files() -> dict[str, str]:
    """{path: source} of top-level modules that give the stand-ins to a process that imports
    mrjob before mr (Spark's harness), for a zip on its sys.path: only those this Python lacks,
    so a zip built on 3.11 shadows nothing."""
    files = {}
    if lacks("distutils"):
        files["distutils/__init__.py"] = f'"""{_DOC % "distutils"}"""\n'
        files["distutils/version.py"] = f"from {__name__} import LooseVersion  # noqa: F401\n"
        files["distutils/spawn.py"] = f"from {__name__} import find_executable  # noqa: F401\n"
    if lacks("pipes"):
        files["pipes.py"] = f'"""{_DOC % "pipes"}"""\n\nfrom shlex import quote  # noqa: F401\n'
    return files


_DOC = "mrkit's stand-in for %s (mr/lib/stdlib_compat.py)"


def _module(name: str, doc: str, **attributes: Any) -> types.ModuleType:
    module = types.ModuleType(name, doc)
    module.__dict__.update(attributes)
    sys.modules[name] = module
    return module


def _import_stdlib_distutils() -> None:
    """Import the standard library's distutils modules that mrjob uses, with setuptools'
    distutils finder (if any) off sys.meta_path meanwhile."""
    shims = [f for f in sys.meta_path if type(f).__module__.startswith("_distutils_hack")]
    for finder in shims:
        sys.meta_path.remove(finder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # "distutils is deprecated"
            importlib.import_module("distutils.version")
            importlib.import_module("distutils.spawn")
    finally:
        sys.meta_path[:0] = shims


def install() -> list[str]:
    """Register the stand-ins this Python needs; the names registered (none on 3.10/3.11)."""
    done = []
    if "distutils" not in sys.modules and not missing("distutils"):
        _import_stdlib_distutils()
    if missing("distutils"):
        package = _module("distutils", _DOC % "distutils", __path__=[])
        package.version = _module("distutils.version", "LooseVersion", LooseVersion=LooseVersion)  # type: ignore[attr-defined]
        package.spawn = _module("distutils.spawn", "find_executable",  # type: ignore[attr-defined]
                                find_executable=find_executable)  # fmt: skip
        done.append("distutils")
    if missing("pipes"):
        _module("pipes", _DOC % "pipes", quote=shlex.quote)
        done.append("pipes")
    return done
