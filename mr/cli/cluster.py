"""``mrkit cluster up|down|status|env|stop-node|start-node``: the one-machine Hadoop cluster.

One DataNode and one NodeManager (the default): Hadoop's MiniCluster in one JVM
(mr/engines/hadoop.py). More (``--datanodes N --nodemanagers M``): one JVM per node
(mr/engines/multinode.py), so that ``stop-node`` and ``start-node`` can stop and start one.
With ``--secure``: the Kerberized cluster of mr/engines/secure.py (a KDC, then the cluster)."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from typing import TYPE_CHECKING

from mr.lib import config
from mr.lib.defaults import (
    HADOOP_MAX_NODES,
    HADOOP_NODE_KINDS,
    HADOOP_PORT_DEFAULTS,
    HADOOP_START_TIMEOUT,
    SECURE_EXTRA_USERS,
    SECURE_PORT_DEFAULTS,
)
from mr.lib.errors import NOT_RUNNING_EXIT, UsageError

if TYPE_CHECKING:
    from mr.engines import hadoop, secure


def parse_settings(items: list[str]) -> dict[str, str]:
    """``-D KEY=VALUE`` items -> {KEY: VALUE}; UsageError for one without '=' or a key."""
    settings: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"-D expects KEY=VALUE, not {item!r}")
        settings[key] = value
    return settings


def say(line: str) -> None:
    print(line, file=sys.stderr)


def cmd_up(args: argparse.Namespace) -> int:
    extra = parse_settings(args.settings)
    if args.secure:
        from mr.engines import secure

        if args.bind_host:
            raise UsageError("--bind-host is for the open cluster; the secure one is on 127.0.0.1")
        if (args.datanodes, args.nodemanagers) != (1, 1):
            raise UsageError("--datanodes and --nodemanagers are for the open cluster")
        print_secure_state(secure.up(timeout=args.timeout, extra=extra, say=say))
        return 0
    from mr.engines import hadoop

    for what in ("datanodes", "nodemanagers"):
        if not 1 <= getattr(args, what) <= HADOOP_MAX_NODES:
            raise UsageError(f"--{what} must be 1 to {HADOOP_MAX_NODES}, not {getattr(args, what)}")
    if (args.datanodes, args.nodemanagers) == (1, 1) and not _multinode_recorded():
        config.use_bind_host(args.bind_host)
        state = hadoop.up(timeout=args.timeout, extra=extra, say=say)
    else:
        from mr.engines import multinode

        if args.bind_host:
            raise UsageError("--bind-host is for a cluster of one node of each kind; one of "
                             "several nodes listens on 127.0.0.1")  # fmt: skip
        state = multinode.up(
            args.datanodes, args.nodemanagers, timeout=args.timeout, extra=extra, say=say
        )
    print_state(state)
    return 0


def print_secure_state(state: secure.SecureInfo) -> None:
    from mr.engines import secure

    print(f"hadoop-secure: running (pid {state.pid}), Kerberos realm {state.realm}")
    print(f"  KDC         localhost:{state.ports['MRKIT_SECURE_KDC_PORT']} (pid {state.kdc_pid})")
    print(f"  HDFS        {state.fs_uri}   WebHDFS {state.webhdfs_url} (SPNEGO)")
    print(f"  YARN        RM 127.0.0.1:{state.ports['MRKIT_SECURE_RM_PORT']}")
    print(f"  JobHistory  127.0.0.1:{state.ports['MRKIT_SECURE_JHS_PORT']}")
    print(f"  principals  {', '.join(state.principals.values())}")
    print(f"  client conf HADOOP_CONF_DIR={state.conf_dir}   CA {state.ca_file}")
    print(f"  log         {secure.daemon().log}")
    print("  log in      eval \"$(mrkit cluster env --secure)\"; "
          'kinit -kt "$MRKIT_KEYTAB" "$MRKIT_PRINCIPAL"')  # fmt: skip


def _multinode_recorded() -> bool:
    from mr.engines import multinode

    return multinode.read_layout() is not None


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
    if _multinode_recorded():
        print(f"  logs        {hadoop.home() / 'logs' / 'nodes'}")
    else:
        print(f"  log         {hadoop.daemon().log}")


def cmd_down(args: argparse.Namespace) -> int:
    if args.secure:
        from mr.engines import secure

        print("hadoop-secure: stopped" if secure.down() else "hadoop-secure: not running")
        return 0
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
    from mr.engines import hadoop, secure

    if args.secure or (hadoop.info() is None and secure.info() is not None):
        return secure_status(args)

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
    if state is not None and not args.json:
        print("  security    none (simple authentication: any user name is believed)")
    return 0 if st["running"] else NOT_RUNNING_EXIT


def ticket_problem(expired: str | None) -> str:
    """Why there is no valid ticket: none in the cache, or an expired one (whose, if known)."""
    if expired is None:
        return "no valid ticket"
    return "the ticket has expired" if expired == "?" else f"the ticket of {expired} has expired"


def secure_status(args: argparse.Namespace) -> int:
    from mr.engines import secure

    st = secure.status()
    state = secure.info() if st["running"] else None
    if args.json:
        print(json.dumps(st, indent=2))
    elif state is not None:
        print_secure_state(state)
        holder = st["ticket"] or ticket_problem(st["ticket_expired"])
        print(f"  security    Kerberos; ticket cache {st['ticket_cache']}: {holder}")
    elif st["starting"]:
        print(f"hadoop-secure: starting (pid {st['pid']}), not ready yet")
    else:
        print("hadoop-secure: not running (`mrkit cluster up --secure` starts it)")
    return 0 if st["running"] else NOT_RUNNING_EXIT


def cmd_env(args: argparse.Namespace) -> int:
    """Shell exports for the running cluster (the secure one with --secure, or when it is the
    only one running)."""
    from mr.engines import hadoop, secure

    secure_state = secure.info()
    if args.secure or (hadoop.info() is None and secure_state is not None):
        if secure_state is None:
            return not_running("the secure cluster is not running (mrkit cluster up --secure)")
        user = args.user or secure.os_user()
        if user not in secure_state.principals:
            raise UsageError(f"--user {user!r}: the KDC knows {', '.join(secure_state.principals)}")
        env = secure_state.env(user)
    else:
        state = hadoop.info()
        if state is None:
            return not_running("no cluster is running (mrkit cluster up [--secure])")
        if args.user:
            raise UsageError("--user is for the secure cluster (--secure)")
        env = {
            "HADOOP_CONF_DIR": state.conf_dir,
            "MRJOB_CONF": state.mrjob_conf,
            "HDFSCLI_CONFIG": state.hdfscli_config,
            "MRKIT_WEBHDFS_URL": state.webhdfs_url,
        }
        # mrkit's own variables of a secure cluster's env, left in the shell, would point
        # clients at that one; the user's Kerberos set-up (KRB5_*) is left alone
        print("unset MRKIT_WEBHDFS_CA MRKIT_PRINCIPAL MRKIT_KEYTAB")
    for key, value in env.items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


def not_running(message: str) -> int:
    """`mrkit cluster env` with nothing to describe: a line on stderr, exit code 3 (as status)."""
    print(f"mrkit cluster env: {message}", file=sys.stderr)
    return NOT_RUNNING_EXIT


EPILOG = (
    "ports (environment variables, defaults): "
    + ", ".join(f"{k}={v}" for k, v in HADOOP_PORT_DEFAULTS.items())
    + f"; on {config.BIND_HOST_ENV} or --bind-host (default {config.DEFAULT_BIND_HOST})"
    + "\nsecure cluster (--secure, on 127.0.0.1): "
    + ", ".join(f"{k}={v}" for k, v in SECURE_PORT_DEFAULTS.items())
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
        "NodeManager and JobHistory in one JVM (Hadoop's CLI MiniCluster), or with "
        "--datanodes/--nodemanagers above 1 one JVM per node, which stop-node and start-node "
        "stop and start; from Maven Central "
        "jars fetched into .cluster/hadoop/lib. `up` also writes .cluster/hadoop/mrjob.conf "
        "for `-r hadoop` jobs and .cluster/hadoop/hdfscli.cfg for `mrkit hdfs`. "
        "HDFS starts empty on every `up`. With --secure: a Kerberos KDC (realm MRKIT.TEST) "
        "and the cluster in secure mode, beside the open one (.cluster/hadoop-secure, ports of "
        'its own); log in with eval "$(mrkit cluster env --secure)"; '
        'kinit -kt "$MRKIT_KEYTAB" "$MRKIT_PRINCIPAL".',
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
        "--secure",
        action="store_true",
        help="the Kerberized cluster: a KDC (realm MRKIT.TEST) first, then HDFS + YARN in "
        "secure mode, on ports of its own (MRKIT_SECURE_*_PORT) and state in "
        ".cluster/hadoop-secure",
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
    down.add_argument("--secure", action="store_true", help="the secure cluster and its KDC")
    down.set_defaults(func=cmd_down)
    status = sub.add_parser(
        "status",
        help="is it running? pid, ports, URLs; exit code 0 if running, 3 if not",
        description="Report whether the cluster runs, with its pid, ports and URLs.",
    )
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.add_argument(
        "--secure",
        action="store_true",
        help="the secure cluster (also without it, when only that one runs): also who the "
        "ticket cache (KRB5CCNAME) holds",
    )
    status.set_defaults(func=cmd_status)
    env = sub.add_parser(
        "env",
        help='shell exports for the running cluster: eval "$(mrkit cluster env)"',
        description="Print shell exports for the running cluster: HADOOP_CONF_DIR, "
        "MRJOB_CONF and MRKIT_WEBHDFS_URL; for the secure cluster also KRB5_CONFIG, "
        "KRB5CCNAME, MRKIT_PRINCIPAL, MRKIT_KEYTAB (the OS user's unless --user), "
        "MRKIT_WEBHDFS_CA and "
        "HADOOP_CLIENT_OPTS. Then log in with: "
        'kinit -kt "$MRKIT_KEYTAB" "$MRKIT_PRINCIPAL". Without --secure: the open cluster, '
        "or the secure one when only it runs. Exit code 3 when no cluster runs.",
    )
    env.add_argument("--secure", action="store_true", help="the secure cluster")
    env.add_argument(
        "--user",
        metavar="USER",
        help=f"on the secure cluster: act as USER (the OS user, {', '.join(SECURE_EXTRA_USERS)})",
    )
    env.set_defaults(func=cmd_env)
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
