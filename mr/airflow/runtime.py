"""What a DAG rendered by mr/airflow/render.py runs: one Oozie node per Airflow task, as
mrkit's local runner (mr/workflow/local.py) runs it.

A rendered file makes its tasks with :class:`OozieTasks`: ``oozie.action(name, body)`` (a
PythonOperator that runs the action's body with :meth:`LocalRun.attempt`, EL substituted with
mrkit's evaluator), ``decision`` (a BranchPythonOperator: the first case whose predicate is
true, else the default), ``fork``/``join``/``end`` (EmptyOperators), ``kill`` (fails with the
kill node's message) and, for a coordinator, ``wait_for`` (a sensor on the done-flags of one
input event's instances; ``cannot_wait_for``, a task that fails saying why, for an input of
HCatalog partitions). The state a local run keeps in memory is kept in XCom:

* capture-output: an action's data is its XCom ``return_value``; ``wf:actionData('x')`` pulls
  it from task x;
* counters: an mrkit job's action pushes ``counters`` (its step's, {group: {name: n}}) and
  ``step_counters`` (every step's: its later step actions push theirs from it);
  ``hadoop:counters('x')`` pulls them from task x;
* errors: an action that ends in ERROR pushes ``error`` ({code, message, at}) and fails;
  ``wf:errorCode/errorMessage('x')`` and ``wf:lastErrorNode()`` read them back;
* retries: a retryable error code (Oozie's defaults, plus $MRKIT_AIRFLOW_RETRY_CODES, ``ALL``
  for every code) raises AirflowException, which Airflow retries (``retries``, ``retry_delay``
  from retry-max and retry-interval); any other raises AirflowFailException, which it does not.

Transitions are the DAG's edges; an error transition is an edge labelled ``error`` (``ok or
error`` when both go to the same node). Most nodes run by their trigger rule alone; a node
whose trigger rule is ``one_failed`` or ``all_done`` (a kill node, the error node of an action,
the ok node of an action whose error leads on) first checks that an upstream transition really
leads to it (an upstream action that failed took its error edge, one that succeeded its ok
edge, a decision the node it chose) and is skipped otherwise: Airflow would also fire it for an
upstream that never ran (upstream_failed).

Where things run, from the environment of the Airflow worker: name node paths under
$MRKIT_AIRFLOW_ROOT (default: `mrkit workflow run`'s root, .cluster/workflow-root), jobs with
mrjob's $MRKIT_AIRFLOW_RUNNER (inline), logs and work directories under
$MRKIT_AIRFLOW_RUNS/<dag>/<run> (default .cluster/airflow-runs).

This module imports Airflow only inside the functions that build tasks and run them, so the
renderer (which must not import Airflow) can use its body classes and names.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mr.lib.defaults import (
    AIRFLOW_POKE_DEFAULT,
    AIRFLOW_POKE_ENV,
    AIRFLOW_POKE_MIN,
    AIRFLOW_RETRY_CODES_ENV,
    AIRFLOW_ROOT_ENV,
    AIRFLOW_RUNNER_ENV,
    AIRFLOW_RUNS_ENV,
)
from mr.workflow import el
from mr.workflow.coordinator import Coordinator
from mr.workflow.local import (
    DEFAULT_RETRY_CODES,
    LocalRun,
    LocalSettings,
    Outcome,
    WorkflowFailed,
    job_body,
)
from mr.workflow.model import (
    Action,
    ActionBody,
    Case,
    Decision,
    Kill,
    SubWorkflow,
    Workflow,
)
from mr.workflow.properties import layered_values
from mr.workflow.runs import NodeRun, WorkflowRun

ROOT_ENV = AIRFLOW_ROOT_ENV
RUNNER_ENV = AIRFLOW_RUNNER_ENV
RUNS_ENV = AIRFLOW_RUNS_ENV
RETRY_CODES_ENV = AIRFLOW_RETRY_CODES_ENV
#: the XCom key of an action's error
ERROR_KEY = "error"
#: the XCom keys of a job action's counters: its step's, and every step's of the job
COUNTERS_KEY = "counters"
STEP_COUNTERS_KEY = "step_counters"
#: the error code of an action the runtime cannot run (its message names the action type)
UNSUPPORTED = "UNSUPPORTED"
#: the label of an error transition's edge, and of an edge that is both ok and error
ERROR_LABEL = "error"
BOTH_LABEL = "ok or error"

_NOT_KEY = re.compile(r"[^\w.-]")


def task_id(node: str) -> str:
    """The Airflow task id of a node: its name, each character Airflow refuses in an id
    (anything but letters, digits, ``_ . -``) replaced by ``_``, at most 250 characters."""
    return _NOT_KEY.sub("_", node)[:250] or "_"


# -- bodies the renderer writes besides mrkit's model ------------------------------------------


@dataclass
class Job:
    """An mrkit job (mr/<stem>.py) from input to output, run whole (every step), as the local
    runner runs the map-reduce streaming actions of ``Workflow.job``."""

    stem: str
    args: list[str] = field(default_factory=list)
    input: list[str] = field(default_factory=list)
    output: str = ""
    overwrite: bool = False


@dataclass
class JobStep:
    """A later step action of a job that its first step's task ran whole (``ran_at``)."""

    stem: str
    step: int
    ran_at: str


