"""Shared fixture cases: tests/fixtures/<stem>/case.json describes how to run a job on its inputs.

case.json keys:
- "inputs": input file names in the fixture dir (run in this order; order must not matter);
- "args": job options; "{fixture}" in a value becomes the fixture dir's absolute path;
- "job": the job stem if it differs from the dir name (several cases of one job: word_count_ws);
- "hive" / "pig": optional twin parameters (see tests/test_parity.py).
expected.tsv beside it holds the golden rows (sorted), shared by every engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import FIXTURES


@dataclass
class Case:
    name: str
    dir: Path
    job: str
    inputs: list[str]
    args: list[str]
    extra: dict = field(default_factory=dict)

    @property
    def expected(self) -> Path:
        return self.dir / "expected.tsv"

    def expected_rows(self) -> list[str]:
        return sorted(self.expected.read_text(encoding="utf-8").split("\n")[:-1])


def load_case(name: str) -> Case:
    d = FIXTURES / name
    spec = json.loads((d / "case.json").read_text())
    return Case(
        name=name,
        dir=d,
        job=spec.get("job", name),
        inputs=[str(d / p) for p in spec["inputs"]],
        args=[a.replace("{fixture}", str(d)) for a in spec.get("args", [])],
        extra={k: v for k, v in spec.items() if k not in ("inputs", "args", "job")},
    )


def all_cases() -> list[Case]:
    return [load_case(p.parent.name) for p in sorted(FIXTURES.glob("*/case.json"))]
