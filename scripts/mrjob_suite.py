#!/usr/bin/env python3
"""mrjob 0.7.4's own test suite as a peer check of mrkit's fixes to mrjob (issue 24, point 4).

mrkit patches mrjob when ``mr.lib.job`` is imported (mr/lib/mrjob_fixes.py). This runs the part
of mrjob's own suite that needs no cloud and no cluster (TEST_PATHS: about 1,370 tests) twice on
each Python 3.10-3.13 found, and prints the tests whose outcome differs:

  plain   mrjob alone. On 3.12/3.13, where mrjob cannot even be imported without them, the
          stand-ins for distutils/pipes (the finder ``import mr`` installs, from a
          ``sitecustomize`` on PYTHONPATH, so in every process: tasks and fake ``hadoop`` too);
          on 3.10/3.11 nothing of mrkit.
  fixes   the same, and mrkit's fixes: the pytest process imports ``mr.lib.job`` (a pytest
          plugin, ``-p``) before any test, as a launcher that imports mrkit does. Task processes
          do not: the fixes are the launcher's (runners, splits, archives, log parsing).

mrjob's sources: its sdist from PyPI (``pip download``), checked against SDIST_SHA256, unpacked
once into ~/.cache/mrkit/mrjob-0.7.4-src; each run works in a copy of it and imports mrjob from
it (the tests import ``tests.sandbox`` and their job scripts by path). The sdist lacks the two
data files of ``tests/mr_upload_attrs_job/`` (only their names are tested): they are written
into the copy. One venv per Python (REQUIREMENTS, in ~/.cache/mrkit, keyed by the list and the
interpreter's version). boto3 is installed only because tests/test_runner.py and
tests/logs/test_mixin.py import mrjob's boto3 mock at module level; the mock replaces
``boto3.client``/``boto3.resource``, so nothing reaches AWS. pyspark and the Google libraries are
not installed (mrjob skips those tests). mrkit itself comes from this checkout.

Exit 1 when a test's outcome differs between plain and fixes and EXPLAINED has no reason for it,
or when a run did not finish; plain's own failures are listed as mrjob's (MRJOB_OWN says why)
and do not fail the check.

    .venv/bin/python scripts/mrjob_suite.py               # every Python found, one run at a time
    .venv/bin/python scripts/mrjob_suite.py --python 3.11 --jobs 2
    .venv/bin/python scripts/mrjob_suite.py --python 3.13 --tests tests/test_sim.py -k input
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.test_pythons import VERSIONS, find_python  # noqa: E402

# fork(), not vfork(), for children started from threads (--jobs): tests/conftest.py says why
subprocess._USE_VFORK = False  # type: ignore[attr-defined]

MRJOB_VERSION = "0.7.4"
SDIST = f"mrjob-{MRJOB_VERSION}.tar.gz"
#: PyPI's sha256 of the sdist (its simple index, https://pypi.org/simple/mrjob/)
SDIST_SHA256 = "2c8d8dc8aa4b354a97de18d0260f551f018693af74af104b3d41daf165eebdd4"

#: the suite's venv: mrjob and its dependency, pytest, and what the chosen test modules import
#: (warcio: test_inline, test_local; boto3: see the docstring; the JSON libraries: mrjob's own
#: tests_require, else test_protocol skips their cases)
REQUIREMENTS = [
    f"mrjob=={MRJOB_VERSION}",
    "PyYAML==6.0.4",
    "pytest==9.2.0",
    "warcio==1.8.1",
    "boto3==1.44.18",
    "simplejson==4.3.0",
    "ujson==6.1.0",
    "python-rapidjson==1.25",
]

#: mrjob's tests that need no cloud and no cluster, relative to its source directory
TEST_PATHS = [
    "tests/test_job.py",
    "tests/test_runner.py",
    "tests/test_inline.py",
    "tests/test_local.py",
    "tests/test_sim.py",
    "tests/test_bin.py",
    "tests/test_protocol.py",
    "tests/test_step.py",
    "tests/test_util.py",
    "tests/test_parse.py",
    "tests/test_conf.py",
    "tests/test_setup.py",
    "tests/test_hadoop.py",  # the hadoop runner against mrjob's fake `hadoop` script
    "tests/test_compat.py",
    "tests/test_cmd.py",
    "tests/test_retry.py",
    "tests/test_py2.py",
    "tests/test_setup_dot_py.py",
    "tests/fs/test_base.py",
    "tests/fs/test_composite.py",
    "tests/fs/test_local.py",
    "tests/fs/test_hadoop.py",
    "tests/logs",
    "tests/examples",
]

#: test id (fnmatch pattern) -> why its outcome differs with mrkit's fixes loaded
#: tests whose outcome differs with mrkit's fixes, and why (each must be in README's "Coming
#: from mrjob" table). None today: the one there was (SimRunnerJobConfTestCase::test_input_files,
#: 2 map tasks instead of mrjob's 4) went when plain MRJob jobs got mrjob's two splits per core
#: back (mr/lib/mrjob_fixes.py, one_split_per_core).
EXPLAINED: dict[str, str] = {}

_MOCK_HADOOP_PIPES = (
    "mrjob's fake hadoop (tests/mockhadoop.py, run as a script) imports pipes: Python 3.11/3.12's "
    "DeprecationWarning leads its stderr, so mrjob's `fs -mkdir` no longer sees 'File exists' "
    "at the start and fails"
)
_CALLED_ONCE_WITH = (
    "the test calls mock.called_once_with (for assert_called_once_with): an AttributeError "
    "since Python 3.12's unittest.mock"
)

#: test id (fnmatch pattern) -> why it fails on plain mrjob (mrjob's, not mrkit's)
MRJOB_OWN: dict[str, str] = {
    "tests/test_local.py::TestsToPort::*": (
        "not a TestCase (tests left to port: no setUp, no assertEqual); pytest collects it anyway"
    ),
    "tests/test_hadoop.py::HadoopJobRunnerEndToEndTestCase::*": _MOCK_HADOOP_PIPES,
    "tests/test_hadoop.py::ArgsForJarStepTestCase::*": _MOCK_HADOOP_PIPES,
    "tests/test_hadoop.py::BadHadoopBinAfterFork::*": _MOCK_HADOOP_PIPES,
    "tests/test_hadoop.py::SetupLineEncodingTestCase::*": _MOCK_HADOOP_PIPES,
    "tests/logs/test_bootstrap.py::*::test_ignore_multiple_matches": _CALLED_ONCE_WITH,
    "tests/logs/test_history.py::InterpretHistoryLogTestCase::*": _CALLED_ONCE_WITH,
}

OUTCOMES = ("passed", "failed", "error", "skipped")
MODES = ("plain", "fixes")
PLUGIN = "mrkit_suite_fixes"


@dataclass
class Run:
    """One pytest run of mrjob's suite: a Python and a mode."""

    version: str
    mode: str
    outcomes: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    returncode: int | None = None
    problem: str = ""  # why it gave no results, if it did not


