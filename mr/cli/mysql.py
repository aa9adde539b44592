"""``mrkit mysql up|down|status``: mrkit's own MariaDB (mr/engines/mariadb.py)."""

from __future__ import annotations

import argparse
import time

from mr.cli.cluster import add_bind_host
from mr.cli.docs import module_doc
from mr.lib import config
from mr.lib.errors import NOT_RUNNING_EXIT


def cmd_up(args: argparse.Namespace) -> int:
    from mr.engines import mariadb

    config.use_bind_host(args.bind_host)
    started = time.monotonic()
    s = mariadb.up()
    print(
        f"MariaDB up: {s.url} (socket {s.socket}; {time.monotonic() - started:.0f}s; "
        f"data in {s.data})"
    )
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    from mr.engines import mariadb

    print("mariadb: stopped" if mariadb.down() else "mariadb: not running")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from mr.engines import mariadb

    states = mariadb.status()
    width = max(map(len, states))
    for name, state in states.items():
        print(f"{name + ':':<{width + 1}} {state}")
    return 0 if states["answers"].startswith("yes") else NOT_RUNNING_EXIT


ACTIONS = {"up": cmd_up, "down": cmd_down, "status": cmd_status}


def cmd_mysql(args: argparse.Namespace) -> int:
    return ACTIONS[args.action](args)


EPILOG = """\
then (with a table demo.word_counts: see `mrkit export mysql --help`):
  mrkit run word_count mr/data/sample.txt --output-dir /tmp/counts
  mrkit export mysql /tmp/counts --url mysql://root@127.0.0.1:3307/demo --table word_counts
"""


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "mysql",
        help="start, stop or show mrkit's own MariaDB (for mrkit export mysql)",
        description=module_doc("mr.engines.mariadb"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
    )
    p.add_argument(
        "action",
        choices=tuple(ACTIONS),
        help="up: initialize (once) and start, wait until it answers; down: stop it; "
        "status: where it runs, exit code 0 if it answers, 3 if not",
    )
    add_bind_host(p)
    p.set_defaults(func=cmd_mysql)
