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

#: the ports that can be moved: environment variable -> default
HADOOP_PORT_DEFAULTS = {
    "MRKIT_HDFS_PORT": 8020,  # NameNode RPC (fs.defaultFS)
    "MRKIT_WEBHDFS_PORT": 9870,  # NameNode HTTP: WebHDFS and the web UI
    "MRKIT_RM_PORT": 8032,  # ResourceManager RPC (job submission)
    "MRKIT_JHS_PORT": 10020,  # JobHistory server RPC
}

#: ports the MiniCluster binds at their Hadoop defaults whatever the options say
HADOOP_FIXED_PORTS = {
    "ResourceManager scheduler": 8030,
    "ResourceManager resource tracker": 8031,
    "ResourceManager admin": 8033,
    "ResourceManager web UI / REST": 8088,
    "NodeManager web UI": 8042,
    "JobHistory web UI": 19888,
    "JobHistory admin": 10033,
}

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
