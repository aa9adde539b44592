"""Oozie apps rendered as Airflow DAG files (mr/airflow/render.py) and run (mr/airflow/runtime.py).

Engine-free: the rendered text of the examples against golden files (tests/fixtures/airflow,
rewritten by --update-golden and reviewed by eye), how each Oozie construct maps (trigger rules,
retries, capture-output, sub-workflows, coordinator schedules, other engines' actions) and bad
input. Marked `airflow`: the files imported by Airflow's DagBag, and `airflow dags test` of a
small workflow compared with mrkit's local runner. The renderer itself never imports Airflow."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mr.airflow.render import (
    InvalidApp,
    RenderedDag,
    RenderError,
    check_imports,
    coordinator_dag,
    render_app,
    trigger_rules,
    workflow_dag,
    write_dags,
)
from mr.airflow.runtime import task_id
from mr.airflow.source import identifier
from mr.workflow import examples
from mr.workflow.coordinator import Bundle, Controls, Coordinator, DataIn, Dataset
from mr.workflow.local import DEFAULT_RETRY_CODES, LocalSettings, run_workflow
from mr.workflow.model import (
    Action,
    Delete,
    Fs,
    Mkdir,
    Move,
    Parameter,
    Shell,
    Touchz,
    Workflow,
    step,
)
from tests.support import mrkit

GOLDEN = Path(__file__).parent / "fixtures" / "airflow"
EXAMPLES = ["word_pipeline", "every_action", "daily_report"]
ROOT = Path(__file__).resolve().parents[1]


# -- the examples, by eye ---------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_render_as_the_golden_files(name, tmp_path, request):
    [path] = render_app(f"mr.workflow.examples:{name}", tmp_path)
    golden = GOLDEN / path.name
    if request.config.getoption("--update-golden"):
        shutil.copy(path, golden)
    assert path.read_text() == golden.read_text(), f"review: diff {path} {golden}"


def test_rendered_files_are_formatted_and_lint_clean(tmp_path):
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not in this venv")
    for name in EXAMPLES:
        render_app(f"mr.workflow.examples:{name}", tmp_path)
    files = sorted(str(p) for p in tmp_path.glob("*.py"))
    options = ["--no-cache", "--line-length", "100"]
    subprocess.run([ruff, "format", "--check", *options, *files], check=True)
    rules = ["--select", "E,F,W,B,UP", "--target-version", "py310"]
    subprocess.run([ruff, "check", *options, *rules, *files], check=True)


def test_a_workflow_is_one_dag_named_like_it_with_a_task_per_node():
    wf = examples.word_pipeline()
    text = workflow_dag(wf, {}, source="x").text
    assert 'dag_id="word-pipeline"' in text and "schedule=None" in text
    for node in wf.nodes:
        assert f'"{node.name}"' in text, node.name
    # transitions written once: the ok chain, then error edges
    assert "ingest >> count >> analyse >> [top_words, hive_count] >> analyse_join" in text
    assert "want_index >> [load_index, end]" in text
    assert '[ingest, count, top_words, hive_count, load_index] >> Label("error") >> fail' in text
    assert "import airflow" not in Path(sys.modules["mr.airflow.render"].__file__).read_text()


def test_task_ids_and_names():
    assert task_id("load-index") == "load-index"
    assert task_id("a b/c:d") == "a_b_c_d"
    assert identifier("load-index") == "load_index"
    assert identifier("class") == "_class"
    assert identifier("2nd") == "_2nd"
    assert identifier("dag") == "_dag"  # the DAG's own name
    assert identifier("a-b", {"a_b"}) == "a_b_2"


# -- mrkit airflow render ---------------------------------------------------------------------


def test_render_cli_writes_one_file_per_dag_and_says_when_imports_are_not_checked(tmp_path):
    no_venv = {"XDG_CACHE_HOME": str(tmp_path / "cache")}  # no Airflow venv there
    done = mrkit("airflow", "render", "mr.workflow.examples:daily_report", "--out",
                 str(tmp_path / "dags"), env=no_venv)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp_path / "dags" / "daily-report.py")]
    assert "import check is left out: no Airflow venv" in done.stderr
    golden = (GOLDEN / "daily-report.py").read_text()
    assert (tmp_path / "dags" / "daily-report.py").read_text() == golden


def test_render_cli_prints_an_invalid_apps_problems_one_per_line_and_exits_1(tmp_path):
    from mr.workflow.render import write_app

    wf = examples.word_pipeline()
    write_app(wf, tmp_path / "app")
    xml = tmp_path / "app" / "workflow.xml"
    text = xml.read_text()
    bad = text.replace("${input}", "${noSuchA}").replace("${output}", "${noSuchB}")
    assert bad != text
    xml.write_text(bad)
    done = mrkit("airflow", "render", str(tmp_path / "app"), "--out", str(tmp_path / "dags"))
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) >= 2 and all("undefined-parameter" in line for line in lines), lines
    assert not (tmp_path / "dags").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["no_such_module:flow"], "no_such_module:flow: no module 'no_such_module'"),
        (["mr.workflow.examples:daily_report", "--properties", "/no/such.properties"],
         "--properties /no/such.properties: no such file"),
    ],
)  # fmt: skip
def test_render_cli_other_errors_are_one_line_and_exit_2(args, message, tmp_path):
    done = mrkit("airflow", "render", *args, "--out", str(tmp_path / "dags"))
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert errors == [f"mrkit airflow render: error: {message}"]


@pytest.mark.parametrize("action", [["deploy", "mr.workflow.examples:daily_report"],
                                    ["backfill", "daily-report", "--from", "2026-01-01",
                                     "--to", "2026-01-02"]])  # fmt: skip
def test_deploy_and_backfill_need_a_running_airflow(action, tmp_path):
    done = mrkit("airflow", *action, env={"MRKIT_HOME": str(tmp_path)})
    assert done.returncode == 1
    assert "Airflow is not running: start it with `mrkit airflow up`" in done.stderr


def test_backfill_refuses_dates_it_cannot_read(tmp_path):
    done = mrkit("airflow", "backfill", "d", "--from", "yesterday", "--to", "2026-01-02",
                 env={"MRKIT_HOME": str(tmp_path)})  # fmt: skip
    assert done.returncode == 2 and "--from 'yesterday': give a day" in done.stderr


LOCKED = 'POST backfills: HTTP 503: {"detail":"Database is locked. Backfill creation is not'


@pytest.mark.parametrize(
    ("answers", "made"),
    [
        ([LOCKED, LOCKED, {"id": 7}], True),  # seen after a deploy (tests/test_airflow_live.py)
        ([LOCKED, "POST backfills: HTTP 409: already running", {"id": 7}], True),
        (["POST backfills: HTTP 409: already running", {"id": 7}], False),  # no 503 first
        (["POST backfills: HTTP 400: bad dates", {"id": 7}], False),
        ([LOCKED] * 5, False),  # for longer than the timeout
    ],
)
def test_a_backfill_is_posted_again_while_sqlite_is_locked(answers, made):
    from mr.cli.airflow import create_backfill
    from mr.engines import EngineError

    calls = []

    def rest(method, path, body):
        calls.append((method, path))
        answer = answers[len(calls) - 1]
        if isinstance(answer, str):
            raise EngineError(answer)
        return answer

    if made:
        assert create_backfill(rest, {}, timeout=1, pause=0.01) == {"id": 7}
        assert len(calls) == 3
    else:
        with pytest.raises(EngineError):
            create_backfill(rest, {}, timeout=0.03, pause=0.01)
        assert len(calls) < len(answers)


# -- transitions and trigger rules -------------------------------------------------------------


def small_workflow() -> Workflow:
    """fs and shell actions, a fork/join, a decision on captured output, an error transition
    that leads on (probe -> recover), a sub-workflow, a shell that succeeds on its retry
    (exit code 1 retried) and a kill path (failRight=yes)."""
    return (
        Workflow(
            "small",
            kill_message="small failed at ${wf:lastErrorNode()}: "
            "${wf:errorMessage(wf:lastErrorNode())}",
        )
        .param("workDir", "/small")
        .param("failRight", "no")
        .param("flagFile", "/tmp/no-such-flag")
        .action("ingest", Fs([Delete("${workDir}"), Mkdir("${workDir}")]))
        .fork(
            "both",
            [
                [step("left", Fs([Touchz("${workDir}/left")]))],
                [
                    step(
                        "right",
                        Shell(
                            exec="sh",
                            arguments=["-c", "test ${failRight} = no && echo n=3"],
                            capture_output=True,
                        ),
                    )
                ],
            ],
        )
        .decision("route", {"${wf:actionData('right')['n'] gt 2}": "big"}, default="little")
        .action("big", Fs([Touchz("${workDir}/big")]))
        .action("probe", Shell(exec="sh", arguments=["-c", "exit 3"]), error="recover")
        .action("recover", Fs([Touchz("${workDir}/recovered")]))
        .sub_workflow("publish", publish_child())
        .action(
            "notify",
            Shell(exec="sh", arguments=["-c", examples.FAIL_ONCE, "sh", "${flagFile}"]),
            retry_max=2,
            retry_interval=0,
        )
        .end()
        .add(Action("little", Fs([Touchz("${workDir}/little")]), ok="end", error="fail"))
    )


def publish_child() -> Workflow:
    return (
        Workflow("publish-small")
        .param("workDir")
        .action("publish", Fs([Move("${workDir}/big", "${workDir}/published")]))
        .end()
    )


def rules_of(wf: Workflow) -> dict[str, str]:
    from mr.airflow.render import _incoming

    return trigger_rules(wf, _incoming(wf))


def test_trigger_rules_carry_oozie_transitions():
    rules = rules_of(small_workflow())
    assert rules["fail"] == "one_failed"  # only error transitions lead to the kill node
    assert rules["both-join"] == "none_failed_min_one_success"  # waits for both paths
    assert rules["end"] == "none_failed_min_one_success"  # after the decision's two branches
    assert rules["recover"] == "all_done"  # probe's ok and error both lead there
    assert rules["left"] == rules["big"] == "all_success"


def test_a_node_after_an_action_whose_error_leads_on_runs_on_all_done():
    wf = (
        Workflow("w")
        .action("a", Fs([Mkdir("/x")]), error="cleanup")
        .action("b", Fs([Mkdir("/y")]))
        .action("cleanup", Fs([Delete("/x")]))
        .end()
    )
    rules = rules_of(wf)
    assert rules["b"] == "all_done"  # a's failure must skip b, not fail it
    assert rules["cleanup"] == "all_done"  # reached by a's error and b's ok
    text = workflow_dag(wf, {}, source="x").text
    assert 'a >> Label("error") >> cleanup' in text


def test_a_kill_node_a_decision_sends_to_checks_what_reached_it():
    wf = (
        Workflow("w")
        .param("go", "yes")
        .action("a", Fs([Mkdir("/x")]))
        .decision("ok?", {"${go eq 'yes'}": "end"}, default="fail")
        .end()
    )
    assert rules_of(wf)["fail"] == "all_done"
    text = workflow_dag(wf, {}, source="x").text
    assert 'fail = oozie.kill(\n        "fail",' in text and 'trigger_rule="all_done",' in text
    assert 'ok_ = oozie.decision("ok?"' in text  # task id ok_ ("?" is not allowed in one)
    assert "a >> ok_ >> [end, fail]" in text


def test_retries_capture_output_and_sub_workflows():
    text = workflow_dag(examples.every_action(), {}, source="x").text
    assert "retries=2,\n        retry_interval=0," in text  # notify: retry-max 2, 0 minutes
    assert 'Shell("echo", arguments=["checked=true"], capture_output=True)' in text
    assert "PUBLISH_COUNTS = Workflow(" in text and "child=PUBLISH_COUNTS" in text
    assert 'JobStep("grep", 2, "frequent-step1")' in text  # run whole at its first step
    assert 'Job("grep", args=["--pattern", "[a-z]+"]' in text


def test_retry_max_is_capped_and_a_parameter_is_resolved():
    wf = Workflow("w").param("tries", "5")
    wf.action("a", Fs([Mkdir("/x")]))
    wf.node("a").attributes.update({"retry-max": "${tries}", "retry-policy": "exponential"})  # type: ignore[union-attr]
    dag = workflow_dag(wf.end(), {}, source="x")
    assert "retries=3, retry_interval=10, exponential=True" in dag.text
    assert any("capped at 3" in note for note in dag.notes)


# -- coordinators and bundles -----------------------------------------------------------------


def coordinator(frequency: str, start: str = "2026-01-01T03:00Z", **kw) -> Coordinator:
    wf = Workflow("w").param("input").action("a", Fs([Mkdir("${input}")])).end()
    return Coordinator(
        "c", workflow=wf, frequency=frequency, start=start, end="2026-02-01T00:00Z",
        datasets=[Dataset("logs", "${coord:days(1)}", "2026-01-01T00:00Z", "/logs/${DAY}")],
        inputs=[DataIn("logs", "logs", start_instance="${coord:current(-2)}",
                       end_instance="${coord:current(0)}")],
        configuration={"input": "${coord:dataIn('logs')}"}, **kw,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("frequency", "start", "schedule"),
    [
        ("${coord:days(1)}", "2026-01-01T03:00Z", 'CronTriggerTimetable("0 3 * * *"'),
        ("${coord:hours(6)}", "2026-01-01T03:00Z", 'CronTriggerTimetable("0 3/6 * * *"'),
        ("${coord:minutes(15)}", "2026-01-01T03:05Z", 'CronTriggerTimetable("5/15 * * * *"'),
        ("0 2 * * 1-5", "2026-01-01T03:00Z", 'CronTriggerTimetable("0 2 * * 1-5"'),
        ("${coord:months(1)}", "2026-01-05T00:00Z", 'CronTriggerTimetable("0 0 5 * *"'),
        ("90", "2026-01-01T03:00Z", "DeltaTriggerTimetable(datetime.timedelta(minutes=90))"),
        ("${coord:months(3)}", "2026-01-01T00:00Z",
         "DeltaTriggerTimetable(relativedelta(months=3))"),
    ],
)  # fmt: skip
def test_frequencies_become_trigger_timetables(frequency, start, schedule):
    text = coordinator_dag(coordinator(frequency, start), {}, source="x").text
    assert f"schedule={schedule}" in text
    compile(text, "c.py", "exec")


def test_coordinator_controls_and_times():
    controls = Controls(timeout=30, concurrency=2, execution="LAST_ONLY", throttle=4)
    c = coordinator("${coord:days(1)}", controls=controls)
    dag = coordinator_dag(c, {}, source="x")
    assert 'start_date=pendulum.datetime(2026, 1, 1, 3, 0, tz="UTC")' in dag.text
    assert "end_date=pendulum.datetime(2026, 1, 31, 23, 59" in dag.text  # the end is exclusive
    assert "catchup=False" in dag.text and "max_active_runs=2" in dag.text
    assert 'wait_for_logs = oozie.wait_for("logs", timeout=30)' in dag.text
    assert "wait_for_logs >> a" in dag.text
    assert any("throttle 4" in note for note in dag.notes)
    lifo = coordinator_dag(coordinator("${coord:days(1)}", controls=Controls(execution="LIFO")),
                           {}, source="x")  # fmt: skip
    assert "catchup=True" in lifo.text and any("LIFO" in n for n in lifo.notes)


def test_a_bundle_is_one_dag_per_coordinator(tmp_path):
    first, second = coordinator("${coord:days(1)}"), coordinator("${coord:hours(1)}")
    second.name = "hourly"
    bundle = Bundle("b", coordinators={"c": first, "hourly": second})
    written = render_app_object(bundle, tmp_path)
    assert sorted(p.name for p in written) == ["c.py", "hourly.py"]


def test_a_bundles_configuration_is_el_of_the_bundles_values(tmp_path):
    """Oozie's bundle example passes start=${start} to its coordinator: the bundle's start."""
    bundle = Bundle(
        "b",
        coordinators={"c": coordinator("${coord:days(1)}", start="${start}")},
        configuration={"c": {"start": "${start}"}},
        properties={"start": "2026-01-03T00:00Z"},
    )
    [written] = render_app_object(bundle, tmp_path)
    assert "start_date=pendulum.datetime(2026, 1, 3, tz=" in written.read_text()


def render_app_object(value, out: Path) -> list[Path]:
    from mr.airflow.render import render_dags
    from mr.workflow.apps import App

    return write_dags(render_dags(App(value), source="test"), out)


# -- Oozie XML apps and other engines' actions -------------------------------------------------

OTHER_ACTIONS = """<workflow-app xmlns="uri:oozie:workflow:0.5" name="others">
  <start to="pig"/>
  <action name="pig"><pig><job-tracker>${jobTracker}</job-tracker><name-node>${nameNode}</name-node>
    <script>id.pig</script><param>INPUT=/in</param><param>OUTPUT=/out</param></pig>
    <ok to="hive"/><error to="fail"/></action>
  <action name="hive"><hive xmlns="uri:oozie:hive-action:0.2">
    <job-tracker>${jobTracker}</job-tracker><name-node>${nameNode}</name-node><script>script.q</script><param>INPUT=/in</param></hive>
    <ok to="java"/><error to="fail"/></action>
  <action name="java"><java><job-tracker>${jobTracker}</job-tracker>
    <name-node>${nameNode}</name-node><main-class>org.example.Main</main-class><arg>a</arg><capture-output/></java>
    <ok to="mail"/><error to="fail"/></action>
  <action name="mail"><email xmlns="uri:oozie:email-action:0.1"><to>a@b</to><subject>s</subject>
    <body>b</body></email><ok to="end"/><error to="fail"/></action>
  <kill name="fail"><message>failed [${wf:errorMessage(wf:lastErrorNode())}]</message></kill>
  <end name="end"/>
