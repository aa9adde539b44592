"""Coordinators and bundles (mr/workflow/coordinator.py): rendered XML that Oozie's XSDs accept,
and Oozie's example coordinators read back and written out unchanged."""

from __future__ import annotations

import pytest
from lxml import etree

from mr.workflow.coordinator import (
    Bundle,
    Controls,
    Coordinator,
    DataIn,
    DataOut,
    Dataset,
    parse_bundle_file,
    parse_coordinator,
    parse_coordinator_file,
    render_bundle,
    render_coordinator,
    write_coordinator_app,
)
from mr.workflow.model import Fs, Mkdir, Parameter, Workflow
from mr.workflow.validate import validate_file
from tests.support import FIXTURES
from tests.test_workflow_parse import read, shape

VALID = FIXTURES / "workflows" / "valid"
COORDINATORS = sorted(p.name for p in VALID.glob("*.xml") if b"<coordinator-app" in p.read_bytes())


def daily() -> Coordinator:
    wf = Workflow("touch").action("mark", Fs([Mkdir("${output}")])).end()
    return Coordinator(
        "daily",
        workflow=wf,
        frequency="${coord:days(1)}",
        start="${start}",
        end="${end}",
        datasets=[
            Dataset(
                "logs",
                "${coord:days(1)}",
                "2026-01-01T00:00Z",
                "${nameNode}/data/logs/${YEAR}/${MONTH}/${DAY}",
            ),
            Dataset(
                "hourly",
                "${coord:hours(1)}",
                "2026-01-01T00:00Z",
                "${nameNode}/data/hourly/${YEAR}${MONTH}${DAY}${HOUR}",
                done_flag="",
            ),
            Dataset(
                "reports",
                "${coord:days(1)}",
                "2026-01-01T00:00Z",
                "${nameNode}/data/reports/${YEAR}-${MONTH}-${DAY}",
            ),
        ],  # fmt: skip
        inputs=[
            DataIn("logs", "logs"),
            DataIn(
                "hours",
                "hourly",
                start_instance="${coord:current(-23)}",
                end_instance="${coord:current(0)}",
            ),
        ],  # fmt: skip
        outputs=[DataOut("report", "reports")],
        controls=Controls(timeout=60, concurrency=2, execution="LIFO", throttle=4),
        configuration={
            "input": "${coord:dataIn('logs')}",
            "output": "${coord:dataOut('report')}",
            "day": "${coord:formatTime(coord:nominalTime(), 'yyyy-MM-dd')}",
        },
        parameters=[Parameter("start"), Parameter("end", "2027-01-01T00:00Z")],
    )


@pytest.mark.parametrize("name", COORDINATORS)
def test_round_trip_of_example_coordinators(name):
    rendered = render_coordinator(parse_coordinator_file(VALID / name))
    assert shape(etree.fromstring(rendered.encode())) == shape(read(VALID / name))


def test_round_trip_of_the_example_bundle():
    rendered = render_bundle(parse_bundle_file(VALID / "bundle.xml"))
    assert shape(etree.fromstring(rendered.encode())) == shape(read(VALID / "bundle.xml"))


def test_what_render_writes_reads_back_the_same():
    c = daily()
    again = parse_coordinator(etree.fromstring(render_coordinator(c).encode()))
    assert render_coordinator(again) == render_coordinator(c)
    assert again.controls == c.controls
    assert again.inputs[1].start_instance == "${coord:current(-23)}"
    assert [d.flag for d in again.datasets] == ["_SUCCESS", "", "_SUCCESS"]
    assert again.workflow == "${workflowAppPath}"


@pytest.mark.oozie_jars
def test_a_written_coordinator_app_is_valid(oozie_jars, tmp_path):
    written = write_coordinator_app(daily(), tmp_path / "app", name_node="hdfs://nn:8020")
    names = sorted(p.name for p in written)
    assert names == ["coordinator.xml", "job.properties", "workflow.xml"]
    properties = (tmp_path / "app" / "job.properties").read_text()
    assert "oozie.coord.application.path=" in properties
    assert "oozie.wf.application.path" not in properties  # it would submit the workflow
    assert "workflowAppPath=${nameNode}/user/${user.name}/daily" in properties
    for name in ("coordinator.xml", "workflow.xml"):
        assert [str(p) for p in validate_file(tmp_path / "app" / name)] == []


@pytest.mark.oozie_jars
def test_a_rendered_bundle_is_valid(oozie_jars, tmp_path):
    bundle = Bundle(
        "all-daily",
        coordinators={"daily": daily(), "elsewhere": "${nameNode}/apps/other"},
        kick_off_time="${start}",
        parameters=[Parameter("start", "2026-01-01T00:00Z")],
        configuration={"daily": {"end": "2026-02-01T00:00Z"}},
    )
    path = tmp_path / "bundle.xml"
    path.write_text(render_bundle(bundle))
    (tmp_path / "job.properties").write_text("nameNode=hdfs://nn:8020\nbundleAppPath=/b\n")
    assert [str(p) for p in validate_file(path)] == []


def test_a_controls_value_that_is_not_a_number(tmp_path):
    xml = render_coordinator(daily()).replace("<timeout>60<", "<timeout>soon<")
    from mr.workflow.parse import ParseError

    with pytest.raises(ParseError, match="<timeout> 'soon' is not a number"):
        parse_coordinator(etree.fromstring(xml.encode()))
