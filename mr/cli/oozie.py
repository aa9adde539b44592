"""``mrkit oozie up|down|status``: the Oozie server of mr/engines/oozie.py, on the cluster;
with ``--secure``, the Kerberized one of mr/engines/oozie_secure.py on the secure cluster."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from mr.cli.cluster import add_bind_host
from mr.lib import config
from mr.lib.defaults import (
    OOZIE_DEFAULT_PORT,
    OOZIE_PORT_ENV,
    OOZIE_RETRY_CODES_ENV,
    OOZIE_START_TIMEOUT,
    SECURE_OOZIE_DEFAULT_PORT,
    SECURE_OOZIE_PORT_ENV,
)
from mr.lib.errors import NOT_RUNNING_EXIT, UsageError

if TYPE_CHECKING:
    from mr.engines import oozie, oozie_secure


def cmd_up(args: argparse.Namespace) -> int:
    from mr.engines import oozie

    if args.secure:
        return secure_up(args)
    config.use_bind_host(args.bind_host)
    state = oozie.up(
        port=args.port,
        timeout=args.timeout,
        say=lambda line: print(line, file=sys.stderr),
        retry_codes=args.retry_codes,
    )
    print_state(state)
    return 0


def print_state(state: oozie.OozieInfo) -> None:
    from mr.engines import oozie

    print(f"oozie: running (pid {state.pid})")
    print(f"  REST API    {state.url}/v2   (OOZIE_URL={state.url})")
    print(f"  sharelib    hdfs://{state.sharelib}")
    if state.retry_codes:
        print(f"  retried     {state.retry_codes} (besides Oozie's default error codes)")
    print(f"  log         {oozie.log_dir() / 'oozie.log'}")


def secure_up(args: argparse.Namespace) -> int:
    from mr.engines import oozie_secure

    if args.bind_host:
        raise UsageError("--bind-host is for the open Oozie; the secure one is on localhost")
    if args.retry_codes:
        raise UsageError("--retry-codes is for the open Oozie")
    state = oozie_secure.up(
        port=args.port, timeout=args.timeout, say=lambda line: print(line, file=sys.stderr)
    )
    print_secure_state(state)
    return 0


def print_secure_state(state: oozie_secure.SecureOozieInfo) -> None:
    from mr.engines import oozie, oozie_secure

    print(f"oozie-secure: running (pid {state.pid}), Kerberos")
    print(f"  REST API    {state.url}/v2   (SPNEGO as {state.http_principal})")
    print(f"  principal   {state.principal} (a proxy user of the secure cluster)")
    print(f"  sharelib    hdfs://{state.sharelib}")
    print(f"  log         {oozie.log_dir(oozie_secure.home()) / 'oozie.log'}")
    print("  log in      eval \"$(mrkit cluster env --secure)\"; "
          'kinit -kt "$MRKIT_KEYTAB" "$MRKIT_PRINCIPAL"')  # fmt: skip


def cmd_down(args: argparse.Namespace) -> int:
    from mr.engines import oozie

    if args.secure:
        from mr.engines import oozie_secure

        print("oozie-secure: stopped" if oozie_secure.down() else "oozie-secure: not running")
        return 0
    print("oozie: stopped" if oozie.down() else "oozie: not running")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from mr.engines import oozie

    if args.secure:
        return secure_status(args)
    st = oozie.status()
    if args.json:
        print(json.dumps(st, indent=2))
    elif st["running"]:
        state = oozie.info()
        assert state is not None
        print_state(state)
        if st["system_mode"] != "NORMAL":
            print(f"  warning: the server answers {st['system_mode']} (expected NORMAL)")
        if not st["cluster_running"]:
            print("  warning: the Hadoop cluster it was started on is gone: `mrkit oozie up` again")
    else:
        print("oozie: not running (`mrkit oozie up` starts it, after `mrkit cluster up`)")
    return 0 if st["running"] else NOT_RUNNING_EXIT


def secure_status(args: argparse.Namespace) -> int:
    from mr.engines import oozie_secure

    st = oozie_secure.status()
    if args.json:
        print(json.dumps(st, indent=2))
    elif st["running"]:
        state = oozie_secure.info()
        assert state is not None
        print_secure_state(state)
        if st["system_mode"] != "NORMAL":
            print(f"  warning: the server answers {st['system_mode']} (expected NORMAL)")
        if not st["cluster_running"]:
            print("  warning: the secure cluster it was started on is gone: "
                  "`mrkit oozie up --secure` again")  # fmt: skip
    else:
        print("oozie-secure: not running (`mrkit oozie up --secure` starts it, after "
              "`mrkit cluster up --secure`)")  # fmt: skip
    return 0 if st["running"] else NOT_RUNNING_EXIT


def add_secure(parser: argparse.ArgumentParser, help: str) -> None:
    parser.add_argument("--secure", action="store_true", help=help)


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "oozie",
        help="start, stop or inspect the Oozie server (on the cluster of `mrkit cluster up`)",
        description="Apache Oozie 5.2.1 on this machine, from Maven Central jars fetched into "
        ".cluster/oozie/lib, against the Hadoop cluster of `mrkit cluster up` (start that "
        "first). `up` uploads Oozie's sharelib to HDFS, writes Oozie's configuration and starts "
        "the server with a new Derby database; workflows run on it with "
        "`mrkit workflow run --engine oozie`.",
        epilog=f"port: {OOZIE_PORT_ENV} (default {OOZIE_DEFAULT_PORT}); with --secure "
        f"{SECURE_OOZIE_PORT_ENV} (default {SECURE_OOZIE_DEFAULT_PORT})\n\nthen:\n"
        "  mrkit workflow run mr.workflow.examples:word_pipeline --engine oozie",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = sub.add_parser(
        "up",
        help="start the server and wait until it answers (harmless if running)",
        description="Start the Oozie server in the background (pid file and logs in "
        ".cluster/oozie/) and wait until its REST API answers NORMAL.",
    )
    up.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"HTTP port of the REST API (default ${OOZIE_PORT_ENV} or {OOZIE_DEFAULT_PORT})",
    )
    up.add_argument(
        "--timeout",
        type=float,
        default=OOZIE_START_TIMEOUT,
        help="seconds to wait for readiness (default %(default)s; MRKIT_OOZIE_START_TIMEOUT)",
    )
    up.add_argument(
        "--retry-codes",
        metavar="CODES",
        help="error codes an action's retry-max applies to besides Oozie's defaults "
        "(user.retry.error.code.ext), comma-separated; ALL: every error; a shell action's exit "
        f"code is its error code (default ${OOZIE_RETRY_CODES_ENV})",
    )
    add_bind_host(up)
    add_secure(
        up,
        "a Kerberized server on the secure cluster (`mrkit cluster up --secure`): its own "
        "principal oozie/localhost, SPNEGO on the REST API, state in .cluster/oozie-secure",
    )
    up.set_defaults(func=cmd_up)
    down = sub.add_parser(
        "down",
        help="stop the server started by `up` (only that process)",
        description="Stop the Oozie server started by `mrkit oozie up` (by its recorded pid).",
    )
    add_secure(down, "the secure server of `up --secure`")
    down.set_defaults(func=cmd_down)
    status = sub.add_parser(
        "status",
        help="is it running? pid, URL, sharelib; exit code 0 if running, 3 if not",
        description="Report whether the Oozie server runs, where, and on which cluster.",
    )
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    add_secure(status, "the secure server of `up --secure`")
    status.set_defaults(func=cmd_status)
