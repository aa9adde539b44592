"""Defaults and environment variable names that `mrkit ... --help` shows, kept apart from the
engines, clients and workflow modules that use them.

Building the `mrkit` parser must stay cheap (no JVM launchers, HTTP clients, MySQL driver or
workflow model imported just to print a usage line), so mr/cli reads these from here and the
modules that own them (mr.engines.hadoop, mr.engines.oozie, mr.workflow.local,
mr.clients.mysql_export) take them from here too, under their old names. Standard library only.
"""

from __future__ import annotations

import os

#: the runners mrkit runs jobs on (mrjob's others, emr and dataproc, are cloud services')
RUNNERS = ("inline", "local", "hadoop", "spark")

# -- mr/engines/hadoop.py ------------------------------------------------------------------------

#: seconds `mrkit cluster up` waits for HDFS and YARN
HADOOP_START_TIMEOUT = float(os.environ.get("MRKIT_HADOOP_START_TIMEOUT", "180"))

#: the cluster's ports: environment variable -> default (Hadoop's own defaults). Each listens on
#: the bind host (mr.lib.config.bind_host: 127.0.0.1 unless told otherwise). The NodeManager's
#: and the DataNode's take free ports (MiniYARNCluster and MiniDFSCluster choose them whatever
#: the configuration says), on the bind host too, except the shuffle's (mr.engines.hadoop)
HADOOP_PORT_DEFAULTS = {
    "MRKIT_HDFS_PORT": 8020,  # NameNode RPC (fs.defaultFS)
    "MRKIT_WEBHDFS_PORT": 9870,  # NameNode HTTP: WebHDFS and the web UI
    "MRKIT_RM_PORT": 8032,  # ResourceManager RPC (job submission)
    "MRKIT_RM_SCHEDULER_PORT": 8030,  # ResourceManager scheduler (ApplicationMasters)
    "MRKIT_RM_TRACKER_PORT": 8031,  # ResourceManager resource tracker (NodeManagers register)
    "MRKIT_RM_ADMIN_PORT": 8033,  # ResourceManager admin (`yarn rmadmin`)
    "MRKIT_RM_WEB_PORT": 8088,  # ResourceManager web UI and REST
    "MRKIT_JHS_PORT": 10020,  # JobHistory server RPC
    "MRKIT_JHS_WEB_PORT": 19888,  # JobHistory web UI and REST
    "MRKIT_JHS_ADMIN_PORT": 10033,  # JobHistory admin (`mapred hsadmin`)
}

# -- mr/engines/secure.py: the Kerberized cluster of `mrkit cluster up --secure` -------------------

#: the secure cluster's ports, all on localhost (environment variable -> default): disjoint from
#: the open cluster's (above) and from Hadoop's defaults, so that both clusters can run at once.
#: Every daemon port is set, the ResourceManager's scheduler/tracker/admin/web ones too: unset,
#: they fall back to Hadoop's fixed defaults, which the open cluster holds.
SECURE_PORT_DEFAULTS = {
    "MRKIT_SECURE_KDC_PORT": 16088,  # the MiniKdc (TCP)
    "MRKIT_SECURE_HDFS_PORT": 18020,  # NameNode RPC (fs.defaultFS)
    "MRKIT_SECURE_WEBHDFS_PORT": 19871,  # NameNode HTTPS: WebHDFS (SPNEGO) and the web UI
    "MRKIT_SECURE_RM_PORT": 18032,  # ResourceManager RPC (job submission)
    "MRKIT_SECURE_RM_SCHEDULER_PORT": 18030,
    "MRKIT_SECURE_RM_TRACKER_PORT": 18031,
    "MRKIT_SECURE_RM_ADMIN_PORT": 18033,
    "MRKIT_SECURE_RM_WEB_PORT": 18088,
    # set, but the MiniCluster bound its NodeManager on free ports here (seen with ss)
    "MRKIT_SECURE_NM_WEB_PORT": 18042,
    "MRKIT_SECURE_NM_LOCALIZER_PORT": 18040,
    "MRKIT_SECURE_JHS_PORT": 18022,  # JobHistory RPC
    "MRKIT_SECURE_JHS_WEB_PORT": 18889,
    "MRKIT_SECURE_JHS_ADMIN_PORT": 18034,
}
#: the secure HBase's ports (mrkit hbase up --secure: mr/engines/hbase_secure.py), disjoint
#: from the open HBase's
SECURE_HBASE_PORT_DEFAULTS = {
    "MRKIT_SECURE_HBASE_ZK_PORT": 12182,
    "MRKIT_SECURE_HBASE_MASTER_PORT": 16100,
    "MRKIT_SECURE_HBASE_REGIONSERVER_PORT": 16120,
    "MRKIT_SECURE_HBASE_THRIFT_PORT": 19090,
}
#: the realm of the secure cluster's KDC (MiniKdc: ORG_NAME.ORG_DOMAIN)
SECURE_REALM = "MRKIT.TEST"
#: the users the KDC knows besides the OS user running mrkit: for permission tests
SECURE_EXTRA_USERS = ("alice", "bob")

