"""The `secure_hbase` session fixture: the Kerberized HBase of `mrkit hbase up --secure` and
its SASL/GSSAPI Thrift gateway, on the session's secure cluster (its KDC).

Started once for the session (or reused when one runs, and then left running) and stopped at
its end. `hbase_user(user, ticket=True)` gives the environment of an HBase client acting as
`user`: `kerberos_user`'s (its own ticket cache) plus `mrkit hbase env --secure`'s.
"""

from __future__ import annotations

import pytest

from tests.plugins.engines import session_engine


@pytest.fixture(scope="session")
def secure_hbase(secure_cluster):
    from mr.engines import hbase_secure as engine

    with session_engine("hbase-secure", engine.info, engine.up, engine.down) as state:
        yield state


@pytest.fixture(scope="session")
def hbase_user(secure_hbase, kerberos_user):
    """hbase_user(user, ticket=True) -> the environment of an HBase client acting as `user`."""

    def env_for(user: str, ticket: bool = True) -> dict[str, str]:
        return {**kerberos_user(user, ticket), **secure_hbase.env()}

    return env_for
