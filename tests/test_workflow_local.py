"""The local runner of workflows (mr/workflow/local.py): Oozie's semantics without Oozie.

Workflows are built in each test; paths live under tmp_path (hdfs:/// paths under the run's
root). Retry intervals are shrunk with minute_seconds=0."""

from __future__ import annotations

from pathlib import Path

import pytest

from mr.top_n import TopN
from mr.word_count import WordCount
from mr.workflow import el
from mr.workflow.jobs import job_actions
from mr.workflow.local import (
    DEFAULT_RETRY_CODES,
    LocalSettings,
    run_workflow,
)
from mr.workflow.model import (
    Delete,
    Fs,
    Kill,
    Mkdir,
    RawAction,
    Shell,
    SubWorkflow,
    Touchz,
    Workflow,
    step,
)
from mr.workflow.properties import read_properties
from mr.workflow.render import render_workflow
from mr.workflow.runs import WorkflowRun
from mr.workflow.twins import twin_action
from tests.support import fixture, golden_path, mrkit, run_job


def local(path) -> str:
    """A path of this machine in a workflow: a file:// URI (plain paths are the name node's)."""
    return f"file://{path}"


def settings(tmp_path: Path, **kw) -> LocalSettings:
    return LocalSettings(root=tmp_path / "root", minute_seconds=0, **kw)


def run(wf: Workflow, tmp_path: Path, properties=None, **kw) -> WorkflowRun:
    return run_workflow(
        wf, settings(tmp_path, **kw), properties=properties, run_dir=tmp_path / "run"
    )


def statuses(result: WorkflowRun) -> list[tuple[str, str]]:
    """(node, status) after the start, in the order they ran."""
    assert result.nodes[0].name == ":start:"
    return [(n.name, n.status) for n in result.nodes[1:]]


def names(result: WorkflowRun) -> list[str]:
    return [name for name, _ in statuses(result)]


def rows(directory: Path) -> list[str]:
    lines: list[str] = []
    for part in sorted(directory.glob("part-*")):
        lines += part.read_text(encoding="utf-8").split("\n")[:-1]
    return sorted(lines)


def sh(script: str, **kw) -> Shell:
    return Shell(exec="sh", arguments=["-c", script], **kw)


# -- EL --------------------------------------------------------------------------------------


class Ctx:
    def __init__(self, **values):
        self.values = values

    def variable(self, name):
        return self.values[name]

    def function(self, name):
        return {"wf:actionData": lambda node: {"rows": "12"}, "concat": lambda a, b: a + b}[name]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${a eq 'x'}", "true"),
        ("${a ne 'x' or n gt 3}", "true"),
        ("${not (n lt 11)}", "false"),
        ("${n + 1}", "11"),
        ("${wf:actionData('count')['rows'] ge 12}", "true"),
        ("${flag eq 'true' and 2 == 2.0}", "true"),
        ("${concat(a, '/b')}/c", "x/b/c"),
        ("${empty ''} ${empty a}", "true false"),
        ('${"it\'s"}', "it's"),
    ],
)
def test_el_values(text, expected):
    assert el.substitute(text, Ctx(a="x", n="10", flag="true")) == expected


def test_el_refuses_unknown_functions_when_parsed():
    with pytest.raises(el.ELError, match=r"^\$\{wf:actionExternalId\('x'\)\}: unsupported EL"):
        el.check("${wf:actionExternalId('x')}")


