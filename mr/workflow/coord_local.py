"""Run a coordinator on this machine, without Oozie, with Oozie's semantics.

The walk of :func:`run_coordinator`:

1. **materialize**: the nominal times from start to end (mr/workflow/schedule.py) that are not
   in the future (``now``): a start in the past catches up (a backfill); at most ``throttle``
   actions wait at once (Oozie's default 12), the next ones are created as earlier ones start.
2. **wait** (a sensor): an action is WAITING until every input instance is done: the
   instance's directory holds the dataset's done-flag (``_SUCCESS`` by default; an empty
   done-flag: the directory exists). ``current(n)`` instances are fixed when the action is
   created; ``latest(n)`` is the n-th newest instance, at or before the nominal time, that is
   done when the action is checked. An action still waiting ``timeout`` minutes after it was
   created is TIMEDOUT (-1: it waits for ever; Oozie's default for catch-up is 120). Locally a
   minute lasts ``minute_seconds`` (as for workflow retries).
3. **start**: READY actions start in the ``execution`` order (FIFO: oldest first; LIFO: newest
   first; LAST_ONLY: only the newest, older ones not yet started are SKIPPED; NONE: an action
   whose nominal time is more than a minute older than when it could start is SKIPPED), at most
   ``concurrency`` at once (Oozie's default 1). The workflow gets the coordinator's properties
   plus the action's configuration, with ``coord:`` EL resolved: ``dataIn('x')`` (the
   instances' URIs, comma-separated, newest first as Oozie lists them), ``dataOut('x')``,
   ``nominalTime()``, ``actualTime()``, ``formatTime(t, 'yyyy-MM-dd')``, ``dateOffset(t, n,
   'DAY')``, ``name()``, ``user()``, ``conf('k')``, and those of HCatalog datasets
   (``databaseIn('x')``, ``dataInPartitionFilter('x', 'pig')`` ...: mr/workflow/hcat.py). An
   input of HCatalog partitions cannot be checked here: the action FAILS naming it.
4. **end**: an action is SUCCEEDED, KILLED or FAILED as its workflow run; the coordinator is
   SUCCEEDED when every action SUCCEEDED, DONEWITHERROR when some did not.

Each action's workflow runs with mr/workflow/local.py in ``<run dir>/<number>-<nominal>``; the
record is ``coord.json`` in the run directory (:class:`~mr.workflow.runs.CoordRun`).
:func:`rerun_actions` runs chosen actions again: their output-event instances are deleted first
(Oozie's coord rerun without -nocleanup), then they wait and run as new.
"""

from __future__ import annotations

import getpass
import re
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mr.lib.errors import UsageError
from mr.workflow import el, hcat
from mr.workflow.coordinator import Coordinator, DataIn, DataOut
from mr.workflow.local import (
    LocalSettings,
    Paths,
    delete_path,
    new_run_id,
    run_workflow,
)
from mr.workflow.model import Workflow
from mr.workflow.parse import parse_workflow_file
from mr.workflow.properties import expand_names
from mr.workflow.runs import (
    ACTION_ENDED,
    DONEWITHERROR,
    FAILED,
    KILLED,
    READY,
    RUNNING,
    SKIPPED,
    SUCCEEDED,
    TIMEDOUT,
    WAITING,
    CoordActionRun,
    CoordRun,
)
from mr.workflow.schedule import (
    UTC,
    DatasetClock,
    ScheduleError,
    format_java,
    format_time,
    nominal_times,
    offset_time,
    parse_frequency,
    parse_time,
    zone,
)

#: Oozie's defaults (oozie-default.xml: coord.normal.default.timeout is 120 minutes for
#: actions created late, coord default concurrency 1, throttle 12)
DEFAULT_TIMEOUT = 120
DEFAULT_CONCURRENCY = 1
DEFAULT_THROTTLE = 12
#: how late an action may start under execution NONE (oozie.coord.execution.none.tolerance)
NONE_TOLERANCE = timedelta(minutes=1)
_INSTANCE = re.compile(r"\$\{\s*coord:(current|latest)\(\s*(-?\d+)\s*\)\s*\}")


class CoordinatorError(UsageError):
    """A coordinator that cannot run as defined (one line, naming what to fix)."""


