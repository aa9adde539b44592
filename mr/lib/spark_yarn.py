"""``-r spark --spark-master yarn``: mrjob's Spark runner on the cluster of ``mrkit cluster up``.

What a spark-submit to YARN needs here, added by mr/lib/mrjob_fixes.py when a job's Spark master
is ``yarn`` (``--spark-master yarn`` or ``spark_master: yarn`` in mrjob.conf):

- ``HADOOP_CONF_DIR``: the user's, else the client configuration `mrkit cluster up` writes (the
  ResourceManager's and the NameNode's addresses); no cluster: one line, exit code 1;
- the Spark jars of pyspark's wheel (``pyspark/jars``, 280 jars, 462 MB) as one zip on HDFS,
  ``spark.yarn.archive``: without it every spark-submit zips and uploads them again. The zip is
  built once per Spark version and jar set (its name holds a digest of the jars' names and
  sizes), kept in mrjob_fixes.archive_cache_dir(), and put on HDFS once under
  ``/tmp/mrkit/spark`` (written under a temporary name, then renamed: a reader never sees half
  of it, and two first runs at once both end with the one whole archive);
- one executor of 512 MB with two cores and a 512 MB ApplicationMaster (mrjob's default client
  deploy mode: the driver runs in the launcher), which fit the mini cluster's NodeManager (4 GB);
- ``spark.hadoop.net.topology.node.switch.mapping.impl``: the MiniCluster's client
  configuration names Hadoop's test class ``StaticMapping``, which pyspark's shaded Hadoop
  client lacks (spark-submit failed with ClassNotFoundException before this);
- no wait for executors before the first stage (``minRegisteredResourcesRatio`` 0): tasks wait
  for an executor anyway, and Spark's own wait is up to 30 s.

pyspark 4.3's Hadoop 3.5.0 client talks to the Hadoop 3.4.1 MiniCluster (HDFS and YARN).
The executors run the job's ``python_bin`` (mrjob's PYSPARK_PYTHON): the cluster's mrjob.conf
sets it to the venv's Python for the hadoop and spark runners.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import Any

#: where the Spark jars' archives are kept on HDFS (one per Spark version and jar set)
HDFS_ARCHIVE_DIR = "/tmp/mrkit/spark"

#: spark-submit settings for the mini cluster (a job's own spark_args come after, and win)
YARN_SETTINGS = {
    "spark.executor.instances": "1",
    "spark.executor.cores": "2",
    "spark.executor.memory": "512m",
    "spark.yarn.am.memory": "512m",
    "spark.scheduler.minRegisteredResourcesRatio": "0",
    "spark.hadoop.net.topology.node.switch.mapping.impl": (
        "org.apache.hadoop.net.ScriptBasedMapping"
    ),
}


class NoCluster(ConnectionError):
    """No Hadoop client configuration for spark-submit to find YARN with."""


def is_yarn(master: str | None) -> bool:
    """Whether a Spark master is YARN's."""
    return (master or "").split("://")[0] == "yarn"


def hadoop_conf_dir() -> str:
    """$HADOOP_CONF_DIR, else the client configuration of `mrkit cluster up`; NoCluster if
    neither exists."""
    from mr.lib.webhdfs import cluster_conf_dir

    given = os.environ.get("HADOOP_CONF_DIR")
    conf = Path(given) if given else cluster_conf_dir()
    if not (conf / "yarn-site.xml").is_file():
        where = "HADOOP_CONF_DIR" if given else "the cluster of `mrkit cluster up`"
        raise NoCluster(
            f"--spark-master yarn: no yarn-site.xml in {conf} ({where}): start a cluster "
            "with `mrkit cluster up` or point HADOOP_CONF_DIR at one's client configuration"
        )
    return str(conf)


def jars_dir() -> Path:
    """pyspark's Spark jars."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent / "jars"


def archive_name(jars: Path | None = None) -> str:
    """spark-jars-<version>-<digest of the jars' names and sizes>.zip: another jar set, another
    name (hashing 462 MB of bytes on every run would cost seconds)."""
    import pyspark

    jars = jars or jars_dir()
    digest = hashlib.sha256()
    for jar in sorted(jars.glob("*.jar")):
        digest.update(f"{jar.name}\0{jar.stat().st_size}\n".encode())
    return f"spark-jars-{pyspark.__version__}-{digest.hexdigest()[:16]}.zip"


def local_archive(cache_dir: str, jars: Path | None = None) -> str:
    """The zip of the Spark jars (stored, not deflated: jars are compressed already), built
    once into `cache_dir`."""
    jars = jars or jars_dir()
    path = os.path.join(cache_dir, archive_name(jars))
    if os.path.exists(path):
        return path
    os.makedirs(cache_dir, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=cache_dir, prefix=".building-", suffix=".zip")
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as z:
            for jar in sorted(jars.glob("*.jar")):
                z.write(jar, jar.name)  # at the top: Spark puts <archive>/* on the classpath
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise
    return path


def hdfs_archive(client: Any, cache_dir: str, directory: str = HDFS_ARCHIVE_DIR) -> str:
    """The HDFS path of the Spark jars' archive under `directory`; when it is not there yet,
    built (local_archive) and uploaded under a temporary name, then renamed."""
    from mr.lib.webhdfs import file_status

    target = posixpath.join(directory, archive_name())
    if file_status(client, target) is not None:
        return target
    local = local_archive(cache_dir)
    client.makedirs(directory)
    temp = posixpath.join(directory, f".uploading-{uuid.uuid4().hex}")
    try:
        client.upload(temp, local, overwrite=False)
        if file_status(client, target) is None:
            client.rename(temp, target)
    finally:
        client.delete(temp)  # gone already when renamed; another run's archive came first
    return target


def submit_args(archive_uri: str) -> list[str]:
    """The spark-submit --conf arguments of YARN_SETTINGS and the jars' archive."""
    args: list[str] = []
    for key, value in {**YARN_SETTINGS, "spark.yarn.archive": archive_uri}.items():
        args += ["--conf", f"{key}={value}"]
    return args
