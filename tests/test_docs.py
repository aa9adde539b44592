"""Job docstrings state the contract (Input:, Output:, Twins:), and the twins they name exist."""

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
JOBS = sorted(p for p in (REPO / "mr").glob("*.py") if p.stem != "__init__")
TWIN_PATH = re.compile(r"^(hive/[a-z0-9_]+\.q|pig/[a-z0-9_]+\.pig)$")


def docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


def twins_paragraph(doc: str) -> str:
    """The Twins: line and its continuation lines (up to a blank line or the next section)."""
    lines = doc.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Twins:"))
    out = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.strip() or re.match(r"^[A-Z][a-z]+( \(.*\))?:", line):
            break
        out.append(line)
    return " ".join(out)[len("Twins:") :].strip()


def named_twins(doc: str) -> list[str]:
    return re.findall(r"[\w./-]+\.(?:q|pig)\b|\b(?:hive|pig)/\S+", twins_paragraph(doc))


@pytest.mark.parametrize("path", JOBS, ids=lambda p: p.stem)
def test_job_docstring_has_input_output_twins(path):
    doc = docstring(path)
    for section in ("Input", "Output", "Twins"):
        assert re.search(rf"^{section}\b[^\n]*:", doc, re.M), f"{path.name}: no {section}: line"


@pytest.mark.parametrize("path", JOBS, ids=lambda p: p.stem)
def test_named_twins_exist(path):
    doc = docstring(path)
    twins = twins_paragraph(doc)
    names = named_twins(doc)
    if twins.startswith("none"):
        assert re.match(r"none \(.+\)", twins), f"{path.name}: say why there is no twin"
        assert not names, f"{path.name}: 'none' but names {names}"
        return
    assert names, f"{path.name}: Twins: names no hive/ or pig/ file"
    for name in names:
        assert TWIN_PATH.match(name), f"{path.name}: {name} is not hive/<stem>.q or pig/<stem>.pig"
        assert (REPO / name).is_file(), f"{path.name}: {name} does not exist"


@pytest.mark.parametrize(
    "twin", sorted([*REPO.glob("hive/*.q"), *REPO.glob("pig/*.pig")]), ids=lambda p: p.name
)
def test_every_twin_is_named_by_its_job(twin):
    job = REPO / "mr" / f"{twin.stem}.py"
    if job.is_file():
        assert f"{twin.parent.name}/{twin.name}" in named_twins(docstring(job))


def test_twins_paragraph_parsing():
    doc = "Input: x\nOutput: y\nTwins: hive/a.q (hint),\n  pig/a.pig\n\nmore"
    assert named_twins(doc) == ["hive/a.q", "pig/a.pig"]
    assert twins_paragraph("Twins: none (why)\nCounters (group x): a") == "none (why)"
