"""Workflows on the real Oozie 5.2.1 server (`mrkit oozie up` on the session's mini cluster), and
the same definitions on the local runner: the same node outcomes, the same rows.

The parity oracle is the local run (mr/workflow/local.py, tested on its own in
test_workflow_local.py): `WorkflowRun.comparable()` leaves out ids and times, and keeps each
node's status, attempts, transition taken, error code and captured data.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mr.workflow.draw import drawing
from mr.workflow.local import DEFAULT_RETRY_CODES, LocalSettings, run_workflow
from mr.workflow.model import Fs, Mkdir, Shell, Workflow
from mr.workflow.runs import WorkflowRun
from tests.plugins.examples import EVERY_ACTION_MARKERS, EVERY_ACTION_OUTPUTS
from tests.plugins.oozie import RETRY_CODES
from tests.support import FIXTURES, REPO, yarn_app_state

pytestmark = [pytest.mark.oozie, pytest.mark.hadoop]

#: the states a YARN application ends in
DONE = ("FINISHED", "FAILED", "KILLED")


def local_settings(tmp_path: Path) -> LocalSettings:
    """The local runner as the server runs: the same extra retry code, no retry wait."""
    return LocalSettings(
        root=tmp_path / "root",
        retry_codes=DEFAULT_RETRY_CODES | {RETRY_CODES},
        minute_seconds=0,
    )


@pytest.mark.hbase
@pytest.mark.hive
@pytest.mark.pig
def test_every_action_on_oozie_gives_the_outcomes_and_rows_of_its_local_run(every_action_runs):
    """fs, streaming (one step and chained), Hive and Pig twins, shell with captured output, a
    decision, an HBase load, a shipped sub-workflow, a retried shell and an error transition:
    SUCCEEDED on Oozie and locally, node for node, with the same rows (both runs made once for
    the session by tests/plugins/examples.py; tests/test_airflow_live.py compares Airflow's)."""
    on_oozie, local = every_action_runs.oozie.run, every_action_runs.local.run
    assert on_oozie.status == "SUCCEEDED", "\n".join(on_oozie.summary_lines())
    assert local.status == "SUCCEEDED", "\n".join(local.summary_lines())
    assert on_oozie.comparable() == local.comparable()
    # the retry and the error path, as both engines took them
    notify, probe = on_oozie.node("notify"), on_oozie.node("probe")
    assert (notify.status, notify.attempts) == ("OK", 2)
    assert (probe.status, probe.error_code, probe.transition) == ("ERROR", "1", "recover")
    assert on_oozie.node("check").data == {"checked": "true"}
    # `mrkit workflow graph --run` colours the nodes and bolds the paths of both runs alike
    wf = every_action_runs.workflow
    assert drawing(wf, on_oozie).source == drawing(wf, local).source

    oozie, here = every_action_runs.oozie, every_action_runs.local
    for name in EVERY_ACTION_OUTPUTS:
        assert oozie.rows[name] == here.rows[name], name
        assert oozie.rows[name], name  # rows there to compare
    words = dict(row.split("\t") for row in here.rows["published"])
    assert oozie.loaded == here.loaded == words
    assert oozie.markers == here.markers == dict.fromkeys(EVERY_ACTION_MARKERS, True)
    assert not oozie.counts_left and not here.counts_left  # moved by the sub-workflow


def test_a_kill_node_ends_both_runs_killed_at_the_same_node(oozie_settings, work, tmp_path):
    from mr.workflow.remote import run_on_oozie

    wf = (
        Workflow("doomed", kill_message="died at ${wf:lastErrorNode()}")
        .global_settings(resource_manager="${resourceManager}", name_node="${nameNode}")
        .param("out")
        .action("mk", Fs([Mkdir("${out}/made")]))
        .action("bad", Shell(exec="sh", arguments=["-c", "echo no >&2; exit 4"]))
        .end()
    )
    given = {"out": f"{work}/doomed"}
    on_oozie = run_on_oozie(wf, oozie_settings, properties=given, run_dir=tmp_path / "o")
    local = run_workflow(wf, local_settings(tmp_path), properties=given, run_dir=tmp_path / "l")
    assert on_oozie.status == local.status == "KILLED"
    assert on_oozie.message == local.message == "died at bad"
    assert on_oozie.comparable() == local.comparable()
    assert on_oozie.node("bad").error_code == "1"
    assert on_oozie.node("bad").console_url  # where its YARN logs are


def test_ctrl_c_kills_the_oozie_job(oozie_server, hadoop_cluster, work, tmp_path):
    """`mrkit workflow run --engine oozie` interrupted: exit 130, one line, the job KILLED."""
    from mr.clients.oozie import Oozie

    app = tmp_path / "slow.py"
    app.write_text(
        "from mr.workflow.model import Shell, Workflow\n"
        "wf = Workflow('slow').global_settings(resource_manager='${resourceManager}',\n"
        "    name_node='${nameNode}').action('nap', Shell(exec='sleep', arguments=['300'])).end()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "mr.cli", "workflow", "run", f"{app}:wf", "--engine", "oozie",
         "--run-dir", str(tmp_path / "run")],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "OOZIE_URL": oozie_server.url},
        # Ctrl-C as a terminal delivers it: a suite started in the background (nohup, `&`)
        # passes SIGINT on ignored, and Python then installs no KeyboardInterrupt for it (seen:
        # the run went on to SUCCEEDED in a fresh-clone run started that way)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    record = tmp_path / "run" / "run.json"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # until the action runs on YARN
        if record.is_file():
            nap = WorkflowRun.read(record).node("nap")
            if nap is not None and nap.status == "RUNNING" and nap.external_id:
                break
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the action never started")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    run = WorkflowRun.read(record)
    assert proc.returncode == 130, err
    assert err.splitlines()[-1] == (
        f"mrkit workflow run: slow: interrupted; killed the Oozie job {run.id}"
    )
    assert Oozie(oozie_server.url).info(run.id)["status"] == "KILLED"
    assert run.status == "KILLED"
    # and nothing keeps running on YARN: the launcher of `sleep 300` would hold a container
    # (and slow every later test) for five minutes
    launcher = run.node("nap").external_id
    deadline = time.monotonic() + 60
    while (state := yarn_app_state(launcher)) not in DONE:
        assert time.monotonic() < deadline, f"{launcher} still {state}"
        time.sleep(2)
    assert state == "KILLED"


