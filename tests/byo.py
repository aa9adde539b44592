"""Bring-your-own jobs: plain mrjob scripts (mrjob 0.7.4's bundled examples, and the user-style
jobs in tests/fixtures/byo_jobs/) run by a Python that has mrkit's wheel installed, and the rows
plain mrjob 0.7.4 gives for the same command on Python 3.11 (the oracle).

Venvs are kept in ~/.cache/mrkit between runs and clones (as tests/test_pythons.py keeps its
own), keyed by their requirements: a venv of mrkit's run-time dependencies per Python (a test
copies it and installs the freshly built wheel into the copy, --no-deps), and venvs of
mrjob==0.7.4 from PyPI and nothing of mrkit (on 3.11, the oracle's).
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import FIXTURES, REPO, cached_venv

ORACLE_VERSION = "3.11"
MRJOB_ONLY = ["mrjob==0.7.4"]
BYO_JOBS = FIXTURES / "byo_jobs"
#: the input every job reads (two files: mr_count_lines_by_file counts per file); read where
#: they are, so that the rows that name a file name the same one under every Python
INPUTS = (BYO_JOBS / "words1.txt", BYO_JOBS / "words2.txt")


@dataclass(frozen=True)
class Example:
    """A job script and how to run it: its arguments before the input, the files it needs
    beside it (copied with it), and the runners it runs on under plain mrjob."""

    script: str
    args: tuple[str, ...] = ()
    beside: tuple[str, ...] = ()
    runners: tuple[str, ...] = ("inline", "local")
    source: str = field(default="mrjob", compare=False)  # "mrjob" (its examples) or "byo"


#: mrjob 0.7.4's bundled examples that run on a laptop without extra packages, jars or a
#: cluster, and whose rows do not depend on how the input is split (mr_count_lines_wrong's do,
#: mr_log_sampler's are random, mr_nick_nack needs a jar, mr_phone_to_url warcio, the spark_*
#: ones pyspark, mr_boom fails on purpose, mr_text_classifier a corpus of its own)
EXAMPLES = (
    Example("mr_word_freq_count.py"),
    Example("mr_most_used_word.py", beside=("stop_words.txt",)),
    # a command step (grep): mrjob's inline runner runs no commands
    Example("mr_grep.py", args=("-e", "the"), runners=("local",)),
    Example("mr_wc.py"),
    Example("mr_next_word_stats.py"),
    Example("mr_count_lines_by_file.py"),
    Example("mr_count_lines_right.py"),
    # a pre-filter (grep -i u) before the mapper: a command too
    Example("mr_words_containing_u_freq_count.py", runners=("local",)),
)

#: user-style jobs of our own (tests/fixtures/byo_jobs/), written as a course or a blog post
#: writes them: mrjob's names, no mrkit import
BYO = (Example("top_words.py", args=("--top", "3"), source="byo"),)


def runtime_requirements() -> list[str]:
    """mrkit's run-time dependencies (install_requires), from setup.cfg."""
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    lines = cfg["options"]["install_requires"].splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def dependency_venv(python: str, version: str) -> Path:
    """mrkit's run-time dependencies, without mrkit (a test installs its wheel into a copy)."""
    return cached_venv(python, version, runtime_requirements(), "deps")


def mrjob_venv(python: str, version: str) -> Path:
    """Plain mrjob 0.7.4 from PyPI (and its PyYAML), nothing of mrkit: on 3.11 the oracle."""
    return cached_venv(python, version, MRJOB_ONLY, "mrjob")


def build_wheel(dest: Path) -> Path:
    """mrkit's wheel, built from this checkout into dest."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dest), str(REPO)],
        capture_output=True, text=True, cwd=dest, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = dest.glob("mrkit-*.whl")
    return wheel


def venv_with_wheel(base: Path, wheel: Path, dest: Path) -> Path:
    """A copy of venv `base` (left as it is) with `wheel` installed, --no-deps: the copy."""
    shutil.copytree(base, dest, symlinks=True)
    pip = [str(dest / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
           "--force-reinstall", str(wheel)]  # fmt: skip
    done = subprocess.run(pip, capture_output=True, text=True, timeout=600, env=clean_env())
    assert done.returncode == 0, done.stderr[-3000:]
    return dest


def site_packages(venv: Path) -> Path:
    [found] = venv.glob("lib/python3.*/site-packages")
    return found


def copy_jobs(venv: Path, dest: Path, examples: tuple[Example, ...]) -> None:
    """The examples' scripts and the files beside them into dest, unmodified: mrjob's from the
    mrjob installed in venv, ours from tests/fixtures/byo_jobs/."""
    dest.mkdir(parents=True, exist_ok=True)
    for example in examples:
        home = site_packages(venv) / "mrjob" / "examples" if example.source == "mrjob" else BYO_JOBS
        for name in (example.script, *example.beside):
            shutil.copyfile(home / name, dest / name)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without this checkout's or this venv's Python settings (a user's shell)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MRKIT_", "MRJOB_", "PYTHON", "VIRTUAL_ENV"))}  # fmt: skip
    env.update(extra)
    return env


def run_job(
    venv: Path, example: Example, runner: str, inputs: list[Path], cwd: Path, mrkit: bool = False
) -> subprocess.CompletedProcess[str]:
    """`python job.py -r RUNNER ARGS INPUT...` with the venv's Python, in cwd (the scripts'
    directory), as a user types it; with `mrkit`, `mrkit run job.py -r RUNNER ...` instead (with
    mrkit's own mrjob.conf, as a user without one of their own has it)."""
    if mrkit:
        command = [str(venv / "bin" / "mrkit"), "run", example.script, "-r", runner]
    else:
        command = [str(venv / "bin" / "python"), example.script, "-r", runner, "--no-conf"]
    command += [*example.args, *[str(p) for p in inputs]]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=clean_env(),
                          timeout=600)  # fmt: skip


def rows(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The sorted output rows of a job run that must have succeeded."""
    assert done.returncode == 0, done.stderr[-3000:]
    return sorted(done.stdout.splitlines())
