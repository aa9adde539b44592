"""The `secure_hbase` session fixture: the Kerberized HBase of `mrkit hbase up --secure` and
its SASL/GSSAPI Thrift gateway, on the session's secure cluster (its KDC).

Started once for the session (or reused when one runs, and then left running) and stopped at
its end. `hbase_user(user, ticket=True)` gives the environment of an HBase client acting as
`user`: `kerberos_user`'s (its own ticket cache) plus `mrkit hbase env --secure`'s.
"""

from __future__ import annotations

import pytest

from tests.plugins.engines import unavailable


@pytest.fixture(scope="session")
def secure_hbase(secure_cluster):
    from mr.engines import EngineError
    from mr.engines import hbase_secure as engine

    running = engine.info()
    if running is not None:
        yield running
        return
    try:
        state = engine.up()
    except (EngineError, OSError) as e:
        unavailable("hbase-secure", e)
        return
    try:
        yield state
    finally:
        engine.down()


@pytest.fixture(scope="session")
def hbase_user(secure_hbase, kerberos_user):
    """hbase_user(user, ticket=True) -> the environment of an HBase client acting as `user`."""

    def env_for(user: str, ticket: bool = True) -> dict[str, str]:
        return {**kerberos_user(user, ticket), **secure_hbase.env()}

    return env_for
