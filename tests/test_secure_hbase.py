"""The Kerberized HBase (`mrkit hbase up --secure`) through its SASL/GSSAPI Thrift gateway.

One session HBase (tests/plugins/secure_hbase.py) on the secure cluster's KDC. The OS user
running mrkit (HBase's superuser) loads a table with `mrkit index load` and looks a key up; bob,
who has no grants, is refused by HBase under his own name (the gateway calls HBase as the caller,
a proxy user); no ticket: one line naming the principal, exit 2; a plain (non-SASL) client is
refused by the gateway.
"""

from __future__ import annotations

import getpass
import uuid

import pytest

from tests.support import mrkit

pytestmark = pytest.mark.secure

ROWS = {"the": "2", "quick": "1", "fox": "7"}


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


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
