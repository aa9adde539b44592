import subprocess

import pytest

# Start children with fork(), not vfork(). CPython 3.11 drops the GIL around vfork(); with several
# threads starting and reading processes (tests/test_spark.py runs jobs from a thread pool), CI saw
# "OSError: [Errno 14] Bad address" from Popen here, twice. _USE_VFORK is CPython's documented
# fail-safe switch for such cases (gh-91401); it costs a little start-up time per child.
subprocess._USE_VFORK = False

# Session-scoped engine fixtures (each engine starts once per test session, stops at its end).
pytest_plugins = [
    "tests.plugins.engines",
    "tests.plugins.hadoop",
    "tests.plugins.hbase",
    "tests.plugins.hive",
    "tests.plugins.pig",
    "tests.plugins.oozie",
    "tests.plugins.mysql",
]


def pytest_collection_modifyitems(items):
    """The wheel test first: it starts a cluster of its own, before the session's holds the
    ports (tests/test_wheel.py)."""
    items.sort(key=lambda item: item.get_closest_marker("wheel") is None)


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/fixtures/<stem>/expected.tsv from the MR run (review the diff)",
    )


@pytest.fixture(params=["inline", "local"])
def runner(request):
    """Each job test runs on both of mrjob's one-machine runners."""
    return request.param


@pytest.fixture
def no_java(monkeypatch, tmp_path):
    """No java anywhere: a twin that got as far as the JVM would fail with exit code 1, so a test
    can show that a usage error comes before any JVM."""
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("MRKIT_HOME", str(tmp_path / "home"))
