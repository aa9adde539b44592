"""``mrkit hbase up|down|status``: HBase standalone and its Thrift server (mr/engines/hbase.py)."""

from __future__ import annotations

import argparse
import time

from mr.cli.cluster import add_bind_host
from mr.cli.docs import module_doc
from mr.lib import config
from mr.lib.errors import NOT_RUNNING_EXIT


def cmd_up(args: argparse.Namespace) -> int:
    from mr.engines import hbase, state_dir

    config.use_bind_host(args.bind_host)
    started = time.monotonic()
    s = hbase.up()
    print(
        f"HBase up: Thrift {s.host}:{s.thrift_port}, ZooKeeper {s.zk_port} "
        f"({time.monotonic() - started:.0f}s; logs in {state_dir(hbase.ENGINE) / 'logs'})"
    )
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    from mr.engines import hbase

    stopped = hbase.down()
    print("stopped: " + ", ".join(stopped) if stopped else "nothing was running")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from mr.engines import hbase

    states = hbase.status()
    for name, state in states.items():
        print(f"{name}: {state}")
    return 0 if states["thrift answers"].startswith("yes") else NOT_RUNNING_EXIT


ACTIONS = {"up": cmd_up, "down": cmd_down, "status": cmd_status}


def cmd_hbase(args: argparse.Namespace) -> int:
    return ACTIONS[args.action](args)


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "hbase",
        help="start, stop or show HBase (standalone) and its Thrift server",
        description=module_doc("mr.engines.hbase"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "action",
        choices=tuple(ACTIONS),
        help="what to do (status: exit code 0 if Thrift answers, 3 if not)",
    )
    add_bind_host(p)
    p.set_defaults(func=cmd_hbase)
