"""The `oozie_jars` session fixture: Oozie's jars fetched with Maven (scripts/oozie/pom.xml);
it gives oozie-client's jar, whose XSDs mr/workflow/validate.py reads. Fails under CI, skips
otherwise, when the jars cannot be fetched. Tests that use it carry the `oozie_jars` marker.
"""

from __future__ import annotations

import pytest

from tests.plugins.engines import unavailable


@pytest.fixture(scope="session")
def oozie_jars():
    from mr.engines import EngineError
    from mr.workflow.validate import client_jar

    try:
        return client_jar()
    except (EngineError, OSError) as e:
        unavailable("oozie jars", e)