@dataclass
class CoordSettings:
    """How a local coordinator runs: its workflows' settings, the clock, the sensor's pace."""

    workflow: LocalSettings
    #: seconds between two checks of the inputs of waiting actions
    poll: float = 5.0
    #: what counts as now (actions are created up to it); None: the clock
    now: datetime | None = None
    #: list what would run, run nothing
    dry_run: bool = False
    #: called when an action changes status (progress lines)
    on_action: Callable[[CoordRun, CoordActionRun], None] | None = None


@dataclass
class _Input:
    """One data-in of one action: fixed URIs (current), or what latest(n) resolves to."""

    name: str
    uris: list[str] = field(default_factory=list)
    latest: list[int] = field(default_factory=list)


class LocalCoordinator:
    """One run of a coordinator on this machine (see the module docstring)."""

    def __init__(
        self,
        coord: Coordinator,
        values: dict[str, str],
        settings: CoordSettings,
        run_dir: Path,
        record: CoordRun | None = None,
    ):
        self.coord, self.values, self.settings, self.run_dir = coord, values, settings, run_dir
        self.paths = Paths(settings.workflow.root)
        self.tz = zone(coord.timezone)
        try:
            self.start = parse_time(self.expand(coord.start))
            self.end = parse_time(self.expand(coord.end))
            self.frequency = parse_frequency(self.expand(coord.frequency))
            self.clocks = {
                d.name: DatasetClock(
                    d.name,
                    parse_frequency(self.expand(d.frequency)),
                    parse_time(self.expand(d.initial_instance)),
                    self.expand(d.uri_template),
                    d.timezone,
                    d.flag,
                )  # fmt: skip
                for d in coord.datasets
            }
        except ScheduleError as e:
            raise CoordinatorError(f"coordinator {coord.name}: {e}") from None
        events: list[DataIn | DataOut] = [*coord.inputs, *coord.outputs]
        for event in events:
            if event.dataset not in self.clocks:
                raise CoordinatorError(
                    f"coordinator {coord.name}: {event.name} names the dataset "
                    f"{event.dataset!r}, which <datasets> does not define"
                )
        execution = (coord.controls.execution or "FIFO").upper()
        if execution not in ("FIFO", "LIFO", "LAST_ONLY", "NONE"):
            raise CoordinatorError(
                f"coordinator {coord.name}: execution {execution!r}: FIFO, LIFO, LAST_ONLY or NONE"
            )
        self.execution = execution
        c = coord.controls
        self.timeout = DEFAULT_TIMEOUT if c.timeout is None else c.timeout
        self.concurrency = max(DEFAULT_CONCURRENCY if c.concurrency is None else c.concurrency, 1)
        self.throttle = max(DEFAULT_THROTTLE if c.throttle is None else c.throttle, 1)
        self.record = record or CoordRun(
            id=new_run_id().replace("-W", "-C"), name=coord.name, engine="local",
            start=format_time(self.start), end=format_time(self.end),
            parameters=dict(values), run_dir=str(run_dir),
        )  # fmt: skip
        self.inputs: dict[int, list[_Input]] = {}
        self.lock = threading.Lock()
        self.created_at: dict[int, float] = {}

    # -- EL and instances -------------------------------------------------------------------

    def expand(self, text: str) -> str:
        return expand_names(text, self.values)

    def instances(self, data_in: DataIn, nominal: datetime) -> _Input:
        """The URIs a data-in names for one nominal time (latest(n) left for check time)."""
        clock = self.clocks[data_in.dataset]
        found = _Input(data_in.name)
        if data_in.start_instance is not None:
            first = self.offset(data_in.start_instance, data_in.name)
            last = self.offset(data_in.end_instance or "${coord:current(0)}", data_in.name)
            if first[0] != last[0]:
                raise CoordinatorError(f"{data_in.name}: a range of current() and latest()")
            if first[0] == "latest":
                found.latest += list(range(last[1], first[1] - 1, -1))
                return found
            for n in range(last[1], first[1] - 1, -1):  # newest first, as Oozie lists them
                t = clock.instance(nominal, n)
                if t is not None:
                    found.uris.append(clock.uri(t))
            return found
        for text in data_in.instances:
            kind, n = self.offset(text, data_in.name)
            if kind == "latest":
                found.latest.append(n)
            else:
                t = clock.instance(nominal, n)
                if t is not None:
                    found.uris.append(clock.uri(t))
        return found

    def offset(self, text: str, name: str) -> tuple[str, int]:
        m = _INSTANCE.fullmatch(text.strip())
        if not m:
            raise CoordinatorError(
                f"{name}: instance {text!r}: give ${{coord:current(n)}} or ${{coord:latest(n)}}"
            )
        return m.group(1), int(m.group(2))

    def done(self, uri: str, flag: str) -> bool:
        if hcat.is_hcat(uri):
            raise CoordinatorError(f"{uri}: {hcat.CANNOT_WAIT}")
        directory = self.paths.local(uri)
        return (directory / flag).is_file() if flag else directory.is_dir()

    def resolve_latest(self, data_in: DataIn, nominal: datetime, n: int) -> str | None:
        """latest(n): the instance -n places before the newest done one (at or before now)."""
        clock = self.clocks[data_in.dataset]
        k, seen = 0, 0
        while (t := clock.instance(nominal, k)) is not None:
            if self.done(clock.uri(t), clock.done_flag):
                if seen == -n:
                    return clock.uri(t)
                seen += 1
            k -= 1
        return None

    def missing(self, action: CoordActionRun, only: str | None = None) -> list[str]:
        """The inputs of an action (or its data-in named `only`) that are not done yet
        (latest(n) resolved as it stands)."""
        nominal = parse_time(action.nominal_time)
        gaps: list[str] = []
        for data_in, found in zip(self.coord.inputs, self.inputs[action.number], strict=True):
            if only is not None and data_in.name != only:
                continue
            flag = self.clocks[data_in.dataset].done_flag
            # named as Oozie names them: the flag file, or the directory when there is none
            gaps += [f"{u}/{flag}" if flag else u for u in found.uris if not self.done(u, flag)]
            for n in found.latest:
                if self.resolve_latest(data_in, nominal, n) is None:
                    gaps.append(f"{data_in.name} latest({n})")
        return gaps

    def data_in(self, action: CoordActionRun, name: str) -> str:
        nominal = parse_time(action.nominal_time)
        for data_in, found in zip(self.coord.inputs, self.inputs[action.number], strict=True):
            if data_in.name == name:
                latest = [self.resolve_latest(data_in, nominal, n) or "" for n in found.latest]
                return ",".join([*found.uris, *latest])
        raise el.ELError(f"coord:dataIn('{name}'): no data-in is named {name!r}")

    def data_out(self, action: CoordActionRun, name: str) -> str:
        for out in self.coord.outputs:
            if out.name == name:
                kind, n = self.offset(out.instance, name)
                clock = self.clocks[out.dataset]
                t = clock.instance(parse_time(action.nominal_time), n)
                return clock.uri(t) if t is not None else ""
        raise el.ELError(f"coord:dataOut('{name}'): no data-out is named {name!r}")

    def workflow_properties(self, action: CoordActionRun) -> dict[str, str]:
        """The coordinator's properties and the action's configuration, EL resolved."""
        ctx = _CoordContext(self, action)
        resolved = dict(self.values)
        for key, text in self.coord.configuration.items():
            try:
                resolved[key] = el.substitute(text, ctx, el.COORD_FUNCTIONS)
            except el.ELError as e:
                raise CoordinatorError(f"coordinator {self.coord.name}: {key}: {e}") from None
        return resolved

    # -- the walk ---------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.settings.now or datetime.now(UTC)

    def times(self) -> list[datetime]:
        now = self.now()
        return [t for t in nominal_times(self.frequency, self.start, self.end, self.tz) if t <= now]

    def create(self, number: int, nominal: datetime) -> CoordActionRun:
        action = CoordActionRun(number, format_time(nominal), created=_stamp())
        self.prepare(action)
        return action

    def prepare(self, action: CoordActionRun) -> None:
        nominal = parse_time(action.nominal_time)
        self.inputs[action.number] = [self.instances(d, nominal) for d in self.coord.inputs]
        self.created_at[action.number] = time.monotonic()
        try:
            action.status, action.missing = WAITING, self.missing(action)
        except CoordinatorError:  # HCatalog instances: named here, the check fails the action
            action.missing = [u for found in self.inputs[action.number] for u in found.uris]

    def run(self) -> CoordRun:
        """Materialize, wait, run, until every action ended; the record (coord.json too)."""
        pending = list(enumerate(self.times(), start=1))
        if self.settings.dry_run:
            for number, nominal in pending:
                action = self.create(number, nominal)
                action.status = WAITING if action.missing else READY
                action.properties = self.workflow_properties(action)
                self.record.actions.append(action)
            self.record.status = "PREP"
            return self.record
        pending = pending[len(self.record.actions) :]
        self.record.status = RUNNING
        self.save()
        try:
            self.loop(pending)
        except KeyboardInterrupt:
            self.record.status, self.record.message = KILLED, "interrupted"
            for a in self.record.actions:
                if a.status not in ACTION_ENDED:
                    a.status, a.ended = KILLED, _stamp()
            self.save()
            raise
        statuses = {a.status for a in self.record.actions}
        self.record.status = SUCCEEDED if statuses <= {SUCCEEDED} else DONEWITHERROR
        self.save()
        return self.record

    def loop(self, pending: list[tuple[int, datetime]]) -> None:
        # one action at a time runs here, where Ctrl-C reaches it; more at once run in threads
        pool = ThreadPoolExecutor(self.concurrency) if self.concurrency > 1 else None
        running: dict[int, Future[None]] = {}
        try:
            while True:
                # materialize up to the throttle
                waiting = [a for a in self.record.actions if a.status in (WAITING, READY)]
                while pending and len(waiting) < self.throttle:
                    action = self.create(*pending.pop(0))
                    self.record.actions.append(action)
                    waiting.append(action)
                    self.changed(action)
                for number, future in list(running.items()):
                    if future.done():
                        del running[number]
                        future.result()  # a bug in a workflow run goes up
                self.check(waiting)
                self.skip()
                ready = [a for a in self.record.actions if a.status == READY]
                ready.sort(key=lambda a: a.nominal_time, reverse=self.execution == "LIFO")
                while ready and len(running) < self.concurrency:
                    action = ready.pop(0)
                    action.status = RUNNING
                    self.changed(action)
                    if pool is None:
                        self.run_action(action)
                        break  # created, checked and ordered again before the next one
                    running[action.number] = pool.submit(self.run_action, action)
                if (
                    not pending
                    and not running
                    and all(a.status in ACTION_ENDED for a in self.record.actions)
                ):
                    return
                if not ready:
                    time.sleep(self.settings.poll)
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def check(self, waiting: list[CoordActionRun]) -> None:
        """The sensor: each waiting action is READY once its inputs are done, or TIMEDOUT."""
        minute = self.settings.workflow.minute_seconds
        for action in waiting:
            if action.status != WAITING:
                continue
            try:
                gaps = self.missing(action)
            except CoordinatorError as e:  # inputs it cannot check (HCatalog): never a pass
                action.status, action.ended, action.message = FAILED, _stamp(), str(e)
                self.changed(action)
                continue
            if gaps != action.missing:
                action.missing = gaps
                self.save()
            if not gaps:
                action.status = READY
                self.changed(action)
            elif self.timeout >= 0 and (
                time.monotonic() - self.created_at[action.number] >= self.timeout * minute
            ):
                action.status, action.ended = TIMEDOUT, _stamp()
                action.message = f"inputs not done after {self.timeout} minutes"
                self.changed(action)

    def skip(self) -> None:
        """LAST_ONLY and NONE: actions that would start too late are SKIPPED."""
        if self.execution not in ("LAST_ONLY", "NONE"):
            return
        open_ = [a for a in self.record.actions if a.status in (WAITING, READY)]
        for action in open_:
            late = False
            if self.execution == "LAST_ONLY":
                late = any(b.nominal_time > action.nominal_time for b in self.record.actions)
            else:
                late = self.now() - parse_time(action.nominal_time) > NONE_TOLERANCE
            if late:
                action.status, action.ended = SKIPPED, _stamp()
                self.changed(action)

    def run_action(self, action: CoordActionRun) -> None:
        try:
            action.properties = self.workflow_properties(action)
            wf = self.workflow()
        except (UsageError, el.ELError) as e:
            action.status, action.ended, action.message = FAILED, _stamp(), str(e)
            self.changed(action)
            return
        stamp = action.nominal_time.replace(":", "")
        directory = self.run_dir / f"{action.number:04d}-{stamp}"
        action.run_dir = str(directory)
        try:
            result = run_workflow(wf, self.settings.workflow, properties=action.properties,
                                  run_dir=directory)  # fmt: skip
        except UsageError as e:
            action.status, action.ended, action.message = FAILED, _stamp(), str(e)
            self.changed(action)
            return
        action.workflow_id = result.id
        action.status = {SUCCEEDED: SUCCEEDED, KILLED: KILLED}.get(result.status, FAILED)
        action.message = result.message if action.status != SUCCEEDED else None
        action.ended = _stamp()
        self.changed(action)

    def workflow(self) -> Workflow:
        if isinstance(self.coord.workflow, Workflow):
            return self.coord.workflow
        app = self.paths.local(self.expand(self.coord.workflow))
        path = app / "workflow.xml" if app.is_dir() else app
        if not path.is_file():
            raise CoordinatorError(f"the workflow app {self.coord.workflow}: no {path}")
        return parse_workflow_file(path)

    def changed(self, action: CoordActionRun) -> None:
        self.save()
        if self.settings.on_action is not None:
            self.settings.on_action(self.record, action)

    def save(self) -> None:
        with self.lock:  # actions that run at once save from their threads
            self.record.write(self.run_dir)

    # -- rerun ------------------------------------------------------------------------------

    def rerun(self, numbers: list[int]) -> CoordRun:
        """Run the given actions again: their outputs deleted, then waited for and run."""
        for number in numbers:
            action = self.record.action(number)
            if action is None:
                raise CoordinatorError(f"coordinator {self.coord.name}: no action {number}")
            for out in self.coord.outputs:
                uri = self.data_out(action, out.name)
                if uri:
                    delete_path(self.paths.local(uri))
            action.ended = action.message = action.workflow_id = None
            action.created = _stamp()
            self.prepare(action)
            self.changed(action)
        return self.run()


