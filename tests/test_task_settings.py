"""What a YARN task is told by its launcher: a container does not see the launcher's
environment, so settings the launcher took from it travel on the task's command line or in its
cmdenv (checked on the runner's arguments; the secure HBase tests run such a job for real)."""

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


def test_the_state_root_reaches_the_tasks_hadoop_command(monkeypatch, tmp_path):
    monkeypatch.setenv("MRKIT_HOME", str(tmp_path))
    assert runner_kwargs("-r", "hadoop")["cmdenv"]["MRKIT_HOME"] == str(tmp_path)
    monkeypatch.delenv("MRKIT_HOME")
    assert "MRKIT_HOME" not in (runner_kwargs("-r", "hadoop").get("cmdenv") or {})
