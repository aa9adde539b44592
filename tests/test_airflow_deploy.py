"""`mrkit airflow deploy` and `mrkit airflow backfill` on the real Airflow 3.3 of the session
(tests/plugins/airflow.py, started with MRKIT_AIRFLOW_RETRY_CODES=1 and a 15 s sensor poke):
a coordinator defined here, rendered and deployed, backfilled over three days by the real
scheduler, each day's files compared with `mrkit coord run --engine local` of the same day.

The three days: the first is ready; the second's input lacks its done-flag, so its sensor waits
(up_for_reschedule, its worker slot free) until the test writes the flag; the third's input
holds a poison line, so its shell action fails, is retried once (retry-max 1) and the run fails
with the kill node's message, writing no _SUCCESS.

These tests must run before tests/test_airflow.py's last test, which stops the session's
Airflow: tests/conftest.py orders that test after every other."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from mr.workflow.coordinator import Controls, Coordinator, DataIn, Dataset
from mr.workflow.model import Delete, Fs, Mkdir, Parameter, Shell, Touchz, Workflow
from tests.support import REPO, mrkit

pytestmark = pytest.mark.airflow

DAG_ID = "mrkit-test-word-days"
APP = "tests.test_airflow_deploy:word_days"
DAYS = ["2026-02-01", "2026-02-02", "2026-02-03"]
WORDS = {
    "20260201": "the cat\nthe dog\n",
    "20260202": "a b\na c\nthe end\n",
    "20260203": "fine\npoison\n",
}
COUNT = (
    "if grep -q poison ${inputDir}/words.txt; then echo 'poison in ${inputDir}' >&2; exit 1; fi; "
    "tr ' ' '\\n' < ${inputDir}/words.txt | sort | uniq -c | sed 's/^ *//' "
    "> ${outputDir}/counts.txt"
)


def word_days() -> Coordinator:
    """A word count per day from local files: fs and shell actions only, daily, waiting for
    each day's input done-flag (_SUCCESS). Execution LAST_ONLY (catchup=False): unpaused,
    the scheduler itself runs no past day, the backfill does."""
    wf = (
        Workflow(
            "word-days",
            kill_message="word-days of ${day} failed at ${wf:lastErrorNode()}: "
            "${wf:errorMessage(wf:lastErrorNode())}",
        )
        .param("inputDir")
        .param("outputDir")
        .param("day")
        .action("prepare", Fs([Delete("file://${outputDir}"), Mkdir("file://${outputDir}")]))
        .action("count", Shell("sh", arguments=["-c", COUNT]), retry_max=1, retry_interval=0)
        .action("done", Fs([Touchz("file://${outputDir}/_SUCCESS")]))
        .end()
    )
    nominal = "${coord:formatTime(coord:nominalTime(), '%s')}"
    return Coordinator(
        DAG_ID,
        workflow=wf,
        frequency="${coord:days(1)}",
        start="${start}",
        end="${end}",
        datasets=[
            Dataset(
                "words",
                "${coord:days(1)}",
                "2026-01-01T00:00Z",
                "file://${base}/in/${YEAR}${MONTH}${DAY}",
            ),
        ],  # fmt: skip
        inputs=[DataIn("words", "words")],
        controls=Controls(execution="LAST_ONLY"),
        configuration={
            "inputDir": "${base}/in/" + nominal % "yyyyMMdd",
            "outputDir": "${base}/out/" + nominal % "yyyy-MM-dd",
            "day": nominal % "yyyy-MM-dd",
        },
        parameters=[
            Parameter("base"),
            Parameter("start", "2026-02-01T00:00Z"),
            Parameter("end", "2026-02-04T00:00Z"),
        ],
    )


def write_inputs(base: Path, flagged: list[str]) -> None:
    """Each day's words.txt; a _SUCCESS done-flag in the days `flagged` (yyyyMMdd)."""
    for day, words in WORDS.items():
        (base / "in" / day).mkdir(parents=True)
        (base / "in" / day / "words.txt").write_text(words)
        if day in flagged:
            (base / "in" / day / "_SUCCESS").write_text("")


def files_of(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): p.read_text() for p in sorted(directory.rglob("*"))
            if p.is_file()}  # fmt: skip


class Rest:
    def __init__(self, state):
        from mr.engines import airflow as engine

        self.engine, self.state = engine, state
        self.bearer = engine.token(state)

    def __call__(self, method: str, path: str, body=None):
        return self.engine.api(self.state, method, path, body, bearer=self.bearer)

    def run_id(self, day: str) -> str:
        runs = self("GET", f"dags/{DAG_ID}/dagRuns?logical_date_gte={day}T00:00:00Z"
                    f"&logical_date_lte={day}T00:00:00Z")["dag_runs"]  # fmt: skip
        assert len(runs) == 1, runs
        return str(runs[0]["dag_run_id"])

    def ti(self, day: str, task: str) -> dict:
        from mr.cli.airflow import quote

        return dict(self("GET", f"dags/{DAG_ID}/dagRuns/{quote(self.run_id(day))}/"
                                f"taskInstances/{task}"))  # fmt: skip

    def log(self, day: str, task: str, attempt: int) -> str:
        from mr.cli.airflow import quote

        path = f"dags/{DAG_ID}/dagRuns/{quote(self.run_id(day))}/taskInstances/{task}/logs/"
        return str(self("GET", f"{path}{attempt}"))

    def forget_dag(self) -> None:
        """Delete the DAG and its runs, left by an earlier session (a date with a run would
        be skipped by the backfill)."""
        from mr.engines import EngineError

        try:
            self("DELETE", f"dags/{DAG_ID}")
        except EngineError as e:
            assert "HTTP 404" in str(e), e