class Counted(Ctx):
    """hadoop:counters of one node, 'mr', as a job on YARN reports them (mrjob's names)."""

    def function(self, name):
        counters = {"Map-Reduce Framework": {"Map input records": 7, "Reduce input groups": 3},
                    "grep": {"matching_lines": 5}}  # fmt: skip
        return {"hadoop:counters": lambda node: el.hadoop_counters(
            node, counters if node == "mr" else None)}[name]  # fmt: skip

    def variable(self, name):
        return el.CONSTANTS[name]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${hadoop:counters('mr')['grep']['matching_lines']}", "5"),
        ("${hadoop:counters('mr')[RECORDS][MAP_IN] gt 6}", "true"),  # Oozie's constants
        ("${hadoop:counters('mr')[RECORDS][GROUPS]}", "3"),
        ("${hadoop:counters('mr')['grep']['no_such'] == 0}", "true"),  # Oozie: undefined is 0
        ("${hadoop:counters('mr')['ACTION_TYPE']}", "MAP_REDUCE"),
    ],
)
def test_hadoop_counters(text, expected):
    assert el.substitute(text, Counted()) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${hadoop:counters('other')['grep']['matching_lines']}",
         "hadoop:counters('other'): no counters: 'other' is not a map-reduce action of an "
         "mrkit job that succeeded in this run"),
        ("${hadoop:counters('mr')['gerp']['matching_lines']}",
         "hadoop:counters('mr') has no counter group 'gerp' (it has: Map-Reduce Framework, grep, "
         "org.apache.hadoop.mapred.Task$Counter)"),
    ],
)  # fmt: skip
def test_hadoop_counters_of_a_node_or_group_that_is_not_there(text, message):
    with pytest.raises(el.ELError) as caught:
        el.substitute(text, Counted())
    assert str(caught.value) == f"{text}: {message}"


def test_hadoop_counters_records_of_a_job_not_run_on_yarn_say_why():
    inline = el.hadoop_counters("mr", {"grep": {"matching_lines": 5}})
    with pytest.raises(el.ELError, match=r"no counter group 'org.apache.hadoop.mapred.Task\$"
                       r"Counter' \(it has: grep\); Hadoop's record counters \(RECORDS\) "
                       r"come from a job run on YARN"):  # fmt: skip
        inline.lookup(el.RECORDS)


def test_read_properties_as_java_does():
    text = "# comment\nrows=12\nname : a b\nlong=one\\\n    two\n! also a comment\nflag true\n"
    assert read_properties(text) == {"rows": "12", "name": "a b", "long": "onetwo", "flag": "true"}


# -- transitions, kill, parameters -----------------------------------------------------------


def test_ok_and_error_transitions(tmp_path):
    wf = (
        Workflow("t", kill_message="died at ${wf:lastErrorNode()}")
        .action("good", sh("true"))
        .action("bad", sh("echo oops >&2; exit 3"), error="recover")
        .add(step("recover", Fs([Touchz(local(tmp_path / "recovered"))])))
        .end()
    )
    wf.node("recover").ok, wf.node("recover").error = "end", "fail"
    result = run(wf, tmp_path)
    assert result.status == "SUCCEEDED"
    assert statuses(result) == [("good", "OK"), ("bad", "ERROR"), ("recover", "OK"), ("end", "OK")]
    bad = result.node("bad")
    assert (bad.error_code, bad.transition) == ("1", "recover")  # Oozie: 1 for any exit
    assert bad.error_message == "sh exited with code 3: oops"
    assert (tmp_path / "recovered").is_file()
    # the record on disk is the same run
    assert WorkflowRun.read(tmp_path / "run") == result


def test_kill_message_has_parameters_substituted(tmp_path):
    wf = Workflow("k").param("who", "nobody").action("bad", sh("exit 1"), error="stop")
    wf.add(Kill("stop", "${who}: ${wf:lastErrorNode()} said ${wf:errorCode('bad')}")).end()
    result = run(wf, tmp_path, {"who": "alice"})
    assert result.status == "KILLED"
    assert result.message == "alice: bad said 1"
    # as Oozie records it: the kill node carries E0729 and the message
    stop = result.node("stop")
    assert (stop.error_code, stop.error_message) == ("E0729", "alice: bad said 1")
    assert statuses(result) == [("bad", "ERROR"), ("stop", "OK")]


def test_undefined_parameter_is_a_usage_error_before_anything_runs(tmp_path):
    from mr.lib.errors import UsageError

    wf = Workflow("p").param("input").action("mk", Fs([Mkdir(str(tmp_path / "x"))])).end()
    with pytest.raises(UsageError, match=r"workflow p: no value for input; give --property"):
        run(wf, tmp_path)
    assert not (tmp_path / "x").exists()