# --- validate agrees with the server ------------------------------------------------------------

VALID = FIXTURES / "workflows" / "valid"
BROKEN = FIXTURES / "workflows" / "broken"


def app_properties(oozie_settings, hdfs, work: str, path: Path) -> dict[str, str]:
    """A file deployed as the only file of an app directory, and the properties that submit it."""
    from mr.workflow.properties import job_properties

    kind = {"workflow-app": "wf", "coordinator-app": "coord", "bundle-app": "bundle"}
    xml = path.read_bytes()
    root = next(k for k in kind if f"<{k}".encode() in xml)
    app = f"{work}/{path.stem}"
    hdfs.write_bytes(f"{app}/{root.split('-')[0]}.xml", xml)
    given = job_properties(VALID / "job.properties")
    # one application path only: Oozie submits the first kind it finds (workflow first)
    given = {k: v for k, v in given.items() if not k.endswith(".application.path")}
    return {
        **given,
        "inputDir": "/in",  # the declared parameter of undefined-parameter.xml, given
        "nameNode": oozie_settings.name_node,
        "jobTracker": oozie_settings.resource_manager,
        "resourceManager": oozie_settings.resource_manager,
        f"oozie.{kind[root]}.application.path": f"{oozie_settings.name_node}{app}",
    }


@pytest.mark.oozie_jars
@pytest.mark.parametrize("name", sorted(p.name for p in VALID.glob("*.xml")))
def test_the_server_accepts_what_validate_accepts(oozie_settings, hdfs, work, name):
    """Oozie's own example apps, and ours: valid offline, valid to the server's XSDs, and (a
    workflow) parsed by a dry-run submit, which checks its graph as a real submit does."""
    from mr.workflow.validate import validate_file

    path = VALID / name
    assert validate_file(path) == []
    oozie_settings.oozie.validate(path.read_text(), name)
    if b"<workflow-app" in path.read_bytes():
        oozie_settings.oozie.dry_run(app_properties(oozie_settings, hdfs, work, path))


