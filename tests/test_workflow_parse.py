"""Import: Oozie XML -> model, and render(parse(x)) is the same workflow as x."""

import pytest
from lxml import etree

from mr.workflow.examples import word_pipeline
from mr.workflow.model import (
    Action,
    Delete,
    Fs,
    MapReduce,
    Mkdir,
    Move,
    RawAction,
    Shell,
    SubWorkflow,
    Touchz,
)
from mr.workflow.parse import ParseError, parse_workflow, parse_workflow_file
from mr.workflow.render import render_workflow
from tests.support import FIXTURES

VALID = FIXTURES / "workflows" / "valid"
WORKFLOWS = sorted(p.name for p in VALID.glob("*.xml") if b"<workflow-app" in p.read_bytes())


def shape(e):
    """What makes two elements the same workflow: names, attributes, text, children in order
    (not comments, indentation or where a namespace is declared)."""
    children = [shape(c) for c in e if isinstance(c.tag, str)]
    return e.tag, sorted(e.attrib.items()), (e.text or "").strip(), children


def read(path):
    return etree.parse(str(path), etree.XMLParser(remove_comments=True)).getroot()


@pytest.mark.parametrize("name", WORKFLOWS)
def test_round_trip_of_example_apps(name):
    rendered = render_workflow(parse_workflow_file(VALID / name))
    assert shape(etree.fromstring(rendered.encode())) == shape(read(VALID / name))


def test_round_trip_of_what_render_writes():
    xml = render_workflow(word_pipeline())
    assert render_workflow(parse_workflow(etree.fromstring(xml.encode()))) == xml


def test_round_trip_keeps_the_namespace_version():
    wf = parse_workflow_file(VALID / "shell.xml")
    assert wf.namespace == "uri:oozie:workflow:0.4"
    assert isinstance(wf.node("shell-node").body, Shell)
    assert wf.node("shell-node").body.namespace == "uri:oozie:shell-action:0.2"


def test_streaming_map_reduce_fields():
    a = parse_workflow_file(VALID / "streaming.xml").node("streaming-node")
    assert isinstance(a, Action) and isinstance(a.body, MapReduce)
    assert (a.retry_max, a.retry_interval) == (2, 1)
    s = a.body.streaming
    assert (s.mapper, s.reducer, s.env) == ("/bin/cat", "/usr/bin/wc", ["LC_ALL=C.UTF-8"])
    assert a.body.resource_manager == "${jobTracker}"
    assert a.body.prepare == [
        Delete("${nameNode}/user/${wf:user()}/${examplesRoot}/output-data/${outputDir}")
    ]
    assert a.body.files == ["lib/mapper.py#mapper.py"]
    assert a.body.archives == ["lib/tools.tar.gz#tools"]


def test_fs_ops_in_order_with_unknown_ops_kept():
    body = parse_workflow_file(VALID / "fs.xml").node("fs-node").body
    assert isinstance(body, Fs)
    kinds = [type(op).__name__ if not isinstance(op, etree._Element) else op.tag for op in body.ops]
    assert kinds == ["Delete", "Mkdir", "Touchz", "{uri:oozie:workflow:1.0}chmod", "Move"]
    assert body.ops[1] == Mkdir("${base}/in") and body.ops[2] == Touchz("${base}/in/_READY")
    assert body.ops[4] == Move("${base}/in", "${base}/ready")


def test_sub_workflow_and_unknown_action_kinds():
    child = parse_workflow_file(VALID / "sub-workflow.xml").node("child").body
    assert isinstance(child, SubWorkflow) and child.propagate_configuration
    assert child.configuration == {"outputDir": "subwf"}
    hive = parse_workflow_file(VALID / "hive.xml").node("hive-node")
    assert isinstance(hive.body, RawAction)
    assert etree.QName(hive.extra[0]).localname == "info"  # the sla:info after <error>


def test_retry_given_as_el_stays_an_attribute():
    xml = (VALID / "streaming.xml").read_text().replace('retry-max="2"', 'retry-max="${retries}"')
    a = parse_workflow(etree.fromstring(xml.encode())).node("streaming-node")
    assert a.retry_max is None and a.attributes == {"retry-max": "${retries}"}
    assert 'retry-max="${retries}"' in render_workflow(
        parse_workflow(etree.fromstring(xml.encode()))
    )


def test_not_a_workflow():
    with pytest.raises(
        ParseError, match=r"coordinator.xml:\d+: <coordinator-app> .* is not an Oozie workflow-app"
    ):
        parse_workflow_file(VALID / "coordinator.xml")


def test_not_well_formed(tmp_path):
    bad = tmp_path / "w.xml"
    bad.write_text("<workflow-app>\n<start>\n</workflow-app>\n")
    with pytest.raises(ParseError, match=r"w.xml:3: not well-formed XML"):
        parse_workflow_file(bad)