class _CoordContext:
    """The EL of an action's configuration: the coordinator's properties and coord: functions."""

    def __init__(self, runner: LocalCoordinator, action: CoordActionRun):
        self.runner, self.action = runner, action

    def variable(self, name: str) -> Any:
        if name not in self.runner.values:
            raise el.ELError(f"{name} is not defined (a parameter or job.properties key)")
        return self.runner.values[name]

    def function(self, name: str) -> Callable[..., Any]:
        r, a = self.runner, self.action

        def date_offset(t: str, n: Any, unit: str) -> str:
            return format_time(offset_time(parse_time(t), int(n), unit, r.tz))

        table: dict[str, Callable[..., Any]] = {
            "coord:nominalTime": lambda: a.nominal_time,
            "coord:actualTime": lambda: format_time(r.now()),
            "coord:dataIn": lambda n: r.data_in(a, el.as_text(n)),
            "coord:dataOut": lambda n: r.data_out(a, el.as_text(n)),
            "coord:formatTime": lambda t, p: format_java(parse_time(t), el.as_text(p)),
            "coord:dateOffset": date_offset,
            "coord:name": lambda: r.coord.name,
            "coord:user": lambda: r.values.get("user.name", getpass.getuser()),
            "coord:conf": lambda key: r.values.get(el.as_text(key), ""),
            "concat": lambda x, y: el.as_text(x) + el.as_text(y),
            "trim": lambda x: el.as_text(x).strip(),
            "firstNotNull": lambda x, y: x if x is not None else y,
            **hcat.functions(lambda n: r.data_in(a, n), lambda n: r.data_out(a, n)),
        }
        return table[name]


