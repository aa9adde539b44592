"""Engine fixtures: one real server per test session, stopped at the end (also on failure).

A fixture that cannot start its engine skips its tests locally, and fails them under CI=true or
MRKIT_REQUIRE_ENGINES=1 (set by scripts/test).
"""

import pytest

from tests.support import engines_required


def unavailable(engine: str, error: Exception):
    """Fail under CI, skip otherwise, with the engine's own error message."""
    message = f"{engine} is not available: {error}"
    if engines_required():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
