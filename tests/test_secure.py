"""The Kerberized cluster (`mrkit cluster up --secure`) and mrkit's clients on it.

One session cluster (tests/plugins/secure.py): a MiniKdc, then HDFS + YARN in secure mode. Users
log in as the README says: `mrkit cluster env --secure --user USER`, then kinit from the keytab.
Covered: libhadoop.so loads; keytabs and secret files are 0600 and no password is on a command
line or in a log; `mrkit hdfs` round trip over SPNEGO (REQUESTS_CA_BUNDLE cannot replace the
cluster's CA); a job on YARN gives the open cluster's golden rows and its tasks hold delegation
tokens, not keytabs; and the refusals: no ticket (`mrkit hdfs`, `-r hadoop`: one line naming
the principal, exit 2), simple authentication (HADOOP_USER_NAME=mallory, ?user.name=mallory),
bob reading alice's 0700 directory.
"""

from __future__ import annotations

import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from mr.lib import config
from tests.plugins.secure import case_input
from tests.support import REPO, mrkit, one_line

pytestmark = pytest.mark.secure

LAUNCHER = str(REPO / "scripts" / "hadoop" / "bin" / "hadoop")


@pytest.fixture
def user_dir(kerberos_user):
    """A fresh directory under /user/alice (made and removed as alice)."""
    env = kerberos_user("alice")
    path = f"/user/alice/t-{uuid.uuid4().hex[:10]}"
    assert mrkit("hdfs", "mkdir", path, env=env).returncode == 0
    yield path
    mrkit("hdfs", "rm", "-r", "-f", path, env=env)


def test_libhadoop_loads():
    """The libhadoop.so of scripts/libhadoop/pom.xml (Trino's build of Hadoop 3.3.5) loads in
    Hadoop 3.4.1's JVM: NativeLibraryChecker says hadoop: true, from that file."""
    from mr.engines import fetch, java_bin, secure

    native = secure.ensure_native()
    lib = fetch("hadoop")
    out = subprocess.run(
        [java_bin(), f"-Djava.library.path={native}", "-cp", f"{lib}/*",
         "org.apache.hadoop.util.NativeLibraryChecker"],
        capture_output=True, text=True,
    )  # fmt: skip
    line = next(x for x in out.stdout.splitlines() if x.startswith("hadoop:"))
    assert line.split()[1] == "true" and str(native / "libhadoop.so") in line, out.stdout


def test_secret_files_are_private_and_off_command_lines(secure_cluster):
    from mr.engines import secure

    keytabs = Path(secure_cluster.keytabs["alice"]).parent
    assert stat.S_IMODE(keytabs.stat().st_mode) == 0o700
    names = sorted(p.name for p in keytabs.iterdir())
    keytab_names = ["cluster.keytab", "oozie.keytab", *[f"{u}.keytab" for u in secure.users()]]
    keytab_names += [f"{name}.keytab" for name in secure.HBASE_PRINCIPALS]  # the secure HBase's
    assert names == sorted(keytab_names)
    server = secure.server_conf_dir()
    secrets = [server / "ssl-server.xml", server / "http-secret", secure.ssl_dir() / "keystore.jks"]
    for path in [*keytabs.iterdir(), *secrets]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    password = secure_value(server / "ssl-server.xml", "ssl.server.keystore.password")
    secret = (server / "http-secret").read_text()
    # the processes mrkit started (KDC, cluster) and their logs
    for pid in (secure_cluster.pid, secure_cluster.kdc_pid):
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode()
        assert password not in argv and secret not in argv
    for log in secure.home().glob("logs/*.log"):
        text = log.read_text(errors="replace")
        assert password not in text and secret not in text, log
    # clients get the truststore without a password
    assert "password" not in (Path(secure_cluster.conf_dir) / "ssl-client.xml").read_text()


def secure_value(site: Path, key: str) -> str:
    import xml.etree.ElementTree as ET

    for prop in ET.parse(site).getroot().iter("property"):
        if prop.findtext("name") == key:
            return prop.findtext("value") or ""
    raise AssertionError(f"{key} not in {site}")


