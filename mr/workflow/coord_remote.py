"""Run a coordinator on a real Oozie server: deploy, submit, follow its actions; kill, rerun.

:func:`run_coordinator_on_oozie` writes the application (coordinator.xml, and the workflow it
runs beside it: :func:`mr.workflow.coordinator.write_coordinator_app`), uploads it to its own
HDFS directory per run (as workflows are deployed, mr/workflow/remote.py), submits it
(``oozie.coord.application.path``) and follows ``GET /v2/job/<id>?show=info`` until the
coordinator ends (SUCCEEDED, DONEWITHERROR, KILLED, FAILED) or, with ``wait=False``, returns
once it is submitted. Each action is recorded as the local runner records it
(:class:`~mr.workflow.runs.CoordActionRun`: number, nominal time, status, the inputs it misses,
its workflow's id) in ``coord.json``. Ctrl-C (or SIGTERM) while following kills the
coordinator. :func:`rerun_on_oozie` asks the server to run actions again (``coord-rerun``,
outputs cleaned up first and inputs checked again, as the local runner does).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from mr.clients.oozie import configuration_xml
from mr.workflow.coord_local import coordinator_values
from mr.workflow.coordinator import Coordinator, write_coordinator_app
from mr.workflow.local import default_runs_dir
from mr.workflow.remote import (
    UTC,
    Interrupted,
    OozieSettings,
    Terminated,
    _iso,
    _kill_quietly,
    patiently,
    terminate_as_interrupt,
    upload_app,
)
from mr.workflow.runs import KILLED, CoordActionRun, CoordRun
from mr.workflow.schedule import format_time

#: the statuses of a coordinator that will do nothing more
COORD_ENDED = {"SUCCEEDED", "DONEWITHERROR", "KILLED", "FAILED"}
#: how many actions one info call lists
PAGE = 1000


def deploy_coordinator(
    coord: Coordinator, settings: OozieSettings, stamp: str
) -> tuple[str, dict[str, str]]:
    """Upload the coordinator application; (its HDFS path, the rendered job.properties)."""
    return upload_app(coord.name, functools.partial(write_coordinator_app, coord), settings, stamp)


def run_coordinator_on_oozie(
    coord: Coordinator,
    settings: OozieSettings,
    *,
    properties: Mapping[str, str] | None = None,
    file_properties: Mapping[str, str] | None = None,
    run_dir: Path | None = None,
    wait: bool = True,
    app: str | None = None,
) -> CoordRun:
    """Deploy, submit and (wait=True) follow a coordinator; its record (coord.json)."""
    defaults = {"nameNode": settings.name_node, "user.name": settings.oozie.user,
                **(file_properties or {})}  # fmt: skip
    values = coordinator_values(coord, properties, defaults)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    app_path, rendered = deploy_coordinator(coord, settings, stamp)
    submitted = {**rendered, **(file_properties or {}), **(properties or {})}
    # Oozie writes a <parameters> default into the datasets' uri-templates as it stands and
    # materializes them later with only ${YEAR}-style variables: a default that names another
    # property (${nameNode}/user/${user.name}/logs) failed the coordinator with E1004. Every
    # parameter goes to the server resolved, as job.properties values are.
    for parameter in coord.parameters:
        submitted.setdefault(parameter.name, values[parameter.name])
    submitted["oozie.coord.application.path"] = f"{settings.name_node}{app_path}"
    if "workflowAppPath" in rendered:
        submitted["workflowAppPath"] = f"{settings.name_node}{app_path}"
    job_id = settings.oozie.submit(submitted)
    run_dir = run_dir or default_runs_dir() / job_id
    record = CoordRun(id=job_id, name=coord.name, engine="oozie", start=values.get("start"),
                      end=values.get("end"), app=app, parameters=submitted,
                      run_dir=str(run_dir))  # fmt: skip
    record.write(run_dir)
    if not wait:
        refresh_coordinator(settings, record)
        record.write(run_dir)
        return record
    return follow_coordinator(settings, record, run_dir)


def follow_coordinator(
    settings: OozieSettings,
    record: CoordRun,
    run_dir: Path,
    rerun: Mapping[int, str | None] | None = None,
) -> CoordRun:
    """Poll until the coordinator ends (Ctrl-C/SIGTERM kill it: Interrupted). After a rerun,
    until each rerun action (number -> the workflow id it had) has ended with a new workflow."""
    try:
        with terminate_as_interrupt():
            while True:
                changed = patiently(settings, lambda: refresh_coordinator(settings, record))
                record.write(run_dir)
                for action in changed:
                    if settings.on_action is not None:
                        settings.on_action(record, action)
                if record.status in COORD_ENDED and _reran(record, rerun or {}):
                    return record
                time.sleep(settings.poll)
    except KeyboardInterrupt as e:
        _kill_quietly(settings.oozie, record.id)
        record.status, record.message = KILLED, "stopped by the user: the Oozie job was killed"
        record.write(run_dir)
        raise Interrupted(record.id, terminated=isinstance(e, Terminated)) from None


def refresh_coordinator(settings: OozieSettings, record: CoordRun) -> list[CoordActionRun]:
    """Bring the record up to date; the actions that changed."""
    params = {"show": "info", "offset": "1", "len": str(PAGE)}
    info = settings.oozie.json("GET", f"job/{record.id}", params=params)
    record.status = str(info.get("status"))
    changed = []
    for raw in info.get("actions") or []:
        action = coord_action(raw)
        old = record.action(action.number)
        if old is None or (old.status, old.missing, old.workflow_id) != (
            action.status, action.missing, action.workflow_id
        ):  # fmt: skip
            if old is not None:
                record.actions.remove(old)
            record.actions.append(action)
            changed.append(action)
    record.actions.sort(key=lambda a: a.number)
    return changed


def coord_action(raw: Mapping[str, Any]) -> CoordActionRun:
    """One action of Oozie's coordinator info as an action record."""
    nominal = _iso(raw.get("nominalTime"))
    missing = str(raw.get("missingDependencies") or "")
    message = raw.get("errorMessage") or None
    return CoordActionRun(
        number=int(raw.get("actionNumber") or 0),
        nominal_time=format_time(datetime.fromisoformat(nominal)) if nominal else "",
        status=str(raw.get("status")),
        missing=[m for m in missing.replace("#", ",").split(",") if m],
        created=_iso(raw.get("createdTime")),
        ended=_iso(raw.get("lastModifiedTime")) if raw.get("status") in _ENDED else None,
        workflow_id=raw.get("externalId") or None,
        message=str(message) if message else None,
    )


_ENDED = {"SUCCEEDED", "KILLED", "FAILED", "TIMEDOUT", "SKIPPED", "IGNORED"}


def _reran(record: CoordRun, rerun: Mapping[int, str | None]) -> bool:
    for number, old in rerun.items():
        action = record.action(number)
        if action is None or action.status not in _ENDED or action.workflow_id == old:
            return False
    return True


def rerun_on_oozie(
    settings: OozieSettings, record: CoordRun, numbers: list[int]
) -> dict[int, str | None]:
    """Ask the server to run actions again (outputs cleaned up, inputs checked again); the
    workflow ids they had, for :func:`follow_coordinator`'s ``rerun``."""
    refresh_coordinator(settings, record)
    before = {n: (a.workflow_id if (a := record.action(n)) else None) for n in numbers}
    scope = ",".join(str(n) for n in numbers)
    params = {"action": "coord-rerun", "type": "action", "scope": scope, "refresh": "true",
              "nocleanup": "false"}  # fmt: skip
    # the server wants a configuration document, even an empty one (else E0300)
    settings.oozie.call("PUT", f"job/{record.id}", params=params, body=configuration_xml({}))
    return before
