"""The `pig_engine` session fixture: Pig's jars fetched and its config written once per session
(mr.engines.pig); fails under CI, skips otherwise, when Pig cannot run.
"""

from __future__ import annotations

import pytest

from tests.plugins.engines import unavailable


@pytest.fixture(scope="session")
def pig_engine():
    from mr.engines import EngineError
    from mr.engines import pig as engine

    try:
        engine.prepare()
    except (EngineError, OSError) as e:
        unavailable("pig", e)
        return
    return engine
