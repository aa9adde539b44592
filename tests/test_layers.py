"""The layers of mr/ depend one way (README, Layout): jobs on top, then cli, then engines and
clients, then lib. Read from the source (every import statement, also those inside functions),
not from what happens to be imported at run time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mr

ROOT = Path(mr.__file__).resolve().parent
JOBS = {p.stem for p in ROOT.glob("*.py") if not p.stem.startswith("_")}


def imported_modules(path: Path) -> set[str]:
    """Every mr.* module a file imports (``from mr import x`` counts as ``mr.x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
    return {m for m in found if m == "mr" or m.startswith("mr.")}


def layer(module: str) -> str:
    """'job', 'lib', 'clients', 'engines', 'cli', 'workflow', 'airflow' or 'package' for an mr.*
    name."""
    parts = module.split(".")
    if len(parts) == 1:
        return "package"
    if parts[1] in JOBS:
        return "job"
    return parts[1]


def files_of(layer_name: str) -> list[Path]:
    if layer_name == "job":
        return sorted(ROOT / f"{stem}.py" for stem in JOBS)
    return sorted((ROOT / layer_name).rglob("*.py"))


# what each layer may not import
FORBIDDEN = {
    "lib": {"job", "clients", "engines", "cli", "workflow", "airflow"},
    "clients": {"job", "engines", "cli", "workflow", "airflow"},
    "engines": {"job", "cli", "workflow", "airflow"},
    "workflow": {"cli", "airflow"},
    "job": {"job", "engines", "cli", "workflow", "airflow"},
    # the provider runs inside Airflow: workflow/, clients/, lib/ only (jobs run as `mrkit`
    # subprocesses, engines are `mrkit ... up`'s)
    "airflow": {"job", "engines", "cli"},
}


@pytest.mark.parametrize("layer_name", sorted(FORBIDDEN))
def test_layers_depend_one_way(layer_name):
    broken = []
    for path in files_of(layer_name):
        for module in sorted(imported_modules(path)):
            if layer(module) in FORBIDDEN[layer_name]:
                broken.append(f"{path.relative_to(ROOT.parent)} imports {module}")
    assert not broken, "\n".join(broken)


def test_only_mr_airflow_imports_airflow():
    """Airflow is not a dependency of mrkit (`pip install mrkit[airflow]` adds it): nothing
    outside mr/airflow imports it, and mr/airflow/__init__.py (which Airflow's provider
    discovery and `import mr.airflow` read) does not either."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        inside = (ROOT / "airflow") in path.parents and path.name != "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(n.split(".")[0] == "airflow" for n in names) and not inside:
                found.append(str(path.relative_to(ROOT.parent)))
    assert found == []


def test_top_level_of_mr_holds_only_jobs():
    import importlib

    from mr.lib.job import MRKitJob

    for stem in sorted(JOBS):
        module = importlib.import_module(f"mr.{stem}")
        jobs = [
            v
            for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, MRKitJob) and v.__module__ == module.__name__
        ]
        assert len(jobs) == 1, f"mr/{stem}.py should define exactly one job class, has {jobs}"


def test_the_checker_sees_imports_inside_functions(tmp_path):
    sample = tmp_path / "x.py"
    sample.write_text("def f():\n    from mr.word_count import WordCount\n    import mr.lib.tsv\n")
    assert imported_modules(sample) == {"mr.word_count", "mr.word_count.WordCount", "mr.lib.tsv"}
    assert layer("mr.word_count") == "job" and layer("mr.lib.tsv") == "lib"


def test_job_scripts_import_mr_before_mrjob():
    """A job script runs as __main__ (`python mr/grep.py`): its first import of mrjob must come
    through mr, whose stand-ins for distutils and pipes mrjob needs on Python 3.12+. So jobs
    import nothing from mrjob themselves (MRStep and the protocols come from mr.lib.job)."""
    direct = []
    for path in files_of("job"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            direct += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "mrjob"]
    assert direct == []


def module_graph() -> dict[str, set[str]]:
    """mr.* module -> the mr.* modules its source imports (inside functions too)."""
    modules = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return {m: (imported_modules(p) & modules.keys()) - {m} for m, p in modules.items()}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (the
    strongly connected components of more than one module)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(v: str) -> None:
        order[v] = low[v] = len(order)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in order:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], order[w])
        if low[v] == order[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for v in sorted(graph):
        if v not in order:
            visit(v)
    return cycles


def test_no_two_modules_import_each_other():
    """Each piece two modules share has one home below both (README, Layout): no import
    cycles, also through function-level imports (which hide a cycle from Python, not from a
    reader)."""
    assert import_cycles(module_graph()) == []


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"} - {"e"}}
    assert import_cycles(graph) == [["a", "b", "c"]]
