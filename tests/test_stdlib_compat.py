"""The stand-ins for distutils and pipes that mrjob 0.7.4 needs on Python 3.12 / 3.13."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from mr.lib import stdlib_compat
from mr.lib.stdlib_compat import LooseVersion


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("3.4.1", "3.10"),  # numbers compare as numbers, not as text
        ("2.7", "2.7.1"),
        ("1.0", "1.0a"),  # a word after the numbers sorts after
        ("0.20.205", "0.21"),  # Hadoop's own version history, as mrjob's tables hold it
        ("2.0.0-cdh4", "2.0.1"),
    ],
)
def test_loose_versions_order_as_distutils_did(older, newer):
    assert LooseVersion(older) < LooseVersion(newer)
    assert LooseVersion(newer) > older and newer >= LooseVersion(older)
    assert not LooseVersion(older) >= newer
    assert LooseVersion(older) == older and LooseVersion(older) <= older


def test_loose_version_parts():
    assert LooseVersion("3.4.1").version == [3, 4, 1]
    assert LooseVersion("1.5.2b2").version == [1, 5, 2, "b", 2]
    assert str(LooseVersion("3.4.1")) == "3.4.1"


def test_mrjob_compares_versions_and_quotes_with_them():
    from mrjob.compat import version_gte
    from mrjob.util import cmd_line, which

    assert version_gte("3.10.0", "3.4.1") and not version_gte("3.4.1", "3.10.0")
    assert cmd_line(["a b", "c'd"]) == "'a b' 'c'\"'\"'d'"
    assert which("sh") is not None


def test_this_python_gets_stand_ins_only_for_what_it_lacks():
    lacking = {m for m in stdlib_compat.MODULES if stdlib_compat.lacks(m)}
    expected = ({"distutils"} if sys.version_info >= (3, 12) else set()) | (
        {"pipes"} if sys.version_info >= (3, 13) else set()
    )
    assert lacking == expected
    for name in stdlib_compat.MODULES:
        module = sys.modules.get(name)
        if name in lacking:
            assert module is not None and "stand-in" in (module.__doc__ or "")
    files = stdlib_compat.archive_files()
    assert {f.split("/")[0].removesuffix(".py") for f in files} == lacking


def test_archive_files_give_the_stand_ins_to_a_process_that_imports_mrjob_first(
    tmp_path, monkeypatch
):
    """As Spark's harness does (mrjob before mr), with the archive on its path; pretend this
    Python lacks both modules so the files are written on 3.10/3.11 too (named distutils_ and
    pipes_ here, to leave the real ones alone)."""
    monkeypatch.setattr(stdlib_compat, "lacks", lambda name: True)
    files = stdlib_compat.archive_files()
    assert sorted(files) == [
        "distutils/__init__.py",
        "distutils/spawn.py",
        "distutils/version.py",
        "pipes.py",
    ]
    archive = tmp_path / "py.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name, text in files.items():
            z.writestr(name.replace("distutils/", "distutils_/").replace("pipes.py", "pipes_.py"),
                       text)  # fmt: skip
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from distutils_.version import LooseVersion; from distutils_.spawn import find_executable;"
        "from pipes_ import quote;"
        "print(LooseVersion('3.4.1') < '3.10', find_executable('sh') is not None, quote('a b'))"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(archive)], capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "'a", "b'"]


def test_the_spark_archive_carries_the_stand_ins_this_python_needs():
    from mr.lib.launcher import _package_zip

    with zipfile.ZipFile(_package_zip()) as z:
        names = set(z.namelist())
    assert "mr/lib/stdlib_compat.py" in names and "mr/__init__.py" in names
    assert set(stdlib_compat.archive_files()) <= names
    assert ("pipes.py" in names) == (sys.version_info >= (3, 13))
    assert ("distutils/version.py" in names) == (sys.version_info >= (3, 12))


def test_mrjob_does_not_load_setuptools():
    """mrjob's distutils imports are the standard library's (3.10, 3.11) or the stand-ins
    (3.12+), never setuptools' copy, which loads pkg_resources: a third of a second at the
    start of every job and task."""
    code = (
        "import sys, mr.lib.job, distutils.spawn; "
        "print(any(m.split('.')[0] in ('setuptools', 'pkg_resources') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items()
                               if k != "SETUPTOOLS_USE_DISTUTILS"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
