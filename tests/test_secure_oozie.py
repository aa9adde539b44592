"""The Kerberized Oozie (`mrkit oozie up --secure`) on the secure cluster, and mrkit's Oozie
client with SPNEGO.

One session server (tests/plugins/secure.py `secure_oozie`) on the session's secure cluster.
Covered: `mrkit workflow run --engine oozie` as a ticket holder deploys over SPNEGO WebHDFS,
submits over SPNEGO, and a word_count streaming action on secure YARN (Oozie acting for the
user with its delegation tokens) gives the golden rows and runs as the user; `mrkit coord run
--engine oozie` runs a two-day coordinator as the user; the refusals: no ticket or an expired
one (one line naming the principal, exit 2), a request with `?user.name=mallory` and no SPNEGO
(401), and a 401 from the server to mrkit's client (NoTicket, one line); the server holds only
its own keytab.
"""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
import requests

from tests.plugins.secure import case_input, until_expired
from tests.support import REPO, mrkit, one_line

pytestmark = pytest.mark.secure

#: a workflow of one fs action and one MR streaming action (word_count), no Hive/Pig/HBase
APP = """\
from mr.word_count import WordCount
from mr.workflow.model import Delete, Fs, Workflow

wf = (
    Workflow("secure-count")
    .global_settings(resource_manager="${resourceManager}", name_node="${nameNode}")
    .param("input", description="text to count")
    .param("out", description="the counts")
    .action("clean", Fs([Delete("${out}")]))
    .job("count", WordCount, ["--overwrite"], input="${input}", output="${out}")
    .end()
)
"""

#: a coordinator of two days, each a workflow of one fs action (no YARN: seconds)
COORD = """\
from mr.workflow.coordinator import Coordinator
from mr.workflow.model import Fs, Mkdir, Parameter, Workflow

day = (
    Workflow("secure-day")
    .global_settings(resource_manager="${resourceManager}", name_node="${nameNode}")
    .param("out", description="the day's directory")
    .action("mark", Fs([Mkdir("${out}")]))
    .end()
)
coord = Coordinator(
    "secure-days",
    workflow=day,
    frequency="${coord:days(1)}",
    start="2026-01-01T00:00Z",
    end="2026-01-03T00:00Z",
    configuration={"out": "${root}/${coord:formatTime(coord:nominalTime(), 'yyyy-MM-dd')}"},
    parameters=[Parameter("root", None, "where each day's directory goes")],
)
"""


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    root = tmp_path_factory.mktemp("secure-oozie")
    (root / "secure_count.py").write_text(APP)
    (root / "secure_days.py").write_text(COORD)
    return root


@pytest.fixture(scope="module")
def app(apps):
    return f"{apps / 'secure_count.py'}:wf"


def in_child(env: dict[str, str], code: str, *args: str) -> str:
    """What Python code prints in a child process with env (a user's ticket and config)."""
    asked = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=REPO,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    return asked.stdout.strip()


def owner(env: dict[str, str], path: str) -> str:
    """The HDFS owner of path, asked over SPNEGO WebHDFS with env's ticket."""
    code = "import sys\nfrom mr.clients.hdfs import client\n"
    return in_child(env, code + "print(client().raw.status(sys.argv[1])['owner'])", path)


@pytest.fixture(scope="module")
def expiring(short_ticket):
    """alice's environment with a ticket that expires SHORT_LIFE seconds after the module's
    start (the workflow test that comes first outlasts it)."""
    return short_ticket("alice")


@pytest.fixture(scope="module")
def alice_input(secure_cluster, kerberos_user, expiring):
    """The word_count case's input under /user/alice (put as alice)."""
    yield from case_input(kerberos_user("alice"), f"/user/alice/oz-{uuid.uuid4().hex[:10]}")


def test_a_workflow_on_the_secure_oozie_gives_the_golden_rows(secure_oozie, alice_input, app):
    """alice's ticket: her app on HDFS, her job on Oozie; Oozie (oozie/localhost) acts for her
    on YARN, and the streaming action writes word_count's golden rows."""
    env, directory, case = alice_input
    out = f"{directory}/counts"
    run = mrkit("workflow", "run", app, "--engine", "oozie", "--property",
                f"input={directory}/in", "--property", f"out={out}", env=env)  # fmt: skip
    assert run.returncode == 0, run.stderr
    job_id, status = run.stdout.split()[:2]
    assert status == "SUCCEEDED" and job_id.endswith("-W"), run.stdout
    rows = mrkit("hdfs", "cat", f"{out}/part-*", env=env).stdout.split("\n")[:-1]
    assert sorted(rows) == case.expected_rows()
    # the server ran it as alice (the ticket's name), not as whoever started the server
    code = "import sys\nfrom mr.clients.oozie import Oozie\n"
    assert in_child(env, code + "print(Oozie().info(sys.argv[1])['user'])", job_id) == "alice"