def test_status_names_the_ticket_holder(kerberos_user):
    out = mrkit("cluster", "status", "--secure", env=kerberos_user("alice"))
    assert out.returncode == 0, out.stderr
    assert "Kerberos" in out.stdout and "alice@MRKIT.TEST" in out.stdout
    out = mrkit("cluster", "status", "--secure", env=kerberos_user("alice", ticket=False))
    assert "no valid ticket" in out.stdout


def test_hdfs_round_trip_as_alice(kerberos_user, user_dir, tmp_path):
    # requests would take REQUESTS_CA_BUNDLE over the session's CA: mrkit's session ignores it
    env = {**kerberos_user("alice"), "REQUESTS_CA_BUNDLE": str(tmp_path / "no-such-ca.pem")}
    local = tmp_path / "words.txt"
    local.write_text("kerberos says hello\n")
    put = mrkit("hdfs", "put", str(local), f"{user_dir}/", env=env)
    assert put.returncode == 0, put.stderr
    listed = mrkit("hdfs", "ls", user_dir, env=env)
    assert listed.stdout.split()[-1] == f"{user_dir}/words.txt", listed.stderr
    got = mrkit("hdfs", "get", f"{user_dir}/words.txt", str(tmp_path / "back.txt"), env=env)
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "back.txt").read_text() == "kerberos says hello\n"
    assert mrkit("hdfs", "rm", f"{user_dir}/words.txt", env=env).returncode == 0
    assert mrkit("hdfs", "ls", user_dir, env=env).stdout == ""


def test_hdfs_without_a_ticket_names_the_principal(kerberos_user):
    out = mrkit("hdfs", "ls", "/user", env=kerberos_user("alice", ticket=False))
    assert out.returncode == 2
    line = one_line(out.stderr)
    assert "no valid ticket" in line and "kinit as alice@MRKIT.TEST" in line


