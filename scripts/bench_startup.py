#!/usr/bin/env python3
"""What mrkit's wheel adds to the start-up of every Python in its venv: the .pth file that puts
the finder of the stand-ins for distutils and pipes on sys.meta_path (mr/lib/stdlib_finder.py).

For each Python (3.12 and 3.13 by default; found as tests/test_pythons.py finds them): two
venvs without pip, one empty and one with mrkit's wheel (built from this checkout) installed
--no-deps; then `python -X importtime -c pass` (the import time of every module, and the
finder's own line) and the wall time of `python -c pass`, run alternately N times in each.
Prints medians, the ratio with/without and the spread (min-max). Nothing is imported from mr.

    .venv/bin/python scripts/bench_startup.py [--runs 20] [--python 3.12 --python 3.13]
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def find_python(version: str) -> str | None:
    """pythonX.Y on PATH, else pyenv's (as tests/test_pythons.py)."""
    found = shutil.which(f"python{version}")
    if found and subprocess.run([found, "-c", "pass"], capture_output=True).returncode == 0:
        return found
    pyenv = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = sorted(glob.glob(f"{pyenv}/versions/{version}.*/bin/python{version}"))
    return candidates[-1] if candidates else None


def run(*command: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run(command, capture_output=True, text=True, check=True, env=env)


def import_times(python: str) -> tuple[int, dict[str, int]]:
    """(total self µs of every import, {module: self µs}) of one `-X importtime -c pass`."""
    err = run(python, "-X", "importtime", "-c", "pass").stderr
    selfs = {}
    for line in err.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        selfs[name.strip()] = int(own)
    return sum(selfs.values()), selfs


def wall(python: str) -> float:
    started = time.perf_counter()
    run(python, "-c", "pass")
    return time.perf_counter() - started


def spread(values: list[float], scale: float, unit: str) -> str:
    return (f"median {statistics.median(values) * scale:.2f} {unit} "
            f"(min {min(values) * scale:.2f}, max {max(values) * scale:.2f})")  # fmt: skip


def bench(version: str, python: str, wheel: Path, runs: int, work: Path) -> None:
    venvs = {}
    for name in ("without", "with"):
        venv = work / f"py{version}-{name}"
        run(python, "-m", "venv", "--without-pip", str(venv))
        venvs[name] = str(venv / "bin" / "python")
    [site] = (work / f"py{version}-with").glob("lib/python3.*/site-packages")
    run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
        str(wheel))  # fmt: skip
    totals: dict[str, list[float]] = {"without": [], "with": []}
    walls: dict[str, list[float]] = {"without": [], "with": []}
    own: dict[str, list[float]] = {}
    for name in ("without", "with"):  # warm the page cache and the .pyc files
        run(venvs[name], "-c", "pass")
    for _ in range(runs):
        for name in ("without", "with"):  # alternately, so that load drifts hit both alike
            total, selfs = import_times(venvs[name])
            totals[name].append(total)
            if name == "with":
                for module in ("_mrkit_stdlib_finder", "encodings.utf_8_sig"):
                    if module in selfs:
                        own.setdefault(module, []).append(selfs[module])
            walls[name].append(wall(venvs[name]))
    print(f"Python {version} ({python}), {runs} alternating runs each")
    for name in ("without", "with"):
        print(f"  {name:7} wheel: import time {spread(totals[name], 1e-3, 'ms')}; "
              f"python -c pass {spread(walls[name], 1e3, 'ms')}")  # fmt: skip
    for module, values in own.items():
        print(f"  {module}: self {spread(values, 1, 'us')}")
    ratio_imports = statistics.median(totals["with"]) / statistics.median(totals["without"])
    ratio_wall = statistics.median(walls["with"]) / statistics.median(walls["without"])
    print(f"  with/without: import time x{ratio_imports:.3f}, wall time x{ratio_wall:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of each command per venv")
    parser.add_argument("--python", action="append", help="versions (default 3.12 and 3.13)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        work = Path(tmp)
        run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work), str(REPO))
        [wheel] = work.glob("mrkit-*.whl")
        for version in args.python or ["3.12", "3.13"]:
            python = find_python(version)
            if python is None:
                print(f"Python {version}: not found")
                continue
            bench(version, python, wheel, args.runs, work)


if __name__ == "__main__":
    main()