# -- pure parts: results, differences, the report --------------------------------------------


def test_id(classname: str, name: str) -> str:
    """pytest's node id from a JUnit testcase's classname and name. The classname is the
    module's dotted path, then the class's (if any): the class starts at the first part with a
    capital letter (``tests.test_local.SimRunnerJobConfTestCase``: test_local imports the class
    from test_sim, so it runs there too, under test_local's name)."""
    if not classname:
        return name  # a module that could not be collected
    parts = classname.split(".")
    at = next((i for i, part in enumerate(parts) if part[:1].isupper()), len(parts))
    path = "/".join(parts[:at]) + ".py"
    return "::".join([path, *parts[at:], name])


_WORST = {outcome: rank for rank, outcome in enumerate(("passed", "skipped", "failed", "error"))}


def parse_junit(xml_text: str | bytes) -> dict[str, str]:
    """{test id: passed | failed | error | skipped} from pytest's JUnit XML; a test reported
    twice (a failure, then an error in teardown) keeps the worse outcome."""
    outcomes: dict[str, str] = {}
    for case in ET.fromstring(xml_text).iter("testcase"):
        tags = {child.tag for child in case}
        if "error" in tags:
            outcome = "error"
        elif "failure" in tags:
            outcome = "failed"
        elif "skipped" in tags:
            outcome = "skipped"
        else:
            outcome = "passed"
        key = test_id(case.get("classname", ""), case.get("name", ""))
        if key not in outcomes or _WORST[outcome] > _WORST[outcomes[key]]:
            outcomes[key] = outcome
    return outcomes


def counts(outcomes: dict[str, str]) -> Counter[str]:
    """How many tests had each outcome."""
    return Counter(outcomes.values())


def differences(plain: dict[str, str], fixes: dict[str, str]) -> list[tuple[str, str, str]]:
    """(test id, plain outcome, fixes outcome) of every test whose outcome differs, by id; a
    test that only one run has is "absent" in the other."""
    return [
        (key, plain.get(key, "absent"), fixes.get(key, "absent"))
        for key in sorted(plain.keys() | fixes.keys())
        if plain.get(key) != fixes.get(key)
    ]


