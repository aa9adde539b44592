"""The Kerberized HBase (`mrkit hbase up --secure`) through its SASL/GSSAPI Thrift gateway.

One session HBase (tests/plugins/secure_hbase.py) on the secure cluster's KDC. The OS user
running mrkit (HBase's superuser) loads a table with `mrkit index load` and looks a key up; bob,
who has no grants, is refused by HBase under his own name (the gateway calls HBase as the caller,
a proxy user); no ticket: one line naming the principal, exit 2; a plain (non-SASL) client is
refused by the gateway. Delegation tokens: a client with no ticket but a token (a YARN task's
situation) is served as the token's owner until the token is cancelled; hbase_join on the secure
YARN reads the index from its tasks with the token its launcher obtained.
"""

from __future__ import annotations

import base64
import getpass
import stat
import subprocess
import sys
import uuid
from dataclasses import replace

import pytest

from tests.support import REPO, mrkit, one_line

pytestmark = pytest.mark.secure

ROWS = {"the": "2", "quick": "1", "fox": "7"}


@pytest.fixture(scope="module")
def loaded_table(hbase_user, tmp_path_factory):
    """A table of ROWS loaded by the OS user with `mrkit index load` (inline runner)."""
    table = f"t_sec_{uuid.uuid4().hex[:8]}"
    tsv = tmp_path_factory.mktemp("sechbase") / "counts.tsv"
    tsv.write_text("".join(f"{k}\t{v}\n" for k, v in ROWS.items()))
    loaded = mrkit("index", "load", table, str(tsv), "--columns", "f:count",
                   env=hbase_user(getpass.getuser()))  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout == f"{table}\t{len(ROWS)}\n"
    return table


def test_load_and_get_over_sasl(loaded_table, hbase_user):
    env = hbase_user(getpass.getuser())
    got = mrkit("index", "get", loaded_table, "fox", env=env)
    assert got.returncode == 0, got.stderr
    assert got.stdout == "f:count\t7\n"
    scanned = mrkit("index", "scan", loaded_table, "--prefix", "", env=env)
    assert scanned.returncode == 0, scanned.stderr
    assert sorted(scanned.stdout.splitlines()) == sorted(
        f"{k}\tf:count\t{v}" for k, v in ROWS.items()
    )


def test_the_gateway_acts_as_the_caller(loaded_table, hbase_user, secure_hbase):
    """bob authenticates to the gateway, and HBase refuses bob (not the gateway's thrift user,
    not the table's owner): the gateway called HBase as bob, its proxy user."""
    from mr.engines import hbase_secure

    refused = mrkit("index", "get", loaded_table, "fox", "--retries", "0", env=hbase_user("bob"))
    assert refused.returncode == 1
    line = one_line(refused.stderr)
    assert f"Insufficient permissions for user 'bob' (table={loaded_table}, action=READ)" in line
    log = hbase_secure.master().log.read_text()
    assert "ugi=bob (auth:PROXY) via thrift/localhost@MRKIT.TEST (auth:KERBEROS)" in log


@pytest.mark.parametrize("action", ["get", "load"])
def test_no_ticket_is_one_line_exit_2(action, hbase_user, tmp_path):
    env = hbase_user("alice", ticket=False)
    args = ["fox"] if action == "get" else [str(tmp_path / "none.tsv")]
    result = mrkit("index", action, "t_none", *args, env=env)
    assert result.returncode == 2
    assert "kinit as alice@MRKIT.TEST" in one_line(result.stderr)


def test_a_plain_client_is_refused(hbase_user, secure_hbase):
    from mr.engines import hbase_secure

    env = hbase_user(getpass.getuser())
    result = mrkit("index", "get", "t_any", "fox", "--hbase-sasl", "off", "--retries", "0", env=env)
    assert result.returncode == 1
    assert "its answer is not Thrift" in one_line(result.stderr)
    assert "refused a Thrift client: not a SASL client" in hbase_secure.thrift().log.read_text()


# -- delegation tokens: a job's tasks have no ticket ------------------------------------------

#: a client of the gateway in a fresh Python, as a task would be (its env says where)
TOKEN_CALL = """
import sys
from pathlib import Path
from mr.clients.hbase import Index
from mr.lib import tokens
index = Index(pool_size=1, retries=0)
action, path = sys.argv[1], Path(sys.argv[2])
if action == "obtain":
    tokens.save_credentials(path, {"hbase": index.delegation_token("alice")})
elif action == "cancel":
    (token,) = tokens.read_credentials(path.read_bytes()).values()
    index.cancel_token(token)
elif action == "obtain-again":
    index.delegation_token("alice")
"""


