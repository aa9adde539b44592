"""mrkit as an Airflow provider (Airflow 3.3; entry point ``apache_airflow_provider``).

Shaped like an Airflow provider package: ``hooks/`` (settings from Airflow Connections, the
work done by mrkit's own clients and by ``mrkit`` subprocesses), ``operators/`` (thin: they
call a hook), ``sensors/`` and ``triggers/`` (the deferrable done-flag wait). Importing this
package imports no Airflow: ``get_provider_info`` is read by Airflow's provider discovery, and
``import mr`` works where Airflow is not installed.

- :mod:`mr.airflow.hooks.jobs` ``MrkitJobHook``: ``mrkit run`` (a job or a user's MRJob file on
  inline, local, hadoop or spark), ``mrkit hive|pig run``, ``mrkit index load``, ``mrkit
  import mysql`` and ``mrkit export mysql`` as subprocesses whose output goes to the task log.
- :mod:`mr.airflow.hooks.webhdfs` ``WebHdfsHook`` (conn type ``mrkit_webhdfs``): WebHDFS, one
  URL or an HA list; done-flags.
- :mod:`mr.airflow.hooks.hbase` ``HBaseThriftHook`` (``mrkit_hbase``): host, port, transport,
  protocol.
- :mod:`mr.airflow.hooks.mysql` ``MySQLHook`` (``mrkit_mysql``): the URL, the password from
  the connection (to the ``mrkit`` subprocess through its environment, never its arguments).

And Airflow for mrkit's Oozie model: DAG files rendered from workflows, coordinators and bundles
(:mod:`mr.airflow.render`, :mod:`mr.airflow.source`; importing no Airflow), and what their
tasks run (:mod:`mr.airflow.runtime`).
"""

from __future__ import annotations

from typing import Any

PACKAGE = "mr.airflow"


def get_provider_info() -> dict[str, Any]:
    """What Airflow's providers manager reads: the provider's name, modules and connection
    types (package-name is the distribution's, `mrkit`)."""
    integration = "mrkit"
    return {
        "package-name": "mrkit",
        "name": "mrkit",
        "description": "mrkit: Hadoop MapReduce streaming jobs (mrjob), their Hive and Pig "
        "twins, the HBase index and MySQL import/export, as Airflow operators, sensors and hooks",
        "integrations": [
            {
                "integration-name": integration,
                "external-doc-url": "https://github.com/mrkit/mrkit",
                "tags": ["apache"],
            }
        ],
        "operators": [
            {
                "integration-name": integration,
                "python-modules": [
                    f"{PACKAGE}.operators.jobs",
                    f"{PACKAGE}.operators.twins",
                    f"{PACKAGE}.operators.hbase",
                    f"{PACKAGE}.operators.mysql",
                ],
            }
        ],
        "sensors": [
            {"integration-name": integration, "python-modules": [f"{PACKAGE}.sensors.done_flag"]}
        ],
        "triggers": [
            {"integration-name": integration, "python-modules": [f"{PACKAGE}.triggers.done_flag"]}
        ],
        "hooks": [
            {
                "integration-name": integration,
                "python-modules": [
                    f"{PACKAGE}.hooks.jobs",
                    f"{PACKAGE}.hooks.webhdfs",
                    f"{PACKAGE}.hooks.hbase",
                    f"{PACKAGE}.hooks.mysql",
                ],
            }
        ],
        "connection-types": [
            {
                "connection-type": "mrkit_webhdfs",
                "hook-class-name": f"{PACKAGE}.hooks.webhdfs.WebHdfsHook",
                "hook-name": "mrkit WebHDFS",
            },
            {
                "connection-type": "mrkit_hbase",
                "hook-class-name": f"{PACKAGE}.hooks.hbase.HBaseThriftHook",
                "hook-name": "mrkit HBase Thrift",
            },
            {
                "connection-type": "mrkit_mysql",
                "hook-class-name": f"{PACKAGE}.hooks.mysql.MySQLHook",
                "hook-name": "mrkit MySQL",
            },
        ],
    }
