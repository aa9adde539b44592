"""The local coordinator runner (mr/workflow/coord_local.py): catch-up, the input sensor and its
timeout, execution orders, concurrency, throttle, latest(), rerun and dry run, on small
workflows over a local name node root."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from mr.lib.errors import UsageError
from mr.word_count import WordCount
from mr.workflow.coord_local import CoordSettings, rerun_actions, run_coordinator
from mr.workflow.coordinator import Controls, Coordinator, DataIn, DataOut, Dataset
from mr.workflow.local import LocalSettings
from mr.workflow.model import Fs, Mkdir, Shell, Touchz, Workflow
from mr.workflow.runs import CoordRun
from mr.workflow.schedule import parse_time

NOW = parse_time("2026-02-01T00:00Z")
DAYS = ["2026-01-01", "2026-01-02", "2026-01-03"]


def mark_output() -> Workflow:
    """Writes ${output}/_SUCCESS: the smallest workflow that produces a dataset instance."""
    return (
        Workflow("mark")
        .action("mark", Fs([Mkdir("${output}"), Touchz("${output}/_SUCCESS")]))
        .end()
    )


def daily(wf: Workflow | None = None, controls: Controls | None = None, **kw) -> Coordinator:
    kw = {"start": "2026-01-01T00:00Z", "end": "2026-01-04T00:00Z", **kw}
    return Coordinator(
        "daily",
        workflow=wf or mark_output(),
        datasets=[
            Dataset(
                "logs",
                "${coord:days(1)}",
                "2026-01-01T00:00Z",
                "/data/logs/${YEAR}/${MONTH}/${DAY}",
            ),
            Dataset(
                "reports",
                "${coord:days(1)}",
                "2026-01-01T00:00Z",
                "/data/reports/${YEAR}${MONTH}${DAY}",
            ),
        ],  # fmt: skip
        inputs=[DataIn("logs", "logs")],
        outputs=[DataOut("report", "reports")],
        controls=controls or Controls(),
        configuration={
            "input": "${coord:dataIn('logs')}",
            "output": "${coord:dataOut('report')}",
            "day": "${coord:formatTime(coord:nominalTime(), 'yyyy-MM-dd')}",
        },
        **kw,
    )


def settings(tmp_path: Path, **kw) -> CoordSettings:
    workflow = LocalSettings(root=tmp_path / "root", minute_seconds=kw.pop("minute_seconds", 60))
    return CoordSettings(workflow=workflow, poll=0.02, now=kw.pop("now", NOW), **kw)


def land(tmp_path: Path, day: str, done: bool = True) -> Path:
    """One day of input, marked done (its _SUCCESS) or not yet."""
    y, m, d = day.split("-")
    directory = tmp_path / "root" / "data" / "logs" / y / m / d
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "part-00000").write_text(f"log of {day}\n")
    if done:
        (directory / "_SUCCESS").touch()
    return directory


def statuses(run: CoordRun) -> list[tuple[str, str]]:
    return [(a.nominal_time[:10], a.status) for a in run.actions]


def test_a_start_in_the_past_catches_up_every_day(tmp_path):
    for day in DAYS:
        land(tmp_path, day)
    run = run_coordinator(daily(), settings(tmp_path), run_dir=tmp_path / "run")
    assert run.status == "SUCCEEDED"
    assert statuses(run) == [(d, "SUCCEEDED") for d in DAYS]
    first = run.actions[0].properties
    assert first["input"] == "/data/logs/2026/01/01"
    assert first["output"] == "/data/reports/20260101"
    assert first["day"] == "2026-01-01"
    for day in DAYS:
        assert (tmp_path / "root" / "data" / "reports" / day.replace("-", "") / "_SUCCESS").exists()
    assert CoordRun.read(tmp_path / "run").comparable() == run.comparable()


def test_actions_in_the_future_are_not_created(tmp_path):
    for day in DAYS:
        land(tmp_path, day)
    run = run_coordinator(
        daily(), settings(tmp_path, now=parse_time("2026-01-02T12:00Z")), run_dir=tmp_path / "run"
    )
    assert statuses(run) == [("2026-01-01", "SUCCEEDED"), ("2026-01-02", "SUCCEEDED")]


def test_an_action_waits_for_its_input_then_runs_when_it_is_done(tmp_path):
    land(tmp_path, "2026-01-01")
    late = land(tmp_path, "2026-01-02", done=False)  # its data is there, not its _SUCCESS
    land(tmp_path, "2026-01-03")
    seen: list[tuple[str, str, list[str]]] = []

    def on_action(run, action):
        seen.append((action.nominal_time[:10], action.status, list(action.missing)))
        if action.nominal_time.startswith("2026-01-03") and action.status == "SUCCEEDED":
            threading.Timer(0.3, (late / "_SUCCESS").touch).start()

    run = run_coordinator(
        daily(), settings(tmp_path, on_action=on_action), run_dir=tmp_path / "run"
    )
    assert statuses(run) == [(d, "SUCCEEDED") for d in DAYS]
    assert ("2026-01-02", "WAITING", ["/data/logs/2026/01/02/_SUCCESS"]) in seen
    order = [d for d, status, _ in seen if status == "SUCCEEDED"]
    assert order == ["2026-01-01", "2026-01-03", "2026-01-02"]  # the late day ran last


def test_an_input_that_never_comes_times_out(tmp_path):
    land(tmp_path, "2026-01-01")
    coord = daily(controls=Controls(timeout=1))
    started = time.monotonic()
    run = run_coordinator(coord, settings(tmp_path, minute_seconds=0.3), run_dir=tmp_path / "run")
    assert statuses(run) == [
        ("2026-01-01", "SUCCEEDED"),
        ("2026-01-02", "TIMEDOUT"),
        ("2026-01-03", "TIMEDOUT"),
    ]
    assert run.status == "DONEWITHERROR"
    assert run.actions[1].missing == ["/data/logs/2026/01/02/_SUCCESS"]
    assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize(
    ("execution", "expected"),
    [
        ("FIFO", ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]),
        ("LIFO", ["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]),
        ("LAST_ONLY", ["SKIPPED", "SKIPPED", "SUCCEEDED"]),  # only the newest of a backlog
        ("NONE", ["SKIPPED", "SKIPPED", "SKIPPED"]),  # all late by more than a minute
    ],
)
def test_execution_orders(tmp_path, execution, expected):
    for day in DAYS:
        land(tmp_path, day)
    ran: list[str] = []

    def on_action(run, action):
        if action.status == "RUNNING":
            ran.append(action.nominal_time[:10])

    coord = daily(controls=Controls(execution=execution))
    run = run_coordinator(coord, settings(tmp_path, on_action=on_action), run_dir=tmp_path / "run")
    assert statuses(run) == list(zip(DAYS, expected, strict=True))
    if execution == "LIFO":
        assert ran == DAYS[::-1]
    elif execution == "FIFO":
        assert ran == DAYS


def test_concurrency_runs_actions_at_once(tmp_path):
    # each action waits until two have started: with concurrency 1 this would time out
    meet = tmp_path / "meet"
    meet.mkdir()
    script = (
        f'touch {meet}/"$1"; n=0; while [ "$(ls {meet} | wc -l)" -lt 2 ]; do '
        "sleep 0.05; n=$((n+1)); [ $n -gt 200 ] && exit 1; done; exit 0"
    )
    wf = Workflow("meet").action("meet", Shell("sh", ["-c", script, "meet", "${day}"])).end()
    for day in DAYS[:2]:
        land(tmp_path, day)
    coord = daily(wf, controls=Controls(concurrency=2), end="2026-01-03T00:00Z")
    run = run_coordinator(coord, settings(tmp_path), run_dir=tmp_path / "run")
    assert statuses(run) == [("2026-01-01", "SUCCEEDED"), ("2026-01-02", "SUCCEEDED")]


def test_throttle_limits_the_actions_that_wait(tmp_path):
    most = 0

    def on_action(run, action):
        nonlocal most
        most = max(most, sum(a.status in ("WAITING", "READY") for a in run.actions))

    coord = daily(controls=Controls(timeout=0, throttle=2), end="2026-01-08T00:00Z")
    run = run_coordinator(coord, settings(tmp_path, on_action=on_action), run_dir=tmp_path / "run")
    assert [s for _, s in statuses(run)] == ["TIMEDOUT"] * 7
    assert most == 2


def test_latest_is_the_newest_done_instance(tmp_path):
    land(tmp_path, "2026-01-01")
    land(tmp_path, "2026-01-02")
    land(tmp_path, "2026-01-03", done=False)
    coord = daily(start="2026-01-03T00:00Z")
    coord.inputs = [DataIn("logs", "logs", instances=["${coord:latest(0)}"])]
    run = run_coordinator(coord, settings(tmp_path), run_dir=tmp_path / "run")
    assert run.actions[0].properties["input"] == "/data/logs/2026/01/02"


def test_a_range_of_instances_newest_first(tmp_path):
    for day in DAYS:
        land(tmp_path, day)
    coord = daily(start="2026-01-03T00:00Z")
    coord.inputs = [
        DataIn(
            "logs",
            "logs",
            start_instance="${coord:current(-2)}",
            end_instance="${coord:current(0)}",
        )
    ]
    run = run_coordinator(coord, settings(tmp_path), run_dir=tmp_path / "run")
    assert run.actions[0].properties["input"] == (
        "/data/logs/2026/01/03,/data/logs/2026/01/02,/data/logs/2026/01/01"
    )


def test_rerun_restores_a_deleted_day_byte_for_byte(tmp_path):
    counted = (
        Workflow("count")
        .global_settings(resource_manager="${resourceManager}", name_node="${nameNode}")
        .job("count", WordCount, ["--overwrite"], input="${input}", output="${output}")
        .end()
    )
    for day in DAYS:
        land(tmp_path, day)
    coord = daily(counted)
    run = run_coordinator(coord, settings(tmp_path), run_dir=tmp_path / "run")
    assert run.status == "SUCCEEDED", run.summary_lines()
    day2 = tmp_path / "root" / "data" / "reports" / "20260102"
    before = {p.name: p.read_bytes() for p in day2.iterdir()}
    rows = sorted(b"".join(v for k, v in before.items() if k.startswith("part-")).splitlines())
    assert rows == [b"01\t1", b"02\t1", b"2026\t1", b"log\t1", b"of\t1"]  # of "log of 2026-01-02"
    for p in day2.iterdir():
        p.unlink()
    day2.rmdir()
    again = rerun_actions(coord, settings(tmp_path), tmp_path / "run", [2])
    assert again.status == "SUCCEEDED"
    assert {p.name: p.read_bytes() for p in day2.iterdir()} == before
    assert [
        a.workflow_id == b.workflow_id for a, b in zip(run.actions, again.actions, strict=True)
    ] == [
        True,
        False,
        True,
    ]


def test_dry_run_lists_what_would_run(tmp_path):
    run = run_coordinator(daily(), settings(tmp_path, dry_run=True), run_dir=tmp_path / "run")
    assert run.status == "PREP"
    assert [a.properties["output"] for a in run.actions] == [
        "/data/reports/20260101", "/data/reports/20260102", "/data/reports/20260103"]  # fmt: skip
    assert not (tmp_path / "root" / "data" / "reports").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"frequency": "daily"}, "frequency 'daily'"),
        ({"start": "yesterday"}, "'yesterday' is not a time"),
        ({"controls": Controls(execution="RANDOM")}, "execution 'RANDOM'"),
        ({"inputs": [DataIn("x", "nope")]}, "names the dataset 'nope'"),
        ({"timezone": "Mars/Olympus"}, "IANA"),
    ],
)
def test_a_coordinator_that_cannot_run_says_why(tmp_path, change, message):
    coord = daily()
    for key, value in change.items():
        setattr(coord, key, value)
    # a UsageError: the CLI prints it as one line and exits 2
    with pytest.raises(UsageError, match=message) as raised:
        run_coordinator(coord, settings(tmp_path), run_dir=tmp_path / "run")
    assert "\n" not in str(raised.value)
