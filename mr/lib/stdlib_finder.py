"""A meta-path finder that serves mrkit's stand-ins for the standard-library modules mrjob 0.7.4
imports and newer Pythons dropped (``distutils``: 3.12, ``pipes``: 3.13), so that ``import mrjob``
works in any script, whether or not it imports ``mr``.

The finder goes at the end of ``sys.meta_path`` and answers only for :data:`NAMES`: Python asks
it only when every other finder came back empty, so the standard library's modules (3.10,
3.11), setuptools' distutils shim or a user's own module always win where they exist. The
stand-ins' code is in mr/lib/stdlib_compat.py; the loader reads that file at the first such
import (by its path: a user's script may sit beside a package of its own called ``mr``).

The wheel installs a copy of this file at the top of site-packages as ``_mrkit_stdlib_finder``,
with ``mrkit-stdlib.pth``, whose one line installs the finder at interpreter start-up on Python
3.12+ (:func:`site_files`; setup.py writes them). So this module imports nothing the interpreter
has not loaded before site.py reads the .pth files: sys, os and the frozen import machinery.
The ``mr`` package installs the same finder (a checkout on PYTHONPATH); installing is
idempotent across the two copies.
"""

# no `from __future__ import annotations`, no typing, no types: each is a module to load
import os
import sys
from _frozen_importlib import ModuleSpec

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy knows the name)
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

#: the modules the finder answers for: what mrjob 0.7.4 imports of distutils and pipes
NAMES = ("distutils", "distutils.version", "distutils.spawn", "pipes")
#: the name of this file's copy at the top of site-packages, and the .pth file that loads it
TOP_LEVEL = "_mrkit_stdlib_finder"
PTH = "mrkit-stdlib.pth"
#: the .pth file's line: site.py executes it at start-up; 3.10 and 3.11 stop at the comparison
PTH_LINE = f"import sys; sys.version_info >= (3, 12) and __import__({TOP_LEVEL!r}).install()\n"
#: where the stand-ins' source lies, from this file's directory: beside it (mr/lib/), or below
#: it for the copy at the top of site-packages
_COMPAT_PLACES = ("stdlib_compat.py", os.path.join("mr", "lib", "stdlib_compat.py"))
#: the name the stand-ins' module gets when it is loaded from its file rather than from mr
_COMPAT_NAME = "_mrkit_stdlib_compat"


class StdlibFinder:
    """Finder and loader of the stand-ins (the importlib MetaPathFinder and Loader protocols)."""

    #: how install() recognises a finder of either copy of this file on sys.meta_path
    mrkit_stdlib_finder = True

    def __init__(self, compat_path: str) -> None:
        self.compat_path = compat_path

    def find_spec(
        self, fullname: str, path: "Any" = None, target: "Any" = None
    ) -> "ModuleSpec | None":
        """A spec for a stand-in: only for NAMES, and a submodule only of our own distutils."""
        if fullname not in NAMES:
            return None
        if "." in fullname and not is_stand_in(sys.modules.get(fullname.partition(".")[0])):
            return None  # another distutils package was imported: its own submodules or none
        if not os.path.isfile(self.compat_path):
            return None  # mrkit half uninstalled: Python's own "No module named ..."
        # a Loader by protocol: subclassing importlib.abc.Loader would load importlib.abc
        return ModuleSpec(fullname, self, origin=self.compat_path,  # type: ignore[arg-type]
                          is_package=fullname == "distutils")  # fmt: skip

    def create_module(self, spec: ModuleSpec) -> None:
        """The default module object."""
        return None

    def exec_module(self, module: "ModuleType") -> None:
        """Give the stand-in its names, from mr/lib/stdlib_compat.py."""
        self.compat().fill(module)

    def compat(self) -> "Any":
        """mr/lib/stdlib_compat.py as a module: mr's if it was imported, else from its file."""
        loaded = sys.modules.get("mr.lib.stdlib_compat") or sys.modules.get(_COMPAT_NAME)
        if loaded is not None:
            return loaded
        import importlib.util  # at the first stand-in's import, not at start-up

        spec = importlib.util.spec_from_file_location(_COMPAT_NAME, self.compat_path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[_COMPAT_NAME] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[_COMPAT_NAME]
            raise
        return module


def is_stand_in(module: "ModuleType | None") -> bool:
    """Whether module was made by a StdlibFinder (of either copy of this file)."""
    spec = getattr(module, "__spec__", None)
    return getattr(getattr(spec, "loader", None), "mrkit_stdlib_finder", False) is True


def install() -> StdlibFinder:
    """Append the finder to sys.meta_path, unless one (of either copy of this file) is there."""
    for finder in sys.meta_path:
        if getattr(finder, "mrkit_stdlib_finder", False) is True:
            return finder  # type: ignore[return-value]
    here = os.path.dirname(os.path.abspath(__file__))
    places = [os.path.join(here, place) for place in _COMPAT_PLACES]
    finder = StdlibFinder(next((p for p in places if os.path.isfile(p)), places[-1]))
    sys.meta_path.append(finder)
    return finder


def site_files() -> dict[str, str]:
    """{file name: text} of what the wheel puts at the top of site-packages (setup.py): this
    file as TOP_LEVEL, and the .pth file that installs its finder at start-up."""
    with open(__file__, encoding="utf-8") as f:
        source = f.read()
    return {f"{TOP_LEVEL}.py": source, PTH: PTH_LINE}
