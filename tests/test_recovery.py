"""Recovery pieces of issue 27 point 2 without engines (the faults themselves:
tests/test_faults.py): a follower waits for an Oozie server that stopped answering, Oozie's
database is kept for the same cluster, the HBase client's warnings survive a binary stderr."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from mr.clients.oozie import Oozie, OozieUnavailable
from mr.workflow.remote import OozieSettings, patiently


def settings(patience: float, said: list[str]) -> OozieSettings:
    return OozieSettings(
        oozie=Oozie("http://127.0.0.1:9"),
        fs=None,  # type: ignore[arg-type]
        name_node="hdfs://x",
        resource_manager="x:1",
        poll=0.01,
        patience=patience,
        on_wait=said.append,
    )


def test_a_follower_waits_for_the_server_to_come_back(monkeypatch):
    monkeypatch.setattr("mr.workflow.remote.time.sleep", lambda s: None)
    answers = iter([OozieUnavailable("", "Oozie at U does not answer (refused)")] * 3 + ["ok"])

    def ask():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    said: list[str] = []
    assert patiently(settings(60, said), ask) == "ok"
    assert said == ["Oozie at U does not answer (refused); waiting up to 60s"]


def test_a_follower_gives_up_after_its_patience():
    said: list[str] = []
    with pytest.raises(OozieUnavailable):
        patiently(settings(0, said), lambda: Oozie("http://127.0.0.1:9").status())
    assert len(said) == 1


def test_oozie_keeps_the_database_of_the_same_cluster(monkeypatch, tmp_path):
    from mr.engines import oozie

    monkeypatch.setenv("MRKIT_HOME", str(tmp_path))
    oozie._keep_or_renew_database(111, print)
    (oozie.data_dir() / "oozie-db").mkdir()
    (oozie.data_dir() / "oozie-db" / "seg0").write_text("jobs")
    oozie._keep_or_renew_database(111, print)  # the server restarted on the same cluster
    assert (oozie.data_dir() / "oozie-db" / "seg0").read_text() == "jobs"
    oozie._keep_or_renew_database(222, print)  # a new cluster: its HDFS has none of the files
    assert not (oozie.data_dir() / "oozie-db").exists()
    assert json.loads((oozie.data_dir() / "cluster.json").read_text()) == {"hadoop_pid": 222}


def test_hbase_warnings_survive_a_binary_stderr(monkeypatch):
    from mr.clients.hbase import LOG

    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    binary = io.BytesIO()
    monkeypatch.setattr(sys, "stderr", binary)
    LOG.warning("HBase %s: %s; reconnecting", "get", "refused")  # raised TypeError before
    assert b"reconnecting" in binary.getvalue()