def reason(key: str, reasons: dict[str, str]) -> str | None:
    """The reason of the first pattern in `reasons` that matches test id `key`."""
    for pattern, why in reasons.items():
        if fnmatch.fnmatchcase(key, pattern):
            return why
    return None


def report(runs: list[Run], explained: dict[str, str], mrjob_own: dict[str, str]) -> str:
    """The table: counts and time per run, the tests whose outcome differs (with EXPLAINED's
    reason), and plain mrjob's own failures (with MRJOB_OWN's reason)."""
    out = io.StringIO()
    by_version: dict[str, dict[str, Run]] = {}
    for run in runs:
        by_version.setdefault(run.version, {})[run.mode] = run
    out.write(f"mrjob {MRJOB_VERSION}'s own tests, plain mrjob and with mrkit's fixes\n\n")
    out.write(f"{'Python':8} {'run':6} {'tests':>6}")
    out.write("".join(f" {o:>8}" for o in OUTCOMES) + f" {'time':>7}\n")
    for version, modes in by_version.items():
        for mode in MODES:
            run = modes.get(mode)
            if run is None:
                continue
            if run.problem:
                out.write(f"{version:8} {mode:6} did not finish: {run.problem}\n")
                continue
            n = counts(run.outcomes)
            out.write(f"{version:8} {mode:6} {len(run.outcomes):>6}")
            out.write("".join(f" {n[o]:>8}" for o in OUTCOMES) + f" {run.seconds:>6.0f}s\n")

    differ: dict[tuple[str, str, str], list[str]] = {}
    own: dict[str, list[str]] = {}
    for version, modes in by_version.items():
        plain, fixes = modes.get("plain"), modes.get("fixes")
        if plain is not None and fixes is not None and not plain.problem and not fixes.problem:
            for row in differences(plain.outcomes, fixes.outcomes):
                differ.setdefault(row, []).append(version)
        if plain is not None:
            for key, outcome in sorted(plain.outcomes.items()):
                if outcome in ("failed", "error"):
                    own.setdefault(key, []).append(version)

    not_explained = "NOT EXPLAINED: add a reason to EXPLAINED"
    missing = sum(1 for row in differ if reason(row[0], explained) is None)
    out.write(f"\nOutcome differs, plain -> fixes: {len(differ)} ({missing} not explained)\n")
    grouped: dict[str, list[str]] = {}
    for (key, before, after), versions in differ.items():
        line = f"{key}: {before} -> {after}  [{' '.join(versions)}]"
        grouped.setdefault(reason(key, explained) or not_explained, []).append(line)
    _write_groups(out, grouped)
    stale = [p for p in explained if not any(fnmatch.fnmatchcase(k, p) for k, _, _ in differ)]
    if stale:
        out.write(f"  EXPLAINED entries that matched no difference here: {', '.join(stale)}\n")

    out.write(f"\nmrjob's own failures (plain): {len(own)}\n")
    grouped = {}
    for key, versions in own.items():
        why = reason(key, mrjob_own) or "no reason recorded in MRJOB_OWN"
        grouped.setdefault(why, []).append(f"{key}  [{' '.join(versions)}]")
    _write_groups(out, grouped)
    return out.getvalue()


def _write_groups(out: io.StringIO, grouped: dict[str, list[str]]) -> None:
    for why, lines in grouped.items():
        out.write(f"  {why}\n")
        out.write("".join(f"    {line}\n" for line in lines))


def unexplained(runs: list[Run], explained: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(Python, test id, plain outcome, fixes outcome) of differences EXPLAINED has no reason
    for."""
    found = []
    by_version: dict[str, dict[str, Run]] = {}
    for run in runs:
        by_version.setdefault(run.version, {})[run.mode] = run
    for version, modes in by_version.items():
        if set(modes) != set(MODES) or any(r.problem for r in modes.values()):
            continue
        for key, before, after in differences(modes["plain"].outcomes, modes["fixes"].outcomes):
            if reason(key, explained) is None:
                found.append((version, key, before, after))
    return found


# -- mrjob's sources, the venvs, the runs -----------------------------------------------------


def cache_dir() -> Path:
    """~/.cache/mrkit (or $XDG_CACHE_HOME/mrkit), as tests/test_pythons.py has it."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mrkit"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def mrjob_source() -> Path:
    """mrjob's unpacked sdist (downloaded and checked once, then kept in the cache)."""
    home = cache_dir() / f"mrjob-{MRJOB_VERSION}-src"
    tree = home / f"mrjob-{MRJOB_VERSION}"
    stamp = home / ".complete"
    if stamp.is_file() and stamp.read_text().strip() == SDIST_SHA256 and tree.is_dir():
        return tree
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    log(f"downloading mrjob {MRJOB_VERSION}'s sdist from PyPI")
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:",
                    "--no-deps", "-d", str(home),
                    f"mrjob=={MRJOB_VERSION}"], check=True, timeout=600)  # fmt: skip
    sdist = home / SDIST
    got = sha256(sdist)
    if got != SDIST_SHA256:
        raise SystemExit(f"mrjob_suite: {SDIST} has sha256 {got}, PyPI's is {SDIST_SHA256}")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
        if not any(n.startswith(f"mrjob-{MRJOB_VERSION}/tests/") for n in names):
            raise SystemExit(f"mrjob_suite: {SDIST} holds no tests/ (the v{MRJOB_VERSION} "
                             "tag's source archive has them)")  # fmt: skip
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(home, **safe)  # type: ignore[arg-type]
    stamp.write_text(SDIST_SHA256 + "\n")
    return tree


