"""How every engine's process is stopped (mr.engines.Daemon): with its whole tree, also a child
that left its session. Hadoop's NodeManager starts each YARN container with setsid; `mrkit
cluster down` killed the cluster's process group only and left running applications' containers
behind, orphaned."""

import time

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
