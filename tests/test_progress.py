"""Progress on stderr (mr/cli/progress.py): on a terminal or when asked, never on a pipe."""

from __future__ import annotations

import pytest

from mr.cli import progress
from mr.cli.progress import PROGRESS_MIN_BYTES, counter, progress_for, shown


def test_a_bar_when_asked_counts_every_byte(capsys):
    with progress_for(3 * 1024 * 1024, "put big.bin", "always") as add:
        assert add is not None
        for _ in range(3):
            add(1024 * 1024)
    err = capsys.readouterr().err
    assert "put big.bin" in err and "100%" in err and "3.00M/3.00M" in err


def test_nothing_on_a_pipe_or_when_told(capsys, monkeypatch):
    monkeypatch.setattr(progress.sys.stderr, "isatty", lambda: False, raising=False)
    with progress_for(PROGRESS_MIN_BYTES * 2, "x", "auto") as add:
        assert add is None
    with progress_for(PROGRESS_MIN_BYTES * 2, "x", "never") as add:
        assert add is None
    with counter("rows", "row") as add:
        assert add is None
    assert capsys.readouterr().err == ""


def test_auto_on_a_terminal_only_for_big_transfers(monkeypatch):
    monkeypatch.setattr(progress.sys.stderr, "isatty", lambda: True, raising=False)
    assert shown("auto", PROGRESS_MIN_BYTES)
    assert not shown("auto", PROGRESS_MIN_BYTES - 1)
    assert not shown("never", PROGRESS_MIN_BYTES)


def test_a_counter_shows_count_and_unit(capsys):
    with counter("load users", "row", "always") as add:
        assert add is not None
        add(5)
        add(7)
    err = capsys.readouterr().err
    assert "load users" in err and "12row" in err


def test_an_unknown_mode_is_an_error():
    with pytest.raises(ValueError, match="expected one of auto, always, never"):
        shown("sometimes")