def test_simple_authentication_is_refused(secure_cluster, kerberos_user):
    """HADOOP_USER_NAME=mallory and ?user.name=mallory get nothing: not WebHDFS without SPNEGO,
    not the Java client asking for simple authentication, and a ticket holder stays herself."""
    url = f"{secure_cluster.webhdfs_url}/webhdfs/v1/user?op=LISTSTATUS&user.name=mallory"
    answer = requests.get(url, verify=secure_cluster.ca_file, timeout=30)
    assert answer.status_code == 401
    assert answer.headers.get("WWW-Authenticate") == "Negotiate"

    mallory = {**kerberos_user("alice", ticket=False), "HADOOP_USER_NAME": "mallory"}
    assert mrkit("hdfs", "ls", "/user", env=mallory).returncode == 2
    java = subprocess.run(
        [LAUNCHER, "fs", "-D", "hadoop.security.authentication=simple", "-ls", "/user"],
        env=mallory, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert java.returncode != 0
    assert "SIMPLE authentication is not enabled" in java.stderr

    # alice's ticket with ?user.name=mallory: the NameNode believes the ticket, not the name
    home = whoami(kerberos_user("alice"), "GETHOMEDIRECTORY&user.name=mallory")
    assert home == {"Path": "/user/alice"}


def whoami(env: dict[str, str], op: str) -> dict:
    """A WebHDFS GET on / made through mrkit's authenticated session, in a child process with
    the user's environment."""
    code = (
        "import json, os, sys\n"
        "from mr.lib import auth\n"
        "s = auth.webhdfs_session()\n"
        f"r = s.get(os.environ['MRKIT_WEBHDFS_URL'] + '/webhdfs/v1/?op={op}', timeout=30)\n"
        "print(json.dumps(r.json()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    import json

    return json.loads(out.stdout)


def test_bob_cannot_read_alices_private_dir(kerberos_user, user_dir, tmp_path):
    alice, bob = kerberos_user("alice"), kerberos_user("bob")
    private = f"{user_dir}/private"
    code = (
        "import sys\n"
        "from mr.clients.hdfs import client\n"
        "fs = client()\n"
        "fs.mkdir(sys.argv[1])\n"
        "fs.raw.set_permission(sys.argv[1], permission='700')\n"
        "fs.write_bytes(sys.argv[1] + '/secret.txt', b'for alice only')\n"
    )
    made = subprocess.run(
        [sys.executable, "-c", code, private], env=alice, cwd=REPO, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    assert mrkit("hdfs", "cat", f"{private}/secret.txt", env=alice).stdout == "for alice only"
    for args in (("ls", private), ("cat", f"{private}/secret.txt"), ("ls", f"{private}/x")):
        out = mrkit("hdfs", *args, env=bob)
        assert out.returncode == 1, out.stderr
        line = one_line(out.stderr)
        assert "Permission denied: user=bob" in line, line
    # a job of bob's on it: refused at the input check, not "no such path" (the hdfs package's
    # status(strict=False) answered None for a refusal), and before any JVM
    job = subprocess.run(
        [sys.executable, "mr/word_count.py", "-r", "hadoop", f"hdfs://{private}"],
        env=bob, cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert job.returncode == 1
    assert "job failed: Permission denied: user=bob" in one_line(job.stderr)


@pytest.fixture(scope="module")
def root_input(secure_cluster, kerberos_user):
    """The word_count case's input on HDFS, under the OS user's home."""
    from mr.engines import secure

    directory = f"/user/{secure.os_user()}/t-{uuid.uuid4().hex[:10]}"
    yield from case_input(kerberos_user(secure.os_user()), directory)


def test_job_on_yarn_gives_the_golden_rows(root_input):
    """The OS user's principal (its short name is the user the NodeManager runs containers
    as), uber mode as mrkit's default: the rows of the open cluster's golden file."""
    env, directory, case = root_input
    out = subprocess.run(
        [sys.executable, f"mr/{case.job}.py", "-r", "hadoop", *case.args, f"hdfs://{directory}/in/"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    rows = sorted(out.stdout.split("\n")[:-1])
    assert rows == case.expected_rows()


def test_tasks_get_delegation_tokens_not_keytabs(root_input):
    """A streaming task's environment: a token file from YARN, no keytab, no ticket cache."""
    from mr.engines import hadoop, secure

    env, directory, _ = root_input
    output = f"{directory}/env-out"
    run = subprocess.run(
        [LAUNCHER, "jar", str(hadoop.streaming_jar()), "-D", "mapreduce.job.reduces=0",
         "-input", f"{directory}/in", "-output", output, "-mapper", "/usr/bin/env"],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    task_env = mrkit("hdfs", "cat", f"{output}/part-*", env=env).stdout
    names = {line.split("=", 1)[0].strip() for line in task_env.splitlines() if "=" in line}
    assert "HADOOP_TOKEN_FILE_LOCATION" in names
    assert not names & {"KRB5CCNAME", "MRKIT_KEYTAB", "MRKIT_PRINCIPAL"}
    # the cluster's state root, from the NodeManager's environment (its env-whitelist): what a
    # task's `hadoop fs` and an Oozie shell action's `mrkit` find the cluster's files by
    lines = {line.strip() for line in task_env.splitlines()}
    assert f"MRKIT_HOME={config.state_root().resolve()}" in lines
    # streaming exports the job's configuration: no keytab of the cluster is named in it
    # either (the daemons' keytab settings stay out of the clients' configuration; Hadoop's
    # defaults name /etc/security/keytab/*.keytab, which do not exist here)
    assert str(secure.keytab_dir()) not in task_env


def test_job_without_a_ticket_is_one_line(root_input, kerberos_user):
    from mr.engines import secure

    _, directory, case = root_input
    env = kerberos_user(secure.os_user(), ticket=False)
    out = subprocess.run(
        [sys.executable, f"mr/{case.job}.py", "-r", "hadoop", f"hdfs://{directory}/in/"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 2
    line = one_line(out.stderr)
    assert f"kinit as {secure.os_user()}@MRKIT.TEST" in line, line