def test_unsupported_el_names_the_node_and_expression(tmp_path):
    wf = Workflow("e").action("mk", Fs([Mkdir("${coord:current(0)}")])).end()
    with pytest.raises(el.ELError, match=r"node 'mk': \$\{coord:current\(0\)\}: unsupported"):
        run(wf, tmp_path)


def test_an_action_kind_that_cannot_run_locally_fails_with_its_code(tmp_path):
    from lxml import etree

    hive = etree.Element("{uri:oozie:hive-action:1.0}hive")
    wf = Workflow("raw").action("h", RawAction(hive)).end()
    result = run(wf, tmp_path)
    assert result.status == "KILLED"
    assert result.node("h").error_code == "LOCAL-UNSUPPORTED"
    assert "a hive action cannot run locally" in result.node("h").error_message


def test_shell_script_shipped_with_the_app(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "count.sh").write_text(
        '#!/bin/sh\necho "lines=$(wc -l < "$1" | tr -d " ")"; echo "who=$WHO"\n'
    )
    wf = Workflow("s").action(
        "count",
        Shell("count.sh", [fixture("word_count")], env=["WHO=${who}"], files=["count.sh"],
              capture_output=True),
    ).end()  # fmt: skip
    (app / "workflow.xml").write_text(render_workflow(wf))
    from mr.workflow.parse import parse_workflow_file

    result = run_workflow(
        parse_workflow_file(app / "workflow.xml"), settings(tmp_path),
        properties={"who": "me"}, run_dir=tmp_path / "run", app_dir=app,
    )  # fmt: skip
    assert result.status == "SUCCEEDED", result.summary_lines()
    lines = len(Path(fixture("word_count")).read_text().splitlines())
    assert result.node("count").data == {"lines": str(lines), "who": "me"}


def test_a_missing_shell_file_is_oozies_JA008(tmp_path):
    wf = Workflow("s").action("x", Shell("run.sh", files=["run.sh"])).end()
    result = run(wf, tmp_path)
    assert (result.node("x").error_code, result.node("x").error_message) == (
        "JA008", "File run.sh does not exist",
    )  # fmt: skip


# -- retries ---------------------------------------------------------------------------------


def counting_script(tmp_path: Path, fail_times: int) -> Shell:
    counter = tmp_path / "attempts"
    return sh(
        f"n=$(cat {counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {counter}; "
        f"[ $n -gt {fail_times} ]"
    )


def test_retry_until_it_succeeds(tmp_path):
    wf = (
        Workflow("r")
        .action("flaky", counting_script(tmp_path, 2), retry_max=3, retry_interval=1)
        .end()
    )
    # Oozie retries only the error codes it is told to: a shell's exit code 1 must be added
    result = run(wf, tmp_path, retry_codes=DEFAULT_RETRY_CODES | {"1"})
    assert result.status == "SUCCEEDED"
    assert (result.node("flaky").status, result.node("flaky").attempts) == ("OK", 3)


def test_retries_run_out(tmp_path):
    wf = (
        Workflow("r")
        .action("flaky", counting_script(tmp_path, 10), retry_max=2, retry_interval=1)
        .end()
    )
    result = run(wf, tmp_path, retry_codes=frozenset({"ALL"}))
    assert result.status == "KILLED"
    assert (result.node("flaky").status, result.node("flaky").attempts) == ("ERROR", 3)


def test_codes_oozie_does_not_retry_are_not_retried(tmp_path):
    wf = (
        Workflow("r")
        .action("flaky", counting_script(tmp_path, 1), retry_max=3, retry_interval=1)
        .end()
    )
    result = run(wf, tmp_path)  # Oozie's default codes: JA008, JA018 ... not a shell's 1
    assert (result.status, result.node("flaky").attempts) == ("KILLED", 1)


def test_oozies_default_codes_are_retried(tmp_path):
    made = job_actions(WordCount, "count", input=str(tmp_path / "none"), output="hdfs:///wc")
    made.actions[0].retry_max, made.actions[0].retry_interval = 1, 1
    result = run(Workflow("r").actions_in_sequence(made.actions).end(), tmp_path)
    count = result.node("count")
    assert (count.status, count.error_code, count.attempts) == ("ERROR", "JA018", 2)


