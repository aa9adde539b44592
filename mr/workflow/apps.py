"""What an APP argument names: a workflow, coordinator or bundle, loaded (not run).

APP is ``MODULE:ATTR`` or ``file.py:ATTR`` (a :class:`~mr.workflow.model.Workflow`,
:class:`~mr.workflow.coordinator.Coordinator` or :class:`~mr.workflow.coordinator.Bundle`, or a
function returning one), an Oozie application directory (bundle.xml, else coordinator.xml, else
workflow.xml, with the job.properties beside it), or one of those XML files. A coordinator read
from XML runs the workflow.xml beside it when there is one (the layout
``write_coordinator_app`` makes); otherwise its workflow stays the app path it names.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from mr.lib.errors import UsageError
from mr.workflow.coordinator import (
    Bundle,
    Coordinator,
    parse_bundle_file,
    parse_coordinator_file,
)
from mr.workflow.model import Workflow
from mr.workflow.parse import parse_workflow_file, read_xml

#: the application files of a directory, the outermost kind first
APP_FILES = ("bundle.xml", "coordinator.xml", "workflow.xml")

AppObject = Workflow | Coordinator | Bundle


def load_object(spec: str, example: str) -> object:
    """The value at MODULE:ATTR (a module name or a .py file); a function's result when ATTR
    names a function."""
    module_name, sep, attr = spec.rpartition(":")
    if not sep or not module_name or not attr:
        raise UsageError(f"{spec}: expected MODULE:ATTR ({example})")
    if module_name.endswith(".py"):
        path = Path(module_name)
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        loader = importlib.util.spec_from_file_location(path.stem, path)
        if loader is None or loader.loader is None:
            raise UsageError(f"{path}: not a Python module")
        module = importlib.util.module_from_spec(loader)
        loader.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            raise UsageError(f"{spec}: no module {e.name!r}") from None
    value = getattr(module, attr, None)
    if callable(value) and not isinstance(value, type):
        value = value()
    return value


@dataclass
class App:
    """A loaded application: the object, its directory (None for Python) and job.properties."""

    value: AppObject
    directory: Path | None = None
    properties: dict[str, str] = field(default_factory=dict)


def load_app(spec: str, example: str = "mr.workflow.examples:word_pipeline") -> App:
    """The application APP names (see the module docstring); UsageError in one line."""
    from mr.workflow.properties import job_properties

    path = Path(spec)
    if path.is_dir():
        found = [path / name for name in APP_FILES if (path / name).is_file()]
        if not found:
            raise UsageError(f"{path}: a directory without {', '.join(APP_FILES)}")
        path = found[0]
    if path.is_file() and path.suffix == ".xml":
        return App(read_app_xml(path), path.parent, job_properties(path.parent / "job.properties"))
    if ":" not in spec:
        raise UsageError(f"{spec}: no such file or directory (nor MODULE:ATTR)")
    value = load_object(spec, example)
    if not isinstance(value, Workflow | Coordinator | Bundle):
        raise UsageError(
            f"{spec}: not a Workflow, Coordinator or Bundle (nor a function that returns one)"
        )
    return App(value)


def read_app_xml(path: Path) -> AppObject:
    """The model of a workflow, coordinator or bundle XML file."""
    from lxml import etree

    kind = etree.QName(read_xml(path)).localname
    if kind == "bundle-app":
        return parse_bundle_file(path)
    if kind == "coordinator-app":
        coord = parse_coordinator_file(path)
        beside = path.parent / "workflow.xml"
        if beside.is_file():
            coord.workflow = parse_workflow_file(beside)
        return coord
    return parse_workflow_file(path)
