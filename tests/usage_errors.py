"""Run a job file as a subprocess to check its launcher errors: exit code 2, one line on stderr."""

from __future__ import annotations

import subprocess
import sys

from tests.support import REPO


def usage_error(stem: str, *args: str) -> str:
    """Run `python mr/<stem>.py -r inline ARGS`; assert exit 2 and one error line; return it.

    argparse's own errors (a bad choice, a value that is not an int) are one line too.
    """
    proc = subprocess.run(
        [sys.executable, str(REPO / "mr" / f"{stem}.py"), "--no-conf", "-r", "inline", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1, proc.stderr
    assert ": error: " in lines[0], proc.stderr
    return lines[0]
