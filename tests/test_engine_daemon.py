"""How every engine's process is stopped (mr.engines.Daemon): with its whole tree, also a child
that left its session. Hadoop's NodeManager starts each YARN container with setsid; `mrkit
cluster down` killed the cluster's process group only and left running applications' containers
behind, orphaned. And when it counts as running: not once it has exited, reaped or not."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from mr.engines import Daemon, running


def test_stop_takes_a_child_in_a_session_of_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv("MRKIT_HOME", str(tmp_path))
    daemon = Daemon("demo", "server")
    child_file = tmp_path / "child.pid"
    # the "server" starts a "container" in a new session, as YARN's DefaultContainerExecutor
    pid = daemon.start(
        ["sh", "-c", f"setsid sleep 300 & echo $! > {child_file}; wait"], cwd=tmp_path
    )
    deadline = time.monotonic() + 10
    while not child_file.is_file() or not child_file.read_text().strip():
        assert time.monotonic() < deadline, "the child did not start"
        time.sleep(0.05)
    child = int(child_file.read_text())
    assert running(child)
    assert daemon.stop(timeout=5)
    assert not running(pid)
    assert not running(child)
    assert daemon.pid() is None


#: a Python that forks a child that exits at once, says its pid and never waits for it
LEAVES_A_ZOMBIE = """\
import os, time
pid = os.fork()
if not pid:
    os._exit(0)
print(pid, flush=True)
time.sleep(30)
"""


def _wait_zombie(pid: int) -> None:
    """Until pid has exited and is not reaped yet (state Z in /proc/<pid>/stat)."""
    deadline = time.monotonic() + 10
    while True:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat[stat.rindex(")") + 2] == "Z":
            return
        assert time.monotonic() < deadline, f"{pid} did not exit"
        time.sleep(0.05)


def test_a_child_that_exited_unreaped_is_not_running(tmp_path, monkeypatch):
    monkeypatch.setenv("MRKIT_HOME", str(tmp_path))
    daemon = Daemon("demo", "server")
    # killed after start() returned: a child that ended before would be reaped when start()'s
    # Popen object is dropped (Popen.__del__ polls it)
    pid = daemon.start(["sleep", "30"], cwd=tmp_path)
    os.kill(pid, signal.SIGKILL)
    _wait_zombie(pid)  # our child: a zombie until someone waits for it
    assert not daemon.running()
    assert daemon.pid() is None


def test_a_zombie_of_another_parent_is_not_running(tmp_path, monkeypatch):
    monkeypatch.setenv("MRKIT_HOME", str(tmp_path))
    daemon = Daemon("demo", "server")
    parent = subprocess.Popen([sys.executable, "-c", LEAVES_A_ZOMBIE], stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None
        zombie = int(parent.stdout.readline())
        _wait_zombie(zombie)
        daemon.pidfile.write_text(str(zombie))
        assert not daemon.running()
    finally:
        parent.kill()
        parent.wait()
