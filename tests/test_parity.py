"""Parity: every stem found in more than one of mr/, hive/ and pig/ runs on each of its engines
on the shared fixture cases, and the sorted rows equal the golden expected.tsv.

A case's twin parameters live in its case.json under "hive" / "pig": {"vars": {NAME: VALUE}}
("{fixture}" becomes the fixture dir). A twin runs on the cases of its job that have no job
options, or that give its parameters. The case's input files are copied into one directory,
passed as INPUT. All twin cases of one engine run in one JVM (run_many), once per session.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from mr.cli.jobs import job_class, job_modules
from mr.engines import RESOURCE_ROOT
from mr.engines.twins import TwinRun, read_rows
from mr.engines.twins import find_script as _find
from tests.cases import Case, all_cases
from tests.support import run_job

TWINS = {"hive": ("hive", ".q"), "pig": ("pig", ".pig")}


def stems(engine: str) -> set[str]:
    if engine == "mr":
        return set(job_modules())
    folder, ext = TWINS[engine]
    return {p.stem for p in (RESOURCE_ROOT / folder).glob(f"*{ext}")}


ENGINE_STEMS = {e: stems(e) for e in ("mr", "hive", "pig")}
PARITY_STEMS = {
    s for s in set().union(*ENGINE_STEMS.values()) if sum(s in v for v in ENGINE_STEMS.values()) > 1
}
CASES = [c for c in all_cases() if c.job in PARITY_STEMS]


def runs_on(case: Case, engine: str) -> bool:
    """Whether a case can run on an engine: a twin exists and its parameters are known."""
    if case.job not in ENGINE_STEMS[engine]:
        return False
    return engine == "mr" or not case.args or engine in case.extra


def twin_vars(case: Case, engine: str, input_dir: Path) -> dict[str, str]:
    spec = case.extra.get(engine, {}).get("vars", {})
    found = {k: str(v).replace("{fixture}", str(case.dir)) for k, v in spec.items()}
    return {**found, "INPUT": str(input_dir)}


PARAMS = [
    pytest.param(case, engine, id=f"{engine}-{case.name}", marks=getattr(pytest.mark, engine))
    for case in CASES
    for engine in ("mr", "hive", "pig")
    if runs_on(case, engine) and engine != "mr"
] + [pytest.param(case, "mr", id=f"mr-{case.name}") for case in CASES if runs_on(case, "mr")]


def _stage_inputs(case: Case, root: Path) -> Path:
    input_dir = root / case.name / "input"
    input_dir.mkdir(parents=True)
    for path in case.inputs:
        shutil.copy(path, input_dir / Path(path).name)
    return input_dir


def _run_engine(engine_module, engine: str, tmp: Path) -> dict[str, list[str] | Exception]:
    """Run every twin case of an engine in one JVM; {case name: sorted rows or the error}."""
    jobs, names = [], {}
    for case in CASES:
        if not runs_on(case, engine):
            continue
        folder, ext = TWINS[engine]
        out = tmp / case.name / "output"
        job = TwinRun(
            script=_find(folder, ext, case.job),
            output=out,
            vars=twin_vars(case, engine, _stage_inputs(case, tmp)),
        )
        jobs.append(job)
        names[job.output] = case.name
    start = time.monotonic()
    outcome = engine_module.run_many(jobs)
    print(f"\n{engine}: {len(jobs)} twin cases in {time.monotonic() - start:.1f}s")
    return {
        names[out]: error if error is not None else sorted(read_rows(out))
        for out, error in outcome.items()
    }


@pytest.fixture(scope="module")
def hive_results(hive_engine, tmp_path_factory):
    return _run_engine(hive_engine, "hive", tmp_path_factory.mktemp("hive-parity"))


@pytest.fixture(scope="module")
def pig_results(pig_engine, tmp_path_factory):
    return _run_engine(pig_engine, "pig", tmp_path_factory.mktemp("pig-parity"))


@pytest.mark.parametrize("case, engine", PARAMS)
def test_parity(request, case, engine):
    if engine == "mr":
        rows, _ = run_job(job_class(case.job), case.inputs, args=case.args, runner="inline")
    else:
        result = request.getfixturevalue(f"{engine}_results")[case.name]
        if isinstance(result, Exception):
            pytest.fail(f"{engine} twin of {case.job} failed on {case.name}: {result}")
        rows = result
    assert rows == case.expected_rows()


def test_every_twin_runs_on_a_case():
    """A twin with no fixture case it can run on is untested: give a case its parameters."""
    for engine in TWINS:
        for stem in ENGINE_STEMS[engine]:
            assert any(runs_on(c, engine) for c in CASES if c.job == stem), (
                f"{engine} twin {stem} has no case: add {engine!r}: {{'vars': ...}} to a "
                f"tests/fixtures/<case>/case.json of {stem}"
            )


def test_twins_have_an_mr_job():
    """Every twin is the twin of an MR job (same stem in mr/)."""
    for engine in TWINS:
        assert ENGINE_STEMS[engine] <= ENGINE_STEMS["mr"], engine