</workflow-app>
"""


def test_an_oozie_app_directory_with_other_engines_actions(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "workflow.xml").write_text(OTHER_ACTIONS)
    (app / "job.properties").write_text(
        "nameNode=hdfs://localhost:8020\njobTracker=localhost:8032\n"
    )
    [path] = render_app(str(app), tmp_path / "out")
    text = path.read_text()
    pig = '["pig", "-f", "id.pig", "-param", "INPUT=/in", "-param", "OUTPUT=/out"]'
    assert f'Command("pig", {pig})' in text
    assert 'Command("hive", ["hive", "-f", "script.q", "--hivevar", "INPUT=/in"])' in text
    assert '"java",\n' in text and '["hadoop", "org.example.Main", "a"]' in text
    assert 'env={"HADOOP_CLASSPATH": "lib/*"}' in text and "capture_output=True" in text
    assert 'Unsupported(\n            "email",' in text  # a task that fails naming the type
    assert f'app_dir="{app.resolve()}"' in text
    assert '"jobTracker": "localhost:8032"' in text  # job.properties become params


def test_the_tasks_that_fail_by_design_are_listed(tmp_path):
    """What scripts/render_oozie_examples.py reports: the actions that cannot run here."""
    from mr.airflow.render import render_dags
    from mr.workflow.apps import load_app

    app = tmp_path / "app"
    app.mkdir()
    (app / "workflow.xml").write_text(OTHER_ACTIONS)
    (app / "job.properties").write_text("nameNode=x\njobTracker=y\n")
    [dag] = render_dags(load_app(str(app)), source="x")
    assert dag.fails == ["mail (email)"]
    [coord] = render_dags(load_app(str(COUNTED_APP)), source="x")
    assert coord.fails == ["wait-for-logs (hcat input)"]


def test_properties_given_replace_those_beside_the_app(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "workflow.xml").write_text(OTHER_ACTIONS)
    given = tmp_path / "other.properties"
    given.write_text("nameNode=hdfs://nn:8020\njobTracker=rm:8032\n")
    [path] = render_app(str(app), tmp_path / "out", given)
    assert '"jobTracker": "rm:8032"' in path.read_text()


# -- bad input ----------------------------------------------------------------------------------


def test_a_parameter_nothing_defines_fails_with_the_validators_problems(tmp_path):
    wf = Workflow("w").action("a", Fs([Mkdir("${nowhere}/x")])).end()
    with pytest.raises(InvalidApp) as caught:
        write_dags([workflow_dag(wf, {}, source="x")], tmp_path / "out")
    [problem] = caught.value.problems
    assert str(problem).startswith("workflow w:")
    assert "node 'a': undefined-parameter: ${nowhere} is not a parameter" in str(problem)
    assert "\n" not in str(problem)
    assert not (tmp_path / "out").exists()


def test_an_app_directory_with_an_undefined_parameter(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "workflow.xml").write_text(OTHER_ACTIONS)  # no job.properties: jobTracker undefined
    with pytest.raises(InvalidApp, match=r"undefined-parameter: \$\{jobTracker\}"):
        render_app(str(app), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_unknown_action_type_is_named(tmp_path):
    xml = OTHER_ACTIONS.replace(
        '<email xmlns="uri:oozie:email-action:0.1"><to>a@b</to><subject>s</subject>\n    '
        "<body>b</body></email>",
        '<teleport xmlns="uri:example:teleport:0.1"><to>mars</to></teleport>',
    )
    app = tmp_path / "app"
    app.mkdir()
    (app / "workflow.xml").write_text(xml)
    (app / "job.properties").write_text("nameNode=x\njobTracker=y\n")
    named = r"node 'mail': unknown action type 'teleport' \(uri:example:teleport:0.1\)"
    with pytest.raises(RenderError, match=named):
        render_app(str(app), tmp_path / "out")


def test_a_coordinators_parameter_nothing_defines_fails_with_the_validators_problems(tmp_path):
    app = tmp_path / "app"
    shutil.copytree(GOLDEN / "counters-hcat-app", app)
    xml = app / "coordinator.xml"
    xml.write_text(
        xml.read_text().replace("<value>/logs</value>", "<value>${nowhere}/logs</value>")
    )
    done = mrkit("airflow", "render", str(app), "--out", str(tmp_path / "dags"))
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("coordinator counted-coord:")
    assert line.endswith(": undefined-parameter: ${nowhere} is not a parameter, a job.properties "
                         "key or an EL constant")  # fmt: skip
    assert not (tmp_path / "dags").exists()


def test_render_cli_names_an_unknown_action_type_in_one_line_exit_2(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "workflow.xml").write_text(OTHER_ACTIONS.replace(
        '<email xmlns="uri:oozie:email-action:0.1"><to>a@b</to><subject>s</subject>\n    '
        "<body>b</body></email>",
        '<teleport xmlns="uri:example:teleport:0.1"><to>mars</to></teleport>',
    ))  # fmt: skip
    (app / "job.properties").write_text("nameNode=x\njobTracker=y\n")
    done = mrkit("airflow", "render", str(app), "--out", str(tmp_path / "dags"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "mrkit airflow render: error: workflow others: node 'mail': unknown action type "
        "'teleport' (uri:example:teleport:0.1); Oozie's are distcp, email, fs, git, hive, hive2, "
        "java, map-reduce, pig, shell, spark, sqoop, ssh, sub-workflow"
    ]
    assert not (tmp_path / "dags").exists()


def test_nodes_that_would_be_one_task_are_refused():
    wf = Workflow("w").action("a b", Fs([Mkdir("/x")])).action("a_b", Fs([Mkdir("/y")])).end()
    with pytest.raises(RenderError, match=r"^workflow w: nodes 'a b' and 'a_b' would both be the "
                       r"task 'a_b': rename one$"):  # fmt: skip
        workflow_dag(wf, {}, source="x")


def test_a_dag_that_would_not_compile_is_never_written(tmp_path):
    good = RenderedDag("good", "x = 1\n")
    bad = RenderedDag("bad", "with DAG(\n")
    dags = tmp_path / "dags"
    with pytest.raises(RenderError, match=r"^bad.py:\d+: would not compile"):
        write_dags([good, bad], dags)
    assert list(tmp_path.iterdir()) == [dags]  # nothing staged is left beside it
    assert list(dags.iterdir()) == []


def test_files_are_staged_outside_the_dags_folder(tmp_path, monkeypatch):
    """A dag-processor scanning the dags folder must never see a staged file: it would parse
    it, then report an import error when it is moved away (a CI run failed so)."""
    from mr.airflow import render

    dags, staged = tmp_path / "dags", []

    def imports(paths, python):
        staged.extend(paths)
        assert list(dags.iterdir()) == []
        return {}

    monkeypatch.setattr(render, "check_imports", imports)
    written = write_dags([RenderedDag("a", "x = 1\n")], dags, python=Path("python"))
    assert written == [dags / "a.py"] and (dags / "a.py").read_text() == "x = 1\n"
    [path] = staged
    assert path.parent.parent == tmp_path and path.name == "a.py"
    assert list(tmp_path.iterdir()) == [dags]


def test_a_dags_folder_whose_parent_is_not_ours_stages_inside_it(tmp_path, monkeypatch):
    import tempfile

    from mr.airflow import render

    dags, made = tmp_path / "dags", []
    real = tempfile.TemporaryDirectory

    def temporary(prefix: str, dir: Path):  # noqa: A002 (tempfile's name)
        if Path(dir) == tmp_path:
            raise PermissionError(13, "Permission denied", str(dir))
        made.append(Path(dir))
        return real(prefix=prefix, dir=dir)

    monkeypatch.setattr(render.tempfile, "TemporaryDirectory", temporary)
    assert write_dags([RenderedDag("a", "x = 1\n")], dags) == [dags / "a.py"]
    assert made == [dags] and [p.name for p in dags.iterdir()] == ["a.py"]


def test_an_import_error_is_matched_by_its_path_in_the_dags_folder(tmp_path):
    from mr.cli.airflow import _is_file

    dags = tmp_path / "dags"
    path = dags / "daily-report.py"
    assert _is_file({"filename": "daily-report.py"}, path, dags)
    assert _is_file({"filename": str(path)}, path, dags)
    assert not _is_file({"filename": ".render-x/daily-report.py"}, path, dags)
    assert not _is_file({"filename": str(dags / "old" / "daily-report.py")}, path, dags)


def test_bad_apps_are_one_line(tmp_path):
    with pytest.raises(RenderError, match="^--properties .*: no such file$"):
        render_app("mr.workflow.examples:word_pipeline", tmp_path, tmp_path / "none")
    with pytest.raises(Exception, match="not a Workflow, Coordinator or Bundle"):
        render_app("mr.workflow.examples:INDEX_WANTED", tmp_path)
    unset = coordinator("${coord:days(1)}")
    unset.parameters = [Parameter("missing")]
    with pytest.raises(RenderError, match="^coordinator c: no value for missing"):
        coordinator_dag(unset, {}, source="x")


# -- with Airflow ---------------------------------------------------------------------------------


@pytest.mark.airflow
def test_golden_dags_import_in_a_dagbag(airflow_python, tmp_path):
    """The golden files, and the DAG of the app of counters and HCatalog datasets (one DagBag
    process for both)."""
    [counted] = render_app(str(GOLDEN / "counters-hcat-app"), tmp_path)
    assert check_imports([*sorted(GOLDEN.glob("*.py")), counted], airflow_python) == {}


@pytest.mark.airflow
def test_a_dag_that_would_not_import_is_never_written(airflow_python, tmp_path):
    broken = RenderedDag("broken", "from airflow.sdk import DAG\nimport no_such_module\n")
    dags = tmp_path / "dags"
    with pytest.raises(RenderError, match="broken.py would not import in Airflow: .*no_such_"):
        write_dags([broken], dags, python=airflow_python)
    assert list(tmp_path.iterdir()) == [dags]
    assert list(dags.iterdir()) == []


SLOW_RETRY = """<workflow-app xmlns="uri:oozie:workflow:1.0" name="slow-retry">
  <start to="mark"/>
  <action name="mark" retry-max="1" retry-interval="99999999999999">
    <fs><touchz path="/marked"/></fs><ok to="end"/><error to="fail"/>
  </action>
  <kill name="fail"><message>failed</message></kill>
  <end name="end"/>
