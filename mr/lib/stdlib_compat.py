"""Stand-ins for the two standard-library modules mrjob 0.7.4 imports and newer Pythons dropped.

mrjob 0.7.4, its last release, imports ``distutils`` (removed in Python 3.12; mrjob uses
``distutils.version.LooseVersion`` in mrjob/compat.py and ``distutils.spawn.find_executable``
in mrjob/util.py) and ``pipes`` (removed in 3.13; mrjob uses only ``pipes.quote``, which is
``shlex.quote``). This module holds the stand-ins' code; the finder in mr/lib/stdlib_finder.py
serves them as modules (:func:`fill`), last on ``sys.meta_path``, so only to a Python that has
no such module: 3.10 and 3.11 keep their own. An installed mrkit puts the finder on
``sys.meta_path`` at start-up (a ``.pth`` file, 3.12+ only), so any script can import mrjob,
``mr`` or not; the ``mr`` package installs it too (a checkout on PYTHONPATH). The archive of
``mr`` that Spark's harness imports (mr/lib/job.py) carries the stand-ins as files
(:func:`archive_files`), because the harness imports mrjob before ``mr``, and a ``.pth`` file
in a zip is not read.

setuptools' own distutils (``_distutils_hack``, a finder that setuptools' ``.pth`` file puts
first on ``sys.meta_path``) wins over the stand-ins in a plain script, as it did before mrkit.
mrkit's own processes keep it out (:func:`import_distutils_past_setuptools`, called by ``mr``):
setuptools' copy loads pkg_resources and setuptools, a third of a second at the start of every
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
    """Whether no directory of sys.path has module name: meta-path finders such as setuptools'
    distutils hack or mrkit's own (mr/lib/stdlib_finder.py) do not count."""
    return importlib.machinery.PathFinder.find_spec(name) is None


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

#: what each stand-in module holds (the names in mr/lib/stdlib_finder.py's NAMES)
STAND_INS: dict[str, dict[str, Any]] = {
    "distutils": {},
    "distutils.version": {"LooseVersion": LooseVersion},
    "distutils.spawn": {"find_executable": find_executable},
    "pipes": {"quote": shlex.quote},
}


def fill(module: types.ModuleType) -> None:
    """Give a new stand-in module its docstring and names (the finder's loader calls it)."""
    module.__doc__ = _DOC % module.__name__
    module.__dict__.update(STAND_INS[module.__name__])


def import_distutils_past_setuptools() -> None:
    """Import the distutils modules mrjob uses with setuptools' distutils finder (if any) off
    sys.meta_path meanwhile: the standard library's (3.10, 3.11) or the stand-ins (3.12+)."""
    shims = [f for f in sys.meta_path if type(f).__module__.startswith("_distutils_hack")]
    if not shims or "distutils" in sys.modules:
        return
    for finder in shims:
        sys.meta_path.remove(finder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # "distutils is deprecated"
            importlib.import_module("distutils.version")
            importlib.import_module("distutils.spawn")
    finally:
        sys.meta_path[:0] = shims
