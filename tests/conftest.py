import pytest

# Session-scoped engine fixtures (each engine starts once per test session, stops at its end).
pytest_plugins = [
    "tests.plugins.engines",
    "tests.plugins.hadoop",
    "tests.plugins.hbase",
    "tests.plugins.hive",
    "tests.plugins.pig",
]


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