</workflow-app>
"""


@pytest.mark.airflow
def test_render_cli_never_writes_a_dag_that_would_not_import(airflow_python, tmp_path):
    """A retry-interval too large for a timedelta renders and compiles but fails in Airflow's
    DagBag: one line, and the file of an earlier render is left as it was."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "workflow.xml").write_text(SLOW_RETRY)
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "slow-retry.py").write_text("# an earlier render\n")
    done = mrkit("airflow", "render", str(app), "--out", str(dags), "--check-imports")
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "mrkit airflow render: error: slow-retry.py would not import in Airflow: OverflowError: "
        "Python int too large to convert to C int"
    ]
    assert [p.name for p in dags.iterdir()] == ["slow-retry.py"]  # no staging directory left
    assert (dags / "slow-retry.py").read_text() == "# an earlier render\n"


def airflow_env(home: Path, dags: Path, root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(dags),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        MRKIT_AIRFLOW_ROOT=str(root),
        MRKIT_AIRFLOW_RUNS=str(home / "runs"),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
    )
    return env


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def dags_test_against_local(
    wf: Workflow, confs: list[dict[str, str]], airflow_python: Path, tmp_path: Path
) -> None:
    """Run wf with `airflow dags test` once per conf (a day each) and with the local runner;
    the nodes that ran and how (Airflow: success, failed), their attempts, the files written
    and a kill node's message are the same."""
    dags = tmp_path / "dags"
    write_dags([workflow_dag(wf, {}, source="tests/test_airflow_render.py")], dags,
               python=airflow_python)  # fmt: skip
    airflow = airflow_python.parent / "airflow"
    home = tmp_path / "home"
    env = airflow_env(home, dags, tmp_path / "root")
    env["MRKIT_AIRFLOW_RETRY_CODES"] = "1"  # a failing shell's code (mrkit oozie up --retry-codes)
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    for n, more in enumerate(confs, start=1):
        day = f"2026-01-{n:02d}"
        conf = {"flagFile": str(tmp_path / f"flag-{day}"), **more}
        shutil.rmtree(tmp_path / "root", ignore_errors=True)
        started = time.monotonic()
        done = subprocess.run([airflow, "dags", "test", wf.name, day, "-c", json.dumps(conf)],
                              env=env, capture_output=True, text=True)  # fmt: skip
        seconds = time.monotonic() - started
        print(f"airflow dags test {wf.name} {day} {more}: {seconds:.1f} s, exit {done.returncode}")
        settings = LocalSettings(root=tmp_path / f"local-{day}", minute_seconds=0,
                                 retry_codes=DEFAULT_RETRY_CODES | {"1"})  # fmt: skip
        conf["flagFile"] += "-local"
        local = run_workflow(wf, settings, properties=conf, run_dir=tmp_path / f"run-{day}")
        assert done.returncode == (0 if local.status == "SUCCEEDED" else 1), done.stdout[-3000:]
        with sqlite3.connect(home / "airflow.db") as db:
            (run_id,) = db.execute(
                "select run_id from dag_run where dag_id = ? and logical_date like ?",
                (wf.name, f"{day}%"),
            ).fetchone()
            rows = db.execute(
                "select task_id, state, try_number from task_instance "
                "where dag_id = ? and run_id = ?",
                (wf.name, run_id),
            ).fetchall()
        states = {task: state for task, state, _ in rows}
        tries = {task: n for task, _, n in rows}
        ran = {name: state for name, state in states.items() if state in ("success", "failed")}
        expected = {}
        for node in local.nodes[1:]:
            killed = node.error_code == "E0729"  # a kill node: its task fails with the message
            failed = node.status == "ERROR" or killed
            expected[task_id(node.name)] = "failed" if failed else "success"
        airflow_files = files_under(tmp_path / "root")
        local_files = files_under(tmp_path / f"local-{day}")
        if local.status == "KILLED":
            # fork paths run at once on Airflow (as on Oozie); the local runner runs them one
            # after the other and starts no path after a kill: Airflow may have run more
            assert expected.items() <= ran.items(), (day, states)
            assert {ran[t] for t in set(ran) - set(expected)} <= {"success"}
            assert set(local_files) <= set(airflow_files)
            assert f"AirflowFailException: {local.message}" in done.stdout + done.stderr
        else:
            assert ran == expected, (day, states)
            assert airflow_files == local_files
        attempts = {task_id(n.name): n.attempts for n in local.nodes if n.attempts > 1}
        assert {t: tries[t] for t in attempts} == attempts


