"""Runs on Oozie without a server: Oozie's job info read into run records, and the REST client's
errors (a stand-in HTTP server answers as Oozie does). The real server: test_workflow_oozie.py."""

from __future__ import annotations

import http.server
import threading
from xml.etree import ElementTree as ET

import pytest

from mr.clients.oozie import Oozie, OozieError, OozieUnavailable, configuration_xml
from mr.workflow.remote import end_message, node_run
from mr.workflow.runs import NodeRun, WorkflowRun


def test_an_action_of_oozies_job_info_becomes_a_node_record():
    node = node_run({
        "name": "check", "type": "shell", "status": "OK", "userRetryCount": 1,
        "transition": "want-index", "errorCode": None, "errorMessage": None,
        "data": "#\n#Wed Dec 02 00:38:00 UTC 2026\nchecked=true\n",
        "externalId": "job_1_0004", "consoleUrl": "http://localhost:8088/proxy/application_1_0004/",
        "startTime": "Wed, 02 Dec 2026 00:37:58 GMT", "endTime": "Wed, 02 Dec 2026 00:38:09 GMT",
    })  # fmt: skip
    assert (node.kind, node.status, node.attempts) == ("shell", "OK", 2)
    assert node.data == {"checked": "true"}
    assert node.console_url == "http://localhost:8088/proxy/application_1_0004/"
    assert node.started == "2026-12-02T00:37:58.000+00:00"


def test_control_nodes_have_no_attempts_and_a_running_action_no_transition():
    start = node_run({"name": ":start:", "type": ":START:", "status": "OK", "transition": "a",
                      "consoleUrl": "-"})  # fmt: skip
    assert (start.attempts, start.console_url, start.transition) == (0, None, "a")
    running = node_run({"name": "a", "type": "map-reduce", "status": "PREP", "transition": "b"})
    assert (running.status, running.transition, running.attempts) == ("RUNNING", None, 1)
    retry = node_run({"name": "a", "type": "shell", "status": "USER_RETRY", "errorCode": "1"})
    assert (retry.status, retry.error_code) == ("USER_RETRY", "1")


def test_a_killed_runs_message_is_its_kill_nodes():
    run = WorkflowRun("w-1", "w", "oozie", nodes=[
        NodeRun("bad", "shell", "ERROR", 1, error_code="1", error_message="exit code [1]"),
        NodeRun("fail", ":KILL:", "OK", 0, error_code="E0729", error_message="died at bad"),
    ])  # fmt: skip
    assert end_message(run, "KILLED") == "died at bad"
    assert end_message(run, "SUCCEEDED") is None


def test_job_properties_go_as_a_configuration_document():
    xml = configuration_xml({"a": "x<y & 'z'", "oozie.wf.application.path": "hdfs:///app"})
    root = ET.fromstring(xml)
    assert {p.findtext("name"): p.findtext("value") for p in root} == {
        "a": "x<y & 'z'",
        "oozie.wf.application.path": "hdfs:///app",
    }


class _Refusing(http.server.BaseHTTPRequestHandler):
    """Answers every call as Oozie answers a bad submit: 400 and its two error headers."""

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.send_response(400)
        self.send_header("oozie-error-code", "E0701")
        self.send_header("oozie-error-message", "E0701: XML schema error, No name-node defined")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def refusing_server():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/oozie"
    server.shutdown()
    server.server_close()


def test_the_servers_error_code_and_message_once(refusing_server):
    with pytest.raises(OozieError) as caught:
        Oozie(refusing_server, user="me").submit({"x": "1"})
    assert (caught.value.code, caught.value.status) == ("E0701", 400)
    assert str(caught.value) == "E0701: XML schema error, No name-node defined"


def test_a_server_that_does_not_answer_says_what_to_do():
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(OozieUnavailable, match=r"does not answer .*mrkit oozie status"):
        Oozie(f"http://127.0.0.1:{port}/oozie", user="me").info("0000000-W")


def test_oozie_up_knows_a_cluster_that_does_not_allow_its_proxy_user(tmp_path):
    from mr.engines.hadoop import proxy_user_settings
    from mr.engines.oozie import proxy_user_allowed

    conf = tmp_path / "cluster-site.xml"
    rows = "".join(
        f"<property><name>{k}</name><value>{v}</value></property>"
        for k, v in proxy_user_settings("me").items()
    )
    conf.write_text(f"<configuration>{rows}</configuration>")
    assert proxy_user_allowed(conf, "me")
    assert not proxy_user_allowed(conf, "someone-else")
    assert not proxy_user_allowed(tmp_path / "missing.xml", "me")
