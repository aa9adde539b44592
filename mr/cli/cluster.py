"""``mrkit cluster up|down|status``: the one-machine Hadoop cluster of mr/engines/hadoop.py."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from mr.lib import config
from mr.lib.defaults import HADOOP_PORT_DEFAULTS, HADOOP_START_TIMEOUT
from mr.lib.errors import NOT_RUNNING_EXIT, UsageError

if TYPE_CHECKING:
    from mr.engines import hadoop


def parse_settings(items: list[str]) -> dict[str, str]:
    """``-D KEY=VALUE`` items -> {KEY: VALUE}; UsageError for one without '=' or a key."""
    settings: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"-D expects KEY=VALUE, not {item!r}")
        settings[key] = value
    return settings


def cmd_up(args: argparse.Namespace) -> int:
    from mr.engines import hadoop

    extra = parse_settings(args.settings)
    config.use_bind_host(args.bind_host)
    state = hadoop.up(
        timeout=args.timeout, extra=extra, say=lambda line: print(line, file=sys.stderr)
    )
    print_state(state)
    return 0


def print_state(state: hadoop.ClusterInfo) -> None:
    from mr.engines import hadoop

    print(f"hadoop: running (pid {state.pid})")
    print(f"  HDFS        {state.fs_uri}   WebHDFS/UI {state.webhdfs_url}")
    host = config.connect_host(state.bind_host)
    print(f"  YARN        RM {host}:{state.ports.rm}   UI {state.rm_url}")
    print(f"  JobHistory  {host}:{state.ports.jhs}   UI http://{host}:{state.ports.jhs_web}")
    print(f"  listening   on {state.bind_host} only (MRKIT_BIND_HOST, --bind-host)")
    print(f"  mrjob.conf  {state.mrjob_conf}")
    print(f"  client conf HADOOP_CONF_DIR={state.conf_dir}")
    print(f"  HdfsCLI     HDFSCLI_CONFIG={state.hdfscli_config}")
    print(f"  log         {hadoop.daemon().log}")


def cmd_down(args: argparse.Namespace) -> int:
    from mr.engines import hadoop

    print("hadoop: stopped" if hadoop.down() else "hadoop: not running")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from mr.engines import hadoop

    st = hadoop.status()
    state = hadoop.info() if st["running"] else None
    if args.json:
        print(json.dumps(st, indent=2))
    elif state is not None:
        print_state(state)
        if not st["webhdfs_answers"]:
            print(f"  warning: WebHDFS at {st['webhdfs_url']} does not answer")
    elif st["starting"]:
        print(f"hadoop: starting (pid {st['pid']}), not ready yet")
    else:
        print("hadoop: not running (`mrkit cluster up` starts it)")
    return 0 if st["running"] else NOT_RUNNING_EXIT


EPILOG = (
    "ports (environment variables, defaults): "
    + ", ".join(f"{k}={v}" for k, v in HADOOP_PORT_DEFAULTS.items())
    + f"; on {config.BIND_HOST_ENV} or --bind-host (default {config.DEFAULT_BIND_HOST})"
    + "\n\nthen (as in the README):\n"
    "  mrkit hdfs put mr/data/sample.txt /data/in/\n"
    "  python mr/word_count.py -r hadoop -c .cluster/hadoop/mrjob.conf hdfs:///data/in/"
)


def add_bind_host(parser: argparse.ArgumentParser) -> None:
    """The --bind-host option of every `up` (cluster, hbase, oozie, mysql, airflow)."""
    parser.add_argument(
        "--bind-host",
        metavar="ADDRESS",
        help=f"the address the servers listen on (default ${config.BIND_HOST_ENV}, else "
        f"{config.DEFAULT_BIND_HOST}: this machine only; 0.0.0.0 for every interface, which "
        "lets anyone on the network act as any user: simple authentication believes any name)",
    )


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "cluster",
        help="start, stop or inspect the one-machine Hadoop cluster (HDFS + YARN)",
        description="Hadoop 3.4.1 on this machine: NameNode, DataNode, ResourceManager, "
        "NodeManager and JobHistory in one JVM (Hadoop's CLI MiniCluster), from Maven Central "
        "jars fetched into .cluster/hadoop/lib. `up` also writes .cluster/hadoop/mrjob.conf "
        "for `-r hadoop` jobs and .cluster/hadoop/hdfscli.cfg for `mrkit hdfs`. "
        "HDFS starts empty on every `up`.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = sub.add_parser(
        "up",
        help="start the cluster and wait until HDFS and YARN answer (harmless if running)",
        description="Start the cluster in the background (pid file and log in "
        ".cluster/hadoop/) and wait until it is ready.",
    )
    up.add_argument(
        "--timeout",
        type=float,
        default=HADOOP_START_TIMEOUT,
        help="seconds to wait for readiness (default %(default)s; MRKIT_HADOOP_START_TIMEOUT)",
    )
    up.add_argument(
        "-D",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an extra Hadoop setting for the cluster (repeatable)",
    )
    add_bind_host(up)
    up.set_defaults(func=cmd_up)
    down = sub.add_parser(
        "down",
        help="stop the cluster started by `up` (only that process)",
        description="Stop the cluster started by `mrkit cluster up` (by its recorded pid).",
    )
    down.set_defaults(func=cmd_down)
    status = sub.add_parser(
        "status",
        help="is it running? pid, ports, URLs; exit code 0 if running, 3 if not",
        description="Report whether the cluster runs, with its pid, ports and URLs.",
    )
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(func=cmd_status)