@pytest.mark.airflow
def test_dags_test_runs_as_the_local_runner_does(airflow_python, tmp_path):
    dags_test_against_local(small_workflow(), [{}, {"failRight": "yes"}], airflow_python,
                            tmp_path)  # fmt: skip


def recovering_fork() -> Workflow:
    """A fork whose first path recovers from its action's error (tryA -> fixA), unless the
    recovery fails too (failFix=yes: the kill node)."""
    return (
        Workflow("recovering-fork")
        .param("workDir", "/rf")
        .param("failFix", "no")
        .param("flagFile", "/tmp/no-such-flag")
        .action("start", Fs([Delete("${workDir}"), Mkdir("${workDir}")]))
        .fork(
            "paths",
            [
                [step("tryA", Shell(exec="sh", arguments=["-c", "exit 4"]), error="fixA")],
                [step("b", Fs([Touchz("${workDir}/b")]))],
            ],
            join="meet",
        )
        .action("after", Fs([Touchz("${workDir}/after")]))
        .end()
        .add(
            Action(
                "fixA",
                Shell(exec="sh", arguments=["-c", "test ${failFix} = no"]),
                ok="meet",
                error="fail",
            )
        )  # fmt: skip
    )


@pytest.mark.airflow
def test_a_path_that_recovers_still_meets_at_its_join(airflow_python, tmp_path):
    wf = recovering_fork()
    rules = rules_of(wf)
    assert rules["meet"] == "all_done" and rules["fixA"] == "one_failed"
    dags_test_against_local(wf, [{}, {"failFix": "yes"}], airflow_python, tmp_path)