def add_missing_test_data(tree: Path) -> None:
    """The two files of tests/mr_upload_attrs_job/ that the sdist lacks (MRUploadAttrsJob
    uploads them; its test checks only their names, and that the archive holds nothing)."""
    data = tree / "tests" / "mr_upload_attrs_job"
    data.mkdir(exist_ok=True)
    (data / "README.txt").write_text(
        "Written by mrkit's scripts/mrjob_suite.py (not in the sdist).\n"
    )
    with tarfile.open(data / "empty.tar.gz", "w:gz"):
        pass


def venv_for(version: str, python: str) -> Path:
    """The suite's venv for that Python, kept in the cache, keyed by REQUIREMENTS and the
    interpreter's full version (made again when missing or broken)."""
    full = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    key = hashlib.sha256("\n".join([full, *REQUIREMENTS]).encode()).hexdigest()[:12]
    venv = cache_dir() / f"mrjob-suite-py{version}-{key}"
    stamp = venv / ".complete"
    if stamp.is_file() and (venv / "bin" / "python").exists():
        return venv
    log(f"making {venv}")
    subprocess.run([python, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *REQUIREMENTS]
    done = subprocess.run(pip, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"mrjob_suite: pip on Python {version}:\n{done.stderr[-3000:]}")
    stamp.write_text("\n".join([full, *REQUIREMENTS]) + "\n")
    return venv


def lacked_modules(python: Path) -> list[str]:
    """The standard-library modules mrjob imports that this Python lacks (stand-ins needed)."""
    code = ("import importlib.machinery as m\n"
            "print(' '.join(n for n in ('distutils', 'pipes') "
            "if m.PathFinder.find_spec(n) is None))")  # fmt: skip
    done = subprocess.run([str(python), "-S", "-c", code], capture_output=True, text=True,
                          check=True)  # fmt: skip
    return done.stdout.split()


SITECUSTOMIZE = '''"""mrjob_suite: mrkit's stand-ins for the distutils/pipes this Python lacks."""

import mr  # noqa: F401  (installs the finder of the stand-ins, mr/lib/stdlib_finder.py)
'''

FIXES_PLUGIN = '''"""mrjob_suite: mrkit's fixes to mrjob, as a launcher that imports mr has them."""

import mr.lib.job  # noqa: F401  (applies mr.lib.mrjob_fixes)


def pytest_report_header(config):
    return "mrkit's fixes loaded: " + mr.lib.job.__file__
'''


def shim(work: Path, standins: bool, fixes: bool) -> Path | None:
    """A directory for PYTHONPATH with mrkit's ``mr`` (a symlink: not this checkout's root,
    whose ``tests`` package would shadow mrjob's), the stand-ins' sitecustomize where the
    Python needs them and the fixes' plugin; None when the run needs nothing of mrkit."""
    if not standins and not fixes:
        return None
    path = work / f"shim-{'fixes' if fixes else 'plain'}"
    path.mkdir(exist_ok=True)
    (path / "mr").symlink_to(REPO / "mr", target_is_directory=True)
    if standins:
        (path / "sitecustomize.py").write_text(SITECUSTOMIZE)
    if fixes:
        (path / f"{PLUGIN}.py").write_text(FIXES_PLUGIN)
    return path


LAUNCHER = "import sys, pytest; args = sys.argv[1:]; del sys.argv[1:]; sys.exit(pytest.main(args))"


def run_suite(run: Run, python: Path, tree: Path, work: Path, pytest_args: list[str]) -> Run:
    """Run mrjob's tests in a copy of its sources; fill in the run's outcomes and time."""
    top = work / f"{run.version}-{run.mode}"
    src = top / tree.name
    shutil.copytree(tree, src, ignore=shutil.ignore_patterns("__pycache__"))
    add_missing_test_data(src)
    (src / "pytest.ini").write_text("[pytest]\n")  # the rootdir: ids start at tests/
    extra = shim(top, bool(lacked_modules(python)), run.mode == "fixes")
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTEST_ADDOPTS",
                        "PYTEST_PLUGINS", "MRJOB_CONF", "PYTHONWARNINGS")}  # fmt: skip
    env["PYTHONPATH"] = os.pathsep.join([str(src), *([str(extra)] if extra else [])])
    env["XDG_CACHE_HOME"] = str(top / "cache")  # the fixes' archive cache: this run's own
    # mrjob's runners make their temporary directories in TMPDIR and some tests leave theirs
    # (about 100 /tmp/test_job.<user>.* a run): this run's own, gone with its work directory
    (top / "tmp").mkdir(exist_ok=True)
    env["TMPDIR"] = str(top / "tmp")
    env["AWS_EC2_METADATA_DISABLED"] = "true"  # in case a mocked test reaches botocore
    xml = top / "results.xml"
    # MRJob() parses sys.argv[1:]: the launcher hands pytest its arguments and clears them
    # a module that cannot be imported is an error of its own (tests.test_x), not the run's end
    command = [str(python), "-c", LAUNCHER, "-q", "-p", "no:cacheprovider", "-rfE",
               "--continue-on-collection-errors", f"--junitxml={xml}",
               *(["-p", PLUGIN] if run.mode == "fixes" else []), *pytest_args]  # fmt: skip
    started = time.monotonic()
    with open(top / "pytest.log", "wb") as out:
        try:
            done = subprocess.run(command, cwd=src, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=3600)  # fmt: skip
            run.returncode = done.returncode
        except subprocess.TimeoutExpired:
            run.problem = "timed out after an hour"
    run.seconds = time.monotonic() - started
    if not run.problem and run.returncode not in (0, 1):
        tail = (top / "pytest.log").read_text(errors="replace").splitlines()[-15:]
        run.problem = f"pytest exited {run.returncode}:\n" + "\n".join(tail)
    elif not run.problem:
        run.outcomes = parse_junit(xml.read_bytes())
    log(f"Python {run.version} {run.mode}: {sum(counts(run.outcomes).values())} tests, "
        f"{run.seconds:.0f} s")  # fmt: skip
    return run


