"""What a YARN task is told by its launcher: a container does not see the launcher's
environment, so settings the launcher took from it travel on the task's command line (checked
on the runner's arguments; the secure HBase tests run such a job for real). The state root
reaches containers from the cluster's own environment instead (hadoop.container_env:
test_secure.py::test_tasks_get_delegation_tokens_not_keytabs)."""

from __future__ import annotations

import pytest

from mr.hbase_join import HBaseJoin

ARGS = ["--table", "t", "--columns", "f:count", "hdfs:///in"]


def runner_kwargs(*argv: str) -> dict:
    return HBaseJoin([*argv, *ARGS])._runner_kwargs()


@pytest.mark.parametrize("runner", ["hadoop", "local"])
def test_hbase_settings_from_the_environment_reach_the_tasks(monkeypatch, runner):
    monkeypatch.setenv("MRKIT_HBASE_HOST", "hbase.example")
    monkeypatch.setenv("MRKIT_HBASE_THRIFT_PORT", "19191")
    monkeypatch.setenv("MRKIT_HBASE_PROTOCOL", "compact")
    extra = runner_kwargs("-r", runner)["extra_args"]
    pairs = dict(zip(extra[::2], extra[1::2], strict=True))
    assert pairs["--hbase-host"] == "hbase.example"
    assert pairs["--hbase-port"] == "19191"
    assert pairs["--hbase-protocol"] == "compact"
    assert pairs["--hbase-transport"] == "buffered" and pairs["--hbase-sasl"] == "off"


def test_an_option_given_is_not_repeated(monkeypatch):
    monkeypatch.setenv("MRKIT_HBASE_HOST", "from-env")
    extra = runner_kwargs("-r", "hadoop", "--hbase-host", "given")["extra_args"]
    assert extra.count("--hbase-host") == 1
    assert extra[extra.index("--hbase-host") + 1] == "given"
