"""Validation: Oozie's own XSDs (from oozie-client's jar) accept the valid examples and reject
the broken ones with one line each; the graph checks, each with its own broken case."""

import pytest

from mr.workflow.examples import word_pipeline
from mr.workflow.graph import check_graph, check_parameters, el_names
from mr.workflow.model import Action, End, Fork, Fs, Join, Mkdir, Workflow
from mr.workflow.parse import parse_workflow_file, read_xml
from mr.workflow.validate import validate_file, validate_workflow, wrapper_schema, xsd_files
from tests.support import FIXTURES

WORKFLOWS = FIXTURES / "workflows"
VALID = WORKFLOWS / "valid"
BROKEN = WORKFLOWS / "broken"

#: each broken file and the one line it must give (after its path)
BROKEN_CASES = [
    ("missing-error.xml", ":4: node 'only': xsd: Element 'action': Missing child element(s). "
     "Expected is ( error )."),
    ("unknown-action.xml", ":5: node 'only': xsd: Element 'teleport': No matching global "
     "element declaration available, but demanded by the strict wildcard."),
    ("bad-shell.xml", ":6: node 'sh': xsd: Element 'argument': This element is not expected. "
     "Expected is one of ( job-tracker, resource-manager, name-node, prepare, launcher, "
     "job-xml, configuration, exec )."),
    ("bad-coordinator.xml", ":3: xsd: Element 'coordinator-app': The attribute 'frequency' is "
     "required but missing."),
    ("bad-bundle.xml", ":4: node 'daily': xsd: Element 'configuration': This element is not "
     "expected. Expected is ( app-path )."),
    ("decision-without-default.xml", ":6: node 'check': xsd: Element 'switch': Missing child "
     "element(s). Expected is one of ( case, default )."),
    ("bad-execution.xml", ":7: coordinator: execution 'RANDOM' is not one of FIFO, LIFO, "
     "LAST_ONLY, NONE"),
    ("undefined-dataset.xml", ":13: node 'input': coordinator: the dataset 'log' is not defined "
     "in <datasets>"),
    ("not-xml.xml", ":5: xml: not well-formed XML: Opening and ending tag mismatch: start line "
     "3 and workflow-app, line 5, column 16"),
    ("not-oozie.xml", ":2: xsd: <project> is not an Oozie workflow-app, coordinator-app or "
     "bundle-app"),
    ("dangling.xml", ":4: node 'first': dangling-transition: ok goes to 'nowhere', no such node"),
    ("unreachable.xml", ":11: node 'orphan': unreachable: no path from start leads here"),
    ("cycle.xml", ":11: node 'b': cycle: its transition to 'a' closes a loop"),
    ("fork-without-join.xml", ":4: node 'split': fork-join: its paths must meet in one join; "
     "they reach end node 'end', merge"),
    ("undefined-parameter.xml", ":11: node 'copy': undefined-parameter: ${outputDir} is not a "
     "parameter, a job.properties key or an EL constant"),
    ("duplicate-name.xml", ":11: node 'step': duplicate-name: another node is named 'step'; "
     "names are unique"),
]  # fmt: skip


def test_every_broken_file_has_a_case():
    assert sorted(p.name for p in BROKEN.glob("*.xml")) == sorted(n for n, _ in BROKEN_CASES)


@pytest.mark.oozie_jars
@pytest.mark.parametrize("name", sorted(p.name for p in VALID.glob("*.xml")))
def test_valid_examples_pass(oozie_jars, name):
    assert [str(p) for p in validate_file(VALID / name)] == []


@pytest.mark.oozie_jars
@pytest.mark.parametrize(("name", "line"), BROKEN_CASES)
def test_broken_files_give_one_line_each(oozie_jars, name, line):
    assert [str(p) for p in validate_file(BROKEN / name)] == [f"{BROKEN / name}{line}"]


@pytest.mark.oozie_jars
def test_all_xsds_load_as_one_schema(oozie_jars):
    files = xsd_files(oozie_jars)
    assert len(files) == 47
    imports = wrapper_schema(files).decode()
    for kind in ("workflow:1.0", "coordinator:0.5", "bundle:0.2", "shell-action:1.0", "sla:0.2"):
        ns = f"uri:oozie:{kind}"
        assert f'namespace="{ns}"' in imports


