"""``mrkit airflow up|down|status|render|deploy|backfill``: Apache Airflow 3.3 of
mr/engines/airflow.py, with mrkit's provider (mr/airflow), and Oozie apps rendered as DAGs
(mr/airflow/render.py), deployed to it and backfilled through its REST API."""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mr.cli.cluster import add_bind_host
from mr.cli.docs import module_doc
from mr.lib import config
from mr.lib.defaults import (
    AIRFLOW_CELERY_PORT_DEFAULTS,
    AIRFLOW_EXECUTORS,
    AIRFLOW_PORT_DEFAULTS,
    AIRFLOW_PORT_ENV,
    AIRFLOW_START_TIMEOUT,
)
from mr.lib.errors import NOT_RUNNING_EXIT, UsageError

if TYPE_CHECKING:
    from mr.engines import airflow


def cmd_up(args: argparse.Namespace) -> int:
    from mr.engines import airflow

    config.use_bind_host(args.bind_host)
    started = time.monotonic()
    state = airflow.up(
        port=args.port,
        timeout=args.timeout,
        say=lambda line: print(line, file=sys.stderr),
        executor=args.executor,
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
    print(f"  executor    {state.executor}   (database {state.database})")
    if state.executor == "celery":
        print(f"  broker      {state.broker}   (RabbitMQ)")
        print(f"  workers     {', '.join(state.workers.values())}")
        print(f"  Flower      {state.flower}   (user {state.user}, password in "
              f"{airflow.flower_password_file()})")  # fmt: skip
    if state.task_settings:
        shown = " ".join(f"{k}={v}" for k, v in state.task_settings.items())
        print(f"  tasks       {shown}")


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
        sick = {c: h for c, h in st["health"].items() if h not in ("healthy", "answers")}
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


APP_FORMS = """\
APP is one of:
  MODULE:ATTR     a Workflow, Coordinator or Bundle in an importable module, or a function
                  returning one (mr.workflow.examples:daily_report)
  file.py:ATTR    the same in a Python file (./my_flows.py:nightly)
  DIR or X.xml    an Oozie app directory holding workflow.xml, coordinator.xml or bundle.xml
                  (with the workflow.xml a coordinator runs beside it, or under the directory
                  its app-path names) and job.properties, or one of those XML files
A workflow becomes one DAG named like it; a coordinator one DAG on its schedule that waits for
its inputs' done-flags; a bundle one DAG per coordinator. --properties FILE replaces the
job.properties beside the app (${nameNode}, ${queueName} and the like)."""

RENDER_CHECK = """\
Each file is compiled, then imported by Airflow's DagBag in the Airflow venv of `mrkit airflow
up` (~/.cache/mrkit/airflow-py3.12-*) when that venv exists, before it is moved into DIR: a DAG
that does not import is never written. Without the venv the import check is left out (said on
stderr) rather than made for it: making it installs Airflow (280 MB, 20-75 s), too much to ask
of a command that writes text, and `mrkit airflow deploy` always checks. --check-imports makes
the venv when missing and always checks."""


def installed_venv_python() -> Path | None:
    """The python of the Airflow venv when it is made (`mrkit airflow up` makes it)."""
    from mr.engines import airflow

    venv = airflow.venv_path()
    python = venv / "bin" / "python"
    return python if (venv / ".complete").is_file() and python.exists() else None


def render_or_report(
    app: str, out: Path, properties: str | None, python: Path | None
) -> list[Path]:
    """render_app; its InvalidApp problems printed one per line (on stderr), then Problems."""
    from mr.airflow.render import InvalidApp, render_app

    try:
        return render_app(app, out, Path(properties) if properties else None, python=python)
    except InvalidApp as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        raise Problems(len(e.problems)) from None


class Problems(Exception):
    """The app's problems were printed: exit 1."""

    def __init__(self, count: int):
        super().__init__(f"{count} problem(s)")
        self.count = count


def cmd_render(args: argparse.Namespace) -> int:
    python = installed_venv_python()
    if python is None and args.check_imports:
        from mr.engines import airflow

        venv = airflow.ensure_venv(say=lambda line: print(line, file=sys.stderr))
        python = venv / "bin" / "python"
    if python is None:
        print(
            "mrkit airflow render: the DAG import check is left out: no Airflow venv (`mrkit "
            "airflow up` or --check-imports makes it)",
            file=sys.stderr,
        )
    try:
        written = render_or_report(args.app, Path(args.out), args.properties, python)
    except Problems:
        return 1
    for path in written:
        print(path)
    return 0


def running_airflow() -> airflow.AirflowInfo:
    from mr.engines import EngineError, airflow

    state = airflow.info()
    if state is None:
        raise EngineError("Airflow is not running: start it with `mrkit airflow up`")
    return state


class Rest:
    """The REST API of the running Airflow, with one token."""

    def __init__(self, state: airflow.AirflowInfo):
        from mr.engines import airflow

        self.state, self.engine = state, airflow
        self.bearer = airflow.token(state)

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        return self.engine.api(self.state, method, path, body, bearer=self.bearer)

    def dag(self, dag_id: str) -> dict[str, Any] | None:
        """GET dags/ID, None while Airflow does not know the DAG."""
        from mr.engines import EngineError

        try:
            return dict(self("GET", f"dags/{quote(dag_id)}"))
        except EngineError as e:
            if "HTTP 404" in str(e):
                return None
            raise


def quote(text: str) -> str:
    import urllib.parse

    return urllib.parse.quote(text, safe="")


def parse_moment(text: str, option: str) -> datetime:
    """A day (2026-02-01: its midnight) or a time, UTC unless it says its zone."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{option} {text!r}: give a day (2026-02-01) or a time (2026-02-01T06:00Z)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def parsed_time(text: str | None) -> datetime | None:
    return parse_moment(text, "") if text else None


def cmd_deploy(args: argparse.Namespace) -> int:
    state = running_airflow()
    rest = Rest(state)
    python = Path(state.venv) / "bin" / "python"
    written_at = datetime.now(timezone.utc)
    try:
        written = render_or_report(args.app, Path(state.dags), args.properties, python)
    except Problems:
        return 1
    dag_ids = [path.stem for path in written]
    errors = wait_parsed(rest, written, written_at, args.timeout, dags=Path(state.dags))
    if errors:
        for line in errors:
            print(line, file=sys.stderr)
        return 1
    for dag_id in dag_ids:
        rest("PATCH", f"dags/{quote(dag_id)}", {"is_paused": False})
        print(f"{dag_id}  {state.url}/dags/{quote(dag_id)}")
    return 0


def wait_parsed(
    rest: Rest, files: list[Path], since: datetime, timeout: float, *, dags: Path
) -> list[str]:
    """Wait until the dag-processor has parsed each file (written at `since` into the dags
    folder `dags`): its DAG known and parsed since, or an import error of it reported since;
    the import errors, one line each (file: last line of the traceback)."""
    from mr.engines import EngineError

    waiting = {path.stem: path for path in files}
    errors: list[str] = []
    deadline = time.monotonic() + timeout
    slack = 2.0  # seconds: the dag-processor's clock is this machine's, its times rounded
    while waiting:
        for dag_id in list(waiting):
            dag = rest.dag(dag_id)
            parsed = parsed_time(dag.get("last_parsed_time")) if dag else None
            fresh = parsed is not None and parsed.timestamp() >= since.timestamp() - slack
            if dag is not None and fresh and not dag.get("is_stale"):
                del waiting[dag_id]
        reported = rest("GET", "importErrors?limit=100")["import_errors"]
        for error in reported:
            at = parsed_time(error.get("timestamp"))
            path = next((p for p in waiting.values() if _is_file(error, p, dags)), None)
            if path is not None and at is not None and at.timestamp() >= since.timestamp() - slack:
                lines = [s for s in str(error.get("stack_trace", "")).splitlines() if s.strip()]
                errors.append(f"{path}: {lines[-1].strip() if lines else 'import error'}")
                del waiting[path.stem]
        if not waiting:
            break
        if time.monotonic() > deadline:
            raise EngineError(
                f"the dag-processor has not parsed {', '.join(sorted(waiting))} "
                f"after {timeout:.0f}s (see {rest.engine.log_dir()})"
            )
        time.sleep(1)
    return errors


def _is_file(error: dict[str, Any], path: Path, dags: Path) -> bool:
    """Whether an import error is of `path`: Airflow names the file relative to the dags
    folder (its bundle); the same name in a subfolder is another file."""
    reported = Path(str(error.get("filename", "")))
    if reported.is_absolute():
        return reported == path
    return reported == path.relative_to(dags)


#: the states a DAG run ends in
RUN_ENDED = ("success", "failed")


def cmd_backfill(args: argparse.Namespace) -> int:
    start = parse_moment(args.from_date, "--from")
    end = parse_moment(args.to_date, "--to")
    if start > end:
        raise UsageError(f"--from {args.from_date} is after --to {args.to_date}")
    state = running_airflow()
    rest = Rest(state)
    dag = rest.dag(args.dag_id)
    if dag is None:
        raise UsageError(
            f"{args.dag_id}: no such DAG in {state.url} (`mrkit airflow deploy` "
            "renders one into it)"
        )
    if dag.get("is_paused"):
        if not args.unpause:
            raise UsageError(
                f"{args.dag_id} is paused, and a backfill of a paused DAG never "
                "starts: unpause it (--unpause, the UI, or `mrkit airflow "
                "deploy`)"
            )
        rest("PATCH", f"dags/{quote(args.dag_id)}", {"is_paused": False})
    at_once = args.max_active_runs
    if at_once is None:  # Airflow's backfill ignores the DAG's own max_active_runs
        at_once = rest("GET", f"dags/{quote(args.dag_id)}/details").get("max_active_runs") or 1
    body = {
        "dag_id": args.dag_id,
        "from_date": start.isoformat(),
        "to_date": end.isoformat(),
        "max_active_runs": at_once,
    }
    planned = rest("POST", "backfills/dry_run", body)["backfills"]
    before = {run["logical_date"]: run for run in runs_between(rest, args.dag_id, start, end)}
    for info in planned:
        when = parsed_time(info.get("logical_date"))
        old = next((r for d, r in before.items() if when and parsed_time(d) == when), None)
        if old is not None:
            print(
                f"{show_time(when)} skipped: it has a run already, {old['dag_run_id']} "
                f"({old['state']})"
            )
    known = {run["dag_run_id"] for run in before.values()}
    backfill = create_backfill(rest, body)
    started = time.monotonic()
    print(
        f"backfill {backfill['id']} of {args.dag_id}: {len(planned) - len(before)} run(s) "
        f"from {show_time(start)} to {show_time(end)}",
        file=sys.stderr,
    )
    try:
        failed = follow_backfill(rest, args.dag_id, backfill["id"], start, end, known)
    except KeyboardInterrupt:
        print(
            f"mrkit airflow backfill: backfill {backfill['id']} goes on in Airflow (cancel it "
            f"in the UI: {state.url}/dags/{quote(args.dag_id)})",
            file=sys.stderr,
        )
        raise
    seconds = time.monotonic() - started
    if failed:
        named = "; ".join(failed)
        print(f"mrkit airflow backfill: {args.dag_id}: failed: {named}", file=sys.stderr)
        return 1
    print(f"backfill {backfill['id']} of {args.dag_id}: done in {seconds:.0f}s", file=sys.stderr)
    return 0


#: how long `backfill` tries again while Airflow answers that SQLite is locked
LOCKED_RETRY_SECONDS = 60.0


def create_backfill(
    rest: Any, body: dict[str, Any], timeout: float = LOCKED_RETRY_SECONDS, pause: float = 2.0
) -> dict[str, Any]:
    """POST /backfills, tried again while Airflow answers HTTP 503 "Database is locked" (on
    SQLite it refuses a backfill while another process writes: seen right after `deploy`, as
    the dag-processor wrote the DAG). A 409 (a backfill running) after a 503 is tried again too:
    the 503 may have come after the backfill's row was written, before its runs, and the
    scheduler marks such a backfill complete."""
    from mr.engines import EngineError

    deadline = time.monotonic() + timeout
    locked = False
    while True:
        try:
            return dict(rest("POST", "backfills", body))
        except EngineError as e:
            said = str(e)
            locked = locked or ("HTTP 503" in said and "locked" in said)
            again = locked and ("HTTP 503" in said or "HTTP 409" in said)
            if not again or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)


def runs_between(rest: Rest, dag_id: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    import urllib.parse

    query = urllib.parse.urlencode(
        {
            "logical_date_gte": start.isoformat(),
            "logical_date_lte": end.isoformat(),
            "limit": 100,
            "order_by": "logical_date",
        }
    )
    return list(rest("GET", f"dags/{quote(dag_id)}/dagRuns?{query}")["dag_runs"])


def show_time(moment: datetime | None) -> str:
    """2026-02-01 for a midnight (UTC), else 2026-02-01T06:00Z."""
    if moment is None:
        return "?"
    moment = moment.astimezone(timezone.utc)
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%dT%H:%MZ")


def follow_backfill(
    rest: Rest, dag_id: str, backfill_id: int, start: datetime, end: datetime, known: set[str]
) -> list[str]:
    """Print one line per run of the backfill as it ends until the backfill is complete; the
    failed runs, each with its failed tasks."""
    done: set[str] = set()
    failed: list[str] = []
    while True:
        complete = rest("GET", f"backfills/{backfill_id}").get("completed_at") is not None
        runs = [r for r in runs_between(rest, dag_id, start, end) if r["dag_run_id"] not in known]
        for run in runs:
            if run["dag_run_id"] in done or run["state"] not in RUN_ENDED:
                continue
            done.add(run["dag_run_id"])
            when = show_time(parsed_time(run.get("logical_date")))
            line = f"{when} {run['state']}  {run['dag_run_id']}"
            if run["state"] == "failed":
                tasks = failed_tasks(rest, dag_id, run["dag_run_id"])
                named = ", ".join(tasks) or "no task failed"
                line += f"  failed task(s): {named}"
                failed.append(f"{when} ({named})")
            print(line, flush=True)
        if complete and all(r["dag_run_id"] in done for r in runs):
            return failed
        time.sleep(2)


def failed_tasks(rest: Rest, dag_id: str, run_id: str) -> list[str]:
    path = f"dags/{quote(dag_id)}/dagRuns/{quote(run_id)}/taskInstances?state=failed&limit=100"
    return sorted(ti["task_id"] for ti in rest("GET", path)["task_instances"])


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "airflow",
        help="start, stop or inspect Apache Airflow 3.3 with mrkit's provider",
        description=module_doc("mr.engines.airflow"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="ports: "
        + ", ".join(f"{name} (default {port})" for name, port in AIRFLOW_PORT_DEFAULTS.items())
        + "; with --executor celery also "
        + ", ".join(
            f"{name} (default {port})" for name, port in AIRFLOW_CELERY_PORT_DEFAULTS.items()
        ),
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = sub.add_parser(
        "up",
        help="make the venv (once), start Airflow and wait until it is healthy",
        description="Start the api-server, scheduler, dag-processor and triggerer in the "
        "background (pid files and logs under the state dir's airflow/) and wait until the "
        "health endpoint says all are healthy. With --executor celery, PostgreSQL and RabbitMQ "
        "first and two Celery workers and Flower after, waiting also until both workers answer "
        "Flower's broadcast. Harmless if running.",
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
    add_bind_host(up)
    up.add_argument(
        "--executor",
        choices=AIRFLOW_EXECUTORS,
        default="local",
        help="local (default): the scheduler runs tasks, SQLite; celery: two Celery workers "
        "fed through RabbitMQ, PostgreSQL shared by every process, Flower (Debian's "
        "rabbitmq-server and postgresql); a running Airflow of the other executor is restarted",
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
    render = sub.add_parser(
        "render",
        help="an Oozie app (workflow, coordinator, bundle) as Airflow DAG files",
        description="Render APP into DIR, one file per DAG (<dag id>.py), a file a person "
        "reviews in git; nothing is written when the app is invalid (its problems, one per "
        "line, exit 1) or cannot become a DAG (one line, exit 2).\n\n"
        + APP_FORMS
        + "\n\n"
        + RENDER_CHECK,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_app_arguments(render)
    render.add_argument("--out", required=True, metavar="DIR", help="where the DAG files go")
    render.add_argument(
        "--check-imports",
        action="store_true",
        help="make the Airflow venv if missing, to import-check the files",
    )
    render.set_defaults(func=cmd_render)
    deploy = sub.add_parser(
        "deploy",
        help="render an app into the running Airflow's dags folder and unpause its DAGs",
        description="Render APP (import-checked in Airflow's venv) into the dags folder of the "
        "Airflow `mrkit airflow up` runs, wait until its dag-processor has parsed each DAG "
        "(an import error: one line each, exit 1) and unpause them (new DAGs start paused). "
        "Prints each DAG id and its page in the UI. A coordinator whose start is in the past "
        "and whose execution is not LAST_ONLY/NONE (catchup) starts its past runs at once, as "
        "Oozie does.\n\n" + APP_FORMS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_app_arguments(deploy)
    deploy.add_argument(
        "--timeout",
        type=float,
        default=120,
        metavar="SECONDS",
        help="how long to wait for the dag-processor (default %(default)s)",
    )
    deploy.set_defaults(func=cmd_deploy)
    backfill = sub.add_parser(
        "backfill",
        help="run a DAG for past dates (POST /api/v2/backfills) and follow it to its end",
        description="Start a backfill of DAG_ID on the running Airflow for every logical date "
        "of its schedule from --from to --to (both included; a day means its midnight, UTC) "
        "and follow it: one line per run as it ends (its failed tasks named), exit 0 when "
        "every run succeeded, 1 when some failed. A date that already has a run is skipped "
        "(said first); Airflow runs one backfill per DAG at a time; a paused DAG is refused "
        "(its backfill would never start) unless --unpause. Ctrl-C stops following, not the "
        "backfill.",
    )
    backfill.add_argument("dag_id", metavar="DAG_ID")
    backfill.add_argument(
        "--from",
        dest="from_date",
        required=True,
        metavar="DATE",
        help="the first logical date (2026-02-01 or 2026-02-01T06:00Z)",
    )
    backfill.add_argument(
        "--to",
        dest="to_date",
        required=True,
        metavar="DATE",
        help="the last logical date, included",
    )
    backfill.add_argument(
        "--unpause",
        action="store_true",
        help="unpause a paused DAG first (its scheduled runs start too)",
    )
    backfill.add_argument(
        "--max-active-runs",
        type=int,
        default=None,
        metavar="N",
        help="runs of the backfill at once (default: the DAG's max_active_runs, a "
        "coordinator's concurrency, which Airflow's backfill does not apply by itself)",
    )
    backfill.set_defaults(func=cmd_backfill)


def add_app_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "app",
        metavar="APP",
        help="MODULE:ATTR, file.py:ATTR, or an Oozie app directory (or its XML file)",
    )
    p.add_argument(
        "--properties",
        metavar="FILE",
        help="a job.properties to use instead of the one beside the app",
    )
