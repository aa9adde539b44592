"""Hive and Pig twins beyond local mode: input in HDFS, queries run as MapReduce jobs on YARN
(the `hadoop_cluster` session fixture, tests/plugins/hadoop.py), rows equal the golden file."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.cases import load_case
from tests.plugins.engines import unavailable


def _cluster(request):
    try:
        return request.getfixturevalue("hadoop_cluster")
    except pytest.FixtureLookupError as e:
        unavailable("hadoop", RuntimeError(f"no hadoop_cluster fixture: {e.msg}"))


def _run_on_cluster(request, engine_module, script: str, case_name: str) -> None:
    from mr.clients import hdfs
    from mr.engines import hadoop
    from mr.engines.twins import TwinRun

    cluster = _cluster(request)
    conf = Path(getattr(cluster, "conf_dir", None) or hadoop.conf_dir())
    fs_uri = getattr(cluster, "fs_uri", None) or hadoop.info().fs_uri
    case = load_case(case_name)
    fs = hdfs.client()
    base = f"/tmp/mrkit-twin-{case_name}-{uuid.uuid4().hex[:8]}"
    for path in case.inputs:
        fs.write_bytes(f"{base}/input/{Path(path).name}", Path(path).read_bytes(), overwrite=True)
    job = TwinRun(
        script=Path(script),
        output=Path(base) / "unused-local-output",
        vars={"INPUT": f"{fs_uri}{base}/input", "OUTPUT": f"{fs_uri}{base}/output"},
    )
    try:
        engine_module.run(job, hadoop_conf=conf)
        rows = []
        for entry in fs.ls(f"{base}/output"):
            name = entry.path.rsplit("/", 1)[-1]
            if entry.kind == "file" and not name.startswith(("_", ".")):
                text = fs.read_bytes(entry.path).decode("utf-8")
                rows += text.split("\n")[:-1] if text else []
        assert sorted(rows) == case.expected_rows()
    finally:
        fs.rm(base, recursive=True)


@pytest.mark.hive
@pytest.mark.hadoop
def test_hive_word_count_on_yarn(request, hive_engine):
    """hive/word_count.q (with its TRANSFORM through mr.lib.streams) on YARN over HDFS."""
    _run_on_cluster(request, hive_engine, "hive/word_count.q", "word_count")


@pytest.mark.pig
@pytest.mark.hadoop
def test_pig_word_count_on_yarn(request, pig_engine):
    """pig/word_count.pig (with its STREAM through mr.lib.streams) on YARN over HDFS."""
    _run_on_cluster(request, pig_engine, "pig/word_count.pig", "word_count")
