"""scripts/mrjob_suite.py's pure parts: JUnit results, the differences, the report."""

import importlib.util
import subprocess
import sys
import tarfile
import textwrap

import pytest

from tests.support import REPO

_spec = importlib.util.spec_from_file_location("mrjob_suite", REPO / "scripts" / "mrjob_suite.py")
assert _spec is not None and _spec.loader is not None
suite = importlib.util.module_from_spec(_spec)
sys.modules["mrjob_suite"] = suite  # dataclasses look their module up there
_spec.loader.exec_module(suite)

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="2" failures="2" skipped="2" tests="7">
  <testcase classname="tests.test_sim.SimRunnerJobConfTestCase" name="test_input_files"
            file="tests/test_sim.py" line="120" time="0.5"><failure message="4 != 2">x</failure>
  </testcase>
  <testcase classname="tests.test_sim.SimRunnerJobConfTestCase" name="test_cmdenv"
            file="tests/test_sim.py" line="90" time="0.1"/>
  <testcase classname="tests.logs.test_ids" name="test_sort_key" file="tests/logs/test_ids.py"
            line="3" time="0.0"/>
  <testcase classname="tests.test_job.SparkTestCase" name="test_spark" file="tests/test_job.py"
            line="9" time="0.0"><skipped type="pytest.skip" message="no pyspark">x</skipped>
  </testcase>
  <testcase classname="tests.test_job.XfailTestCase" name="test_x" file="tests/test_job.py"
            line="9" time="0.0"><skipped type="pytest.xfail" message="">x</skipped></testcase>
  <testcase classname="tests.test_local.TeardownTestCase" name="test_t"
            file="tests/test_local.py" line="9" time="0.0"><failure message="f">x</failure>
  </testcase>
  <testcase classname="tests.test_local.TeardownTestCase" name="test_t"
            file="tests/test_local.py" line="9" time="0.0"><error message="teardown">x</error>
  </testcase>
  <testcase classname="tests.test_local.SimRunnerJobConfTestCase" name="test_input_files"
            file="tests/test_sim.py" line="185" time="0.2"/>
  <testcase classname="" name="tests.test_emr" time="0.0"><error message="collection failure"
            >ModuleNotFoundError</error></testcase>
</testsuite></testsuites>
"""


def test_parse_junit_gives_pytest_ids_and_outcomes():
    assert suite.parse_junit(JUNIT) == {
        "tests/test_sim.py::SimRunnerJobConfTestCase::test_input_files": "failed",
        "tests/test_sim.py::SimRunnerJobConfTestCase::test_cmdenv": "passed",
        "tests/logs/test_ids.py::test_sort_key": "passed",
        "tests/test_job.py::SparkTestCase::test_spark": "skipped",
        "tests/test_job.py::XfailTestCase::test_x": "skipped",
        "tests/test_local.py::TeardownTestCase::test_t": "error",  # the worse of the two
        # test_local imports the class from test_sim: pytest runs it in both (the file
        # attribute, where pytest writes one, names test_sim.py for both)
        "tests/test_local.py::SimRunnerJobConfTestCase::test_input_files": "passed",
        "tests.test_emr": "error",  # a module that could not be collected
    }


def test_parse_junit_of_a_real_pytest_run(tmp_path):
    """The XML as this pytest writes it, for unittest classes and test functions."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__init__.py").write_text("")
    (tmp_path / "tests" / "test_some.py").write_text(textwrap.dedent("""\
        from unittest import TestCase, skip

        class SomeTestCase(TestCase):
            def test_ok(self):
                pass

            def test_bad(self):
                self.assertEqual(1, 2)

            @skip("no pyspark")
            def test_skipped(self):
                pass

        def test_function():
            pass
        """))  # fmt: skip
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    xml = tmp_path / "results.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    f"--junitxml={xml}", "tests"], cwd=tmp_path, capture_output=True,
                   timeout=120)  # fmt: skip
    assert suite.parse_junit(xml.read_bytes()) == {
        "tests/test_some.py::SomeTestCase::test_ok": "passed",
        "tests/test_some.py::SomeTestCase::test_bad": "failed",
        "tests/test_some.py::SomeTestCase::test_skipped": "skipped",
        "tests/test_some.py::test_function": "passed",
    }


def test_differences_by_id_with_absent_tests():
    plain = {"a::x": "passed", "a::y": "failed", "a::z": "passed", "b::gone": "passed"}
    fixes = {"a::x": "passed", "a::y": "failed", "a::z": "failed", "b::new": "error"}
    assert suite.differences(plain, fixes) == [
        ("a::z", "passed", "failed"),
        ("b::gone", "passed", "absent"),
        ("b::new", "absent", "error"),
    ]
    assert suite.differences(plain, dict(plain)) == []