def test_deploy_and_backfill_three_days_as_the_local_coordinator_runs_them(
    airflow_server, tmp_path
):
    from mr.engines import EngineError
    from mr.engines import airflow as engine

    rest = Rest(airflow_server)
    base = tmp_path / "airflow"
    write_inputs(base, flagged=["20260201", "20260203"])  # the second day's flag comes later
    properties = tmp_path / "job.properties"
    properties.write_text(f"base={base}\n")
    rest.forget_dag()
    started = time.monotonic()
    deployed = mrkit("airflow", "deploy", APP, "--properties", str(properties))
    assert deployed.returncode == 0, deployed.stderr
    assert deployed.stdout.split() == [DAG_ID, f"{airflow_server.url}/dags/{DAG_ID}"]
    print(f"mrkit airflow deploy: {time.monotonic() - started:.1f}s")
    dag = rest("GET", f"dags/{DAG_ID}")
    assert dag["is_paused"] is False and dag["next_dagrun_logical_date"] is None  # LAST_ONLY
    assert (engine.dags_dir() / f"{DAG_ID}.py").is_file()

    started = time.monotonic()
    backfill = subprocess.Popen(
        [sys.executable, "-m", "mr.cli", "airflow", "backfill", DAG_ID, "--from", DAYS[0],
         "--to", DAYS[-1], "--max-active-runs", "3"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        # the second day waits in its sensor, its worker slot free, until its flag comes
        deadline = time.monotonic() + 150
        while True:
            try:
                state = rest.ti(DAYS[1], "wait-for-words")["state"]
            except (AssertionError, EngineError):  # the run is not made yet
                state = None
            if state in ("up_for_reschedule", "deferred"):
                break
            assert state not in ("success", "failed"), state
            assert time.monotonic() < deadline, f"wait-for-words of {DAYS[1]} is {state}"
            time.sleep(1)
        (base / "in" / "20260202" / "_SUCCESS").write_text("")
        flagged = time.monotonic()
        # meanwhile: the same coordinator, one day at a time, with mrkit's local runner
        local = tmp_path / "local"
        write_inputs(local, flagged=list(WORDS))
        for day, next_day in zip(DAYS, [*DAYS[1:], "2026-02-04"], strict=True):
            ran = mrkit("coord", "run", APP, "--engine", "local", "--poll", "0.2", "-q",
                        "--property", f"base={local}", "--property", f"start={day}T00:00Z",
                        "--property", f"end={next_day}T00:00Z",
                        "--run-dir", str(tmp_path / f"local-run-{day}"))  # fmt: skip
            assert ran.returncode == (1 if day == DAYS[2] else 0), ran.stderr
        out, err = backfill.communicate(timeout=240)
    finally:
        if backfill.poll() is None:
            backfill.kill()
    seconds = time.monotonic() - started
    print(f"mrkit airflow backfill: {seconds:.1f}s ({time.monotonic() - flagged:.1f}s after "
          f"the flag)\n{out}{err}")  # fmt: skip
    assert backfill.returncode == 1, err
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert lines[DAYS[0]].split()[1] == "success"
    assert lines[DAYS[1]].split()[1] == "success"
    assert lines[DAYS[2]].split()[1] == "failed"
    assert lines[DAYS[2]].endswith("failed task(s): count, fail")
    assert f"failed: {DAYS[2]} (count, fail)" in err

    # each day's files as the local coordinator wrote them; no _SUCCESS for the failed day
    assert files_of(base / "out") == files_of(local / "out")
    assert sorted(files_of(base / "out")) == [
        "2026-02-01/_SUCCESS", "2026-02-01/counts.txt",
        "2026-02-02/_SUCCESS", "2026-02-02/counts.txt",
    ]  # fmt: skip
    assert files_of(base / "out")["2026-02-01/counts.txt"] == "1 cat\n1 dog\n2 the\n"
    # retried as the workflow says (retry-max 1), then the kill node's message
    assert rest.ti(DAYS[2], "count")["try_number"] == 2
    assert "poison in" in rest.log(DAYS[2], "count", 2)
    killed = rest.log(DAYS[2], "fail", 1)
    assert "word-days of 2026-02-03 failed at count: " in killed, killed[-2000:]
    rest("DELETE", f"dags/{DAG_ID}")
    (engine.dags_dir() / f"{DAG_ID}.py").unlink()
