"""``mrkit hbase up|down|status``: HBase standalone and its Thrift server (mr/engines/hbase.py);
with ``--secure``, the Kerberized one and its SASL gateway (mr/engines/hbase_secure.py), and
``mrkit hbase env --secure``: a client's environment for it."""

from __future__ import annotations

import argparse
import shlex
import sys
import time

from mr.cli.cluster import add_bind_host
from mr.cli.docs import module_doc
from mr.lib import config
from mr.lib.errors import NOT_RUNNING_EXIT, UsageError


def cmd_up(args: argparse.Namespace) -> int:
    from mr.engines import hbase, state_dir

    if args.secure:
        from mr.engines import hbase_secure

        if args.bind_host is not None:
            raise UsageError("--bind-host does not go with --secure (it listens on 127.0.0.1)")
        hbase_secure.up(say=lambda message: print(message, file=sys.stderr))
        for name, state in hbase_secure.status().items():
            print(f"{name}: {state}")
        return 0

    config.use_bind_host(args.bind_host)
    started = time.monotonic()
    s = hbase.up()
    print(
        f"HBase up: Thrift {s.host}:{s.thrift_port}, ZooKeeper {s.zk_port} "
        f"({time.monotonic() - started:.0f}s; logs in {state_dir(hbase.ENGINE) / 'logs'})"
    )
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    from mr.engines import hbase, hbase_secure

    stopped = hbase_secure.down() if args.secure else hbase.down()
    print("stopped: " + ", ".join(stopped) if stopped else "nothing was running")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from mr.engines import hbase, hbase_secure

    if args.secure:
        secure_states = hbase_secure.status()
        for name, state in secure_states.items():
            print(f"{name}: {state}")
        return 0 if hbase_secure.info() else NOT_RUNNING_EXIT
    states = hbase.status()
    for name, state in states.items():
        print(f"{name}: {state}")
    return 0 if states["thrift answers"].startswith("yes") else NOT_RUNNING_EXIT


def cmd_env(args: argparse.Namespace) -> int:
    from mr.engines import hbase_secure

    if not args.secure:
        raise UsageError("env is for the secure HBase: mrkit hbase env --secure")
    state = hbase_secure.info()
    if state is None:
        print("the secure HBase is not running: `mrkit hbase up --secure`", file=sys.stderr)
        return NOT_RUNNING_EXIT
    for key, value in state.env().items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


ACTIONS = {"up": cmd_up, "down": cmd_down, "status": cmd_status, "env": cmd_env}


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
        help="what to do (status: exit code 0 if Thrift answers, 3 if not; env: --secure only)",
    )
    p.add_argument(
        "--secure",
        action="store_true",
        help="the Kerberized HBase and its SASL/GSSAPI gateway (needs `mrkit cluster up --secure`)",
    )
    add_bind_host(p)
    p.set_defaults(func=cmd_hbase)