def token_call(action: str, path, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", TOKEN_CALL, action, str(path)],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_token_stands_in_for_the_ticket_until_cancelled(loaded_table, hbase_user, tmp_path):
    """alice obtains a token with her ticket; a client with no ticket but the token (as a YARN
    task: HADOOP_TOKEN_FILE_LOCATION) reads as alice; it cannot get a token of its own with it;
    a forged copy and, once alice cancels it, the token itself are refused in one line."""
    from mr.engines import hbase_secure
    from mr.lib import tokens

    creds = tmp_path / "alice.tokens"
    obtained = token_call("obtain", creds, hbase_user("alice"))
    assert obtained.returncode == 0, obtained.stderr
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    (token,) = tokens.read_credentials(creds.read_bytes()).values()
    assert token.kind == tokens.HBASE_THRIFT_KIND and token.owner() == "alice@MRKIT.TEST"

    task_env = {**hbase_user("alice", ticket=False), tokens.TOKEN_FILE_ENV: str(creds)}
    # the gateway served the token's owner: HBase refuses alice (no grants), not a missing ticket
    got = mrkit("index", "get", loaded_table, "fox", "--retries", "0", env=task_env)
    assert got.returncode == 1, got.stderr
    assert f"Insufficient permissions for user 'alice' (table={loaded_table}" in got.stderr
    log = hbase_secure.thrift().log.read_text()
    assert "SASL: alice@MRKIT.TEST authenticated (token), acting as alice" in log
    for secret in (token.password.hex(), base64.b64encode(token.password).decode()):
        assert secret not in log and secret not in got.stderr

    again = token_call("obtain-again", creds, task_env)
    assert again.returncode == 1 and "tokens are issued to Kerberos-authenticated" in again.stderr

    forged = tmp_path / "forged.tokens"
    tokens.save_credentials(forged, {"hbase": replace(token, password=b"\0" * 20)})
    refused = mrkit("index", "get", loaded_table, "fox", "--retries", "0",
                    env={**task_env, tokens.TOKEN_FILE_ENV: str(forged)})  # fmt: skip
    assert refused.returncode == 1
    assert "does not match the token's password" in one_line(refused.stderr)

    cancelled = token_call("cancel", creds, hbase_user("alice"))
    assert cancelled.returncode == 0, cancelled.stderr
    refused = mrkit("index", "get", loaded_table, "fox", "--retries", "0", env=task_env)
    assert refused.returncode == 1
    assert "is cancelled or unknown" in one_line(refused.stderr)


def test_hbase_join_on_yarn_reads_the_index_with_a_token(loaded_table, hbase_user, tmp_path):
    """hbase_join -r hadoop on the secure cluster: its tasks (no ticket) look the keys up with
    the token the launcher obtained; the launcher cancels it when the job ends."""
    from mr.engines import hbase_secure, secure

    env = hbase_user(secure.os_user())
    directory = f"/user/{secure.os_user()}/t-{uuid.uuid4().hex[:10]}"
    words = tmp_path / "words.tsv"
    words.write_text("fox\tNN\nthe\tDT\nunicorn\tNN\n")
    assert mrkit("hdfs", "put", str(words), f"{directory}/in/", env=env).returncode == 0
    log_before = len(hbase_secure.thrift().log.read_text())
    try:
        out = subprocess.run(
            [sys.executable, "mr/hbase_join.py", "-r", "hadoop", "--table", loaded_table,
             "--columns", "f:count", f"hdfs://{directory}/in/"],
            env=env, cwd=REPO, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    finally:
        mrkit("hdfs", "rm", "-r", "-f", directory, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert sorted(out.stdout.splitlines()) == ["fox\tNN\t7", "the\tDT\t2"]
    log = hbase_secure.thrift().log.read_text()[log_before:]
    principal = f"{secure.os_user()}@MRKIT.TEST"
    assert f"issued a token to {principal}" in log
    assert f"SASL: {principal} authenticated (token), acting as {secure.os_user()}" in log
    assert f"{principal} cancelled a token" in log


def test_an_airflow_connection_reaches_the_secure_gateway(loaded_table, hbase_user, kerberos_user):
    """The provider's mrkit_hbase connection with extra sasl and sasl_service gives `mrkit
    index` all it needs (the worker's ticket aside): no MRKIT_HBASE_* in the environment."""
    from types import SimpleNamespace

    from mr.airflow import settings
    from mr.engines import secure

    state = hbase_user(secure.os_user())
    connection = SimpleNamespace(
        host=state["MRKIT_HBASE_HOST"], port=int(state["MRKIT_HBASE_THRIFT_PORT"]), login=None,
        password=None, schema=None, extra_dejson={"sasl": "auth", "sasl_service": "thrift"},
    )  # fmt: skip
    hbase = settings.hbase_settings(connection)
    user = kerberos_user(secure.os_user())
    env = {**{k: v for k, v in user.items() if not k.startswith("MRKIT_HBASE_")}, **hbase.env()}
    got = mrkit("index", "get", loaded_table, "fox", *hbase.cli_args(), env=env)
    assert got.returncode == 0, got.stderr
    assert got.stdout == "f:count\t7\n"
