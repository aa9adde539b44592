"""Rendering: the example pipeline's workflow.xml and job.properties (golden files), stable
output, job.properties escaping, and the application directory."""

import tarfile

import pytest
from lxml import etree

from mr.workflow.examples import word_pipeline
from mr.workflow.model import Fs, Mkdir, Shell, Workflow
from mr.workflow.properties import escape_key, escape_value
from mr.workflow.render import (
    render_properties,
    render_workflow,
    write_app,
)
from tests.support import FIXTURES

GOLDEN = FIXTURES / "workflows" / "golden"
CLUSTER = {"name_node": "hdfs://localhost:8020", "resource_manager": "localhost:8032"}


@pytest.fixture(autouse=True)
def repo_mrjob_conf(monkeypatch):
    """Commands as the repo's mrjob.conf writes them (python3), whether or not a cluster of
    `mrkit cluster up` runs (job_actions would take its absolute python then)."""
    from mr.lib.config import REPO_MRJOB_CONF

    monkeypatch.setenv("MRJOB_CONF", str(REPO_MRJOB_CONF))


def check_text(request, name, text):
    path = GOLDEN / name
    if request.config.getoption("--update-golden"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run pytest --update-golden and review it"
    assert text == path.read_text(encoding="utf-8")


def test_example_pipeline_golden_workflow_xml(request):
    check_text(request, "word-pipeline.xml", render_workflow(word_pipeline()))


def test_example_pipeline_golden_job_properties(request):
    check_text(request, "word-pipeline.properties", render_properties(word_pipeline(), **CLUSTER))


def test_rendering_is_deterministic():
    assert render_workflow(word_pipeline()) == render_workflow(word_pipeline())


def test_action_namespaces_are_default_namespaces():
    wf = Workflow("w").action("sh", Shell("echo", ["hi"])).end()
    xml = render_workflow(wf)
    assert '<shell xmlns="uri:oozie:shell-action:1.0">' in xml
    root = etree.fromstring(xml.encode())
    assert root.tag == "{uri:oozie:workflow:1.0}workflow-app"


def test_old_schema_versions_get_job_tracker():
    wf = Workflow("w", namespace="uri:oozie:workflow:0.5")
    wf.action(
        "sh",
        Shell("echo", resource_manager="${jobTracker}", namespace="uri:oozie:shell-action:0.3"),
    )
    assert "<job-tracker>${jobTracker}</job-tracker>" in render_workflow(wf.end())


def test_properties_escaping():
    assert escape_key("a b=c:d") == "a\\ b\\=c\\:d"
    assert escape_value(" lead") == "\\ lead"
    assert escape_value("C:\\dir") == "C:\\\\dir"
    assert escape_value("é\n") == "\\u00e9\\n"
    wf = Workflow("w", properties={"queueName": "default"})
    text = render_properties(wf, **CLUSTER)
    assert "oozie.wf.application.path=${nameNode}/user/${user.name}/w\n" in text
    assert text.endswith("queueName=default\n")


def test_write_app_ships_the_job_files(tmp_path):
    written = write_app(word_pipeline(), tmp_path / "app", **CLUSTER)
    names = sorted(str(p.relative_to(tmp_path / "app")) for p in written)
    assert names == [
        "job.properties",
        "mrkit/load_hbase.py",
        "mrkit/mr.tar.gz",
        "mrkit/mrjob.tar.gz",
        "mrkit/top_n.py",
        "mrkit/word_count.py",
        "workflow.xml",
    ]
    with tarfile.open(tmp_path / "app" / "mrkit" / "mr.tar.gz") as tar:
        members = tar.getnames()
    assert "word_count.py" in members and "lib/job.py" in members
    assert not any("__pycache__" in m for m in members)
    # the same files give the same archive
    write_app(word_pipeline(), tmp_path / "again", **CLUSTER)
    archive = "mrkit/mr.tar.gz"
    assert (tmp_path / "again" / archive).read_bytes() == (tmp_path / "app" / archive).read_bytes()


def test_fs_ops_keep_their_order():
    wf = Workflow("w").action("mk", Fs([Mkdir("/b"), Mkdir("/a")])).end()
    xml = render_workflow(wf)
    assert xml.index('path="/b"') < xml.index('path="/a"')
