"""Oozie fixtures.

`oozie_jars` (session): Oozie's jars fetched with Maven (scripts/oozie/pom.xml); it gives
oozie-client's jar, whose XSDs mr/workflow/validate.py reads. Tests that use it carry the
`oozie_jars` marker.

`oozie_server` (session): the real Oozie 5.2.1 server of `mrkit oozie up` on the session's
Hadoop cluster, with error code 1 retried (a failing shell action's code), started once and
stopped at the end; one already running on that cluster with those codes is reused. Tests that
use it carry the `oozie` marker.

Both fail under CI, and skip otherwise, when their engine cannot be had. `oozie_settings`:
mr.workflow.remote.OozieSettings for that server and the session's cluster; `work`: a fresh
HDFS directory for one test's runs.
"""

from __future__ import annotations

import uuid

import pytest

from tests.plugins.engines import session_engine, unavailable

#: what the server retries besides Oozie's defaults: 1, a failing shell action's error code
RETRY_CODES = "1"


@pytest.fixture(scope="session")
def oozie_jars():
    from mr.engines import EngineError
    from mr.workflow.validate import client_jar

    try:
        return client_jar()
    except (EngineError, OSError) as e:
        unavailable("oozie jars", e)


@pytest.fixture(scope="session")
def oozie_server(hadoop_cluster):
    from mr.clients.hdfs import HdfsError
    from mr.engines import oozie as engine

    def start():
        return engine.up(retry_codes=RETRY_CODES)

    def ours(running) -> bool:
        return running.hadoop_pid == hadoop_cluster.pid and running.retry_codes == RETRY_CODES

    with session_engine(
        "oozie", engine.info, start, engine.down, reuse=ours, errors=(HdfsError,)
    ) as state:
        yield state


@pytest.fixture
def oozie_settings(oozie_server, hadoop_cluster, hdfs):
    from mr.clients.oozie import Oozie
    from mr.workflow.remote import OozieSettings

    return OozieSettings(
        oozie=Oozie(oozie_server.url),
        fs=hdfs,
        name_node=hadoop_cluster.fs_uri,
        resource_manager=f"localhost:{hadoop_cluster.ports.rm}",
        poll=0.5,
    )


@pytest.fixture
def work(hdfs):
    """A fresh HDFS directory for one test's workflow (deleted afterwards)."""
    path = f"/mrkit-tests/wf-{uuid.uuid4().hex[:10]}"
    hdfs.mkdir(path)
    yield path
    hdfs.rm(path, recursive=True)
