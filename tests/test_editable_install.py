"""The editable install scripts/bootstrap makes: quiet (setuptools warned about its import
hook in a box in the test command's output), and `mr` imported from the checkout."""

import subprocess
import sys
import venv

from tests.support import REPO


def test_editable_install_is_quiet_and_imports_the_checkout(tmp_path):
    venv.create(tmp_path / "v", with_pip=False)
    python = tmp_path / "v" / "bin" / "python"
    # the dev venv's pip (bootstrap upgrades it: a newer pip shows the build backend's
    # warnings), installing into the new venv
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
         "--disable-pip-version-check", "-e", str(REPO)],  # fmt: skip
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout + done.stderr == ""
    where = subprocess.run(
        [python, "-c", "import mr; print(mr.__file__)"],
        capture_output=True, text=True, cwd=tmp_path, check=True,
    )  # fmt: skip
    assert where.stdout.strip() == str(REPO / "mr" / "__init__.py")
