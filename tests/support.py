"""Helpers for job tests: run a job on a runner, read its rows and counters, compare goldens."""

from __future__ import annotations

import getpass
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
RUNNERS = ("inline", "local")
# a job test that runs on the local runner too (tests/conftest.py's `runner` says which do)
BOTH_RUNNERS = pytest.mark.parametrize("runner", RUNNERS)


def yarn_app_state(app: str) -> str | None:
    """A YARN application's state, from `hadoop application -status` (job_X is application_X).
    A JVM per call: the mini cluster's ResourceManager serves no REST API (/ws/v1 is a 404)."""
    app = app.replace("job_", "application_", 1)
    out = subprocess.run(
        [str(REPO / "scripts" / "hadoop" / "bin" / "hadoop"), "application", "-status", app],
        capture_output=True,
        text=True,
    ).stdout
    m = re.search(r"^\s*State : (\S+)", out, re.MULTILINE)
    return m.group(1) if m else None


def mrkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `mrkit` command (python -m mr.cli) from the repo; its result, text output."""
    return subprocess.run(
        [sys.executable, "-m", "mr.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=600,  # `mrkit cluster up` waits for the cluster (180 s by default)
    )


def one_line(stderr: str) -> str:
    """The one non-blank line of stderr (a refusal is one line); AssertionError otherwise."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def fixture(stem: str, name: str = "input.txt") -> str:
    """Path of a shared fixture file under tests/fixtures/<stem>/."""
    return str(FIXTURES / stem / name)


def run_job(job_cls, inputs, args=(), runner="inline", extra=()):
    """Run job_cls on input paths; return (sorted TSV rows, {group: {counter: n}})."""
    argv = ["-r", runner, "--no-conf", *extra, *args, *[str(p) for p in inputs]]
    job = job_cls(argv)
    with job.make_runner() as r:
        r.run()
        raw = b"".join(r.cat_output()).decode("utf-8")
        counters = merge_counters(r.counters())
    # split on \n only: str.splitlines() would also split on \x0b, \x1c, \u2028 ...
    return sorted(raw.split("\n")[:-1] if raw else []), counters


def merge_counters(per_step) -> dict[str, dict[str, int]]:
    merged: dict[str, Counter] = {}
    for step in per_step or []:
        for group, counts in step.items():
            merged.setdefault(group, Counter()).update(counts)
    return {g: dict(c) for g, c in merged.items()}


def write_lines(path, lines, encoding="utf-8") -> str:
    """Write lines (str or bytes) to path; return the path as str."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        for line in lines:
            f.write(line if isinstance(line, bytes) else line.encode(encoding))
            f.write(b"\n")
    return str(path)


def golden_path(stem: str, name: str = "expected.tsv") -> Path:
    return FIXTURES / stem / name


def check_golden(request, stem: str, rows: list[str], name: str = "expected.tsv") -> None:
    """Compare sorted rows with tests/fixtures/<stem>/<name>; --update-golden rewrites it."""
    path = golden_path(stem, name)
    rows = sorted(rows)
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(r + "\n" for r in rows), encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; run pytest --update-golden and review it"
    expected = sorted(path.read_text(encoding="utf-8").split("\n")[:-1])
    assert rows == expected


def engines_required() -> bool:
    """Under CI (or the README's test command) a missing engine fails instead of skipping."""
    return (
        os.environ.get("CI", "").lower() == "true" or os.environ.get("MRKIT_REQUIRE_ENGINES") == "1"
    )


def hdfs_rows(hdfs, directory: str) -> list[str]:
    """The sorted rows of the part files of an HDFS directory."""
    rows: list[str] = []
    for entry in hdfs.ls(directory):
        name = entry.path.rsplit("/", 1)[-1]
        if entry.kind == "file" and not name.startswith(("_", ".")):
            rows += hdfs.read_bytes(entry.path).decode("utf-8").splitlines()
    return sorted(rows)


def daily_logs(root: Path, days: int, *late: str) -> Path:
    """Days of access logs from scripts/gen_daily_logs.py where daily_report reads them (under a
    local runner's root), the days in `late` not marked done; the logs' directory."""
    logs = root / "user" / getpass.getuser() / "daily-report" / "logs"
    args = ["--out", str(logs), "--days", str(days), "--lines", "40"]
    for day in late:
        args += ["--late", day]
    subprocess.run([sys.executable, str(REPO / "scripts" / "gen_daily_logs.py"), *args],
                   check=True, capture_output=True)  # fmt: skip
    return logs


def reports_dir(root: Path) -> Path:
    """Where daily_report writes each day's report under a local runner's root."""
    return root / "user" / getpass.getuser() / "daily-report" / "reports"


def part_rows(directory: Path) -> list[str]:
    """The sorted rows of the part files of a local directory."""
    return sorted(r for p in directory.glob("part-*") for r in p.read_text().splitlines())


def cache_dir() -> Path:
    """Where tests keep venvs between runs and clones: ~/.cache/mrkit ($XDG_CACHE_HOME)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mrkit"


def cached_venv(python: str, version: str, requirements: list[str], label: str) -> Path:
    """A venv of `requirements` for that Python, kept in cache_dir() between runs (keyed by the
    requirements; made again when missing or broken: a venv is complete once its stamp is)."""
    import fcntl
    import hashlib

    key = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:12]
    venv = cache_dir() / f"{label}-py{version}-{key}"
    stamp = venv / ".complete"
    venv.parent.mkdir(parents=True, exist_ok=True)
    # one maker at a time: scripts/test runs two pytests at once, and a venv made again with
    # --clear while another process installs into it would be broken for both
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.is_file() and (venv / "bin" / "python").exists():
            return venv
        subprocess.run([python, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *requirements]
        done = subprocess.run(pip, capture_output=True, text=True, timeout=1800)
        assert done.returncode == 0, done.stderr[-3000:]
        stamp.write_text("\n".join(requirements))
    return venv
