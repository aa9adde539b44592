"""The wheel is the product: built from this repo, installed into a fresh venv far from the
checkout, it runs what a user runs (jobs, a job inline and local, a Hive and a Pig twin, a
cluster, a job on YARN).

It starts its own cluster (the installed mrkit's state is a fresh MRKIT_HOME) on ports of its
own, MRKIT_TEST_WHEEL_PORT (default 17200) and the nine after it, so it can run beside the
session's cluster (scripts/test runs it beside the main pytest: marker `wheel`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.plugins.engines import unavailable
from tests.support import REPO

pytestmark = [pytest.mark.wheel, pytest.mark.hadoop, pytest.mark.hive, pytest.mark.pig]

WORDS = "the cat\nthe dog\n\nthe end\n"
EXPECTED = ["cat\t1", "dog\t1", "end\t1", "the\t3"]


def cluster_ports() -> dict[str, str]:
    """Every port variable of `mrkit cluster up`, from MRKIT_TEST_WHEEL_PORT on."""
    from mr.lib.defaults import HADOOP_PORT_DEFAULTS

    base = int(os.environ.get("MRKIT_TEST_WHEEL_PORT") or 17200)
    return {name: str(base + i) for i, name in enumerate(HADOOP_PORT_DEFAULTS)}


def test_the_wheel_installed_far_from_the_checkout_runs_every_engine(tmp_path_factory):
    from mr import engines

    far = tmp_path_factory.mktemp("far")
    ports = cluster_ports()
    busy = [port for port in ports.values() if engines.port_in_use(int(port))]
    if busy:
        unavailable("a free cluster", RuntimeError(f"ports {busy} are taken: a cluster runs"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(far / "dist"),
         str(REPO)],
        capture_output=True, text=True, cwd=far, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = (far / "dist").glob("mrkit-*.whl")
    venv = far / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)]
    installed = subprocess.run(pip, capture_output=True, text=True, timeout=900)
    assert installed.returncode == 0, installed.stderr[-3000:]

    home = far / "home"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MRKIT_", "MRJOB_", "HADOOP_", "HDFSCLI", "PYTHON"))}  # fmt: skip
    env.update(ports, MRKIT_HOME=str(home), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    data = far / "words.txt"
    data.write_text(WORDS)

    def mrkit(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(venv / "bin" / "mrkit"), *args], capture_output=True,
                              text=True, cwd=far, env=env, timeout=timeout)  # fmt: skip

    def rows(done: subprocess.CompletedProcess[str]) -> list[str]:
        assert done.returncode == 0, done.stderr[-3000:]
        return sorted(done.stdout.splitlines())

    demo = mrkit("demo")
    assert demo.returncode == 0 and "the top 10" in demo.stdout, demo.stderr
    listed = mrkit("jobs")
    assert listed.returncode == 0 and "word_count" in listed.stdout
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import mr, mr.lib.config as c; print(mr.__file__, c.RESOURCE_ROOT)"],
                           capture_output=True, text=True, cwd=far, env=env)  # fmt: skip
    assert str(REPO) not in where.stdout and "_bundle" in where.stdout, where.stdout
    assert rows(mrkit("run", "word_count", str(data))) == EXPECTED
    assert rows(mrkit("run", "word_count", "-r", "local", str(data))) == EXPECTED

    for engine in ("hive", "pig"):
        out = far / f"{engine}-out"
        done = mrkit(engine, "run", "word_count", "--input", str(data), "--output", str(out))
        assert done.returncode == 0, done.stderr[-3000:]
        got = sorted(r for p in out.glob("part-*") for r in p.read_text().splitlines())
        assert got == EXPECTED, engine
        assert (out / "_SUCCESS").is_file()

    up = mrkit("cluster", "up")
    try:
        assert up.returncode == 0, up.stderr[-3000:]
        assert str(home) in up.stdout
        assert mrkit("hdfs", "put", str(data), "/in.txt").returncode == 0
        on_yarn = mrkit("run", "word_count", "-r", "hadoop", "hdfs:///in.txt")
        assert Counter(rows(on_yarn)) == Counter(EXPECTED)
    finally:
        down = mrkit("cluster", "down")
    assert down.returncode == 0 and "stopped" in down.stdout, down.stderr
    assert not (Path(REPO) / "mr" / "_bundle").exists()  # nothing written into the checkout
