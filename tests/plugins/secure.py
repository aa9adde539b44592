"""The `secure_cluster` session fixture: the Kerberized cluster of `mrkit cluster up --secure`.

A MiniKdc (realm MRKIT.TEST) and HDFS + YARN in secure mode, started once for the session (or
reused when one runs, and then left running) and stopped at its end. Its ports are its own
(MRKIT_SECURE_*_PORT), disjoint from the open cluster's, so both session clusters can run at
once. `kerberos_user` gives a user's client environment, as `mrkit cluster env --secure --user
USER` prints it, logged in with kinit from the user's keytab (or not, with ticket=False: an
empty ticket cache of its own). `secure_oozie`: the Kerberized Oozie of `mrkit oozie up
--secure` on that cluster, once per session. `short_ticket` gives a user's environment with a
ticket that expires SHORT_LIFE seconds later, `until_expired` waits for that; `case_input` puts
a case's input on HDFS as a user, for one test module.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cases import load_case
from tests.plugins.engines import session_engine
from tests.support import mrkit


@pytest.fixture(scope="session")
def secure_cluster():
    from mr.engines import secure as engine

    with session_engine("hadoop-secure", engine.info, engine.up, engine.down) as state:
        yield state


@pytest.fixture(scope="session")
def kerberos_user(secure_cluster, tmp_path_factory):
    """kerberos_user(user, ticket=True) -> the environment of a client acting as `user`."""
    made: dict[tuple[str, bool], dict[str, str]] = {}

    def env_for(user: str, ticket: bool = True) -> dict[str, str]:
        if (user, ticket) in made:
            return made[(user, ticket)]
        printed = mrkit("cluster", "env", "--secure", "--user", user)
        assert printed.returncode == 0, printed.stderr
        env = dict(os.environ)
        for line in printed.stdout.splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            env[key] = shlex.split(value)[0]
        # each test user's own ticket cache, not the cluster's shared one
        cache = tmp_path_factory.mktemp("krb5cc") / f"{user}-{uuid.uuid4().hex[:8]}"
        env["KRB5CCNAME"] = f"FILE:{cache}"
        if ticket:
            subprocess.run(
                ["kinit", "-kt", env["MRKIT_KEYTAB"], env["MRKIT_PRINCIPAL"]],
                env=env,
                check=True,
                capture_output=True,
            )
        made[(user, ticket)] = env
        return env

    return env_for


@pytest.fixture(scope="session")
def secure_oozie(secure_cluster):
    """The Kerberized Oozie of `mrkit oozie up --secure` on the session's secure cluster,
    started once (or reused when one runs on it, and then left running) and stopped at the
    end."""
    from mr.engines import oozie_secure as engine

    def on_this_cluster(running) -> bool:
        return running.hadoop_pid == secure_cluster.pid

    with session_engine(
        "oozie-secure", engine.info, engine.up, engine.down, reuse=on_this_cluster
    ) as state:
        yield state


#: how long a ticket of `short_ticket` lives: the MiniKdc refused 4 s and less ("Requested
#: effective lifetime is negative or too short")
SHORT_LIFE = 10


@pytest.fixture(scope="session")
def short_ticket(kerberos_user, tmp_path_factory):
    """short_ticket(user) -> the environment of `user` with a ticket of its own, taken now, that
    lives SHORT_LIFE seconds."""

    def env_for(user: str) -> dict[str, str]:
        env = dict(kerberos_user(user, ticket=False))
        env["KRB5CCNAME"] = f"FILE:{tmp_path_factory.mktemp('krb5cc') / 'short'}"
        keytab, principal = env["MRKIT_KEYTAB"], env["MRKIT_PRINCIPAL"]
        kinit = ["kinit", "-l", f"{SHORT_LIFE}s", "-kt", keytab, principal]
        subprocess.run(kinit, env=env, check=True, capture_output=True)
        return env

    return env_for


def until_expired(env: dict[str, str]) -> None:
    """Wait until the ticket in env's cache has expired."""
    while subprocess.run(["klist", "-s"], env=env).returncode == 0:
        time.sleep(0.5)


def case_input(env: dict[str, str], directory: str, stem: str = "word_count") -> Iterator[Any]:
    """(env, directory, case): the case's input put in directory/in/ with env's ticket, and
    directory removed at the end (a module fixture's body: `yield from`)."""
    case = load_case(stem)
    put = mrkit("hdfs", "put", *case.inputs, f"{directory}/in/", env=env)
    assert put.returncode == 0, put.stderr
    yield env, directory, case
    mrkit("hdfs", "rm", "-r", "-f", directory, env=env)