# -- jobs, fork/join -------------------------------------------------------------------------


def test_fork_join_of_two_jobs_gives_the_rows_of_the_jobs_run_directly(tmp_path):
    sales = fixture("top_n", "sales.tsv")
    top_args = ["--group-col", "1", "--value-col", "2", "-n", "2"]
    wf = (
        Workflow("jobs")
        .fork(
            "both",
            [
                job_actions(
                    WordCount, "count", input=local(fixture("word_count")), output="hdfs:///wc"
                ),
                job_actions(TopN, "top", top_args, input=local(sales), output="hdfs:///top"),
            ],
        )
        .end()
    )
    result = run(wf, tmp_path)
    assert result.status == "SUCCEEDED", result.summary_lines()
    assert names(result) == ["both", "count", "top", "both-join", "end"]
    root = tmp_path / "root"
    golden = golden_path("word_count").read_text(encoding="utf-8").split("\n")[:-1]
    assert rows(root / "wc") == sorted(golden)
    assert (root / "wc" / "_SUCCESS").is_file()
    assert rows(root / "top") == run_job(TopN, [sales], top_args)[0]


@pytest.mark.local
def test_jobs_on_mrjobs_local_runner(tmp_path):
    wf = (
        Workflow("l")
        .job(
            "count",
            WordCount,
            ["--overwrite"],
            input=local(fixture("word_count")),
            output="hdfs:///wc",
        )
        .end()
    )
    result = run(wf, tmp_path, runner="local")
    assert result.status == "SUCCEEDED", result.summary_lines()
    golden = golden_path("word_count").read_text(encoding="utf-8").split("\n")[:-1]
    assert rows(tmp_path / "root" / "wc") == sorted(golden)
    # --overwrite: the action deletes its output first, so a second run succeeds too
    assert run(wf, tmp_path, runner="local").status == "SUCCEEDED"


def test_an_existing_output_is_oozies_JA018(tmp_path):
    wf = Workflow("x").job(
        "count", WordCount, input=local(fixture("word_count")), output="hdfs:///wc"
    )
    wf.end()
    (tmp_path / "root" / "wc").mkdir(parents=True)
    (tmp_path / "root" / "wc" / "part-00000").write_text("old\n")
    result = run(wf, tmp_path)
    assert result.node("count").error_code == "JA018"


def test_a_multi_step_job_runs_whole_at_its_first_step(tmp_path):
    from mr.grep import Grep

    wf = (
        Workflow("g")
        .job(
            "grep",
            Grep,
            ["--pattern", "the"],
            input=local(fixture("word_count")),
            output="hdfs:///g",
        )
        .end()
    )
    result = run(wf, tmp_path)
    assert statuses(result) == [
        ("grep-step1", "OK"), ("grep-step2", "OK"), ("grep-cleanup", "OK"), ("end", "OK"),
    ]  # fmt: skip
    assert result.node("grep-step2").data == {}
    assert (
        tmp_path / "run" / "logs" / "grep-step2.1.log"
    ).read_text() == "ran whole at grep-step1\n"
    expected = run_job(Grep, [fixture("word_count")], ["--pattern", "the"])[0]
    assert rows(tmp_path / "root" / "g") == expected


def test_decision_on_a_jobs_counters(tmp_path):
    """hadoop:counters of each step action of a job run whole: its own step's counters."""
    from mr.grep import Grep

    text = Path(fixture("word_count"))
    matching = sum(1 for line in text.read_text().splitlines() if "the" in line)
    assert matching > 0
    counted = "hadoop:counters('grep-step1')['grep']['matching_lines']"
    wf = (
        Workflow("g")
        .job("grep", Grep, ["--pattern", "the"], input=local(text), output="hdfs:///g")
        .decision("all?", {f"${{{counted} == {matching}}}": "said"}, default="fail")
        .add(step("said", sh(f"echo lines=${{{counted}}}", capture_output=True)))
        .end()
    )
    wf.node("said").ok, wf.node("said").error = "end", "fail"
    result = run(wf, tmp_path)
    assert names(result) == ["grep-step1", "grep-step2", "grep-cleanup", "all?", "said", "end"]
    assert result.node("said").data == {"lines": str(matching)}
    # step 2 counts nothing of its own: its counters have no group 'grep'
    wf.node("said").body.arguments[1] = "echo ${hadoop:counters('grep-step2')['grep']['x']}"
    failed = run(wf, tmp_path / "again").node("said")
    assert failed.error_code == "EL_ERROR"
    assert "hadoop:counters('grep-step2') has no counter group 'grep' (it has: none)" in (
        failed.error_message
    )


