"""``mrkit cluster up|down|status|stop-node|start-node``: the one-machine Hadoop cluster.

One DataNode and one NodeManager (the default): Hadoop's MiniCluster in one JVM
(mr/engines/hadoop.py). More (``--datanodes N --nodemanagers M``): one JVM per node
(mr/engines/multinode.py), so that ``stop-node`` and ``start-node`` can stop and start one."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from mr.lib.defaults import (
    HADOOP_FIXED_PORTS,
    HADOOP_MAX_NODES,
    HADOOP_NODE_KINDS,
    HADOOP_PORT_DEFAULTS,
    HADOOP_START_TIMEOUT,
)
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
    for what in ("datanodes", "nodemanagers"):
        if not 1 <= getattr(args, what) <= HADOOP_MAX_NODES:
            raise UsageError(f"--{what} must be 1 to {HADOOP_MAX_NODES}, not {getattr(args, what)}")
    say = lambda line: print(line, file=sys.stderr)  # noqa: E731
    if (args.datanodes, args.nodemanagers) == (1, 1) and not _multinode_recorded():
        state = hadoop.up(timeout=args.timeout, extra=extra, say=say)
    else:
        from mr.engines import multinode

        state = multinode.up(
            args.datanodes, args.nodemanagers, timeout=args.timeout, extra=extra, say=say
        )
    print_state(state)
    return 0


def _multinode_recorded() -> bool:
    from mr.engines import multinode

    return multinode.read_layout() is not None


def print_state(state: hadoop.ClusterInfo) -> None:
    from mr.engines import hadoop

    print(f"hadoop: running (pid {state.pid})")
    print(f"  HDFS        {state.fs_uri}   WebHDFS/UI {state.webhdfs_url}")
    print(f"  YARN        RM localhost:{state.ports.rm}   UI {state.rm_url}")
    print(f"  JobHistory  localhost:{state.ports.jhs}")
    print(f"  mrjob.conf  {state.mrjob_conf}")
    print(f"  client conf HADOOP_CONF_DIR={state.conf_dir}")
    print(f"  HdfsCLI     HDFSCLI_CONFIG={state.hdfscli_config}")
    if _multinode_recorded():
        print(f"  logs        {hadoop.home() / 'logs' / 'nodes'}")
    else:
        print(f"  log         {hadoop.daemon().log}")


def cmd_down(args: argparse.Namespace) -> int:
    from mr.engines import hadoop

    if _multinode_recorded():
        from mr.engines import multinode

        stopped = multinode.down()
    else:
        stopped = hadoop.down()
    print("hadoop: stopped" if stopped else "hadoop: not running")
    return 0


def cmd_stop_node(args: argparse.Namespace) -> int:
    from mr.engines import multinode

    stopped = multinode.stop_node(args.kind, args.index)
    print(f"{args.kind}-{args.index}: {'stopped' if stopped else 'was not running'}")
    return 0


def cmd_start_node(args: argparse.Namespace) -> int:
    from mr.engines import multinode

    pid = multinode.start_node(args.kind, args.index, timeout=args.timeout)
    print(f"{args.kind}-{args.index}: running (pid {pid})")
    return 0


def print_nodes(rows: list[dict]) -> None:
    live = [r["node"] for r in rows if r["state"] == "live"]
    dead = [r["node"] for r in rows if r["state"] != "live"]
    print(f"  nodes       live: {' '.join(live) or '-'}")
    print(f"              dead: {' '.join(dead) or '-'}")
    for r in rows:
        pid = r["pid"] if r["pid"] is not None else "-"
        print(f"    {r['node']:<16} pid {pid!s:<8} {r['state']}")


def cmd_status(args: argparse.Namespace) -> int:
    from mr.engines import hadoop

    st = hadoop.status()
    state = hadoop.info() if st["running"] else None
    rows: list[dict] = []
    if _multinode_recorded():
        from mr.engines import multinode

        rows = multinode.nodes_status()
        st["nodes"] = rows
    if args.json:
        print(json.dumps(st, indent=2))
    elif state is not None:
        print_state(state)
        if rows:
            print_nodes(rows)
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
    + "; fixed: "
    + " ".join(str(p) for p in HADOOP_FIXED_PORTS.values())
    + "\n\nthen (as in the README):\n"
    "  mrkit hdfs put mr/data/sample.txt /data/in/\n"
    "  python mr/word_count.py -r hadoop -c .cluster/hadoop/mrjob.conf hdfs:///data/in/"
)


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "cluster",
        help="start, stop or inspect the one-machine Hadoop cluster (HDFS + YARN)",
        description="Hadoop 3.4.1 on this machine: NameNode, DataNode, ResourceManager, "
        "NodeManager and JobHistory in one JVM (Hadoop's CLI MiniCluster), or with "
        "--datanodes/--nodemanagers above 1 one JVM per node, which stop-node and start-node "
        "stop and start; from Maven Central "
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
    up.add_argument(
        "--datanodes",
        type=int,
        default=1,
        metavar="N",
        help="DataNodes (default 1; with 3 or more, replication 3). More than one DataNode or "
        "NodeManager runs one JVM per node (MRKIT_NODES_PORT: the first of their ports)",
    )
    up.add_argument(
        "--nodemanagers", type=int, default=1, metavar="M", help="NodeManagers (default 1)"
    )
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
    for name, func, verb in (
        ("stop-node", cmd_stop_node, "stop"),
        ("start-node", cmd_start_node, "start"),
    ):
        node = sub.add_parser(
            name,
            help=f"{verb} one DataNode or NodeManager of a multi-node cluster while it runs",
            description=f"{verb.capitalize()} node I (from 0, as `status` lists them) of a "
            "cluster started with --datanodes or --nodemanagers above 1.",
        )
        node.add_argument("kind", choices=HADOOP_NODE_KINDS)
        node.add_argument("index", type=int, metavar="I", help=f"0 to {HADOOP_MAX_NODES - 1}")
        if verb == "start":
            node.add_argument(
                "--timeout",
                type=float,
                default=120.0,
                help="seconds to wait until its master lists it (default %(default)s)",
            )
        node.set_defaults(func=func)