@dataclass
class Command:
    """An Oozie action kind mrkit has no model for, run as its engine's command line (``pig
    -f``, ``hive -f``, ``spark-submit`` ...) in the application directory."""

    kind: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    capture_output: bool = False


@dataclass
class Unsupported:
    """An action that cannot run here: its task fails with this message, naming the kind."""

    kind: str
    reason: str


Body = ActionBody | Job | JobStep | Command | Unsupported


@dataclass
class Settings:
    """Where the tasks of a rendered DAG run (see the module docstring)."""

    root: Path
    runs: Path
    runner: str = "inline"
    retry_codes: frozenset[str] = DEFAULT_RETRY_CODES

    @classmethod
    def from_env(cls) -> Settings:
        from mr.lib.config import state_root

        codes = {c.strip() for c in os.environ.get(RETRY_CODES_ENV, "").split(",") if c.strip()}
        root = os.environ.get(ROOT_ENV)
        runs = os.environ.get(RUNS_ENV)
        return cls(
            root=Path(root) if root else state_root() / "workflow-root",
            runs=Path(runs) if runs else state_root() / "airflow-runs",
            runner=os.environ.get(RUNNER_ENV) or "inline",
            retry_codes=DEFAULT_RETRY_CODES | frozenset(codes),
        )


# -- the tasks ------------------------------------------------------------------------------------


