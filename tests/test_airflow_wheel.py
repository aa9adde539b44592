"""`pip install mrkit[airflow]` next to apache-airflow 3.3.2: no conflicts, and Airflow lists
mrkit as a provider.

mrkit's wheel, built from this repo, goes with its airflow extra into a fresh venv layered on
the Airflow venv of `mrkit airflow up` (a .pth file puts that venv's site-packages on the
path: a copy that costs nothing). pip must install mrkit alone, replacing nothing it finds
there, and `pip check` must be clean; then `airflow providers list` of that venv names mrkit,
found through the wheel's entry point (the venv of `up` holds no mrkit of its own)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.plugins.engines import unavailable
from tests.support import REPO

pytestmark = [pytest.mark.wheel, pytest.mark.airflow]


def test_mrkit_with_the_airflow_extra_installs_beside_airflow_and_registers(tmp_path):
    from mr.engines import EngineError
    from mr.engines import airflow as engine

    try:
        base = engine.ensure_venv()
    except (EngineError, OSError) as e:
        unavailable("the airflow venv", e)
        return
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"),
         str(REPO)],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = (tmp_path / "dist").glob("mrkit-*.whl")
    python = engine.find_python()
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=300)
    py = str(venv / "bin" / "python")

    def site(prefix) -> str:
        code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        return subprocess.run([str(prefix / "bin" / "python"), "-c", code], capture_output=True,
                              text=True, check=True).stdout.strip()  # fmt: skip

    with open(os.path.join(site(venv), "airflow-venv.pth"), "w") as pth:
        pth.write(site(base) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MRKIT_"))}
    env["AIRFLOW_HOME"] = str(tmp_path / "airflow-home")
    installed = subprocess.run(
        [py, "-m", "pip", "install", f"{wheel}[airflow]"],
        capture_output=True, text=True, timeout=900, env=env,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    out = installed.stdout
    assert "Successfully installed mrkit-" in out, out[-3000:]
    done = out.rsplit("Successfully installed", 1)[1].split()
    assert [name for name in done if not name.startswith("mrkit-")] == [], out[-3000:]
    assert "Attempting uninstall" not in out and "Not uninstalling" not in out, out[-3000:]
    check = subprocess.run([py, "-m", "pip", "check"], capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    listed = subprocess.run(
        [py, "-m", "airflow", "providers", "list", "--output", "json"],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr[-3000:]
    providers = {p["package_name"]: p for p in json.loads(listed.stdout)}
    assert "mrkit" in providers, sorted(providers)
