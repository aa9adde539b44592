"""mrkit on every Python 3.10-3.13 found on this machine, besides the one running the suite.

For each such Python: a venv of mrkit's dependencies (in ~/.cache/mrkit, kept between runs and
clones, keyed by the dependency list; mrkit itself comes from the checkout), the engine-free
tests that cover the Python-sensitive code (PYTHON_TESTS: the stand-ins for distutils/pipes, the
layers, every job inline against its golden rows), then one job on each of local, YARN (on the
session's cluster, tasks on that Python) and Spark (the newest pyspark for that Python). The
rest of the engine-free suite runs on the suite's own Python; ``scripts/test-pythons`` runs all
of it on every Python (too long for CI's 45 minutes four times over).

Under CI (MRKIT_REQUIRE_ENGINES=1) a missing 3.11, 3.12 or 3.13 fails; 3.10 is optional.
How to get them: README, "Python versions".
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins.engines import unavailable
from tests.support import REPO, cached_venv

VERSIONS = ["3.10", "3.11", "3.12", "3.13"]
REQUIRED = {"3.11", "3.12", "3.13"}
OTHERS = [v for v in VERSIONS if v != f"{sys.version_info[0]}.{sys.version_info[1]}"]
ENGINE_FREE = (
    "not (hadoop or hbase or hive or pig or oozie or spark or oozie_jars or wheel or airflow"
    " or secure)"
)
PYTHON_TESTS = [
    "tests/test_stdlib_compat.py",
    "tests/test_layers.py",
    "tests/test_mrjob_fixes.py",
    "tests/test_globs.py",
    "tests/test_progress.py",
    "tests/test_golden.py",  # every job, inline (-k below); local: test_a_job_on_the_local_runner
]
WORDS = "the cat\nthe dog\n\nthe end\n"
EXPECTED = ["cat\t1", "dog\t1", "end\t1", "the\t3"]


def find_python(version: str) -> str | None:
    """pythonX.Y on PATH, else pyenv's."""
    found = shutil.which(f"python{version}")
    if found and subprocess.run([found, "-c", "pass"], capture_output=True).returncode == 0:
        return found
    pyenv = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates = sorted(glob.glob(f"{pyenv}/versions/{version}.*/bin/python{version}"))
    return candidates[-1] if candidates else None


def requirements() -> list[str]:
    """mrkit's dependencies with its test and spark extras, from setup.cfg."""
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    lines = [*cfg["options"]["install_requires"].splitlines(),
             *cfg["options.extras_require"]["test"].splitlines(),
             *cfg["options.extras_require"]["spark"].splitlines()]  # fmt: skip
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def venv_for(version: str, python: str) -> Path:
    """A venv of mrkit's dependencies for that Python, kept in the user's cache between runs
    and clones (tests.support.cached_venv). mrkit itself comes from the checkout (PYTHONPATH),
    so the venv holds nothing of one clone."""
    return cached_venv(python, version, requirements(), "venv")


@pytest.fixture(scope="module", params=OTHERS, ids=[f"py{v}" for v in OTHERS])
def other_python(request) -> tuple[str, Path]:
    version = request.param
    python = find_python(version)
    if python is None:
        error = RuntimeError(f"python{version} not found (pyenv install {version})")
        if version in REQUIRED:
            unavailable(f"Python {version}", error)
        pytest.skip(str(error))
    return version, venv_for(version, python)


def run(venv: Path, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PYTHONPATH"] = str(REPO)  # mrkit from this checkout
    return subprocess.run([str(venv / "bin" / "python"), *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=timeout)  # fmt: skip


def test_engine_free_tests(other_python):
    version, venv = other_python
    done = run(venv, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-m", ENGINE_FREE,
               "-k", "not local", *PYTHON_TESTS)  # fmt: skip
    assert done.returncode == 0, f"Python {version}:\n{done.stdout[-5000:]}{done.stderr[-2000:]}"
    assert " passed" in done.stdout.splitlines()[-1]


def test_a_job_on_the_local_runner(other_python, tmp_path):
    _, venv = other_python
    data = tmp_path / "words.txt"
    data.write_text(WORDS)
    done = run(venv, "mr/word_count.py", "-r", "local", str(data))
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(done.stdout.splitlines()) == EXPECTED


@pytest.mark.hadoop
def test_a_job_on_yarn(other_python, hadoop_cluster, hdfs, hdfs_dir):
    _, venv = other_python
    data = hdfs.write_bytes(f"{hdfs_dir}/words.txt", WORDS.encode())
    python = str(venv / "bin" / "python")
    done = run(venv, "mr/word_count.py", "-r", "hadoop", "-c", hadoop_cluster.mrjob_conf,
               "--python-bin", python, f"hdfs://{data}")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(done.stdout.splitlines()) == EXPECTED


@pytest.mark.spark
def test_a_job_on_spark(other_python, tmp_path):
    _, venv = other_python
    data = tmp_path / "words.txt"
    data.write_text(WORDS)
    python = str(venv / "bin" / "python")
    # grep: two steps, the second in a spark-submit of its own (mr/lib/mrjob_fixes.py)
    done = run(venv, "mr/grep.py", "-r", "spark", "--no-conf", "--spark-master", "local[2]",
               "--python-bin", python, "--spark-args", "--conf spark.ui.enabled=false",
               "--pattern", r"the (\w+)", "--group", "1", str(data), timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(done.stdout.splitlines()) == ["cat\t1", "dog\t1", "end\t1"]
