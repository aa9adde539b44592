"""What the Hive and Pig twin runners share: scripts, variables, staged output, error lines.

A twin run writes into a hidden staging directory beside ``--output``; when the engine succeeds
its data files are renamed ``part-00000``, ``part-00001``, ... (in the engine's own order), the
staging directory replaces ``--output`` and ``_SUCCESS`` marks it complete, as the MR jobs do.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mr.engines import REPO_ROOT, EngineError
from mr.lib.errors import UsageError

VAR_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class TwinRun:
    """One script run: the script, its variables (INPUT and OUTPUT included) and its output."""

    script: Path
    output: Path
    vars: dict[str, str] = field(default_factory=dict)

    @property
    def staging(self) -> Path:
        return self.output.parent / f".{self.output.name}.{self._token}.staging"

    def __post_init__(self) -> None:
        self.script = Path(self.script).resolve()
        self.output = Path(self.output).resolve()
        self._token = uuid.uuid4().hex[:8]


def find_script(folder: str, ext: str, stem_or_file: str) -> Path:
    """A twin script by stem (``word_count`` -> ``<repo>/hive/word_count.q``) or by path;
    UsageError if there is none."""
    path = Path(stem_or_file)
    if path.suffix == ext or path.exists():
        if not path.is_file():
            raise UsageError(f"no script at {path}")
        return path.resolve()
    path = REPO_ROOT / folder / f"{stem_or_file}{ext}"
    if not path.is_file():
        known = sorted(p.stem for p in (REPO_ROOT / folder).glob(f"*{ext}"))
        raise UsageError(f"no twin named {stem_or_file!r} in {folder}/; known: {', '.join(known)}")
    return path


def parse_vars(items: Sequence[str]) -> dict[str, str]:
    """``["N=3", "TOKENIZER=regex"]`` -> a dict; UsageError on a bad one."""
    found = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not VAR_NAME_RE.match(name):
            raise UsageError(f"--var {item!r}: expected NAME=VALUE")
        found[name] = value
    return found


def publish(run: TwinRun) -> Path:
    """Rename the staged engine files part-NNNNN, swap them into place, add _SUCCESS."""
    staging = run.staging
    if not staging.is_dir():
        staging.mkdir(parents=True)
    data = sorted(
        p
        for p in staging.iterdir()
        if p.is_file() and not p.name.startswith((".", "_")) and not p.name.endswith(".crc")
    )
    for p in staging.iterdir():
        if p not in data:
            p.unlink() if p.is_file() else shutil.rmtree(p)
    for i, p in enumerate(data):
        p.rename(staging / f"part-{i:05d}")
    if run.output.is_dir():
        shutil.rmtree(run.output)
    elif run.output.exists():
        run.output.unlink()
    os.replace(staging, run.output)
    (run.output / "_SUCCESS").touch()
    return run.output


def discard(run: TwinRun) -> None:
    shutil.rmtree(run.staging, ignore_errors=True)


def read_rows(output: Path) -> list[str]:
    """All rows of an output directory's part files (no line endings), in file order."""
    rows: list[str] = []
    for part in sorted(output.glob("part-*")):
        text = part.read_text(encoding="utf-8")
        rows.extend(text.split("\n")[:-1] if text else [])
    return rows


def engine_env(**extra: str) -> dict[str, str]:
    """The environment of an engine's JVM: TRANSFORM/STREAM children can import mr."""
    path = os.environ.get("PYTHONPATH")
    pythonpath = str(REPO_ROOT) + (os.pathsep + path if path else "")
    return {**os.environ, "PYTHONPATH": pythonpath, **extra}


def run_each(
    jobs: Sequence[TwinRun], run: Callable[[TwinRun], Path]
) -> dict[Path, Exception | None]:
    """Run twins one JVM each; {output: None, or the EngineError that run raised}."""
    outcome: dict[Path, Exception | None] = {}
    for job in jobs:
        try:
            run(job)
            outcome[job.output] = None
        except EngineError as e:
            outcome[job.output] = e
    return outcome
