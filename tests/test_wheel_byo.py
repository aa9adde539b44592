"""Installing mrkit's wheel makes plain mrjob jobs run on Python 3.12 and 3.13: mrjob 0.7.4's
own examples, copied unmodified from the installed mrjob, and a job of ours written as a course
writes one (tests/fixtures/byo_jobs/), none of which imports mrkit, each run as
``python job.py -r local|inline INPUT...`` and as ``mrkit run job.py -r local|inline INPUT...``,
give the rows plain mrjob 0.7.4 gives on Python 3.11.
The wheel's .pth file puts the finder of the stand-ins for distutils and pipes
(mr/lib/stdlib_finder.py) on sys.meta_path at start-up, and nothing else.

Venvs: tests/byo.py (cached dependencies; the wheel goes into a copy, --no-deps).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests import byo
from tests.plugins.engines import unavailable
from tests.test_pythons import find_python

pytestmark = pytest.mark.wheel

VERSIONS = ("3.12", "3.13")
CASES = [(e, r) for e in (*byo.EXAMPLES, *byo.BYO) for r in e.runners]
CASE_IDS = [f"{e.script.removesuffix('.py')}-{r}" for e, r in CASES]


def python_or_fail(version: str) -> str:
    python = find_python(version)
    if python is None:
        unavailable(f"Python {version}", RuntimeError(f"python{version} not found"))
        pytest.skip(f"python{version} not found")
    return python


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return byo.build_wheel(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def oracle(tmp_path_factory) -> dict[tuple[str, str], list[str]]:
    """{(script, runner): rows} of every case under plain mrjob 0.7.4 on Python 3.11."""
    venv = byo.mrjob_venv(python_or_fail(byo.ORACLE_VERSION), byo.ORACLE_VERSION)
    jobs = tmp_path_factory.mktemp("oracle-jobs")
    byo.copy_jobs(venv, jobs, (*byo.EXAMPLES, *byo.BYO))
    found = {}
    for example, runner in CASES:
        done = byo.run_job(venv, example, runner, list(byo.INPUTS), jobs)
        found[example.script, runner] = byo.rows(done)
    return found


@pytest.fixture(scope="module", params=VERSIONS, ids=[f"py{v}" for v in VERSIONS])
def installed(request, wheel, tmp_path_factory) -> tuple[str, Path, Path]:
    """(version, venv with the wheel, the directory of the copied jobs) for one Python."""
    version = request.param
    base = byo.dependency_venv(python_or_fail(version), version)
    venv = byo.venv_with_wheel(base, wheel, tmp_path_factory.mktemp(f"py{version}") / "venv")
    jobs = venv.parent / "jobs"
    byo.copy_jobs(venv, jobs, (*byo.EXAMPLES, *byo.BYO))
    return version, venv, jobs


#: `python job.py` on every case; `mrkit run job.py` on the local runner (inline: its launcher
#: is tested in tests/test_user_jobs.py)
RUNS = [(e, r, "python") for e, r in CASES] + [
    (e, r, "mrkit-run") for e, r in CASES if r == "local"
]
RUN_IDS = [f"{e.script.removesuffix('.py')}-{r}-{how}" for e, r, how in RUNS]


@pytest.mark.parametrize(("example", "runner", "how"), RUNS, ids=RUN_IDS)
def test_a_plain_mrjob_job_gives_plain_mrjob_s_rows(installed, oracle, example, runner, how):
    """`python job.py` (mrjob alone, with the stand-ins) and `mrkit run job.py` (mrkit's
    launcher around the same class) both give plain mrjob's rows."""
    _, venv, jobs = installed
    expected = oracle[example.script, runner]
    assert expected, "the oracle gave no rows: the case proves nothing"
    done = byo.run_job(venv, example, runner, list(byo.INPUTS), jobs, mrkit=how == "mrkit-run")
    assert byo.rows(done) == expected


#: the modules and the meta-path finders a bare `python -c` starts with (before json is loaded)
START_UP = (
    "import sys; modules = sorted(sys.modules);"
    "finders = [type(f).__name__ for f in sys.meta_path];"
    "import json; print(json.dumps({'modules': modules, 'finders': finders}))"
)


def start_up(venv: Path) -> dict[str, list[str]]:
    done = subprocess.run([str(venv / "bin" / "python"), "-c", START_UP], capture_output=True,
                          text=True, env=byo.clean_env(), check=True)  # fmt: skip
    return json.loads(done.stdout)


def test_the_wheel_adds_only_the_finder_at_start_up(installed):
    version, venv, _ = installed
    without = start_up(byo.dependency_venv(python_or_fail(version), version))
    with_wheel = start_up(venv)
    added = set(with_wheel["modules"]) - set(without["modules"])
    # 3.13's site.py decodes .pth files as utf-8-sig: that codec comes with the venv's first one
    assert added - {"encodings.utf_8_sig"} == {"_mrkit_stdlib_finder"}
    assert set(without["modules"]) <= set(with_wheel["modules"])
    assert with_wheel["finders"] == [*without["finders"], "StdlibFinder"]  # last, and once