def log(message: str) -> None:
    print(f"mrjob_suite: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--python",
        action="append",
        choices=VERSIONS,
        metavar="X.Y",
        help=f"only this Python (repeatable; default: each of {', '.join(VERSIONS)} found)",
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="pytest runs at once (default 1; each takes a core)"
    )
    parser.add_argument(
        "--tests",
        action="append",
        metavar="PATH",
        help="only these of mrjob's test paths (repeatable; default: TEST_PATHS)",
    )
    parser.add_argument("-k", metavar="EXPR", help="pytest's -k, for both runs")
    parser.add_argument(
        "--keep", action="store_true", help="keep the runs' directories (logs, JUnit XML)"
    )
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    tree = mrjob_source()
    pythons = {}
    for version in args.python or VERSIONS:
        python = find_python(version)
        if python is None:
            log(f"no python{version} (pyenv install {version}); skipped")
            continue
        pythons[version] = venv_for(version, python) / "bin" / "python"
    if not pythons:
        log("no Python to run on")
        return 1
    args_ = [*(args.tests or TEST_PATHS), *(["-k", args.k] if args.k else [])]
    work = Path(tempfile.mkdtemp(prefix="mrjob-suite-"))
    runs = [Run(version, mode) for version in pythons for mode in MODES]
    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            done = list(
                pool.map(lambda r: run_suite(r, pythons[r.version], tree, work, args_), runs)
            )
    finally:
        if args.keep:
            log(f"runs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(report(done, EXPLAINED, MRJOB_OWN))
    per_python: dict[str, float] = {}
    for run in done:
        per_python[run.version] = per_python.get(run.version, 0.0) + run.seconds
    times = ", ".join(f"Python {v} {s:.0f} s" for v, s in per_python.items())
    whole = time.monotonic() - started
    load = f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after ({os.cpu_count()} cores)"
    print(f"time (a Python's two runs added): {times}")
    print(f"whole run: {whole:.0f} s (--jobs {args.jobs}); load average {load}")
    failed = [run for run in done if run.problem]
    return 1 if failed or unexplained(done, EXPLAINED) else 0


if __name__ == "__main__":
    sys.exit(main())
