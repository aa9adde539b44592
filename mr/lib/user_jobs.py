"""A user's own MRJob file, run by mrkit unmodified (``mrkit run PATH/job.py``).

Input: a Python file written for plain mrjob (``from mrjob.job import MRJob``), with one or more
MRJob subclasses and usually ``if __name__ == "__main__": MRWordCount.run()``.

- :func:`scan` reads a directory's files with :mod:`ast` and lists their MRJob classes with the
  first line of each docstring, running none of their code (``mrkit jobs --path DIR``). A class
  counts when one of its bases is ``MRJob`` or another class of the file that counts (a base
  imported from elsewhere is not followed).
- :func:`load` imports the file as its own module (its directory first on ``sys.path``, as
  ``python job.py`` has it) and :func:`pick` chooses its class: the one named by ``--class``,
  else the only one, else the one its ``__main__`` block runs, else an error naming them.
- :func:`launcher_class` mixes mrkit's launcher (mr/lib/launcher.py) into that class: output
  rules, quiet runs, one-line errors, mrjob.conf layering. What the job computes is the user's
  class's, run by mrjob's runners as plain mrjob runs it; mr/lib/mrjob_fixes.py says which of
  mrkit's fixes a plain job gets, and the README's "Coming from mrjob" has the table.
- Tasks on the local and hadoop runners run a small generated script (:func:`task_script`)
  that imports the user's file, shipped beside it, and runs the chosen class with
  mr/lib/task_failures.py's record naming: so ``--class`` holds in the tasks too, whatever the
  file's ``__main__`` block runs. The inline runner runs the launcher's class in-process; Spark's
  harness imports the class by name from the user's own file.
"""

from __future__ import annotations

import ast
import atexit
import importlib.util
import os
import shutil
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from mrjob.job import MRJob

from mr.lib.errors import UsageError
from mr.lib.launcher import Launcher
from mr.lib.task_failures import NamedFailures


class FoundJob(NamedTuple):
    """An MRJob class found in a file by :func:`scan`."""

    path: Path
    name: str
    summary: str


def scan(directory: Path) -> list[FoundJob]:
    """The MRJob classes of the ``*.py`` files directly in `directory`, by file and line, with
    the first line of each class's docstring (else its module's); no file is run."""
    if not directory.is_dir():
        raise UsageError(f"--path {directory}: not a directory")
    found = []
    for path in sorted(directory.glob("*.py")):
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (SyntaxError, ValueError, OSError) as e:
            raise UsageError(f"{path}: cannot read it as Python: {e}") from None
        module_doc = ast.get_docstring(tree) or ""
        for node in _job_classes(tree):
            doc = ast.get_docstring(node) or module_doc
            found.append(FoundJob(path, node.name, _first_line(doc)))
    return found


def _job_classes(tree: ast.Module) -> list[ast.ClassDef]:
    jobs: list[ast.ClassDef] = []
    names = {"MRJob"}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(_base_name(b) in names for b in node.bases):
            jobs.append(node)
            names.add(node.name)
    return jobs


def _base_name(base: ast.expr) -> str:
    if isinstance(base, ast.Attribute):  # mrjob.job.MRJob
        return base.attr
    return base.id if isinstance(base, ast.Name) else ""


def _first_line(doc: str) -> str:
    lines = doc.strip().splitlines()
    return lines[0] if lines else ""


def main_class(path: Path) -> str | None:
    """The class whose ``run()`` the file's ``if __name__ == "__main__":`` block calls."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.If) and _is_main_test(node.test):
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "run"
                    and isinstance(call.func.value, ast.Name)
                ):
                    return call.func.value.id
    return None


def _is_main_test(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def is_job_file(name: str) -> bool:
    """Whether `mrkit run NAME` names a file rather than one of mrkit's jobs."""
    return name.endswith(".py") or os.sep in name