def test_a_job_with_a_missing_input_goes_to_its_error_transition(tmp_path):
    wf = (
        Workflow("bad")
        .job("count", WordCount, input=str(tmp_path / "nothing"), output="hdfs:///wc")
        .end()
    )
    result = run(wf, tmp_path)
    assert result.status == "KILLED"
    assert statuses(result) == [("count", "ERROR"), ("fail", "OK")]
    count = result.node("count")
    assert count.error_code == "JA018" and "nothing" in count.error_message
    assert result.message == f"count failed: [{count.error_message}]"


def test_a_failed_fork_path_kills_the_workflow(tmp_path):
    wf = Workflow("f").fork("both", [[step("a", sh("exit 1"))], [step("b", sh("true"))]]).end()
    result = run(wf, tmp_path)
    assert result.status == "KILLED"
    assert statuses(result) == [("both", "OK"), ("a", "ERROR"), ("fail", "OK")]


# -- decisions -------------------------------------------------------------------------------


def test_decision_on_fs_exists(tmp_path):
    flag = "hdfs:///flags/go"
    wf = (
        Workflow("d")
        .decision("exists?", {f"${{fs:exists('{flag}')}}": "yes"}, default="no")
        .add(step("yes", Fs([Touchz("hdfs:///said-yes")])))
        .add(step("no", Fs([Touchz("hdfs:///said-no")])))
        .end()
    )
    for name in ("yes", "no"):
        wf.node(name).ok, wf.node(name).error = "end", "fail"
    wf.kill("fail")
    assert statuses(run(wf, tmp_path))[:2] == [("exists?", "OK"), ("no", "OK")]
    (tmp_path / "root" / "flags").mkdir(parents=True)
    (tmp_path / "root" / "flags" / "go").touch()
    result = run(wf, tmp_path)
    assert result.node("exists?").transition == "yes"


def test_decision_on_captured_output(tmp_path):
    wf = (
        Workflow("c")
        .action("probe", sh("echo rows=12; echo name=books", capture_output=True))
        .decision("many?", {"${wf:actionData('probe')['rows'] gt 10}": "big"}, default="small")
        .add(step("big", sh("true")))
        .add(step("small", sh("true")))
        .end()
    )
    for name in ("big", "small"):
        wf.node(name).ok, wf.node(name).error = "end", "fail"
    result = run(wf, tmp_path)
    assert result.node("probe").data == {"rows": "12", "name": "books"}
    assert result.node("many?").transition == "big"
    assert names(result) == ["probe", "many?", "big", "end"]


# -- sub-workflows ---------------------------------------------------------------------------


def test_sub_workflow_from_an_app_directory_with_propagated_configuration(tmp_path):
    child = (
        Workflow("child").param("target").action("touch", Fs([Touchz("${target}/${who}")])).end()
    )
    app = tmp_path / "root" / "apps" / "child"
    app.mkdir(parents=True)
    (app / "workflow.xml").write_text(render_workflow(child))
    parent = (
        Workflow("parent")
        .param("who", "me")
        .action(
            "sub",
            SubWorkflow(
                "hdfs:///apps/child",
                propagate_configuration=True,
                configuration={"target": local(tmp_path / "out")},
            ),
        )
        .end()
    )
    (tmp_path / "out").mkdir()
    result = run(parent, tmp_path)
    assert result.status == "SUCCEEDED", result.summary_lines()
    assert (tmp_path / "out" / "me").is_file()
    sub_run = WorkflowRun.read(tmp_path / "run" / "sub" / "sub")
    assert sub_run.id == result.node("sub").external_id
    assert statuses(sub_run) == [("touch", "OK"), ("end", "OK")]


