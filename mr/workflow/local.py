"""Run a workflow on this machine, without Oozie, with Oozie's semantics.

The walk: from start, an action runs and takes its ``ok`` or ``error`` transition; a fork runs
its paths one after the other (Oozie runs them at once; the outcome is the same: the join waits
for every path, and a path that reaches a kill node kills the workflow, so paths not yet
started never start); a decision takes the first case whose predicate is ``true``, else its
default; a kill node ends the run KILLED with its message (EL substituted); the end node ends it
SUCCEEDED. An error of the workflow itself (a predicate that cannot be evaluated) ends it FAILED.

User retries, as Oozie's ActionEndXCommand/ActionXCommand.handleUserRetry decide: an action that
ends in ERROR is run again when its error code is one of the retryable codes (Oozie's default
``oozie.service.LiteWorkflowStoreService.user.retry.error.code``: JA008 JA009 JA017 JA018 JA019
FS008 FS009 FS014, plus ``...user.retry.error.code.ext``, where ``ALL`` means every code) and it
has run fewer than ``retry-max`` retries; retry-max is capped by ``...user.retry.max`` (3) and is
0 when the action does not set it; ``retry-interval`` is in minutes (10 when unset), doubled per
retry under ``retry-policy="exponential"`` (LiteWorkflowStoreService.getUserRetryMax,
ActionXCommand.getRetryDelay, oozie-default.xml). Error codes as Oozie's launcher gives them
(LauncherAM, JavaActionExecutor.check): a shell command that exits non-zero ends in ERROR with
the error code ``1`` whatever its exit code (Oozie 5.2.1's ShellMain; the message says the exit
code), so it is retried only when that code is added
(``retry_codes={"1"}`` or ``ALL``), as on a server; a job that cannot be submitted (its input
does not exist, its output does) fails in the launcher with an exception, Oozie's ``JA018``.
Locally a minute of retry-interval lasts ``minute_seconds`` (60;
``MRKIT_WORKFLOW_MINUTE_SECONDS`` or ``--minute-seconds`` in tests).

Actions, on the local file system (:class:`Paths`: ``hdfs://host/x`` and plain ``/x``, name node
paths as Oozie reads them, are mapped under ``root``; only ``file:///x`` is this machine's
``/x``):

* map-reduce streaming actions made by :func:`mr.workflow.jobs.job_actions` run the mrkit job
  (``mrkit run STEM -r inline|local``) from the action's input to its output with the options
  the streaming command carries. A job of several steps runs whole at its first step action,
  into the output of its last: mrjob runs its steps together, and the chained actions exist
  only to let Hadoop pass data between them; the later step actions are then OK at once
  (their log says ``ran whole at <first step>``). Rows are those of running the job directly.
  Each step's counters (the launcher's $MRKIT_COUNTERS_FILE) go to its step action, for
  ``hadoop:counters('node')``.
* shell actions run ``exec`` with the arguments and env-vars in a work directory holding the
  action's ``<file>``s; ``capture-output`` reads stdout as Java properties (at most
  ``max_output_data``, Oozie's 2048 characters). ``mrkit ...`` runs this mrkit (``python -m
  mr.cli``); ``mrkit hive|pig run`` (twins.py) is the twin runner in local mode, its
  --input/--output mapped.
* fs actions: delete, mkdir, move, touchz. Sub-workflows: the child application (a directory
  with workflow.xml, or a Workflow given in ``sub_workflows``) run the same way, with its
  ``configuration`` and, with ``propagate-configuration``, the parent's.
* anything else (hive, pig, java, spark actions, a map-reduce that is not an mrkit job, chmod)
  ends in ERROR with the code ``LOCAL-UNSUPPORTED`` and a message naming what to do.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lxml import etree

import mr
from mr.engines import state_dir
from mr.lib import jobconf as keys
from mr.lib.defaults import COUNTERS_FILE_ENV, WORKFLOW_MINUTE_SECONDS_ENV
from mr.lib.errors import UsageError
from mr.workflow import el
from mr.workflow.model import (
    Action,
    Decision,
    Delete,
    End,
    Fork,
    Fs,
    Join,
    Kill,
    MapReduce,
    Mkdir,
    Move,
    RawAction,
    Shell,
    Streaming,
    SubWorkflow,
    Touchz,
    Workflow,
)
from mr.workflow.parse import read_xml
from mr.workflow.properties import layered_values, read_properties
from mr.workflow.runs import (
    ERROR,
    FAILED,
    KILLED,
    OK,
    RUNNING,
    SUCCEEDED,
    USER_RETRY,
    NodeRun,
    WorkflowRun,
)
from mr.workflow.twins import TWIN_ENGINES

#: Oozie's default retryable error codes (oozie-default.xml, user.retry.error.code)
DEFAULT_RETRY_CODES = frozenset("JA008 JA009 JA017 JA018 JA019 FS008 FS009 FS014".split())
#: Oozie's cap on retry-max (user.retry.max) and default retry-interval (user.retry.inteval)
MAX_USER_RETRIES = 3
DEFAULT_RETRY_INTERVAL = 10
#: Oozie's limit on capture-output data (oozie.action.max.output.data)
MAX_OUTPUT_DATA = 2048
MINUTE_SECONDS_ENV = WORKFLOW_MINUTE_SECONDS_ENV  # in mr/lib/defaults.py for `--help`
UNSUPPORTED = "LOCAL-UNSUPPORTED"


class WorkflowFailed(Exception):
    """An error of the workflow itself (not of an action): the run ends FAILED."""


class _Ended(Exception):
    """The run reached its end or a kill node inside a fork path."""


@dataclass
class Paths:
    """Workflow paths -> local paths: the name node's paths live under root."""

    root: Path

    def local(self, path: str) -> Path:
        """``file:///x`` is /x; any other path (``hdfs://host/x``, ``/x``, ``x``) is the name
        node's, as Oozie reads a path without a scheme: under root. Only a file:// URI reaches
        this machine's files, so a workflow parameter such as ``workDir=/work`` deletes
        root/work, never /work (before, a plain path was taken as local: an fs delete of
        ``/work`` removed this machine's /work)."""
        uri = urlparse(path)
        if uri.scheme == "file":
            return Path(unquote(uri.path))
        relative = unquote(uri.path if uri.scheme else path).lstrip("/")
        target = (self.root / relative).resolve()
        root = self.root.resolve()
        if target != root and root not in target.parents:
            raise UsageError(f"{path}: outside the name node's root ({root}); use file://")
        return target