@pytest.mark.oozie_jars
def test_the_example_pipeline_is_valid(oozie_jars):
    assert validate_workflow(word_pipeline()) == []


@pytest.mark.oozie_jars
def test_a_python_workflow_with_a_dangling_transition(oozie_jars):
    wf = Workflow("w").param("out").action("mk", Fs([Mkdir("${out}")]))
    wf.decision("d", {"${true}": "missing"}, default="end").end()
    assert [str(p) for p in validate_workflow(wf)] == [
        "<workflow>:19: node 'd': dangling-transition: case goes to 'missing', no such node"
    ]


@pytest.mark.oozie_jars
def test_job_properties_define_parameters(oozie_jars, tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    (app / "workflow.xml").write_bytes((BROKEN / "undefined-parameter.xml").read_bytes())
    assert len(validate_file(app / "workflow.xml")) == 1
    (app / "job.properties").write_text("# where output goes\noutputDir = /tmp/out\n")
    assert validate_file(app / "workflow.xml") == []


# -- graph checks without the XSDs -----------------------------------------------------------


def test_graph_checks_one_rule_per_broken_file():
    for name, rule in [
        ("dangling.xml", "dangling-transition"),
        ("unreachable.xml", "unreachable"),
        ("cycle.xml", "cycle"),
        ("fork-without-join.xml", "fork-join"),
        ("duplicate-name.xml", "duplicate-name"),
    ]:
        problems = check_graph(parse_workflow_file(BROKEN / name), name)
        assert [p.rule for p in problems] == [rule], name


def test_graph_checks_pass_valid_workflows():
    for name in ("fork-join.xml", "shell.xml", "fs.xml", "streaming.xml", "sub-workflow.xml"):
        assert check_graph(parse_workflow_file(VALID / name), name) == [], name


def graph(*nodes, start):
    wf = Workflow("w", start=start)
    for node in nodes:
        wf.add(node)
    return wf.add(End("end"))


def fs_action(name, ok):
    return Action(name, Fs(), ok=ok, error="end")


def test_nested_forks_meet_in_their_joins():
    wf = graph(
        Fork("out", ["c", "d"]),
        fs_action("c", "in"),
        Fork("in", ["a", "b"]),
        fs_action("a", "in-join"),
        fs_action("b", "in-join"),
        Join("in-join", "out-join"),
        fs_action("d", "out-join"),
        Join("out-join", "end"),
        start="out",
    )
    assert check_graph(wf, "w") == []


def test_a_join_two_forks_share():
    wf = graph(
        Fork("f1", ["a", "f2"]),
        Fork("f2", ["b", "c"]),
        fs_action("a", "j"),
        fs_action("b", "j"),
        fs_action("c", "j"),
        Join("j", "end"),
        start="f1",
    )
    assert [str(p) for p in check_graph(wf, "w")] == [
        "w: node 'f1': fork-join: its paths must meet in one join; they reach end node 'end', j"
    ]


def test_el_names_skip_functions_strings_and_keywords():
    text = "${wf:conf('x.y')} ${a.b} ${c eq 'd' and not empty e} ${concat(f, 'g')} ${10 * MB}"
    assert list(el_names(text)) == ["a.b", "c", "e", "f", "MB"]


def test_parameters_from_the_file_and_el_constants():
    root = read_xml(VALID / "coordinator.xml")
    names = {p.message.split()[0] for p in check_parameters(root, set(), "c")}
    assert names == {"${start}", "${end}", "${nameNode}"}  # YEAR, MONTH, DAY are constants


def test_a_join_no_fork_leads_to():
    wf = graph(fs_action("a", "j"), Join("j", "end"), start="a")
    assert [str(p) for p in check_graph(wf, "w")] == [
        "w: node 'j': fork-join: no fork leads to this join"
    ]


def test_an_unfinished_python_workflow_names_what_is_open():
    wf = Workflow("w").action("a", Fs([Mkdir("/x")]))
    assert [str(p) for p in validate_workflow(wf)] == [
        "<workflow>: no-end: a workflow needs an end node (Workflow.end())",
        "<workflow>:7: node 'a': dangling-transition: an action needs both ok and error "
        "transitions",
    ]