def test_sub_workflow_defaults_from_config_default_xml(tmp_path):
    child = Workflow("child").param("name").action("t", Fs([Touchz("hdfs:///${name}")])).end()
    app = tmp_path / "root" / "child"
    app.mkdir(parents=True)
    (app / "workflow.xml").write_text(render_workflow(child))
    (app / "config-default.xml").write_text(
        "<configuration><property><name>name</name><value>from-default</value></property>"
        "</configuration>"
    )
    (app / "job.properties").write_text("name=not-read\n")  # Oozie reads none for a child
    parent = Workflow("parent").action("sub", SubWorkflow("hdfs:///child")).end()
    assert run(parent, tmp_path).status == "SUCCEEDED"
    assert (tmp_path / "root" / "from-default").is_file()


def test_a_sub_workflow_that_does_not_parse_fails_its_action(tmp_path):
    app = tmp_path / "root" / "child"
    app.mkdir(parents=True)
    (app / "workflow.xml").write_text("<workflow-app")
    parent = Workflow("parent").action("sub", SubWorkflow("hdfs:///child")).end()
    result = run(parent, tmp_path)
    assert (result.status, result.node("sub").error_code) == ("KILLED", "E0701")


def test_a_failing_sub_workflow_fails_its_action(tmp_path):
    child = Workflow("child").action("bad", sh("exit 4")).end()
    parent = Workflow("parent").action("sub", SubWorkflow("child-app")).end()
    result = run(parent, tmp_path, sub_workflows={"child-app": child})
    assert result.status == "KILLED"
    assert result.node("sub").error_code == "1"
    assert "sub-workflow child KILLED" in result.node("sub").error_message


# -- twins and the example pipeline ----------------------------------------------------------


@pytest.mark.pig
def test_pig_twin_step(tmp_path, pig_engine):
    wf = Workflow("p").add(
        twin_action(
            "pig-count",
            "pig",
            "word_count",
            input=local(fixture("word_count")),
            output="hdfs:///pig",
        )  # fmt: skip
    )
    wf.start, wf.node("pig-count").ok, wf.node("pig-count").error = "pig-count", "end", "fail"
    wf.kill("fail").end()
    result = run(wf, tmp_path)
    assert result.status == "SUCCEEDED", result.summary_lines()
    golden = golden_path("word_count").read_text(encoding="utf-8").split("\n")[:-1]
    assert rows(tmp_path / "root" / "pig") == sorted(golden)


@pytest.mark.hive
def test_example_pipeline_without_the_index(tmp_path, hive_engine):
    from mr.workflow.examples import word_pipeline

    books = tmp_path / "root" / "user" / "me" / "books"
    books.mkdir(parents=True)
    (books / "input.txt").write_text(Path(fixture("word_count")).read_text())
    result = run(word_pipeline(), tmp_path, {"user.name": "me", "loadIndex": "false"})
    assert result.status == "SUCCEEDED", result.summary_lines()
    assert names(result) == [
        "ingest", "count", "analyse", "top-words", "hive-count", "analyse-join", "want-index",
        "end",
    ]  # fmt: skip
    work = tmp_path / "root" / "user" / "me" / "word-pipeline"
    golden = sorted(golden_path("word_count").read_text(encoding="utf-8").split("\n")[:-1])
    assert rows(work / "counts") == golden
    assert rows(work / "hive_counts") == golden
    assert len(rows(work / "top")) == 20


# -- the command -----------------------------------------------------------------------------


def write_app(tmp_path: Path, wf: Workflow, properties: str = "") -> Path:
    app = tmp_path / "app"
    app.mkdir()
    (app / "workflow.xml").write_text(render_workflow(wf))
    (app / "job.properties").write_text(properties)
    return app