def test_the_app_directory_mrkit_renders_reads_as_the_python_workflow(tmp_path):
    """workflow.xml of `mrkit workflow render`: the same tasks as the Workflow in Python (its
    jobs found back from their streaming commands, the sub-workflow read from sub/)."""
    from mr.workflow.render import write_app

    write_app(examples.every_action(), tmp_path / "app")
    [path] = render_app(str(tmp_path / "app"), tmp_path / "out")
    tasks = path.read_text().split("    ingest = ")[1]
    golden = (GOLDEN / path.name).read_text().split("    ingest = ")[1]
    assert tasks == golden


def test_the_runtime_runs_bodies_as_the_local_runner(tmp_path, capsys):
    """What an action task runs, without Airflow: mrkit's bodies through LocalRun.attempt, a
    job whole, other engines' command lines, and a task that fails naming the action type."""
    from mr.airflow.runtime import UNSUPPORTED, Command, Job, JobStep, OozieTasks, Unsupported
    from mr.workflow.local import LocalRun

    tasks = OozieTasks("w", app_dir=str(tmp_path))
    settings = LocalSettings(root=tmp_path / "root", minute_seconds=0)
    run = LocalRun(Workflow("w"), {"out": "/counts"}, settings, tmp_path / "run")
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "in.txt").write_text("a b a\n")
    job = Job("word_count", input=["/in.txt"], output="${out}", overwrite=True)
    assert tasks.attempt(run, "count", job, 1).ok
    assert rows_of(tmp_path / "root" / "counts") == ["a\t2", "b\t1"]
    assert tasks.attempt(run, "count-step2", JobStep("word_count", 2, "count"), 1).ok
    said = tasks.attempt(
        run, "c", Command("pig", ["sh", "-c", "echo x=${out}"], capture_output=True), 1
    )
    assert said.ok and said.data == {"x": "/counts"}
    failed = tasks.attempt(run, "mail", Unsupported("email", "no SMTP server"), 1)
    assert (failed.ok, failed.code, failed.message) == (
        False,
        UNSUPPORTED,
        "a email action: no SMTP server",
    )
    missing = tasks.attempt(run, "p", Command("pig", ["no-such-pig", "-f", "x.pig"]), 1)
    assert not missing.ok and "cannot run no-such-pig" in (missing.message or "")
    assert "c: pig: sh -c 'echo x=/counts'" in capsys.readouterr().out


