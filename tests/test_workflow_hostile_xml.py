"""Hostile XML: a DOCTYPE (external or internal entities) in any Oozie file mrkit reads is
refused in one line naming the file and the line, and nothing runs (issue 26, point 3).

Oozie's own parser refuses any DOCTYPE. Before, `mrkit workflow validate` died with lxml's
"Internal error in XML Schema validation" and `mrkit coord run --dry-run` read an entity's
value as empty. Every XML path goes through mr.workflow.parse.read_xml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import mrkit

SECRET = "file-contents-that-must-not-leak"

WORKFLOW = """<?xml version="1.0"?>
{doctype}<workflow-app xmlns="uri:oozie:workflow:1.0" name="wf">
  <start to="touch"/>
  <action name="touch">
    <fs><touchz path="{marker}"/></fs>
    <ok to="end"/>
    <error to="fail"/>
  </action>
  <kill name="fail"><message>failed</message></kill>
  <end name="end"/>
</workflow-app>
"""

COORDINATOR = """<?xml version="1.0"?>
{doctype}<coordinator-app xmlns="uri:oozie:coordinator:0.5" name="c" frequency="1440"
    start="2026-01-01T00:00Z" end="2026-01-02T00:00Z" timezone="UTC">
  <action><workflow><app-path>${{wfPath}}</app-path>
    <configuration><property><name>day</name><value>&x;</value></property></configuration>
  </workflow></action>
</coordinator-app>
"""

DOCTYPES = {
    "external": '<!DOCTYPE c [<!ENTITY x SYSTEM "file://{secret}">]>\n',
    "internal": '<!DOCTYPE c [<!ENTITY x "boom">]>\n',
    "billion-laughs": '<!DOCTYPE c [<!ENTITY a "ha"><!ENTITY x "&a;&a;&a;&a;&a;&a;">]>\n',
    "system-only": '<!DOCTYPE workflow-app SYSTEM "http://127.0.0.1:9/oozie.dtd">\n',
}


@pytest.fixture(params=sorted(DOCTYPES))
def app(request, tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    doctype = DOCTYPES[request.param].format(secret=secret)
    app = tmp_path / "app"
    app.mkdir()
    marker = tmp_path / "ran"
    (app / "workflow.xml").write_text(
        WORKFLOW.format(doctype=doctype, marker=marker).replace('path="', 'path="&x;', 1)
        if "ENTITY x" in doctype
        else WORKFLOW.format(doctype=doctype, marker=marker)
    )
    (app / "coordinator.xml").write_text(COORDINATOR.format(doctype=doctype))
    (app / "job.properties").write_text(f"wfPath={app}\n")
    return app


def refused(done, path: Path) -> None:
    assert done.returncode in (1, 2), done.stdout + done.stderr
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert f"{path}:2: " in lines[0]
    assert "a DOCTYPE is not allowed (Oozie refuses DTDs and entities): remove it" in lines[0]
    assert SECRET not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_validate_refuses_it_in_one_line(app):
    done = mrkit("workflow", "validate", str(app / "coordinator.xml"))
    refused(done, app / "coordinator.xml")
    assert done.returncode == 1  # validate reports problems with exit code 1
    refused(mrkit("workflow", "validate", str(app / "workflow.xml")), app / "workflow.xml")


def test_import_refuses_it(app):
    refused(mrkit("workflow", "import", str(app / "workflow.xml")), app / "workflow.xml")
    refused(mrkit("workflow", "import", str(app / "coordinator.xml")), app / "coordinator.xml")


def test_a_local_run_refuses_it_and_runs_nothing(app):
    done = mrkit("workflow", "run", str(app), "-q")
    refused(done, app / "workflow.xml")
    assert not (app.parent / "ran").exists()


def test_a_coordinator_dry_run_refuses_it(app):
    done = mrkit("coord", "run", str(app), "--dry-run")
    refused(done, app / "coordinator.xml")


def test_graph_refuses_it(app, tmp_path):
    done = mrkit("workflow", "graph", str(app), "--out", str(tmp_path / "g.svg"))
    refused(done, app / "workflow.xml")
    assert not (tmp_path / "g.svg").exists()


def test_config_default_xml_is_read_the_same_way(tmp_path):
    from mr.workflow.local import config_defaults
    from mr.workflow.parse import ParseError

    (tmp_path / "config-default.xml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY x "y">]>\n'
        "<configuration><property><name>a</name><value>&x;</value></property></configuration>\n"
    )
    with pytest.raises(ParseError, match="config-default.xml:2: a DOCTYPE is not allowed"):
        config_defaults(tmp_path)