def test_run_command_exit_0_and_status(tmp_path):
    wf = (
        Workflow("cli")
        .param("out")
        .action("mk", Fs([Mkdir("${out}/made")]))
        .action("touch", Fs([Touchz("${out}/made/${name}")]))
        .end()
    )
    app = write_app(tmp_path, wf, "out=hdfs:///data\nname=x\n")
    run_dir = tmp_path / "run"
    result = mrkit(
        "workflow", "run", str(app), "--root", str(tmp_path / "root"), "--run-dir", str(run_dir),
        "--property", "name=y",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    run_id, status, where = result.stdout.split()
    assert (status, where) == ("SUCCEEDED", str(run_dir))
    assert result.stderr == ""  # not a terminal: no progress lines
    assert (tmp_path / "root" / "data" / "made" / "y").is_file()
    shown = mrkit("workflow", "status", str(run_dir))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        f"{run_id} cli SUCCEEDED",
        "  OK      :start: [:START:] -> mk",
        "  OK      mk [fs] -> touch",
        "  OK      touch [fs] -> end",
        "  OK      end [:END:]",
    ]


def test_run_command_exit_1_names_the_failed_node(tmp_path):
    source = tmp_path / "pipeline.py"
    source.write_text(
        "from mr.workflow.model import Shell, Workflow\n"
        "wf = Workflow('w').action('bad', Shell('sh', ['-c', 'echo no >&2; exit 5'])).end()\n"
    )
    home = tmp_path / "home"
    result = mrkit(
        "workflow", "run", f"{source}:wf", "--root", str(tmp_path / "root"),
        env={"MRKIT_HOME": str(home)},
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "mrkit workflow run: w KILLED: node 'bad': 1: sh exited with code 5: no\n"
    )
    run_id = result.stdout.split()[0]
    # a run id finds the run in the state directory
    shown = mrkit("workflow", "status", run_id, env={"MRKIT_HOME": str(home)})
    assert (
        shown.stdout.splitlines()[0]
        == f"{run_id} w KILLED: bad failed: [sh exited with code 5: no]"
    )
    log = mrkit("workflow", "log", run_id, "bad", env={"MRKIT_HOME": str(home)})
    assert log.stdout == "==> bad (attempt 1) <==\nno\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "workflow cli: no value for out; give --property NAME=VALUE"),
        (["--engine", "oozie", "--property", "out=/x"], "--root is for --engine local"),
        (["--property", "out"], "--property out: expected NAME=VALUE"),
    ],
)
def test_run_command_usage_errors_exit_2(tmp_path, extra, message):
    wf = Workflow("cli").param("out").action("mk", Fs([Mkdir("${out}")])).end()
    app = write_app(tmp_path, wf)
    result = mrkit("workflow", "run", str(app), "--root", str(tmp_path / "root"), *extra)
    assert result.returncode == 2
    assert result.stderr.startswith(f"mrkit workflow run: error: {message}")
    assert not (tmp_path / "root").exists()


def test_status_of_no_such_run_exits_1(tmp_path):
    result = mrkit("workflow", "status", str(tmp_path / "nothing"))
    assert result.returncode == 1
    assert "no such run" in result.stderr


def test_progress_lines_on_a_terminal(monkeypatch, capsys, tmp_path):
    import sys

    from mr.cli.runs import progress_printer

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    wf = Workflow("p").action("bad", sh("exit 2"), retry_max=1, retry_interval=0).end()
    run(wf, tmp_path, retry_codes=frozenset({"ALL"}), on_node=progress_printer(quiet=False))
    assert capsys.readouterr().err.splitlines() == [
        "p: OK         :start: [:START:]",
        "p: RUNNING    bad [shell]",
        "p: USER_RETRY bad [shell] 1: sh exited with code 2",
        "p: RUNNING    bad [shell] (attempt 2)",
        "p: ERROR      bad [shell] (2 attempts) 1: sh exited with code 2",
        "p: OK         fail [:KILL:] E0729: bad failed: [sh exited with code 2]",
    ]
    assert progress_printer(quiet=True) is None


# -- drawing ---------------------------------------------------------------------------------