@dataclass
class Outcome:
    """What one attempt of an action ended with."""

    ok: bool
    code: str | None = None
    message: str | None = None
    data: dict[str, str] = field(default_factory=dict)
    #: a job's counters, one {group: {name: n}} per step (mrjob's runner.counters())
    counters: list[dict[str, dict[str, int]]] = field(default_factory=list)

    @classmethod
    def error(cls, code: str, message: str) -> Outcome:
        return cls(False, code, message)


#: datetime.UTC is Python 3.11+
UTC = timezone.utc  # noqa: UP017


#: the error code of a shell action whose command exits non-zero (Oozie 5.2.1's ShellMain)
SHELL_ERROR_CODE = "1"
#: the job property that holds the application's path (what wf:appPath() returns)
APP_PATH = "oozie.wf.application.path"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_run_id() -> str:
    """An id shaped like Oozie's (sequence-start time-system-W), unique on this machine."""
    stamp = datetime.now(UTC).strftime("%y%m%d%H%M%S%f")[:15]
    return f"{uuid.uuid4().int % 10**7:07d}-{stamp}-mrkit-local-W"


def default_runs_dir() -> Path:
    return state_dir("workflow-runs")


def resolve_parameters(
    wf: Workflow,
    given: Mapping[str, str] | None = None,
    file_values: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The workflow's parameter values (see layered_values); UsageError naming the parameters
    nothing sets."""
    return layered_values(f"workflow {wf.name}", wf.parameters, wf.properties, file_values, given)


def config_defaults(app_dir: Path | None) -> dict[str, str]:
    """The app's config-default.xml (Hadoop configuration XML), which Oozie reads for the
    parameters' defaults; {} when there is none."""
    path = app_dir / "config-default.xml" if app_dir else None
    if path is None or not path.is_file():
        return {}
    root = read_xml(path)
    return {
        (p.findtext("name") or "").strip(): p.findtext("value") or ""
        for p in root.iterfind("property")
    }


class _Context:
    """The EL context of a run: parameters and the wf:/fs: functions."""

    def __init__(self, runner: LocalRun, node: str):
        self.runner, self.node = runner, node

    def variable(self, name: str) -> Any:
        values = self.runner.parameters
        if name in values:
            return values[name]
        if name in el.CONSTANTS:
            return el.CONSTANTS[name]
        raise el.ELError(f"{name} is not defined (a parameter or job.properties key)")

    def function(self, name: str) -> Callable[..., Any]:
        r = self.runner

        def size(path: str, want_dir: bool) -> int:
            p = r.paths.local(path)
            if want_dir:
                return (
                    sum(f.stat().st_size for f in p.iterdir() if f.is_file()) if p.is_dir() else -1
                )
            return p.stat().st_size if p.is_file() else -1

        table: dict[str, Callable[..., Any]] = {
            "wf:id": lambda: r.record.id,
            "wf:name": lambda: r.wf.name,
            "wf:appPath": lambda: r.parameters.get(APP_PATH, ""),
            "wf:user": lambda: r.parameters.get("user.name", ""),
            "wf:run": lambda: 0,
            "wf:conf": lambda key: r.parameters.get(key, ""),
            "wf:actionData": lambda node: dict(r.action_data.get(node, {})),
            "wf:lastErrorNode": lambda: r.last_error_node or "",
            "wf:errorCode": lambda node: r.errors.get(node, ("", ""))[0],
            "wf:errorMessage": lambda node: r.errors.get(node, ("", ""))[1],
            "hadoop:counters": lambda node: el.hadoop_counters(
                el.as_text(node), r.counters.get(el.as_text(node))
            ),
            "fs:exists": lambda path: r.paths.local(el.as_text(path)).exists(),
            "fs:isDir": lambda path: r.paths.local(el.as_text(path)).is_dir(),
            "fs:fileSize": lambda path: size(el.as_text(path), False),
            "fs:dirSize": lambda path: size(el.as_text(path), True),
            "concat": lambda a, b: el.as_text(a) + el.as_text(b),
            "trim": lambda a: el.as_text(a).strip(),
            "firstNotNull": lambda a, b: a if a is not None else b,
        }
        return table[name]


def check_expressions(wf: Workflow) -> None:
    """UsageError naming the node and expression of the first ${...} the runner cannot
    evaluate, before anything runs."""
    for node in wf.nodes:
        for text in _strings(node):
            try:
                el.check(text)
            except el.ELError as e:
                raise el.ELError(f"workflow {wf.name}: node {node.name!r}: {e}") from None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name not in ("extra", "name", "line", "attributes", "element"):
                yield from _strings(getattr(value, f.name))


def _substituted(value: Any, ctx: _Context) -> Any:
    """A copy of an action body with EL substituted in every string."""
    if isinstance(value, str):
        return el.substitute(value, ctx)
    if isinstance(value, dict):
        return {k: _substituted(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [_substituted(v, ctx) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _substituted(getattr(value, f.name), ctx)
            for f in dataclasses.fields(value)
            if f.name not in ("extra", "element")
        }
        return dataclasses.replace(value, **changes)
    return value


def minute_seconds_from_env() -> float:
    """Seconds per minute of retry-interval: $MRKIT_WORKFLOW_MINUTE_SECONDS, else 60."""
    text = os.environ.get(MINUTE_SECONDS_ENV, "60")
    try:
        return float(text)
    except ValueError:
        raise UsageError(f"{MINUTE_SECONDS_ENV}={text}: not a number of seconds") from None


@dataclass
class LocalSettings:
    """How a local run runs: the root of name node paths, mrjob's runner, retries."""

    root: Path
    runner: str = "inline"
    retry_codes: frozenset[str] = DEFAULT_RETRY_CODES
    #: how long a minute of retry-interval lasts here ($MRKIT_WORKFLOW_MINUTE_SECONDS, or 60)
    minute_seconds: float = field(default_factory=lambda: minute_seconds_from_env())
    max_output_data: int = MAX_OUTPUT_DATA
    #: sub-workflow app paths -> Workflow, for children defined in Python
    sub_workflows: dict[str, Workflow] = field(default_factory=dict)
    #: called after each node ends (progress lines)
    on_node: Callable[[WorkflowRun, NodeRun], None] | None = None


class LocalRun:
    """One run of a workflow on this machine (see the module docstring)."""

    def __init__(
        self,
        wf: Workflow,
        parameters: dict[str, str],
        settings: LocalSettings,
        run_dir: Path,
        app_dir: Path | None = None,
        run_id: str | None = None,
    ):
        self.wf, self.parameters, self.settings = wf, parameters, settings
        self.paths = Paths(settings.root)
        self.run_dir, self.app_dir = run_dir, app_dir
        self.record = WorkflowRun(
            id=run_id or new_run_id(), name=wf.name, engine="local",
            parameters=dict(parameters), run_dir=str(run_dir),
        )  # fmt: skip
        self.action_data: dict[str, dict[str, str]] = {}
        #: node -> its job step's counters ({group: {name: n}}), for hadoop:counters()
        self.counters: dict[str, dict[str, dict[str, int]]] = {}
        self.errors: dict[str, tuple[str, str]] = {}
        self.last_error_node: str | None = None
        #: step actions already run as part of a whole multi-step job
        self.covered: dict[str, str] = {}

    # -- the walk ---------------------------------------------------------------------------

    def run(self) -> WorkflowRun:
        check_expressions(self.wf)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.record.started = now()
        self.save()
        try:
            if not self.wf.start:
                raise WorkflowFailed("the workflow has no start transition")
            self.control(":start:", ":START:", self.wf.start)
            end = self.walk(self.wf.start)
            if end[0] == "join":
                raise WorkflowFailed(f"join {end[1]!r} reached outside a fork")
        except _Ended:
            pass
        except WorkflowFailed as e:
            self.record.status, self.record.message = FAILED, str(e)
        except KeyboardInterrupt:
            self.record.status, self.record.message = KILLED, "interrupted"
            self.record.ended = now()
            self.save()
            raise
        except Exception as e:  # a bug: the record says so, the traceback goes on up
            self.record.status, self.record.message = FAILED, f"{type(e).__name__}: {e}"
            self.record.ended = now()
            self.save()
            raise
        self.record.ended = now()
        self.save()
        return self.record

    def save(self) -> None:
        self.record.write(self.run_dir)

    def walk(self, name: str) -> tuple[str, str]:
        """Run from node `name` until an end, a kill or a join: ("end"|"kill"|"join", name)."""
        while True:
            node = self.wf.node(name)
            if node is None:
                raise WorkflowFailed(f"transition to {name!r}: no such node")
            if isinstance(node, Action):
                name = self.run_action(node)
            elif isinstance(node, Decision):
                name = self.decide(node)
            elif isinstance(node, Fork):
                name = self.fork(node)
            elif isinstance(node, Join):
                return ("join", node.name)
            elif isinstance(node, Kill):
                message = self.eval_text(node.message, node.name)
                # Oozie's SignalXCommand: the kill node carries E0729 and its message
                self.control(node.name, ":KILL:", None, error=("E0729", message))
                self.record.status, self.record.message = KILLED, message
                return ("kill", node.name)
            else:
                assert isinstance(node, End)
                self.control(node.name, ":END:", None)
                self.record.status = SUCCEEDED
                return ("end", node.name)

    def fork(self, node: Fork) -> str:
        self.control(node.name, ":FORK:", "*")  # Oozie's fork transition: all its paths
        joins = set()
        for path in node.paths:
            kind, where = self.walk(path)
            if kind != "join":
                raise _Ended(where)  # an end or kill node inside the fork ends the run
            joins.add(where)
        if len(joins) != 1:
            raise WorkflowFailed(f"fork {node.name!r}: its paths end in joins {sorted(joins)}")
        join = self.wf.node(joins.pop())
        assert isinstance(join, Join)
        if not join.to:
            raise WorkflowFailed(f"join {join.name!r} has no transition")
        self.control(join.name, ":JOIN:", join.to)
        return join.to

    def decide(self, node: Decision) -> str:
        started = now()
        target = self.choose(node)
        self.control(node.name, "switch", target, started)
        return target

    def choose(self, node: Decision) -> str:
        """The node a decision goes to: the first case whose predicate is true, else the
        default (WorkflowFailed when a predicate cannot be evaluated)."""
        for case in node.cases:
            # EL coerces the predicate to a Boolean as Java's Boolean.valueOf: "true" in any
            # case is true, anything else false
            if self.eval_text(case.predicate, node.name).strip().lower() == "true":
                return case.to
        return node.default

    def substituted(self, value: Any, node: str) -> Any:
        """A copy of value (a string, an action body) with EL substituted as in node; ELError
        when an expression cannot be evaluated."""
        return _substituted(value, _Context(self, node))

    def eval_text(self, text: str, node: str) -> str:
        try:
            return el.substitute(text, _Context(self, node))
        except el.ELError as e:
            raise WorkflowFailed(f"node {node!r}: {e}") from None
        except OSError as e:
            raise WorkflowFailed(f"node {node!r}: {text}: {e}") from None

    def control(
        self,
        name: str,
        kind: str,
        to: str | None,
        started: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> None:
        """Record a control node (kinds as Oozie's REST API names them: :START: switch ...)."""
        run = NodeRun(name, kind, OK, started=started or now(), ended=now(), transition=to)
        if error:
            run.error_code, run.error_message = error
        self.finished(run)

    def finished(self, run: NodeRun) -> None:
        """Record a node that ended (or update one that started)."""
        if not any(n is run for n in self.record.nodes):
            self.record.nodes.append(run)
        self.changed(run)

    def changed(self, run: NodeRun) -> None:
        """Save the record (status shows a running node too) and tell on_node."""
        self.save()
        if self.settings.on_node:
            self.settings.on_node(self.record, run)

    # -- actions ------------------------------------------------------------------------------

    def run_action(self, action: Action) -> str:
        run = NodeRun(action.name, action_kind(action), RUNNING, started=now())
        retries = min(self.retry_setting(action, "retry-max", action.retry_max, 0),
                      MAX_USER_RETRIES)  # fmt: skip
        interval = self.retry_setting(
            action, "retry-interval", action.retry_interval, DEFAULT_RETRY_INTERVAL
        )
        exponential = action.attributes.get("retry-policy") == "exponential"
        self.record.nodes.append(run)
        while True:
            run.attempts += 1
            self.changed(run)  # RUNNING
            outcome = self.attempt(action, run.attempts)
            if outcome.ok or not self.retryable(outcome) or run.attempts > retries:
                break
            run.status = USER_RETRY
            run.error_code, run.error_message = outcome.code, outcome.message
            self.changed(run)
            wait = interval * (2 ** (run.attempts - 1) if exponential else 1)
            time.sleep(wait * self.settings.minute_seconds)
            run.status, run.error_code, run.error_message = RUNNING, None, None
        run.ended = now()
        if outcome.ok:
            run.status, run.data, run.transition = OK, outcome.data, action.ok
            self.action_data[action.name] = outcome.data
        else:
            run.status, run.transition = ERROR, action.error
            run.error_code, run.error_message = outcome.code, outcome.message
            self.errors[action.name] = (outcome.code or "", outcome.message or "")
            self.last_error_node = action.name
        if isinstance(action.body, SubWorkflow):
            run.external_id = outcome.data.pop("_run_id", None)
        self.finished(run)
        target = run.transition
        if not target:
            raise WorkflowFailed(f"action {action.name!r} has no {'ok' if outcome.ok else 'error'}")
        return target

    def retry_setting(self, action: Action, attr: str, value: int | None, default: int) -> int:
        if value is not None:
            return value
        text = action.attributes.get(attr)
        if text is None:
            return default
        resolved = self.eval_text(text, action.name)
        if not resolved.strip().isdigit():
            raise WorkflowFailed(f"action {action.name!r}: {attr}={resolved!r} is not a number")
        return int(resolved)

    def retryable(self, outcome: Outcome) -> bool:
        codes = self.settings.retry_codes
        return "ALL" in codes or (outcome.code or "") in codes

    def attempt(self, action: Action, number: int) -> Outcome:
        ctx = _Context(self, action.name)
        try:
            body = _substituted(action.body, ctx)
        except el.ELError as e:
            return Outcome.error("EL_ERROR", f"{e}")
        log = self.run_dir / "logs" / f"{action.name}.{number}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        try:
            if isinstance(body, MapReduce):
                return self.map_reduce(action, body, log)
            if isinstance(body, Shell):
                return self.shell(action, body, log)
            if isinstance(body, Fs):
                return self.fs(body)
            if isinstance(body, SubWorkflow):
                return self.sub_workflow(action, body)
            assert isinstance(body, RawAction)
            kind = etree.QName(body.element).localname
            return Outcome.error(
                UNSUPPORTED,
                f"a {kind} action cannot run locally; use mrkit's own form (a job, a twin's "
                "shell action) or run the workflow on Oozie",
            )
        except OSError as e:
            return Outcome.error("FS-IO", f"{type(e).__name__}: {e}")
        except UsageError as e:  # a path outside the root (Paths.local)
            return Outcome.error("FS-PATH", str(e))

    def prepare(self, ops: list[Delete | Mkdir]) -> None:
        for op in ops:
            path = self.paths.local(op.path)
            if isinstance(op, Delete):
                delete_path(path)
            else:
                path.mkdir(parents=True, exist_ok=True)

    def map_reduce(self, action: Action, body: MapReduce, log: Path) -> Outcome:
        if action.name in self.covered:
            # no data: Oozie records none for a map-reduce action, and runs compare node for node
            log.write_text(f"ran whole at {self.covered[action.name]}\n", encoding="utf-8")
            return Outcome(True)
        job = mrkit_job(body)
        if job is None:
            return Outcome.error(
                UNSUPPORTED,
                "only map-reduce streaming actions of mrkit jobs (mr.workflow.jobs) run locally",
            )
        stem, step, args = job
        conf = body.configuration
        inputs = [i for i in conf.get(keys.INPUT_DIR, "").split(",") if i]
        output = conf.get(keys.OUTPUT_DIR, "")
        if step != 0:
            return Outcome.error(
                UNSUPPORTED,
                f"step {step + 1} of {stem} without its first step in this run: "
                "run the workflow from the job's first step",
            )
        self.prepare(body.prepare)
        output = self.whole_job_output(action, stem, output)
        missing = [i for i in inputs if not _glob_exists(self.paths.local(i))]
        if missing:
            # Hadoop's words, and Oozie's code for an exception in the launcher (JA018)
            return Outcome.error("JA018", f"Input path does not exist: {', '.join(missing)}")
        # a file option names the file as the task sees it (#link): give the local file
        links = {}
        for ref in body.files:
            source, _, link = ref.partition("#")
            local = self.app_file(source)
            if link and local is not None:
                links[link] = str(local)
        args = [links.get(a, a) for a in args]
        argv = [sys.executable, "-m", "mr.cli", "run", stem, "-r", self.settings.runner,
                "--output-dir", str(self.paths.local(output)), *args,
                *(str(self.paths.local(i)) for i in inputs)]  # fmt: skip
        counters_file = log.with_suffix(".counters.json")
        counters_file.unlink(missing_ok=True)
        env = _with_this_mr({**os.environ, COUNTERS_FILE_ENV: str(counters_file)})
        outcome = self.process(
            argv, log, env=env, cwd=None, capture=False, exists_code="JA018", label=stem
        )  # fmt: skip
        if outcome.ok and counters_file.is_file():
            # one dict per step; the step actions this one ran (covered) get theirs in order
            outcome.counters = json.loads(counters_file.read_text(encoding="utf-8"))
            steps = [action.name, *(n for n, by in self.covered.items() if by == action.name)]
            for name, counters in zip(steps, outcome.counters, strict=False):
                self.counters[name] = counters
        return outcome

    def whole_job_output(self, first: Action, stem: str, output: str) -> str:
        """The output of the last step action chained after `first` (a multi-step job runs
        whole); those step actions are marked as covered by `first`."""
        node = first
        while node.ok and isinstance(nxt := self.wf.node(node.ok), Action):
            if not isinstance(nxt.body, MapReduce) or (job := mrkit_job(nxt.body)) is None:
                break
            if job[0] != stem or job[1] == 0:
                break
            self.covered[nxt.name] = first.name
            output = _substituted(nxt.body, _Context(self, nxt.name)).configuration.get(
                keys.OUTPUT_DIR, output
            )
            for op in _substituted(nxt.body, _Context(self, nxt.name)).prepare:
                if isinstance(op, Delete) and op.path == output:
                    delete_path(self.paths.local(op.path))
            node = nxt
        return output

    def shell(self, action: Action, body: Shell, log: Path) -> Outcome:
        self.prepare(body.prepare)
        work = self.run_dir / "work" / action.name
        delete_path(work)
        work.mkdir(parents=True)
        for ref in body.files:
            source, _, link = ref.partition("#")
            local = self.app_file(source)
            if local is None or not local.exists():
                # Oozie's code for a FileNotFoundException in an action executor
                return Outcome.error("JA008", f"File {source} does not exist")
            target = work / (link or local.name)
            (shutil.copytree if local.is_dir() else shutil.copy2)(local, target)
        env = dict(os.environ)
        for item in body.env:
            key, _, value = item.partition("=")
            env[key] = value
        argv = [body.exec, *body.arguments]
        label = Path(body.exec).name
        if label == "mrkit":  # this mrkit (twins.py's actions), whatever PATH holds
            label = " ".join(["mrkit", *body.arguments[:1]])
            arguments = body.arguments
            if arguments[:1] and arguments[0] in TWIN_ENGINES:
                arguments = self.twin_arguments(arguments)
            argv = [sys.executable, "-m", "mr.cli", *arguments]
            env = _with_this_mr(env)
        elif (work / body.exec).is_file():
            (work / body.exec).chmod(0o755)
            argv[0] = str(work / body.exec)
        # Oozie 5.2.1's ShellMain ends a command that exits non-zero with LauncherMainException(1):
        # the error code is 1 whatever the exit code (seen: exit 2 and exit 3 both gave code 1)
        return self.process(argv, log, env=env, cwd=work, capture=body.capture_output, label=label,
                            error_code=SHELL_ERROR_CODE)  # fmt: skip

    def twin_arguments(self, arguments: list[str]) -> list[str]:
        out = [a for a in arguments if a != "--cluster"]  # here: local mode, paths mapped
        for i, arg in enumerate(out[:-1]):
            if arg in ("--input", "--output"):
                out[i + 1] = str(self.paths.local(out[i + 1]))
        return out

    def app_file(self, ref: str) -> Path | None:
        if "://" in ref or ref.startswith("/"):
            return self.paths.local(ref)
        if ref in self.wf.app_files:
            return self.wf.app_files[ref]
        return self.app_dir / ref if self.app_dir else None

    def process(
        self,
        argv: list[str],
        log: Path,
        *,
        env: dict[str, str] | None,
        cwd: Path | None,
        capture: bool,
        label: str,
        exists_code: str | None = None,
        error_code: str | None = None,
    ) -> Outcome:
        try:
            with open(log, "w", encoding="utf-8") as err:
                done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=err, text=True,
                                      env=env, cwd=cwd, stdin=subprocess.DEVNULL)  # fmt: skip
        except OSError as e:
            return Outcome.error("1", f"cannot run {argv[0]}: {e.strerror}")
        with open(log, "a", encoding="utf-8") as out:
            out.write(done.stdout)
        if done.returncode != 0:
            said = [line for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
            last = said[-1] if said else ""
            code = error_code or str(done.returncode)
            if exists_code and "--overwrite" in last:
                code = exists_code
            said_last = f": {last}" if last else ""
            return Outcome.error(code, f"{label} exited with code {done.returncode}{said_last}")
        if not capture:
            return Outcome(True)
        if len(done.stdout) > self.settings.max_output_data:
            return Outcome.error(
                "JA010",
                f"output data exceeds its limit [{self.settings.max_output_data}] "
                f"({len(done.stdout)} characters)",
            )
        return Outcome(True, data=read_properties(done.stdout))

    def fs(self, body: Fs) -> Outcome:
        for op in body.ops:
            if isinstance(op, Delete):
                delete_path(self.paths.local(op.path))
            elif isinstance(op, Mkdir):
                self.paths.local(op.path).mkdir(parents=True, exist_ok=True)
            elif isinstance(op, Touchz):
                path = self.paths.local(op.path)
                if path.is_dir():
                    return Outcome.error("FS011", f"touchz {op.path}: a directory")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch()
            elif isinstance(op, Move):
                source, target = self.paths.local(op.source), self.paths.local(op.target)
                if not source.exists():
                    return Outcome.error("FS006", f"move: source {op.source} does not exist")
                if target.is_dir():
                    target = target / source.name
                if not target.parent.is_dir():
                    return Outcome.error("FS012", f"move: no directory {target.parent}")
                shutil.move(str(source), str(target))
            else:
                kind = etree.QName(op).localname
                return Outcome.error(UNSUPPORTED, f"fs {kind} does not run locally")
        return Outcome(True)

    def sub_workflow(self, action: Action, body: SubWorkflow) -> Outcome:
        from mr.workflow.parse import parse_workflow_file

        raw = action.body.app_path  # type: ignore[union-attr]
        child = self.settings.sub_workflows.get(raw) or _shipped(self.wf, raw)
        child = child or self.settings.sub_workflows.get(body.app_path)
        app_dir: Path | None = None
        if child is None:
            path = self.paths.local(body.app_path)
            if path.is_dir():
                app_dir, path = path, path / "workflow.xml"
            if not path.is_file():
                return Outcome.error("E0505", f"app definition [{body.app_path}] does not exist")
            app_dir = app_dir or path.parent
            try:
                child = parse_workflow_file(path)
            except UsageError as e:
                return Outcome.error("E0701", str(e))
        # Oozie gives a child its <configuration>, the parent's with propagate-configuration,
        # and its app's config-default.xml; a job.properties beside it is not read
        given = {**(self.parameters if body.propagate_configuration else {}),
                 **body.configuration}  # fmt: skip
        try:
            values = resolve_parameters(child, given, config_defaults(app_dir))
            check_expressions(child)
        except el.ELError as e:
            return Outcome.error("EL_ERROR", str(e))
        except UsageError as e:
            return Outcome.error("E0738", str(e))
        sub = LocalRun(child, values, self.settings, self.run_dir / "sub" / action.name, app_dir)
        result = sub.run()
        if result.status == SUCCEEDED:
            return Outcome(True, data={"_run_id": result.id})
        failed = result.failed_node()
        outcome = Outcome.error(
            result.status,
            f"sub-workflow {child.name} {result.status}"
            + (f": {result.message}" if result.message else ""),
        )
        if failed is not None and failed.error_code:
            outcome.code = failed.error_code
        outcome.data = {"_run_id": result.id}
        return outcome


def _shipped(wf: Workflow, app_path: str) -> Workflow | None:
    """A child that ships inside wf's application (``${wf:appPath()}/sub/<name>``)."""
    prefix = "${wf:appPath()}/"
    if not app_path.startswith(prefix):
        return None
    return wf.children.get(app_path[len(prefix) :].strip("/"))


def action_kind(action: Action) -> str:
    body = action.body
    if isinstance(body, MapReduce):
        return "map-reduce"
    if isinstance(body, Shell):
        return "shell"
    if isinstance(body, Fs):
        return "fs"
    if isinstance(body, SubWorkflow):
        return "sub-workflow"
    return etree.QName(body.element).localname


_STEP = re.compile(r"--step-num=(\d+)$")


def mrkit_job(body: MapReduce) -> tuple[str, int, list[str]] | None:
    """(job stem, step number, job options) of a streaming action made by job_actions: read
    back from its mapper (or reducer) command, which names the job script and its options."""
    streaming = body.streaming
    if streaming is None:
        return None
    jobs_dir = Path(mr.__file__).resolve().parent
    for command in (streaming.mapper, streaming.reducer):
        if not command:
            continue
        # job_actions percent-encodes the two characters Hadoop streaming decodes
        words = shlex.split(command.replace("%2B", "+").replace("%25", "%"))
        script = next((i for i, w in enumerate(words) if w.endswith(".py")), None)
        if script is None or not (jobs_dir / words[script]).is_file():
            continue
        rest = words[script + 1 :]
        steps = [m for w in rest if (m := _STEP.match(w))]
        role = next((i for i, w in enumerate(rest) if w in _ROLES), None)
        if not steps or role is None:
            continue
        return Path(words[script]).stem, int(steps[0].group(1)), rest[role + 1 :]
    return None


_ROLES = ("--mapper", "--reducer", "--combiner")


def job_body(
    stem: str, args: Iterable[str], inputs: Iterable[str], output: str, *, overwrite: bool
) -> MapReduce:
    """The smallest map-reduce action body of an mrkit job that this runner runs (what
    :func:`mrkit_job` reads back): the whole job, from inputs to output, with the job's
    options; its output deleted first when overwrite. Other engines' renderings of a workflow
    (mr/airflow) run a job through it."""
    words = [f"{stem}.py", "--step-num=0", "--mapper", *args]
    # encoded as job_actions encodes streaming commands (mrkit_job decodes them)
    mapper = shlex.join(words).replace("%", "%25").replace("+", "%2B")
    return MapReduce(
        streaming=Streaming(mapper=mapper),
        configuration={keys.INPUT_DIR: ",".join(inputs), keys.OUTPUT_DIR: output},
        prepare=[Delete(output)] if overwrite else [],
    )


def _with_this_mr(env: dict[str, str]) -> dict[str, str]:
    """env where `python -m mr.cli` imports this mr package (a checkout, not an install)."""
    here = str(Path(mr.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    return env


def _glob_exists(path: Path) -> bool:
    if path.exists():
        return True
    import glob

    return bool(glob.glob(str(path)))


def delete_path(path: Path) -> None:
    """Remove a file, a link or a whole directory; nothing when it is not there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def run_workflow(
    wf: Workflow,
    settings: LocalSettings,
    *,
    properties: Mapping[str, str] | None = None,
    file_properties: Mapping[str, str] | None = None,
    run_dir: Path | None = None,
    app_dir: Path | None = None,
) -> WorkflowRun:
    """Run wf on this machine; the run record (also written to run_dir/run.json)."""
    # config-default.xml of the app: below job.properties, as Oozie reads them
    values = resolve_parameters(
        wf, properties, {**config_defaults(app_dir), **(file_properties or {})}
    )
    check_expressions(wf)
    run_id = new_run_id()
    directory = run_dir or default_runs_dir() / run_id
    return LocalRun(copy.deepcopy(wf), values, settings, directory, app_dir, run_id).run()
