"""``-r spark --spark-master yarn`` on the session's mini cluster (tests/plugins/hadoop.py).

One multi-step job (cooccurrence: two steps in one spark-submit) against its golden rows; the
Spark jars' archive is on HDFS once afterwards and the run's temporary directory is gone. A
YARN master without a cluster is one line and exit code 1, also when mrjob.conf names it.
"""

from __future__ import annotations

import getpass
import os
import subprocess
import sys

import pytest

from tests.cases import load_case
from tests.support import REPO

pytestmark = [pytest.mark.spark, pytest.mark.hadoop]

SPARK_ARGS = [
    "--spark-args",
    "--conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false "
    "--driver-java-options=-XX:TieredStopAtLevel=1",
]  # fmt: skip


def _spark_job(case_name: str, *args: str, env: dict[str, str] | None = None):
    case = load_case(case_name)
    argv = [sys.executable, str(REPO / "mr" / f"{case.job}.py"), "-r", "spark", *args]
    return subprocess.run(
        [*argv, *case.args, *case.inputs],
        cwd=REPO,
        capture_output=True,
        timeout=900,
        env={**os.environ, **(env or {})},
    )


def _job_dirs(hdfs) -> set[str]:
    """mrjob's temporary directories of cooccurrence runs on the cluster."""
    tmp = f"/user/{getpass.getuser()}/tmp/mrjob"
    found = hdfs.ls(tmp) if hdfs.exists(tmp) else []
    return {e.path for e in found if "/cooccurrence." in e.path}


def test_multi_step_job_on_yarn_matches_golden(hadoop_cluster, hdfs):
    pytest.importorskip("pyspark")
    before = _job_dirs(hdfs)
    # the cluster's mrjob.conf names the executors' Python (a container's python3 has no mrjob)
    done = _spark_job(
        "cooccurrence",
        "-c", hadoop_cluster.mrjob_conf, "--spark-master", "yarn", *SPARK_ARGS,
        env={"HADOOP_CONF_DIR": hadoop_cluster.conf_dir},
    )  # fmt: skip
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, err[-4000:]
    out = done.stdout.decode("utf-8")
    assert sorted(out.split("\n")[:-1]) == load_case("cooccurrence").expected_rows()
    # the jars went to HDFS once (one archive, whatever ran before), and the job's own files
    # (uploaded input, step and counter output) are gone
    archives = [e.path for e in hdfs.ls("/tmp/mrkit/spark")]
    assert len(archives) == 1 and archives[0].endswith(".zip"), archives
    assert _job_dirs(hdfs) == before


def test_yarn_master_from_mrjob_conf_without_a_cluster(tmp_path):
    pytest.importorskip("pyspark")
    conf = tmp_path / "mrjob.conf"
    conf.write_text("runners:\n  spark:\n    spark_master: yarn\n")
    empty = tmp_path / "no-cluster"
    empty.mkdir()
    done = _spark_job("cooccurrence", "-c", str(conf), env={"HADOOP_CONF_DIR": str(empty)})
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 1, err
    assert err.strip().splitlines() == [
        f"cooccurrence: job failed: --spark-master yarn: no yarn-site.xml in {empty} "
        "(HADOOP_CONF_DIR): start a cluster with `mrkit cluster up` or point HADOOP_CONF_DIR "
        "at one's client configuration"
    ]


def test_jars_archive_is_built_once_per_jar_set(tmp_path):
    pytest.importorskip("pyspark")
    import zipfile

    from mr.lib import spark_yarn

    jars = tmp_path / "jars"
    jars.mkdir()
    for name in ("b.jar", "a.jar"):
        (jars / name).write_bytes(name.encode() * 10)
    (jars / "README").write_text("not a jar")
    cache = str(tmp_path / "cache")
    built = spark_yarn.local_archive(cache, jars)
    with zipfile.ZipFile(built) as z:
        assert [(i.filename, i.compress_type) for i in z.infolist()] == [
            ("a.jar", zipfile.ZIP_STORED), ("b.jar", zipfile.ZIP_STORED),
        ]  # fmt: skip
    stamp = os.stat(built).st_mtime_ns
    assert spark_yarn.local_archive(cache, jars) == built
    assert os.stat(built).st_mtime_ns == stamp  # not built again
    (jars / "a.jar").write_bytes(b"another size")
    assert spark_yarn.local_archive(cache, jars) != built
    assert sorted(os.listdir(cache)) == sorted(
        [os.path.basename(built), spark_yarn.archive_name(jars)]
    )


@pytest.mark.parametrize(
    "master, yarn", [("yarn", True), ("local[2]", False), ("local", False), (None, False)]
)
def test_which_masters_are_yarn(master, yarn):
    from mr.lib import spark_yarn

    assert spark_yarn.is_yarn(master) is yarn