#: the nodes a multi-node cluster (mr/engines/multinode.py) can stop and start, and their most
HADOOP_NODE_KINDS = ("datanode", "nodemanager")
HADOOP_MAX_NODES = 8

# -- mr/engines/oozie.py -------------------------------------------------------------------------

OOZIE_PORT_ENV = "MRKIT_OOZIE_PORT"
OOZIE_DEFAULT_PORT = 11000
#: seconds `mrkit oozie up` waits for the server to answer NORMAL
OOZIE_START_TIMEOUT = float(os.environ.get("MRKIT_OOZIE_START_TIMEOUT", "180"))
#: error codes retried besides Oozie's defaults (JA008 JA009 JA017 JA018 JA019 FS008 FS009
#: FS014); a shell action's exit code is its error code, so `1` retries shells that exit 1
OOZIE_RETRY_CODES_ENV = "MRKIT_OOZIE_RETRY_CODES"
#: the Kerberized Oozie of `mrkit oozie up --secure` (mr/engines/oozie_secure.py), beside the
#: open one: its own port, on localhost (SPNEGO asks for HTTP/localhost)
SECURE_OOZIE_PORT_ENV = "MRKIT_SECURE_OOZIE_PORT"
SECURE_OOZIE_DEFAULT_PORT = 18011

# -- mr/workflow/local.py ------------------------------------------------------------------------

#: seconds a minute of retry-interval (or coordinator timeout) lasts in a local run
WORKFLOW_MINUTE_SECONDS_ENV = "MRKIT_WORKFLOW_MINUTE_SECONDS"

# -- mr/clients/mysql_export.py ------------------------------------------------------------------

#: file formats `mrkit export mysql` reads: mrkit's TSV or MySQL CSV
EXPORT_FORMATS = ("tsv", "csv")
#: rows per INSERT of an export
EXPORT_BATCH_ROWS = 1000

# -- mr/lib/launcher.py -------------------------------------------------------------------------

#: a file a job run writes its counters to when it succeeds (JSON: one {group: {name: count}}
#: per step); Airflow's job operator (mr/airflow) sets it and pushes them to XCom
COUNTERS_FILE_ENV = "MRKIT_COUNTERS_FILE"

# -- mr/engines/airflow.py -----------------------------------------------------------------------