def test_reason_matches_patterns_in_order():
    reasons = {"tests/test_local.py::TestsToPort::*": "not a TestCase", "tests/*": "any"}
    assert suite.reason("tests/test_local.py::TestsToPort::test_dont_split_gz", reasons) == (
        "not a TestCase"
    )
    assert suite.reason("tests/test_sim.py::T::test_input_files", reasons) == "any"
    assert suite.reason("other::t", reasons) is None


def _run(version, mode, outcomes, seconds=10.0, problem=""):
    return suite.Run(version, mode, outcomes, seconds, 0 if not problem else 2, problem)


SIM = "tests/test_sim.py::SimRunnerJobConfTestCase::test_input_files"
PORT = "tests/test_local.py::TestsToPort::test_dont_split_gz"
RUNS = [
    _run("3.11", "plain", {SIM: "passed", PORT: "failed", "t::skip": "skipped"}, 98.4),
    _run("3.11", "fixes", {SIM: "failed", PORT: "failed", "t::skip": "skipped"}, 101.6),
    _run("3.13", "plain", {SIM: "passed", PORT: "failed", "t::skip": "skipped"}),
    _run("3.13", "fixes", {SIM: "failed", PORT: "failed", "t::skip": "passed"}),
]


def test_unexplained_differences_fail_the_check():
    explained = {SIM: "one split per core"}
    assert suite.unexplained(RUNS, explained) == [("3.13", "t::skip", "skipped", "passed")]
    assert suite.unexplained(RUNS, {**explained, "t::*": "why"}) == []
    assert suite.unexplained(RUNS, {}) == [
        ("3.11", SIM, "passed", "failed"),
        ("3.13", "t::skip", "skipped", "passed"),  # by id, per Python
        ("3.13", SIM, "passed", "failed"),
    ]


def test_report_table_differences_and_mrjob_own_failures():
    text = suite.report(RUNS, {SIM: "one split per core", "gone::*": "old"}, suite.MRJOB_OWN)
    lines = text.splitlines()
    assert lines[2].split() == ["Python", "run", "tests", "passed", "failed", "error",
                                "skipped", "time"]  # fmt: skip
    assert lines[3].split() == ["3.11", "plain", "3", "1", "1", "0", "1", "98s"]
    assert lines[4].split() == ["3.11", "fixes", "3", "0", "2", "0", "1", "102s"]
    assert "Outcome differs, plain -> fixes: 2 (1 not explained)" in text
    assert f"  one split per core\n    {SIM}: passed -> failed  [3.11 3.13]\n" in text
    assert (
        "  NOT EXPLAINED: add a reason to EXPLAINED\n    t::skip: skipped -> passed  [3.13]\n"
        in text
    )
    assert "matched no difference here: gone::*" in text
    assert "mrjob's own failures (plain): 1" in text
    why = suite.MRJOB_OWN["tests/test_local.py::TestsToPort::*"]
    assert f"  {why}\n    {PORT}  [3.11 3.13]\n" in text


def test_a_run_that_did_not_finish_is_reported_not_compared():
    runs = [_run("3.12", "plain", {SIM: "passed"}),
            _run("3.12", "fixes", {}, problem="pytest exited 2")]  # fmt: skip
    text = suite.report(runs, {}, {})
    assert "3.12     fixes  did not finish: pytest exited 2" in text
    assert "Outcome differs, plain -> fixes: 0 (0 not explained)" in text
    assert suite.unexplained(runs, {}) == []


def test_missing_test_data_is_written(tmp_path):
    (tmp_path / "tests").mkdir()
    suite.add_missing_test_data(tmp_path)
    data = tmp_path / "tests" / "mr_upload_attrs_job"
    assert sorted(p.name for p in data.iterdir()) == ["README.txt", "empty.tar.gz"]
    with tarfile.open(data / "empty.tar.gz") as tar:
        assert tar.getmembers() == []


@pytest.mark.parametrize(
    ("standins", "fixes", "files"),
    [
        (False, False, None),  # plain on 3.10/3.11: nothing of mrkit
        (True, False, ["mr", "sitecustomize.py"]),
        (False, True, ["mr", "mrkit_suite_fixes.py"]),
        (True, True, ["mr", "mrkit_suite_fixes.py", "sitecustomize.py"]),
    ],
)
def test_shim_holds_what_the_run_needs(tmp_path, standins, fixes, files):
    path = suite.shim(tmp_path, standins, fixes)
    if files is None:
        assert path is None
        return
    assert sorted(p.name for p in path.iterdir()) == files
    assert (path / "mr").resolve() == (REPO / "mr").resolve()
    assert not (path / "tests").exists()  # mrkit's tests package would shadow mrjob's