def test_a_coordinator_on_the_secure_oozie(secure_oozie, alice_input, apps):
    """`mrkit coord run --engine oozie` with alice's ticket: both days' actions SUCCEEDED and
    their directories are alice's (Oozie acted for her on HDFS)."""
    env, directory, _ = alice_input
    run = mrkit("coord", "run", f"{apps / 'secure_days.py'}:coord", "--engine", "oozie",
                "--property", f"root={directory}/days", env=env)  # fmt: skip
    assert run.returncode == 0, run.stderr
    job_id, status = run.stdout.split()[:2]
    assert status == "SUCCEEDED" and job_id.endswith("-C"), run.stdout
    for day in ("2026-01-01", "2026-01-02"):
        assert owner(env, f"{directory}/days/{day}") == "alice"


def test_no_ticket_is_one_line_naming_the_principal(secure_oozie, kerberos_user, app):
    env = kerberos_user("alice", ticket=False)
    run = mrkit("workflow", "run", app, "--engine", "oozie", "--property", "input=/x",
                "--property", "out=/y", env=env)  # fmt: skip
    assert run.returncode == 2
    line = one_line(run.stderr)
    assert "no valid ticket" in line and "kinit as alice@MRKIT.TEST" in line, line


def test_an_expired_ticket_is_one_line_saying_so(secure_oozie, expiring, app):
    until_expired(expiring)  # the tests before this one have used most of SHORT_LIFE
    run = mrkit("workflow", "run", app, "--engine", "oozie", "--property", "input=/x",
                "--property", "out=/y", env=expiring)  # fmt: skip
    assert run.returncode == 2
    line = one_line(run.stderr)
    assert "the ticket of alice@MRKIT.TEST has expired" in line, line
    assert "kinit as alice@MRKIT.TEST" in line, line


def test_simple_authentication_is_refused(secure_oozie):
    """?user.name=mallory without SPNEGO: 401 and a Negotiate challenge, on the API and on a
    submit (nothing is created)."""
    for method, path in (("GET", "admin/status"), ("POST", "jobs?action=start")):
        sep = "&" if "?" in path else "?"
        answer = requests.request(
            method, f"{secure_oozie.url}/v2/{path}{sep}user.name=mallory", timeout=30
        )
        assert answer.status_code == 401, (path, answer.status_code)
        assert answer.headers.get("WWW-Authenticate") == "Negotiate"


def test_a_refused_ticket_is_one_line_and_exit_2(secure_oozie, kerberos_user, monkeypatch):
    """The server's 401 to mrkit's client (here: its SPNEGO turned off, as for a ticket the
    server does not accept, or one that expired after the client checked it) is NoTicket
    naming the principal, not an HTML page."""
    from mr.clients.oozie import Oozie
    from mr.lib import auth

    for key, value in kerberos_user("alice").items():
        monkeypatch.setenv(key, value)
    client = Oozie(secure_oozie.url)
    assert client.user == "alice" and client.status() == "NORMAL"
    # no SPNEGO and no hadoop.auth cookie from the first answer (it would be enough)
    client.session.auth = None
    client.session.cookies.clear()
    with pytest.raises(auth.NoTicket) as refused:
        client.status()
    message = str(refused.value)
    assert "\n" not in message and "HTTP 401" in message and "kinit as alice@MRKIT.TEST" in message


def test_the_server_holds_only_its_own_keytab(secure_oozie):
    """Oozie's SPNEGO key (HTTP/localhost) comes from oozie.keytab, where the KDC exported it:
    its configuration names no other keytab, so it never holds the Hadoop daemons' keys."""
    import re
    import subprocess as sp

    from mr.engines import oozie, oozie_secure, secure

    site = (oozie.conf_dir(oozie_secure.home()) / "oozie-site.xml").read_text()
    named = set(re.findall(r"/[^<>\s]+\.keytab", site))  # paths, not key names
    assert named == {str(secure.keytab("oozie"))}, named
    listed = sp.run(["klist", "-kt", str(secure.keytab("oozie"))], capture_output=True, text=True)
    principals = {line.split()[-1] for line in listed.stdout.splitlines() if "@" in line}
    assert principals == {secure.OOZIE_PRINCIPAL, secure.HTTP_PRINCIPAL}, listed.stdout
