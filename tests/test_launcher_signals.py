"""SIGTERM in mrkit's launcher (mr/lib/launcher.py): the launcher unwinds as on Ctrl-C, and a
process forked from it (mrjob's local task pool) has SIGTERM's default action, from the kernel.

Why the second matters: mrjob terminates its pool after a failed task while the launcher holds
the pool's queue lock; a worker that kept the launcher's Python handler and got the SIGTERM
between its sem_trywait and sem_wait on that lock ran no handler and lived on, and the launcher
waited for it for ever (a failing job under Airflow that never ended, seen once in a CI run).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

CHILD_BLOCKED_ON_A_LOCK = textwrap.dedent(
    """
    import multiprocessing, os, signal, sys, time
    from mr.lib import launcher

    signal.signal(signal.SIGTERM, launcher._terminated)  # as Launcher.run_job installs it
    lock = multiprocessing.Lock()
    lock.acquire()  # held by the launcher, as mrjob's pool holds its queue lock
    pid = os.fork()
    if pid == 0:
        lock.acquire()  # blocks in sem_wait until killed
        os._exit(0)
    time.sleep(0.3)
    with open(f"/proc/{pid}/status") as f:
        caught = int(next(l for l in f if l.startswith("SigCgt:")).split()[1], 16)
    print("child catches SIGTERM:", bool(caught & (1 << (signal.SIGTERM - 1))))
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            print("child killed by signal", os.WTERMSIG(status))
            sys.exit(0)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    print("child outlived SIGTERM")
    """
)


def test_a_child_forked_from_the_launcher_dies_of_sigterm_at_once():
    done = subprocess.run(
        [sys.executable, "-c", CHILD_BLOCKED_ON_A_LOCK], capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "child catches SIGTERM: False",
        f"child killed by signal {int(signal.SIGTERM)}",
    ]


def test_the_launcher_itself_keeps_its_handler_after_a_fork():
    code = textwrap.dedent(
        """
        import os, signal
        from mr.lib import launcher

        signal.signal(signal.SIGTERM, launcher._terminated)
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        print(signal.getsignal(signal.SIGTERM) is launcher._terminated)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "True\n"), done.stderr
