"""The `hive_engine` session fixture: Hive's jars fetched, its config and metastore template
written once per session (mr.engines.hive); fails under CI, skips otherwise, when Hive cannot run.
"""

from __future__ import annotations

import pytest

from tests.plugins.engines import unavailable


@pytest.fixture(scope="session")
def hive_engine():
    from mr.engines import EngineError
    from mr.engines import hive as engine

    try:
        engine.prepare()
        engine.metastore_template()
    except (EngineError, OSError) as e:
        unavailable("hive", e)
        return
    return engine
