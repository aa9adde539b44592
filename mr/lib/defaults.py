"""Defaults and environment variable names that `mrkit ... --help` shows, kept apart from the
engines, clients and workflow modules that use them.

Building the `mrkit` parser must stay cheap (no JVM launchers, HTTP clients, MySQL driver or
workflow model imported just to print a usage line), so mr/cli reads these from here and the
modules that own them (mr.engines.hadoop, mr.engines.oozie, mr.workflow.local,
mr.clients.mysql_export) take them from here too, under their old names. Standard library only.
"""

from __future__ import annotations

import os

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