#: the Airflow that `mrkit airflow up` runs, in a venv of its own (Python 3.12)
AIRFLOW_VERSION = "3.3.2"
AIRFLOW_PYTHON_VERSION = "3.12"
#: what the Airflow venv holds besides Airflow and mrkit's own dependencies: the CeleryExecutor
#: of `mrkit airflow up --executor celery` (one venv for both executors). The provider 3.26.0
#: does not import with celery 5.7.0 (`cannot import name 'retry'`) and does with 5.6.3;
#: the shared metadata database, PostgreSQL, needs two drivers (wheels: no libpq-dev or
#: compiler): psycopg2-binary, and asyncpg, which Airflow 3 uses for its async sessions (without
#: it `airflow db migrate` fails: No module named 'asyncpg')
AIRFLOW_EXTRA_REQUIREMENTS = (
    "apache-airflow-providers-celery==3.26.0",
    "celery==5.6.3",
    "flower==2.2.0",
    "psycopg2-binary==2.9.13",
    "asyncpg==0.32.0",
)
#: a Python 3.12 to make the Airflow venv with (default: python3.12 on PATH, else pyenv's)
AIRFLOW_PYTHON_ENV = "MRKIT_AIRFLOW_PYTHON"
#: the ports `mrkit airflow up` binds on 127.0.0.1: environment variable -> default. Not
#: Airflow's own defaults (8080 for the api-server, 8793 and 8794 for the log servers), which
#: other tools take: 8080 is the default of half the web tools on a machine
AIRFLOW_PORT_DEFAULTS = {
    "MRKIT_AIRFLOW_PORT": 28080,  # the api-server: UI, REST API, the tasks' execution API
    "MRKIT_AIRFLOW_WORKER_LOG_PORT": 28793,  # the scheduler's log server (running tasks' logs)
    "MRKIT_AIRFLOW_TRIGGER_LOG_PORT": 28794,  # the triggerer's log server
}
AIRFLOW_PORT_ENV = "MRKIT_AIRFLOW_PORT"
#: `mrkit airflow up --executor local` (the default) or `celery` (mr/engines/airflow.py)
AIRFLOW_EXECUTORS = ("local", "celery")
#: the ports `mrkit airflow up --executor celery` binds besides those above, on 127.0.0.1 (epmd
#: and RabbitMQ's Erlang distribution moved off 4369/25672, which a system RabbitMQ takes)
AIRFLOW_CELERY_PORT_DEFAULTS = {
    "MRKIT_AIRFLOW_AMQP_PORT": 28672,  # RabbitMQ, the broker (AMQP)
    "MRKIT_AIRFLOW_EPMD_PORT": 28369,  # epmd, the Erlang port mapper (ERL_EPMD_PORT)
    "MRKIT_AIRFLOW_DIST_PORT": 28673,  # RabbitMQ's Erlang distribution (RABBITMQ_DIST_PORT)
    "MRKIT_AIRFLOW_POSTGRES_PORT": 28432,  # PostgreSQL, the shared metadata database
    "MRKIT_AIRFLOW_FLOWER_PORT": 28555,  # Flower, the Celery monitor
    "MRKIT_AIRFLOW_WORKER2_LOG_PORT": 28795,  # the second worker's log server
}
#: seconds without a heartbeat after which the scheduler fails a running task (and retries it,
#: if it has retries left) under the CeleryExecutor: Airflow's default, 300, would leave the task
#: of a killed worker running for 5 minutes; tasks heartbeat every 5 s
AIRFLOW_HEARTBEAT_TIMEOUT_ENV = "MRKIT_AIRFLOW_HEARTBEAT_TIMEOUT"
AIRFLOW_HEARTBEAT_TIMEOUT = 30
#: tasks each Celery worker runs at once (two workers: 2 in all, what 2 cores hold)
AIRFLOW_WORKER_CONCURRENCY_ENV = "MRKIT_AIRFLOW_WORKER_CONCURRENCY"
AIRFLOW_WORKER_CONCURRENCY = 1
#: seconds `mrkit airflow up` waits for the api-server and a scheduler heartbeat
AIRFLOW_START_TIMEOUT = float(os.environ.get("MRKIT_AIRFLOW_START_TIMEOUT", "180"))

# -- mr/airflow/runtime.py: where and how the tasks of rendered DAGs run -------------------------

#: the directory that stands for the name node (default: the state dir's workflow-root)
AIRFLOW_ROOT_ENV = "MRKIT_AIRFLOW_ROOT"
#: mrjob's runner for mrkit jobs (inline)
AIRFLOW_RUNNER_ENV = "MRKIT_AIRFLOW_RUNNER"
#: logs and work directories of the runs (default: the state dir's airflow-runs)
AIRFLOW_RUNS_ENV = "MRKIT_AIRFLOW_RUNS"
#: error codes retried besides Oozie's defaults (``1``: a shell action's; ``ALL``: every code)
AIRFLOW_RETRY_CODES_ENV = "MRKIT_AIRFLOW_RETRY_CODES"
#: seconds between two checks of a coordinator input's done-flags (Oozie checks each minute)
AIRFLOW_POKE_ENV = "MRKIT_AIRFLOW_POKE_SECONDS"
AIRFLOW_POKE_DEFAULT = 60
#: the least of it: a sensor's next poke must start after the scheduler has seen the previous
#: one end, which took 5 s on a busy 2-core machine; with a 3 s poke, the scheduler took the
#: late "success" of one poke for the next poke's and failed the task (Airflow 3.3.2,
#: "task state changed externally")
AIRFLOW_POKE_MIN = 15
#: the settings above that `mrkit airflow up` hands from its environment to every Airflow
#: process (a server's settings, as `mrkit oozie up --retry-codes`)
AIRFLOW_TASK_SETTINGS = (
    AIRFLOW_ROOT_ENV,
    AIRFLOW_RUNNER_ENV,
    AIRFLOW_RUNS_ENV,
    AIRFLOW_RETRY_CODES_ENV,
    AIRFLOW_POKE_ENV,
)
