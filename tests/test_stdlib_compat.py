"""The stand-ins for distutils and pipes that mrjob 0.7.4 needs on Python 3.12 / 3.13, and the
finder that serves them (mr/lib/stdlib_finder.py), as the wheel installs it or as mr does."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from mr.lib import stdlib_compat, stdlib_finder
from mr.lib.stdlib_compat import LooseVersion
from tests import byo
from tests.support import REPO
from tests.test_pythons import REQUIRED, VERSIONS, find_python


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
    for name in stdlib_finder.NAMES:
        module = importlib.import_module(name)
        assert ("stand-in" in (module.__doc__ or "")) == (name.split(".")[0] in lacking), name
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


def python(version: str) -> str:
    """That Python, or a skip (a failure under CI for 3.11-3.13, as in tests/test_pythons.py)."""
    found = find_python(version)
    if found is None:
        from tests.plugins.engines import unavailable

        if version in REQUIRED:
            unavailable(f"Python {version}", RuntimeError(f"python{version} not found"))
        pytest.skip(f"python{version} not found")
    return found


@pytest.fixture
def site_dir(tmp_path) -> Path:
    """A directory laid out as the wheel lays out site-packages, with only the finder's files:
    the top-level copy of the finder, the .pth file and mr/lib/stdlib_compat.py (no mr
    package: the finder reads the stand-ins' source from its file)."""
    site = tmp_path / "site"
    (site / "mr" / "lib").mkdir(parents=True)
    for name, text in stdlib_finder.site_files().items():
        (site / name).write_text(text)
    compat = Path("mr", "lib", "stdlib_compat.py")
    shutil.copyfile(REPO / compat, site / compat)
    return site


#: site.py's handling of the site directory, as at start-up; then the finder installed by hand
#: too (on 3.10/3.11, where the .pth file does not) and twice more (idempotent), then imports
PROBE = textwrap.dedent(
    """
    import site, sys
    before = set(sys.modules)
    site.addsitedir(sys.argv[1])
    loaded = sorted(set(sys.modules) - before)
    site.addsitedir(sys.argv[1])
    import _mrkit_stdlib_finder
    _mrkit_stdlib_finder.install(); _mrkit_stdlib_finder.install()
    import distutils.version, distutils.spawn, pipes
    stand_ins = [n for n in _mrkit_stdlib_finder.NAMES
                 if _mrkit_stdlib_finder.is_stand_in(sys.modules[n])]
    finders = [i for i, f in enumerate(sys.meta_path) if getattr(f, "mrkit_stdlib_finder", 0)]
    ok = (distutils.version.LooseVersion("3.4.1") < "3.10", pipes.quote("a b") == "'a b'",
          distutils.spawn.find_executable("sh") is not None)
    import json
    print(json.dumps({"loaded": loaded, "stand_ins": stand_ins, "ok": ok, "mr": "mr" in sys.modules,
                      "finders": finders, "last": len(sys.meta_path) - 1}))
    """
)


def probe(python: str, *args: str, code: str = PROBE) -> dict:
    # isolated (no PYTHONPATH, no user site); setuptools' distutils shim off, so that the
    # standard library's distutils is what answers where there is one
    env = {**os.environ, "SETUPTOOLS_USE_DISTUTILS": "stdlib"}
    done = subprocess.run([python, "-I", "-c", code, *args], capture_output=True, text=True,
                          env=env, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("version", VERSIONS)
def test_the_finder_serves_a_stand_in_only_where_the_standard_library_has_none(version, site_dir):
    found = probe(python(version), str(site_dir))
    minor = int(version.split(".")[1])
    # the .pth file installs the finder on 3.12+ only, and loads nothing else to do it
    assert found["loaded"] == (["_mrkit_stdlib_finder"] if minor >= 12 else [])
    expected = (["distutils", "distutils.version", "distutils.spawn"] if minor >= 12 else []) + (
        ["pipes"] if minor >= 13 else []
    )
    assert found["stand_ins"] == expected  # on 3.10/3.11 the standard library's win
    assert found["ok"] == [True, True, True]
    assert found["finders"] == [found["last"]], "one finder, last on sys.meta_path"
    assert not found["mr"], "the finder does not import the mr package"


def test_mr_installs_the_same_finder_once_beside_the_wheel_s_copy(site_dir):
    """mr (imported from a checkout) finds the .pth file's finder there and adds none."""
    code = (
        "import site, sys; site.addsitedir(sys.argv[1]); sys.path.insert(0, sys.argv[2]);"
        "import _mrkit_stdlib_finder as top; top.install(); import mr;"
        "from mr.lib import stdlib_finder as ours; ours.install();"
        "finders = [f for f in sys.meta_path if getattr(f, 'mrkit_stdlib_finder', 0)];"
        "import json; print(json.dumps({'finders': len(finders),"
        " 'top': type(finders[0]).__module__, 'last': finders[0] is sys.meta_path[-1]}))"
    )
    found = probe(python("3.13"), str(site_dir), str(REPO), code=code)
    assert found == {"finders": 1, "top": "_mrkit_stdlib_finder", "last": True}


@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_mrjob_imports_with_only_the_finder(version, site_dir, tmp_path):
    """Plain mrjob 0.7.4 (a venv of it alone) imports and works with the .pth file's finder,
    even from a script directory that holds a package of its own called mr."""
    venv = byo.mrjob_venv(python(version), version)
    (tmp_path / "mr").mkdir()
    (tmp_path / "mr" / "__init__.py").write_text("raise ImportError('a user package named mr')\n")
    code = (
        "import site, sys; site.addsitedir(sys.argv[1]); sys.path.insert(0, sys.argv[2]);"
        "import mrjob.job, mrjob.compat, mrjob.util;"
        "ok = [mrjob.compat.version_gte('3.10.0', '3.4.1'), mrjob.util.cmd_line(['a b']),"
        " mrjob.util.which('sh') is not None];"
        "import json; print(json.dumps({'ok': ok, 'mr': 'mr' in sys.modules}))"
    )
    found = probe(str(venv / "bin" / "python"), str(site_dir), str(tmp_path), code=code)
    assert found == {"ok": [True, "'a b'", True], "mr": False}


def test_without_the_finder_plain_mrjob_does_not_import_on_3_13():
    """What the finder is for: mrjob 0.7.4 alone on 3.13 stops at pipes (or distutils)."""
    venv = byo.mrjob_venv(python("3.13"), "3.13")
    done = subprocess.run([str(venv / "bin" / "python"), "-I", "-c", "import mrjob.job"],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr


def test_a_submodule_of_another_distutils_is_not_ours(monkeypatch):
    """Where distutils is someone else's package (setuptools' copy, the standard library's),
    the finder does not add a distutils.version to it."""
    finder = stdlib_finder.StdlibFinder(stdlib_compat.__file__)
    other = type(sys)("distutils")
    monkeypatch.setitem(sys.modules, "distutils", other)
    assert finder.find_spec("distutils.version") is None
    assert finder.find_spec("json") is None
    assert finder.find_spec("distutils") is not None
    assert stdlib_finder.StdlibFinder("/nonexistent/stdlib_compat.py").find_spec("pipes") is None
