"""The import rules of DESIGN.md for mr/lib and the jobs: mr/lib imports no job module and nothing
of mr.clients, mr.engines, mr.cli or mr.workflow; a job imports no other job."""

import ast
from pathlib import Path

import pytest

MR = Path(__file__).resolve().parents[1] / "mr"
JOBS = {p.stem for p in MR.glob("*.py") if p.stem != "__init__"}
ABOVE_LIB = ("mr.clients", "mr.engines", "mr.cli", "mr.workflow")


def imported_modules(path: Path) -> set[str]:
    """Every module an import statement in the file names, at any depth (lazy imports too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module == "mr":
                names.update(f"mr.{alias.name}" for alias in node.names)
    return names


def job_modules(names: set[str]) -> set[str]:
    return {n for n in names if n.startswith("mr.") and n.split(".")[1] in JOBS}


@pytest.mark.parametrize("path", sorted(MR.glob("lib/*.py")), ids=lambda p: p.name)
def test_lib_imports_nothing_above_it(path):
    names = imported_modules(path)
    assert not job_modules(names), f"{path.name} imports a job"
    assert not {n for n in names if n.startswith(ABOVE_LIB)}, f"{path.name} imports above mr/lib"


@pytest.mark.parametrize("stem", sorted(JOBS))
def test_a_job_imports_no_other_job(stem):
    assert not job_modules(imported_modules(MR / f"{stem}.py")) - {f"mr.{stem}"}
