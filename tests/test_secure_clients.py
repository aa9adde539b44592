"""The Hive and Pig twins (`--cluster`) and `mrkit import|export mysql` (hdfs://) on the Kerberized
cluster, and the refusals without a valid ticket: none, or an expired one (and what `mrkit
cluster status --secure` says of it).

The session's secure cluster (tests/plugins/secure.py), as the OS user's principal (its short
name is the user YARN runs containers as, as in tests/test_secure.py). Inputs are the word_count
case's (a few hundred bytes): the twins' rows must equal its golden rows. An expired ticket is a
real one (tests/plugins/secure.py `short_ticket`: kinit for 10 s), taken when the module starts,
so that the tests before the expiry test use up the wait.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest

from tests.plugins.secure import case_input, until_expired
from tests.support import REPO, mrkit, one_line

pytestmark = pytest.mark.secure


@pytest.fixture(scope="module")
def expiring(short_ticket):
    """The OS user's environment with a ticket that expires SHORT_LIFE seconds after the
    module's start."""
    from mr.engines import secure

    return short_ticket(secure.os_user())


@pytest.fixture(scope="module")
def home_input(secure_cluster, kerberos_user, expiring):
    """(env, directory, case): the word_count case's input on HDFS under the OS user's home."""
    from mr.engines import secure

    directory = f"/user/{secure.os_user()}/t-{uuid.uuid4().hex[:10]}"
    yield from case_input(kerberos_user(secure.os_user()), directory)


def hdfs_part_rows(env: dict[str, str], directory: str) -> list[str]:
    listed = mrkit("hdfs", "ls", directory, env=env)
    assert listed.returncode == 0, listed.stderr
    names = sorted(line.split()[-1].rsplit("/", 1)[-1] for line in listed.stdout.splitlines())
    assert names[0] == "_SUCCESS" and names[1:] == [f"part-{i:05d}" for i in range(len(names) - 1)]
    out = mrkit("hdfs", "cat", f"{directory}/part-*", env=env)
    assert out.returncode == 0, out.stderr
    return sorted(out.stdout.split("\n")[:-1])


@pytest.mark.parametrize(
    "engine",
    [pytest.param("pig", marks=pytest.mark.pig), pytest.param("hive", marks=pytest.mark.hive)],
)
def test_twin_on_the_secure_cluster_gives_the_golden_rows(request, engine, home_input):
    """Pig in MapReduce mode and Hive (embedded metastore, MR on YARN) with the user's ticket:
    their JVM needs the cluster's krb5.conf (without it: "No rules applied to root@MRKIT.TEST")."""
    request.getfixturevalue(f"{engine}_engine")
    env, directory, case = home_input
    output = f"{directory}/{engine}-out"
    done = mrkit(engine, "run", case.name, "--cluster", "--input", f"{directory}/in",
                 "--output", output, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert hdfs_part_rows(env, output) == case.expected_rows()


@pytest.mark.mysql
def test_import_into_hdfs_and_export_back(home_input, mysql_db, mysql_conn):
    """`mrkit import mysql` into hdfs:// and `mrkit export mysql` from it, over SPNEGO WebHDFS:
    the table comes back as it was (NULL, a tab, non-ASCII)."""
    env, directory, _ = home_input
    rows = [(1, "plain"), (2, "a\tb"), (3, None), (4, "caf\u00e9"), (5, "")]
    with mysql_conn.cursor() as cur:
        cur.execute("CREATE TABLE src (id INT PRIMARY KEY, txt VARCHAR(20) NULL)")
        cur.executemany("INSERT INTO src VALUES (%s, %s)", rows)
        cur.execute("CREATE TABLE back LIKE src")
    target = f"hdfs://{directory}/imported"
    url = ["--url", mysql_db.url]
    imported = mrkit("import", "mysql", *url, "--table", "src", "-m", "2",
                     "--target-dir", target, env=env)  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    assert "5 rows in 2 splits" in imported.stderr
    exported = mrkit("export", "mysql", target, "--table", "back", *url, env=env)
    assert exported.returncode == 0, exported.stderr
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT id, txt FROM back ORDER BY id")
        assert [tuple(r) for r in cur.fetchall()] == rows


def refused(command: str, directory: str) -> list[str]:
    """Each client's command line, on the secure cluster's HDFS."""
    return {
        "hdfs": [sys.executable, "-m", "mr.cli", "hdfs", "ls", directory],
        "job": [sys.executable, "mr/word_count.py", "-r", "hadoop", f"hdfs://{directory}/in/"],
        "pig": [sys.executable, "-m", "mr.cli", "pig", "run", "word_count", "--cluster",
                "--input", f"{directory}/in", "--output", f"{directory}/refused"],
        "hive": [sys.executable, "-m", "mr.cli", "hive", "run", "word_count", "--cluster",
                 "--input", f"{directory}/in", "--output", f"{directory}/refused"],
        "import": [sys.executable, "-m", "mr.cli", "import", "mysql", "--table", "t",
                   "--target-dir", f"hdfs://{directory}/refused"],
        "export": [sys.executable, "-m", "mr.cli", "export", "mysql", f"hdfs://{directory}/in",
                   "--table", "t"],
    }[command]  # fmt: skip


COMMANDS = ("hdfs", "job", "pig", "hive", "import", "export")


# `mrkit hdfs` and `-r hadoop` without a ticket: tests/test_secure.py
@pytest.mark.parametrize("command", ["pig", "hive", "import", "export"])
def test_no_ticket_is_one_line_naming_the_principal(command, home_input, kerberos_user):
    """Before any JVM or MySQL connection: exit 2, one line, whom to kinit as."""
    from mr.engines import secure

    _, directory, _ = home_input
    env = kerberos_user(secure.os_user(), ticket=False)
    out = subprocess.run(refused(command, directory), env=env, cwd=REPO, capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert out.returncode == 2, out.stderr
    line = one_line(out.stderr)
    assert "no valid ticket" in line and f"kinit as {secure.os_user()}@MRKIT.TEST" in line, line


@pytest.mark.parametrize("command", COMMANDS)
def test_an_expired_ticket_is_one_line_saying_so(command, home_input, expiring):
    """A ticket that expired: told from none, its holder named; exit 2, one line."""
    from mr.engines import secure

    _, directory, _ = home_input
    until_expired(expiring)
    out = subprocess.run(refused(command, directory), env=expiring, cwd=REPO,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert out.returncode == 2, out.stderr
    principal = f"{secure.os_user()}@MRKIT.TEST"
    line = one_line(out.stderr)
    assert f"the ticket of {principal} has expired" in line and f"kinit as {principal}" in line


def test_status_tells_an_expired_ticket_from_none(secure_cluster, expiring):
    """`mrkit cluster status --secure` names whose ticket expired (it said "no valid ticket")."""
    from mr.engines import secure

    until_expired(expiring)
    out = mrkit("cluster", "status", "--secure", env=expiring)
    assert out.returncode == 0, out.stderr
    cache = expiring["KRB5CCNAME"]
    assert f"{cache}: the ticket of {secure.os_user()}@MRKIT.TEST has expired" in out.stdout
    status = json.loads(mrkit("cluster", "status", "--secure", "--json", env=expiring).stdout)
    assert status["ticket"] is None
    assert status["ticket_expired"] == f"{secure.os_user()}@MRKIT.TEST"