def svg_fills(svg: bytes) -> dict[str, str]:
    """{node title: fill colour} of the nodes of a Graphviz SVG."""
    from lxml import etree

    ns = {"s": "http://www.w3.org/2000/svg"}
    root = etree.fromstring(svg)
    fills = {}
    for g in root.iterfind(".//s:g[@class='node']", ns):
        shape = g.find("s:polygon", ns)
        shape = shape if shape is not None else g.find("s:ellipse", ns)
        fills[g.findtext("s:title", namespaces=ns)] = shape.get("fill")
    return fills


def test_graph_colours_nodes_by_a_run(tmp_path):
    import shutil

    from mr.workflow.draw import NOT_RUN, STATUS_COLOURS
    from tests.plugins.engines import unavailable

    if shutil.which("dot") is None:
        unavailable("graphviz", RuntimeError("no dot on PATH (scripts/bootstrap installs it)"))
    source = tmp_path / "wf.py"
    source.write_text(
        "from mr.workflow.model import Shell, Workflow\n"
        "wf = (Workflow('g').action('first', Shell('true'))\n"
        "      .action('second', Shell('false')).action('never', Shell('true')).end())\n"
    )
    run_dir = tmp_path / "run"
    ran = mrkit("workflow", "run", f"{source}:wf", "--root", str(tmp_path), "--run-dir",
                str(run_dir))  # fmt: skip
    assert ran.returncode == 1
    out = tmp_path / "g.svg"
    drawn = mrkit("workflow", "graph", f"{source}:wf", "--out", str(out), "--run", str(run_dir))
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout == f"{out}\n"
    assert svg_fills(out.read_bytes()) == {
        "start.": STATUS_COLOURS["OK"],
        "first": STATUS_COLOURS["OK"],
        "second": STATUS_COLOURS["ERROR"],
        "never": NOT_RUN,
        "fail": STATUS_COLOURS["OK"],
        "end": NOT_RUN,
    }
    # without a run: every node white; a format dot does not write here is a usage error
    plain = mrkit("workflow", "graph", f"{source}:wf", "--out", str(tmp_path / "p.svg"))
    assert set(svg_fills((tmp_path / "p.svg").read_bytes()).values()) == {"#ffffff"}, plain.stderr
    bad = mrkit("workflow", "graph", f"{source}:wf", "--out", str(tmp_path / "g.gif"))
    assert bad.returncode == 2 and "give a .svg or .png file" in bad.stderr


def test_the_record_shows_a_running_action(tmp_path):
    snapshot = tmp_path / "snapshot.json"
    wf = Workflow("live").action("look", sh(f"cp {tmp_path / 'run' / 'run.json'} {snapshot}"))
    run(wf.end(), tmp_path)
    seen = WorkflowRun.read(snapshot)
    assert seen.status == "RUNNING"
    assert (seen.nodes[-1].name, seen.nodes[-1].status, seen.nodes[-1].attempts) == (
        "look", "RUNNING", 1,
    )  # fmt: skip


def test_a_plain_path_is_the_name_nodes_never_this_machines(tmp_path):
    """An fs delete of /x deletes <root>/x, as Oozie deletes /x on HDFS: the machine's /x stays
    (a local run of `workDir=/work` once removed this machine's /work)."""
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep").write_text("data")
    (tmp_path / "root" / str(precious).lstrip("/")).mkdir(parents=True)
    wf = Workflow("d").action("rm", Fs([Delete(str(precious))])).end()
    result = run(wf, tmp_path)
    assert result.status == "SUCCEEDED", result.summary_lines()
    assert (precious / "keep").read_text() == "data"
    assert not (tmp_path / "root" / str(precious).lstrip("/")).exists()


def test_a_path_that_climbs_out_of_the_root_is_an_error(tmp_path):
    (tmp_path / "precious").mkdir()
    wf = Workflow("d").action("rm", Fs([Delete("/../precious")])).end()
    result = run(wf, tmp_path)
    assert result.status == "KILLED"
    assert result.node("rm").error_code == "FS-PATH"
    assert "outside the name node's root" in result.node("rm").error_message
    assert (tmp_path / "precious").is_dir()