#: each broken file, the rule validate names, and the server call that rejects it with its code,
#: as Oozie 5.2.1 answered. Two rules are mrkit's own, stricter than Oozie's submit (its dry run
#: accepts the file): undefined-parameter (Oozie finds an undefined ${x} only when the action
#: that uses it starts, and fails the run there) and unreachable (Oozie never runs the node)
SERVER_VERDICTS = [
    ("missing-error.xml", "xsd", "validate", "E0701"),
    ("unknown-action.xml", "xsd", "validate", "E0701"),
    ("bad-shell.xml", "xsd", "validate", "E0701"),
    ("bad-coordinator.xml", "xsd", "validate", "E0701"),
    ("bad-bundle.xml", "xsd", "validate", "E0701"),
    ("decision-without-default.xml", "xsd", "validate", "E0701"),
    ("not-xml.xml", "xml", "validate", "E0701"),
    ("not-oozie.xml", "xsd", "validate", "E0701"),
    ("dangling.xml", "dangling-transition", "dry_run", "E0708"),
    ("unreachable.xml", "unreachable", None, None),  # Oozie 5.2.1 runs around an orphan node
    ("cycle.xml", "cycle", "dry_run", "E0707"),
    ("fork-without-join.xml", "fork-join", "dry_run", "E0737"),
    ("duplicate-name.xml", "duplicate-name", "dry_run", "E0705"),
    ("undefined-parameter.xml", "undefined-parameter", None, None),
    ("bad-execution.xml", "coordinator", "dry_run", "E1003"),
    ("undefined-dataset.xml", "coordinator", "dry_run", "E0803"),
]


def test_every_broken_file_has_a_server_verdict():
    assert sorted(p.name for p in BROKEN.glob("*.xml")) == sorted(v[0] for v in SERVER_VERDICTS)


@pytest.mark.oozie_jars
@pytest.mark.parametrize(("name", "rule", "call", "code"), SERVER_VERDICTS)
def test_the_server_rejects_what_validate_rejects(
    oozie_settings, hdfs, work, name, rule, call, code
):
    from mr.clients.oozie import OozieError
    from mr.workflow.validate import validate_file

    path = BROKEN / name
    assert [p.rule for p in validate_file(path)] == [rule]
    server = oozie_settings.oozie
    if call is None:
        server.validate(path.read_text(), name)
        server.dry_run(app_properties(oozie_settings, hdfs, work, path))
        return
    with pytest.raises(OozieError) as raised:
        if call == "validate":
            server.validate(path.read_text(), name)
        else:
            server.validate(path.read_text(), name)  # the XSDs pass: the graph is what fails
            server.dry_run(app_properties(oozie_settings, hdfs, work, path))
    assert raised.value.code == code, raised.value


def test_an_idle_server_leaves_the_cpu_to_the_jobs(oozie_server):
    """An idle Oozie uses next to no CPU (with log4j reload at 0, a file watchdog kept a core
    busy and every YARN test after the Oozie tests ran twice as long)."""
    clock = os.sysconf("SC_CLK_TCK")

    def cpu_seconds() -> float:
        fields = Path(f"/proc/{oozie_server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / clock  # utime, stime

    before, started = cpu_seconds(), time.monotonic()
    time.sleep(5)
    used = cpu_seconds() - before
    assert used < 0.25 * (time.monotonic() - started), f"{used:.2f} s of CPU in 5 s"
