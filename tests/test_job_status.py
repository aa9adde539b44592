"""The live status line of a job run on a terminal (mr/lib/job_status.py)."""

from __future__ import annotations

import fcntl
import io
import logging
import os
import pty
import select
import struct
import subprocess
import sys
import termios

from mr.lib import job_status
from mr.lib.job_status import JobStatus
from tests.support import REPO


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("mrjob.hadoop", logging.INFO, __file__, 0, message, None, None)


def test_the_line_follows_steps_and_yarn_percentages():
    out = io.StringIO()
    status = JobStatus("word_count", stream=out, tick=60)
    try:
        assert status.text == "word_count: starting"
        status.handle(record("Running step 1 of 2..."))
        assert status.text == "word_count: step 1/2"
        status.handle(record("  map 50% reduce 0%"))
        assert status.text == "word_count: step 1/2, map 50% reduce 0%"
        status.handle(record("  Submitted application application_1_0001"))  # not progress
        assert status.text == "word_count: step 1/2, map 50% reduce 0%"
        status.handle(record("Running step 2 of 2..."))
        assert status.text == "word_count: step 2/2"
    finally:
        status.close()
    assert "word_count: step 2/2" in out.getvalue()


def test_no_line_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert job_status.start("word_count") is None
    job_status.stop(None)


def _run_on_a_terminal(argv: list[str]) -> tuple[int, str]:
    """Run argv with stdout and stderr on a pseudo-terminal; (exit code, what it showed)."""
    leader, follower = pty.openpty()
    # a terminal 100 columns wide (a new pty has 0, and a line is cut to the width)
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
                            cwd=REPO)  # fmt: skip
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 300)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other side closed: the process is done
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    return proc.wait(timeout=60), shown.decode(errors="replace")


def test_a_run_on_a_terminal_shows_its_step_then_the_rows(tmp_path):
    data = tmp_path / "in.txt"
    data.write_text("a b\na\n")
    code, shown = _run_on_a_terminal(
        [sys.executable, str(REPO / "mr" / "word_count.py"), "-r", "local", str(data)]
    )
    assert code == 0, shown
    assert "word_count: step 1/1" in shown
    rows = shown[shown.rindex("word_count: step 1/1") :]
    assert "a\t2" in rows and "b\t1" in rows  # after the line went away
    assert "Running step" not in shown  # mrjob's own line stays behind -v