class OozieTasks:
    """Makes the tasks of one rendered workflow (or coordinator) DAG; inside ``with DAG``."""

    def __init__(
        self,
        workflow: str,
        *,
        coordinator: Coordinator | None = None,
        app_dir: str | None = None,
    ):
        self.workflow, self.coordinator = workflow, coordinator
        self.app_dir = Path(app_dir) if app_dir else None
        #: node name -> kind (action, decision, fork, join, kill, end, input)
        self.kinds: dict[str, str] = {}

    # -- task factories (used at parse time, in the DAG file) --------------------------------

    def action(
        self,
        name: str,
        body: Body,
        *,
        retries: int = 0,
        retry_interval: int | None = None,
        exponential: bool = False,
        trigger_rule: str = "all_success",
        child: Workflow | None = None,
    ) -> Any:
        """An action: its body run as the local runner runs it; retry_interval in minutes."""
        from airflow.providers.standard.operators.python import PythonOperator

        self.kinds[name] = "action"
        delay = {} if retry_interval is None else {"retry_delay": timedelta(minutes=retry_interval)}
        return PythonOperator(
            task_id=task_id(name),
            python_callable=functools.partial(self.run_action, name, body, child),
            retries=retries,
            retry_exponential_backoff=2.0 if exponential else 0,
            trigger_rule=trigger_rule,
            **delay,
        )

    def decision(
        self,
        name: str,
        cases: Mapping[str, str],
        *,
        default: str,
        trigger_rule: str = "all_success",
    ) -> Any:
        """A decision: the first case ({predicate: node}) that is true, else default."""
        from airflow.providers.standard.operators.python import BranchPythonOperator

        self.kinds[name] = "decision"
        node = Decision(name, [Case(to, predicate) for predicate, to in cases.items()], default)
        return BranchPythonOperator(
            task_id=task_id(name),
            python_callable=functools.partial(self.run_decision, node),
            trigger_rule=trigger_rule,
        )

    def fork(self, name: str, *, trigger_rule: str = "all_success") -> Any:
        """A fork: its paths are its downstream tasks, run in parallel."""
        return self._control(name, "fork", trigger_rule)

    def join(self, name: str, *, trigger_rule: str = "none_failed_min_one_success") -> Any:
        """A join: waits for every path of its fork (a path that failed fails it)."""
        return self._control(name, "join", trigger_rule)

    def end(self, name: str, *, trigger_rule: str = "all_success") -> Any:
        """The end node: reached, the workflow succeeded."""
        return self._control(name, "end", trigger_rule)

    def kill(self, name: str, message: str, *, trigger_rule: str = "one_failed") -> Any:
        """A kill node: when reached, fails with its message (EL substituted)."""
        from airflow.providers.standard.operators.python import PythonOperator

        self.kinds[name] = "kill"
        return PythonOperator(
            task_id=task_id(name),
            python_callable=functools.partial(self.run_kill, Kill(name, message)),
            trigger_rule=trigger_rule,
        )

    def wait_for(
        self, data_in: str, *, timeout: int | None, poke_interval: int | None = None
    ) -> Any:
        """A sensor: the done-flag of every instance of the coordinator's input event
        `data_in` for the run's nominal time (its logical date); timeout in minutes (None:
        for ever), then the run fails (Oozie's TIMEDOUT). It checks every poke_interval
        seconds (default $MRKIT_AIRFLOW_POKE_SECONDS, else 60; at least 15, AIRFLOW_POKE_MIN)
        and frees its worker slot in between (mode reschedule: up_for_reschedule)."""
        from airflow.providers.standard.sensors.python import PythonSensor

        if poke_interval is None:
            poke_interval = int(os.environ.get(AIRFLOW_POKE_ENV) or AIRFLOW_POKE_DEFAULT)
        poke_interval = max(poke_interval, AIRFLOW_POKE_MIN)

        self.kinds[data_in] = "input"
        forever = timedelta(days=365 * 100)
        return PythonSensor(
            task_id=task_id(f"wait-for-{data_in}"),
            python_callable=functools.partial(self.inputs_done, data_in),
            poke_interval=poke_interval,
            timeout=forever if timeout is None else timedelta(minutes=timeout),
            mode="reschedule",
        )

    def cannot_wait_for(self, data_in: str, reason: str) -> Any:
        """The task of an input this runtime cannot wait for (HCatalog partitions): it fails
        with the reason, so the run never passes it silently."""
        from airflow.providers.standard.operators.python import PythonOperator

        self.kinds[data_in] = "input"
        return PythonOperator(
            task_id=task_id(f"wait-for-{data_in}"),
            python_callable=functools.partial(self.run_cannot_wait, data_in, reason),
        )

    def _control(self, name: str, kind: str, trigger_rule: str) -> Any:
        self.kinds[name] = kind
        if trigger_rule in ("all_done", "one_failed"):
            from airflow.providers.standard.operators.python import PythonOperator

            return PythonOperator(
                task_id=task_id(name),
                python_callable=functools.partial(self.run_control, name),
                trigger_rule=trigger_rule,
            )
        from airflow.providers.standard.operators.empty import EmptyOperator

        return EmptyOperator(task_id=task_id(name), trigger_rule=trigger_rule)

    # -- what the tasks run ------------------------------------------------------------------

    def run_action(
        self, name: str, body: Body, child: Workflow | None, **context: Any
    ) -> dict[str, str] | None:
        from airflow.sdk.exceptions import AirflowException, AirflowFailException

        self.check_reached(name, context)
        ti = context["ti"]
        run = self.local_run(context, name, body, child)
        outcome = self.attempt(run, name, body, ti.try_number)
        if outcome.ok:
            self.push_counters(ti, body, outcome)
            return outcome.data or None
        ti.xcom_push(
            ERROR_KEY,
            {"code": outcome.code, "message": outcome.message, "at": datetime.now().isoformat()},
        )
        said = f"{name} ended in ERROR: {outcome.code}: {outcome.message}"
        codes = run.settings.retry_codes
        if "ALL" in codes or (outcome.code or "") in codes:
            raise AirflowException(said)  # Airflow retries it while retries are left
        raise AirflowFailException(said)

    def push_counters(self, ti: Any, body: Body, outcome: Outcome) -> None:
        """A job's counters into XCom: the step's, and every step's for the later steps."""
        steps = outcome.counters
        if isinstance(body, JobStep):
            pulled = ti.xcom_pull(task_ids=task_id(body.ran_at), key=STEP_COUNTERS_KEY)
            steps = pulled if isinstance(pulled, list) else []
            if len(steps) >= body.step:
                ti.xcom_push(COUNTERS_KEY, steps[body.step - 1])
            return
        if steps:
            ti.xcom_push(COUNTERS_KEY, steps[0])
            ti.xcom_push(STEP_COUNTERS_KEY, steps)

    def attempt(self, run: LocalRun, name: str, body: Body, number: int) -> Outcome:
        """One attempt of an action, as the local runner makes it; its log printed (into the
        task's log)."""
        log = run.run_dir / "logs" / f"{name}.{number}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, JobStep):
            log.write_text(f"ran whole at {body.ran_at}\n", encoding="utf-8")
            outcome = Outcome(True)
        elif isinstance(body, Unsupported):
            outcome = Outcome.error(UNSUPPORTED, f"a {body.kind} action: {body.reason}")
        elif isinstance(body, Command):
            outcome = self.command(run, name, body, log)
        else:
            if isinstance(body, Job):
                body = job_body(body.stem, body.args, body.input, body.output,
                                overwrite=body.overwrite)  # fmt: skip
            outcome = run.attempt(Action(name, body), number)
        if log.is_file():
            print(log.read_text(encoding="utf-8", errors="replace"), end="")
        status = "OK" if outcome.ok else f"ERROR {outcome.code}: {outcome.message}"
        print(f"{name}: {status}")
        return outcome

    def command(self, run: LocalRun, name: str, body: Command, log: Path) -> Outcome:
        try:
            resolved = run.substituted(body, name)
        except el.ELError as e:
            return Outcome.error("EL_ERROR", str(e))
        env = {**os.environ, **resolved.env}
        print(f"{name}: {body.kind}: {shlex.join(resolved.argv)}")
        return run.process(
            resolved.argv, log, env=env, cwd=self.app_dir, capture=body.capture_output,
            label=f"{body.kind} action ({resolved.argv[0]})",
        )  # fmt: skip

    def run_decision(self, node: Decision, **context: Any) -> str:
        from airflow.sdk.exceptions import AirflowFailException

        self.check_reached(node.name, context)
        run = self.local_run(context, node.name, None, None)
        try:
            target = run.choose(node)
        except WorkflowFailed as e:  # Oozie ends the workflow FAILED
            raise AirflowFailException(str(e)) from None
        print(f"{node.name}: -> {target}")
        return task_id(target)

    def run_kill(self, node: Kill, **context: Any) -> None:
        from airflow.sdk.exceptions import AirflowFailException

        self.check_reached(node.name, context)
        run = self.local_run(context, node.name, None, None)
        run.last_error_node = self.last_error_node(context)
        try:
            message = run.eval_text(node.message, node.name)
        except WorkflowFailed as e:
            message = f"{node.message} ({e})"
        raise AirflowFailException(message)

    def run_control(self, name: str, **context: Any) -> None:
        self.check_reached(name, context)

    def run_cannot_wait(self, data_in: str, reason: str, **context: Any) -> None:
        from airflow.sdk.exceptions import AirflowFailException

        runner, action = self.coordinator_action(context, self.settings())
        uris = runner.data_in(action, data_in)
        raise AirflowFailException(f"{data_in}: {uris or '(no instance)'}: {reason}")

    def inputs_done(self, data_in: str, **context: Any) -> bool:
        from airflow.sdk.exceptions import AirflowFailException

        from mr.workflow.coord_local import CoordinatorError

        runner, action = self.coordinator_action(context, self.settings())
        try:
            missing = runner.missing(action, data_in)
        except CoordinatorError as e:  # an input it cannot check: fail, never wait for ever
            raise AirflowFailException(str(e)) from None
        print(f"{data_in}: " + ("done" if not missing else "waiting for " + ", ".join(missing)))
        return not missing

    # -- the run's state ---------------------------------------------------------------------

    def settings(self) -> Settings:
        return Settings.from_env()

    def local_run(
        self, context: Mapping[str, Any], name: str, body: Body | None, child: Workflow | None
    ) -> LocalRun:
        """A local run of this workflow holding what earlier tasks of the DAG run left in XCom."""
        settings = self.settings()
        dag_run = context["dag_run"]
        safe_id = _NOT_KEY.sub("_", str(dag_run.run_id))
        run_dir = settings.runs / _NOT_KEY.sub("_", dag_run.dag_id) / safe_id
        local = LocalSettings(
            root=settings.root, runner=settings.runner, retry_codes=settings.retry_codes,
            on_node=_print_node,
        )  # fmt: skip
        if child is not None and isinstance(body, SubWorkflow):
            local.sub_workflows[body.app_path] = child
        values = self.parameters(context, settings)
        wf = Workflow(self.workflow)
        run = LocalRun(wf, values, local, run_dir, self.app_dir, f"{dag_run.dag_id}-{safe_id}")
        ti = context["ti"]
        run.action_data = _Pulled(ti, "return_value", _data)
        run.errors = _Pulled(ti, ERROR_KEY, _error)
        run.counters = _Pulled(ti, COUNTERS_KEY, _counters)
        if "lastErrorNode" in repr(body):
            run.last_error_node = self.last_error_node(context)
        return run

    def parameters(self, context: Mapping[str, Any], settings: Settings) -> dict[str, str]:
        """The workflow's parameter values: the DAG's params (a trigger's conf overrides them),
        ${name} expanded; for a coordinator, its action's configuration (coord: EL of the
        run's nominal time) on top."""
        params = {k: str(v) for k, v in dict(context["params"]).items()}
        if self.coordinator is None:
            return layered_values(f"workflow {self.workflow}", [], params, None, None)
        runner, action = self.coordinator_action(context, settings)
        return layered_values(
            f"workflow {self.workflow}", [], runner.workflow_properties(action), None, None
        )

    def coordinator_action(self, context: Mapping[str, Any], settings: Settings) -> Any:
        """(LocalCoordinator, its action at the run's nominal time: the logical date)."""
        from mr.workflow.coord_local import CoordSettings, LocalCoordinator
        from mr.workflow.schedule import UTC

        assert self.coordinator is not None
        coord = self.coordinator
        params = {k: str(v) for k, v in dict(context["params"]).items()}
        values = layered_values(f"coordinator {coord.name}", [], params, None, None)
        dag_run = context["dag_run"]
        nominal = context.get("logical_date") or dag_run.run_after
        nominal = datetime.fromtimestamp(nominal.timestamp(), UTC)
        run_dir = settings.runs / _NOT_KEY.sub("_", dag_run.dag_id) / "coordinator"
        local = LocalSettings(root=settings.root, runner=settings.runner)
        runner = LocalCoordinator(coord, values, CoordSettings(local, now=nominal), run_dir)
        return runner, runner.create(1, nominal)

    def last_error_node(self, context: Mapping[str, Any]) -> str | None:
        """The action that ended in ERROR last in this DAG run (None when none did)."""
        ti = context["ti"]
        latest: tuple[str, str] | None = None
        for name, kind in self.kinds.items():
            if kind != "action":
                continue
            error = ti.xcom_pull(task_ids=task_id(name), key=ERROR_KEY)
            if isinstance(error, dict) and (latest is None or error.get("at", "") > latest[0]):
                latest = (error.get("at", ""), name)
        return latest[1] if latest else None

    def check_reached(self, name: str, context: Mapping[str, Any]) -> None:
        """For a task run by a trigger rule that fires on failures (one_failed, all_done):
        skip it unless an upstream transition leads to it (see the module docstring)."""
        from airflow.sdk.exceptions import AirflowSkipException

        task = context["task"]
        if task.trigger_rule not in ("one_failed", "all_done"):
            return
        reached = self.joined if self.kinds.get(name) == "join" else self.reached
        if not reached(name, context):
            raise AirflowSkipException(f"{name}: no transition taken leads here")

    def reached(self, name: str, context: Mapping[str, Any]) -> bool:
        ti, task, dag = context["ti"], context["task"], context["dag"]
        run_id = context["dag_run"].run_id
        upstream = sorted(task.upstream_task_ids)
        states = ti.get_task_states(dag_id=dag.dag_id, task_ids=upstream, run_ids=[run_id])
        states = states.get(run_id, {})
        by_task = {task_id(n): (n, kind) for n, kind in self.kinds.items()}
        for up in upstream:
            _, kind = by_task.get(up, (up, "action"))
            state = str(states.get(up) or "")
            label = (dag.get_edge_info(up, task.task_id) or {}).get("label")
            if kind == "action":
                if state == "success" and label != ERROR_LABEL:
                    return True
                if state == "failed" and label in (ERROR_LABEL, BOTH_LABEL):
                    return True
            elif kind == "decision":
                if state == "success" and ti.xcom_pull(task_ids=up) == task.task_id:
                    return True
            elif state == "success":
                return True
        return False

    def joined(self, name: str, context: Mapping[str, Any]) -> bool:
        """A join fires when every path arrived: each upstream took its transition here, was
        skipped (a branch not taken), or failed with an error transition that leads on (its
        error path arrives instead); one that failed into a kill node, or never ran
        (upstream_failed), means a path did not arrive."""
        ti, task, dag = context["ti"], context["task"], context["dag"]
        run_id = context["dag_run"].run_id
        upstream = sorted(task.upstream_task_ids)
        states = ti.get_task_states(dag_id=dag.dag_id, task_ids=upstream, run_ids=[run_id])
        states = states.get(run_id, {})
        kinds = {task_id(n): kind for n, kind in self.kinds.items()}
        arrived = 0
        for up in upstream:
            state = str(states.get(up) or "")
            label = (dag.get_edge_info(up, task.task_id) or {}).get("label")
            if state == "skipped":
                continue
            if state == "success" and label != ERROR_LABEL:
                if kinds.get(up) != "decision" or ti.xcom_pull(task_ids=up) == task.task_id:
                    arrived += 1
                continue
            if state == "failed" and label is None and kinds.get(up) == "action":
                errors = [d for d in dag.get_task(up).downstream_task_ids
                          if (dag.get_edge_info(up, d) or {}).get("label")
                          in (ERROR_LABEL, BOTH_LABEL)]  # fmt: skip
                if errors and all(kinds.get(d) != "kill" for d in errors):
                    continue
            return False
        return arrived > 0