def load(path: Path) -> ModuleType:
    """Import the job file as module <stem>, its directory first on sys.path (so that its
    sibling modules import as under ``python job.py``). UsageError for a file that is not
    there, or whose stem is taken by another module."""
    if not path.is_file():
        raise UsageError(f"no job file {path}")
    name = module_name(path)
    taken = sys.modules.get(name)
    if taken is not None:
        if os.path.realpath(getattr(taken, "__file__", "") or "") == os.path.realpath(path):
            return taken
        raise UsageError(
            f"{path}: its name {name!r} is the module {taken.__name__} of {taken.__file__}; "
            "rename the job file"
        )
    sys.path.insert(0, str(path.resolve().parent))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except (ImportError, SyntaxError) as e:
        # what the user can fix from one line: a module the job needs, a typo
        del sys.modules[name]
        where = f"{path}:{e.lineno}" if isinstance(e, SyntaxError) else str(path)
        raise UsageError(f"{where}: cannot import the job file: {type(e).__name__}: {e.msg}")
    except BaseException:
        del sys.modules[name]
        raise
    return module


def module_name(path: Path) -> str:
    """The module name a job file is imported as: its stem."""
    return path.stem


def pick(module: ModuleType, path: Path, wanted: str | None) -> type[MRJob]:
    """The MRJob class of the module to run (see the module docstring); UsageError naming the
    candidates when there is no single answer."""
    classes = {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, type)
        and issubclass(value, MRJob)
        and value.__module__ == module.__name__
    }
    if wanted is not None:
        if wanted not in classes:
            known = ", ".join(sorted(classes)) or "none"
            raise UsageError(f"{path} has no MRJob class {wanted!r} (it has: {known})")
        return classes[wanted]
    if not classes:
        raise UsageError(f"{path} defines no MRJob class")
    if len(classes) == 1:
        return next(iter(classes.values()))
    main = main_class(path)
    if main in classes:
        return classes[main]
    names = ", ".join(sorted(classes))
    raise UsageError(f"{path} defines several MRJob classes ({names}): choose one with --class")


def launcher_class(job: type[MRJob], path: Path) -> type[MRJob]:
    """The user's class with mrkit's launcher (and record naming) mixed in, named and placed
    as the user's class is (mrjob finds the script through the class's module)."""
    script = _task_script_for(job, path)

    class Launched(Launcher, NamedFailures, job):
        def _non_option_kwargs(self) -> dict[str, Any]:
            kwargs = dict(super()._non_option_kwargs())
            if self._runner_class().alias in TASK_SCRIPT_RUNNERS:
                kwargs["mr_job_script"] = str(script)  # tasks run the task script
            return kwargs

        def files(self) -> list[str]:
            shipped = list(super().files())
            if self._runner_class().alias in TASK_SCRIPT_RUNNERS:
                # the user's file beside the task script, which imports it
                shipped.append(f"{path.resolve()}#{_shipped_name(path)}")
            return shipped

    Launched.__name__ = Launched.__qualname__ = job.__name__
    Launched.__module__ = job.__module__
    Launched.__doc__ = job.__doc__
    return Launched


#: the runners whose tasks run the job's script as a program (inline runs the class in-process;
#: Spark's harness imports the class by name from the user's file)
TASK_SCRIPT_RUNNERS = ("local", "hadoop")


def _shipped_name(path: Path) -> str:
    return f"{path.stem}_job.py"


def _task_script_for(job: type[MRJob], path: Path) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="mrkit-task-"))
    script = directory / path.name  # the task script carries the job's name (job names, logs)
    script.write_text(task_script(module_name(path), _shipped_name(path), job.__name__))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return script


def task_script(module: str, shipped: str, class_name: str) -> str:
    """The Python of the script tasks run: import the shipped job file as `module`, run class
    `class_name` with record naming. Its imports come from the task's working directory,
    where the runner puts the ``mr`` package and the job file."""
    return f'''"""Task entry written by `mrkit run`: runs {class_name} of {shipped}."""

import importlib.util
import os
import sys

import mr  # noqa: F401  (before mrjob: the stand-ins for distutils and pipes)
from mr.lib.task_failures import NamedFailures

_here = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location({module!r}, os.path.join(_here, {shipped!r}))
_module = importlib.util.module_from_spec(_spec)
sys.modules[{module!r}] = _module
_spec.loader.exec_module(_module)

if __name__ == "__main__":
    _job = _module.{class_name}
    type(_job.__name__, (NamedFailures, _job), {{"__module__": _job.__module__}}).run()
'''
