"""``mrkit airflow up|down|status``: Apache Airflow 3.3 of mr/engines/airflow.py, with mrkit's
provider (mr/airflow). Room is left for more actions (render, deploy, backfill): each is one
more sub-parser in add_commands."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TYPE_CHECKING

from mr.cli.docs import module_doc
from mr.lib.defaults import (
    AIRFLOW_PORT_DEFAULTS,
    AIRFLOW_PORT_ENV,
    AIRFLOW_START_TIMEOUT,
)
from mr.lib.errors import NOT_RUNNING_EXIT

if TYPE_CHECKING:
    from mr.engines import airflow


def cmd_up(args: argparse.Namespace) -> int:
    from mr.engines import airflow

    started = time.monotonic()
    state = airflow.up(
        port=args.port, timeout=args.timeout, say=lambda line: print(line, file=sys.stderr)
    )
    print_state(state)
    print(f"  (up in {time.monotonic() - started:.0f}s)")
    return 0


def print_state(state: airflow.AirflowInfo) -> None:
    from mr.engines import airflow

    pids = ", ".join(f"{name} {pid}" for name, pid in state.pids.items())
    print(f"airflow: running ({pids})")
    print(f"  UI, REST    {state.url}   (user {state.user}, password in {state.password_file})")
    print(f"  dags folder {state.dags}")
    print(f"  AIRFLOW_HOME={state.home}")
    print(f"  venv        {state.venv}   (Airflow {state.version})")
    print(f"  logs        {airflow.log_dir()}")


def cmd_down(args: argparse.Namespace) -> int:
    from mr.engines import airflow

    stopped = airflow.down()
    print(f"airflow: stopped ({len(stopped)} processes)" if stopped else "airflow: not running")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from mr.engines import airflow

    st = airflow.status()
    if args.json:
        print(json.dumps(st, indent=2))
    elif st["running"]:
        state = airflow.info()
        assert state is not None
        print_state(state)
        sick = {c: h for c, h in st["health"].items() if h != "healthy"}
        if sick:
            print(f"  warning: not healthy: {sick}")
    else:
        left = st["pids"]
        print(
            "airflow: not running (`mrkit airflow up` starts it)"
            + (
                f"; processes left of a partial start: {left} (`mrkit airflow down`)"
                if left
                else ""
            )
        )
    return 0 if st["running"] else NOT_RUNNING_EXIT


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "airflow",
        help="start, stop or inspect Apache Airflow 3.3 with mrkit's provider",
        description=module_doc("mr.engines.airflow"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="ports: "
        + ", ".join(f"{name} (default {port})" for name, port in AIRFLOW_PORT_DEFAULTS.items()),
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = sub.add_parser(
        "up",
        help="make the venv (once), start Airflow and wait until it is healthy",
        description="Start the api-server, scheduler, dag-processor and triggerer in the "
        "background (pid files and logs under the state dir's airflow/) and wait until the "
        "health endpoint says all are healthy. Harmless if running.",
    )
    up.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"the api-server's port (default ${AIRFLOW_PORT_ENV} or "
        f"{AIRFLOW_PORT_DEFAULTS[AIRFLOW_PORT_ENV]})",
    )
    up.add_argument(
        "--timeout",
        type=float,
        default=AIRFLOW_START_TIMEOUT,
        help="seconds to wait for readiness (default %(default)s; MRKIT_AIRFLOW_START_TIMEOUT)",
    )
    up.set_defaults(func=cmd_up)
    down = sub.add_parser(
        "down",
        help="stop every process `up` started (by pid, with their children)",
        description="Stop the api-server, scheduler, dag-processor and triggerer started by "
        "`mrkit airflow up`, and every process they started (task workers).",
    )
    down.set_defaults(func=cmd_down)
    status = sub.add_parser(
        "status",
        help="is it running? pids, URL, health; exit code 0 if running, 3 if not",
        description="Report whether Airflow runs, where, and the health of each component.",
    )
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    status.set_defaults(func=cmd_status)