def rows_of(directory: Path) -> list[str]:
    return sorted(
        line for part in directory.glob("part-*") for line in part.read_text().splitlines()
    )


class FakeTaskInstance:
    """XCom of one DAG run, as the runtime pushes and pulls it (task id, key) -> value."""

    def __init__(self, task: str, xcom: dict):
        self.task, self.xcom = task, xcom

    def xcom_push(self, key, value):
        self.xcom[(self.task, key)] = value

    def xcom_pull(self, task_ids, key="return_value"):
        return self.xcom.get((task_ids, key))


def test_a_jobs_counters_go_through_xcom_to_hadoop_counters(tmp_path):
    """Without Airflow: the job task pushes each step's counters, a later step task its own,
    and a decision task's hadoop:counters('x') pulls task x's."""
    from mr.airflow import runtime
    from mr.airflow.runtime import Job, JobStep, OozieTasks
    from mr.workflow.local import LocalRun

    tasks = OozieTasks("w")
    settings = LocalSettings(root=tmp_path / "root", minute_seconds=0)
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "in.txt").write_text("the cat\nthe dog\na bird\n")
    xcom: dict = {}

    def run_for(task: str) -> LocalRun:
        run = LocalRun(Workflow("w"), {}, settings, tmp_path / "run")
        ti = FakeTaskInstance(task, xcom)
        run.counters = runtime._Pulled(ti, runtime.COUNTERS_KEY, runtime._counters)
        return run

    job = Job("grep", ["--pattern", "the"], input=["/in.txt"], output="/g")
    outcome = tasks.attempt(run_for("grep-step1"), "grep-step1", job, 1)
    assert outcome.ok and len(outcome.counters) == 2  # grep's two steps
    tasks.push_counters(FakeTaskInstance("grep-step1", xcom), job, outcome)
    step2 = JobStep("grep", 2, "grep-step1")
    tasks.push_counters(FakeTaskInstance("grep-step2", xcom), step2, tasks.attempt(
        run_for("grep-step2"), "grep-step2", step2, 1))  # fmt: skip
    assert xcom[("grep-step1", "counters")] == {"grep": {"matching_lines": 2}}
    assert xcom[("grep-step2", "counters")] == outcome.counters[1]
    decide = run_for("decide")
    lines = "${hadoop:counters('grep-step1')['grep']['matching_lines']}"
    assert decide.eval_text(lines, "decide") == "2"
    with pytest.raises(Exception, match=r"hadoop:counters\('nothing'\): no counters"):
        decide.eval_text("${hadoop:counters('nothing')['grep']['x']}", "decide")


