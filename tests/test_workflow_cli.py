"""`mrkit workflow validate|render|import`: output lines and exit codes (0 valid, 1 problems,
2 usage)."""

import pytest

from tests.support import FIXTURES, mrkit

WORKFLOWS = FIXTURES / "workflows"


@pytest.mark.oozie_jars
def test_validate_valid_files_exit_0(oozie_jars):
    files = [WORKFLOWS / "valid" / n for n in ("fs.xml", "coordinator.xml", "bundle.xml")]
    result = mrkit("workflow", "validate", *map(str, files))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"OK {files[0]} (workflow-app)",
        f"OK {files[1]} (coordinator-app)",
        f"OK {files[2]} (bundle-app)",
    ]


@pytest.mark.oozie_jars
def test_validate_problems_exit_1_one_line_each(oozie_jars):
    broken = WORKFLOWS / "broken"
    result = mrkit("workflow", "validate", str(broken / "cycle.xml"), str(broken / "dangling.xml"))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{broken / 'cycle.xml'}:11: node 'b': cycle: its transition to 'a' closes a loop",
        f"{broken / 'dangling.xml'}:4: node 'first': dangling-transition: ok goes to "
        "'nowhere', no such node",
    ]
    assert result.stderr == ""


def test_validate_a_missing_file_is_a_usage_error():
    result = mrkit("workflow", "validate", "no/such/workflow.xml")
    assert result.returncode == 2
    assert result.stderr == "mrkit workflow validate: error: no/such/workflow.xml: no such file\n"
    assert result.stdout == ""


@pytest.mark.oozie_jars
def test_render_then_validate_the_app_dir(oozie_jars, tmp_path):
    out = tmp_path / "app"
    result = mrkit(
        "workflow", "render", "mr.workflow.examples:word_pipeline", "--out", str(out),
        "--name-node", "hdfs://nn:8020", "--resource-manager", "rm:8032",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"{out / 'workflow.xml'}" in result.stdout.splitlines()
    assert "nameNode=hdfs://nn:8020" in (out / "job.properties").read_text()
    assert (out / "mrkit" / "mr.tar.gz").is_file()
    result = mrkit("workflow", "validate", str(out))
    assert (result.returncode, result.stdout) == (0, f"OK {out / 'workflow.xml'} (workflow-app)\n")


def test_render_from_a_python_file(tmp_path):
    source = tmp_path / "pipeline.py"
    source.write_text(
        "from mr.workflow.model import Fs, Mkdir, Workflow\n"
        "wf = Workflow('tiny').action('mk', Fs([Mkdir('/tmp/x')])).end()\n"
    )
    result = mrkit("workflow", "render", f"{source}:wf", "--out", str(tmp_path / "app"))
    assert result.returncode == 0, result.stderr
    assert (
        '<workflow-app xmlns="uri:oozie:workflow:1.0" name="tiny">'
        in (tmp_path / "app" / "workflow.xml").read_text()
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("mr.workflow.examples", "mr.workflow.examples: expected MODULE:ATTR"),
        ("no_such_module:wf", "no_such_module:wf: no module 'no_such_module'"),
        ("mr.workflow.examples:INDEX_WANTED", "mr.workflow.examples:INDEX_WANTED: not a Workflow"),
    ],
)
def test_render_usage_errors(tmp_path, spec, message):
    result = mrkit("workflow", "render", spec, "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"mrkit workflow render: error: {message}")


def test_import_prints_a_summary():
    result = mrkit("workflow", "import", str(WORKFLOWS / "valid" / "fork-join.xml"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "workflow fork-join-wf (uri:oozie:workflow:1.0), start -> split",
        "  fork split -> left, right",
        "  action left [fs: mkdir] ok -> left-more, error -> fail",
        "  action left-more [fs: touchz] ok -> merge, error -> fail",
        "  action right [shell: true] ok -> merge, error -> fail",
        "  join merge -> finished",
        "  decision finished: ${fs:exists(concat(nameNode, '/tmp/left/done'))} -> end, "
        "default -> fail",
        "  kill fail: failed at ${wf:lastErrorNode()}",
        "  end end",
    ]


def test_import_of_a_file_that_is_not_a_workflow_exits_2():
    result = mrkit("workflow", "import", str(WORKFLOWS / "broken" / "not-xml.xml"))
    assert result.returncode == 2
    assert "not well-formed XML" in result.stderr and len(result.stderr.splitlines()) == 1


def test_import_summarizes_coordinators_and_bundles():
    coord = mrkit("workflow", "import", str(FIXTURES / "workflows" / "valid" / "aggregator.xml"))
    assert coord.returncode == 0, coord.stderr
    lines = coord.stdout.splitlines()
    assert lines[0].startswith("coordinator aggregator-coord (uri:oozie:coordinator:0.2)")
    assert "  input input <- raw-logs ${coord:current(-23)} .. ${coord:current(0)}" in lines
    bundle = mrkit("workflow", "import", str(FIXTURES / "workflows" / "valid" / "bundle.xml"))
    assert bundle.stdout.splitlines() == [
        "bundle counts-bundle, kick-off ${start}",
        "  coordinator daily-counts: ${nameNode}/user/${user.name}/apps/daily-counts",
    ]
