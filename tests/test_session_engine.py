"""The shape of the session engine fixtures (tests/plugins/engines.py `session_engine`): an
engine found running is reused and left running, one started is stopped at the end (also when
the block fails), and one that cannot start fails the tests under CI, skips them otherwise."""

import pytest

from mr.engines import EngineError
from tests.plugins.engines import session_engine


class Engine:
    def __init__(self, running: str | None = None, error: Exception | None = None):
        self.running, self.error, self.calls = running, error, []

    def info(self):
        return self.running

    def up(self):
        self.calls.append("up")
        if self.error:
            raise self.error
        return "started"

    def down(self):
        self.calls.append("down")


def test_a_running_engine_is_reused_and_left_running():
    engine = Engine(running="found")
    with session_engine("demo", engine.info, engine.up, engine.down) as state:
        assert state == "found"
    assert engine.calls == []


def test_one_reuse_refuses_is_started_and_stopped():
    engine = Engine(running="stale")
    with session_engine("demo", engine.info, engine.up, engine.down, reuse=lambda s: False) as s:
        assert s == "started"
    assert engine.calls == ["up", "down"]


def test_what_the_session_started_is_stopped_when_it_fails():
    engine = Engine()
    with pytest.raises(KeyboardInterrupt):
        with session_engine("demo", engine.info, engine.up, engine.down):
            raise KeyboardInterrupt
    assert engine.calls == ["up", "down"]


@pytest.mark.parametrize("ci", ["true", ""])
def test_an_engine_that_cannot_start_fails_under_ci_and_skips_otherwise(ci, monkeypatch):
    monkeypatch.setenv("CI", ci)
    monkeypatch.delenv("MRKIT_REQUIRE_ENGINES", raising=False)
    engine = Engine(error=EngineError("no java"))
    outcome = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(outcome, match="demo is not available: no java"):
        with session_engine("demo", engine.info, engine.up, engine.down):
            raise AssertionError("not reached")
    assert engine.calls == ["up"]