def _stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def coordinator_values(
    coord: Coordinator,
    given: Mapping[str, str] | None = None,
    file_values: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The coordinator's property values, layered as a workflow's (local.layered_values);
    ${start} and ${end} must be set, declared or not."""
    from mr.workflow.properties import layered_values

    return layered_values(
        f"coordinator {coord.name}", coord.parameters, coord.properties, file_values, given,
        referenced_by=(coord.start, coord.end),
    )  # fmt: skip


def run_coordinator(
    coord: Coordinator,
    settings: CoordSettings,
    *,
    properties: Mapping[str, str] | None = None,
    file_properties: Mapping[str, str] | None = None,
    run_dir: Path,
    app: str | None = None,
) -> CoordRun:
    """Run coord on this machine until every action it has now ended; its record."""
    values = coordinator_values(coord, properties, file_properties)
    runner = LocalCoordinator(coord, values, settings, run_dir)
    runner.record.app = app
    return runner.run()


def rerun_actions(
    coord: Coordinator, settings: CoordSettings, run_dir: Path, numbers: list[int]
) -> CoordRun:
    """Run actions of a recorded local run again (outputs deleted first); the record."""
    record = CoordRun.read(run_dir)
    runner = LocalCoordinator(coord, dict(record.parameters), settings, run_dir, record)
    for action in record.actions:  # what the others wait for is settled: nothing to prepare
        runner.inputs.setdefault(action.number, [])
    return runner.rerun(numbers)