# -- hadoop:counters and HCatalog datasets (tests/fixtures/airflow/counters-hcat-app) -------------

COUNTED_APP = GOLDEN / "counters-hcat-app"


def test_an_app_of_counters_and_hcat_datasets_renders(tmp_path):
    [path] = render_app(str(COUNTED_APP), tmp_path / "dags")
    text = path.read_text()
    # the input of HCatalog partitions: a task that fails saying why, never a sensor that passes
    assert 'wait_for_logs = oozie.cannot_wait_for(\n        "logs",\n' in text
    assert "oozie.wait_for(" not in text
    assert "- the input event logs: its task fails:\n  hcat://localhost:9083/web/logs/" in text
    assert "{\"${hadoop:counters('grep')['grep']['matching_lines'] gt 0}\": \"report\"}" in text
    assert 'Job(\n            "grep",\n            args=["--pattern", "the"],' in text
    assert '"OUTPUT_PARTITIONS": "${coord:dataOutPartitions(\'counts\')}"' in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("databaseIn('logs')", "databaseIn('nope')"),
         "coord:databaseIn('nope'): no data-in is named 'nope'"),
        (("tableOut('counts')", "tableOut('logs')"),
         "coord:tableOut('logs'): no data-out is named 'logs'"),
        (("hcat://${metastore}/web/counts/", "hdfs://${metastore}/web/counts/"),
         "coord:databaseOut('counts'): the dataset of data-out 'counts' is not of HCatalog "
         "partitions (hdfs://localhost:9083/web/counts/ds=${YEAR}${MONTH}${DAY})"),
        ((";region=eu", ";region"),
         "coord:databaseIn('logs'): HCatalog URI 'hcat://localhost:9083/web/logs/ds=${YEAR}"
         "${MONTH}${DAY};region': partition 'region' is not key=value"),
    ],
)  # fmt: skip
def test_hcat_functions_of_an_event_that_is_not_hcat_are_refused_when_rendered(
    change, message, tmp_path
):
    app = tmp_path / "counters-hcat-app"
    shutil.copytree(COUNTED_APP, app)
    xml = app / "coordinator.xml"
    text = xml.read_text()
    assert change[0] in text
    xml.write_text(text.replace(change[0], change[1]))
    with pytest.raises(RenderError) as caught:
        render_app(str(app), tmp_path / "dags")
    assert str(caught.value) == f"coordinator counted-coord: {message}"
    assert not (tmp_path / "dags").exists()


def counted_workflow() -> Workflow:
    """An mrkit job (grep, two steps run whole at the first) and a decision on its counters."""
    from mr.grep import Grep
    from tests.support import fixture

    counted = "hadoop:counters('grep-step1')['grep']['matching_lines']"
    return (
        Workflow("counted")
        .param("input", f"file://{fixture('word_count')}")
        .job("grep", Grep, ["--pattern", "the"], input="${input}", output="/grep")
        .decision("matched", {f"${{{counted} gt 0}}": "many"}, default="none")
        .action("many", Fs([Touchz(f"/many-${{{counted}}}")]))
        .end()
        .add(Action("none", Fs([Touchz("/none")]), ok="end", error="fail"))
    )


@pytest.mark.airflow
def test_dags_test_decides_on_a_jobs_counters_as_the_local_runner_does(airflow_python, tmp_path):
    from tests.support import fixture

    lines = Path(fixture("word_count")).read_text().splitlines()
    matching = sum(1 for line in lines if "the" in line)
    assert matching > 0
    dags_test_against_local(counted_workflow(), [{}], airflow_python, tmp_path)
    assert (tmp_path / "root" / f"many-{matching}").is_file()  # the counters, through XCom
