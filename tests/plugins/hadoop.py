"""The `hadoop_cluster` session fixture: a real Hadoop 3.4.1 MiniCluster (HDFS + YARN).

A cluster already running (`mrkit cluster up`) is reused and left running; otherwise one is
started once for the session and stopped at its end, also when tests fail. Tests get the
`mr.engines.hadoop.ClusterInfo` (ports, URLs, generated mrjob.conf). `hdfs` gives an
`mr.clients.hdfs.HDFS` client of that cluster, and `hdfs_dir` a fresh HDFS directory per test.
"""

from __future__ import annotations

import uuid

import pytest

from tests.plugins.engines import session_engine


@pytest.fixture(scope="session")
def hadoop_cluster():
    from mr.engines import hadoop as engine

    def answers(cluster) -> bool:
        return engine.webhdfs_answers(cluster.webhdfs_url)

    with session_engine("hadoop", engine.info, engine.up, engine.down, reuse=answers) as state:
        yield state


@pytest.fixture(scope="session")
def hdfs(hadoop_cluster):
    from mr.clients import hdfs as hdfs_module

    return hdfs_module.client(url=hadoop_cluster.webhdfs_url)


@pytest.fixture
def hdfs_dir(hdfs):
    """A new, empty HDFS directory for one test, deleted afterwards."""
    path = f"/mrkit-tests/{uuid.uuid4().hex[:12]}"
    hdfs.mkdir(path)
    yield path
    hdfs.rm(path, recursive=True)
