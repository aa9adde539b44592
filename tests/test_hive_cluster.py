"""Hive and Pig twins beyond local mode (`mrkit hive|pig run --cluster`): input in HDFS, queries
run as MapReduce jobs on YARN (the `hadoop_cluster` session fixture, tests/plugins/hadoop.py),
rows equal the golden file, in part files as every mrkit output."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.cases import load_case
from tests.plugins.engines import unavailable
from tests.support import hdfs_rows, mrkit


def _cluster(request):
    try:
        return request.getfixturevalue("hadoop_cluster")
    except pytest.FixtureLookupError as e:
        unavailable("hadoop", RuntimeError(f"no hadoop_cluster fixture: {e.msg}"))


def _run_on_cluster(request, engine: str, case_name: str) -> None:
    """`mrkit ENGINE run CASE --cluster`: rows equal the golden file, published as every mrkit
    output is (part-NNNNN files and _SUCCESS, not Hive's 000000_0 or Pig's part-m-00000)."""
    from mr.clients import hdfs
    from mr.engines import hadoop

    cluster = _cluster(request)
    conf = Path(getattr(cluster, "conf_dir", None) or hadoop.conf_dir())
    case = load_case(case_name)
    fs = hdfs.client()
    base = f"/tmp/mrkit-twin-{case_name}-{uuid.uuid4().hex[:8]}"
    for path in case.inputs:
        fs.write_bytes(f"{base}/input/{Path(path).name}", Path(path).read_bytes(), overwrite=True)
    try:
        done = mrkit(engine, "run", case_name, "--cluster", "--input", f"{base}/input",
                     "--output", f"{base}/output", env={"HADOOP_CONF_DIR": str(conf)})  # fmt: skip
        assert done.returncode == 0, done.stderr
        names = sorted(e.path.rsplit("/", 1)[-1] for e in fs.ls(f"{base}/output"))
        assert names[0] == "_SUCCESS"
        assert names[1:] == [f"part-{i:05d}" for i in range(len(names) - 1)]
        assert sorted(hdfs_rows(fs, f"{base}/output")) == case.expected_rows()
    finally:
        fs.rm(base, recursive=True)


@pytest.mark.hive
@pytest.mark.hadoop
def test_hive_word_count_on_yarn(request, hive_engine):
    """hive/word_count.q (with its TRANSFORM through mr.lib.streams) on YARN over HDFS."""
    _run_on_cluster(request, "hive", "word_count")


@pytest.mark.pig
@pytest.mark.hadoop
def test_pig_word_count_on_yarn(request, pig_engine):
    """pig/word_count.pig (with its STREAM through mr.lib.streams) on YARN over HDFS."""
    _run_on_cluster(request, "pig", "word_count")