class _Pulled(dict[str, Any]):
    """What one XCom key holds per node, pulled from the node's task when first asked for."""

    def __init__(self, ti: Any, key: str, convert: Any):
        super().__init__()
        self.ti, self.key, self.convert = ti, key, convert

    def get(self, node: Any, default: Any = None) -> Any:
        if node not in self:
            self[node] = self.convert(self.ti.xcom_pull(task_ids=task_id(str(node)), key=self.key))
        value = dict.get(self, node)
        return default if value is None else value


def _data(value: Any) -> dict[str, str] | None:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else None


def _counters(value: Any) -> dict[str, dict[str, int]] | None:
    if not isinstance(value, dict):
        return None
    return {str(g): {str(k): int(v) for k, v in names.items()} for g, names in value.items()
            if isinstance(names, dict)}  # fmt: skip


def _error(value: Any) -> tuple[str, str] | None:
    if not isinstance(value, dict):
        return None
    return (str(value.get("code") or ""), str(value.get("message") or ""))


def _print_node(run: WorkflowRun, node: NodeRun) -> None:
    """A sub-workflow's nodes as they end, into the task's log."""
    line = f"{run.name}: {node.status:<10} {node.name} [{node.kind}]"
    if node.error_code:
        line += f" {node.error_code}: {node.error_message}"
    print(line, flush=True)


__all__ = [
    "Command",
    "Job",
    "JobStep",
    "OozieTasks",
    "Settings",
    "Unsupported",
    "task_id",
]
