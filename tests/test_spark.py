"""Every fixture case (tests/cases.py) on mrjob's Spark runner: the same rows as the golden file.

Each case runs the way a user would: ``python mr/<job>.py -r spark`` with pyspark from the venv on
a ``local[2]`` master, in its own process. Spark's start-up (a JVM per job) is the slow part, so the
selected cases are launched together up front, MRKIT_SPARK_PARALLEL (default 2) at a time, and
each test then waits for its own case.

Options (tests run without mrjob.conf):
- ``--python-bin <this Python>``: driver and executors run the venv's interpreter;
- no Spark UI and a quick-start JIT, to save seconds per job;
- ``--emulate-map-input-file`` only for jobs that name their input files (they import
  mr.lib.inputs: count_by_file, inverted_index, join's --left glob): Hadoop sets
  ``mapreduce.map.input.file`` by itself, Spark does not. Not for every job: mrjob 0.7.4 passes
  the flag to each spark-submit of a job, and a later one (grep's second step, which has its own
  jobconf) then feeds (path, line) pairs to a mapper that expects lines.

Jobs the Spark runner cannot run as Hadoop does are listed in SPARK_EXCEPTIONS with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from tests.cases import Case, all_cases
from tests.plugins.engines import unavailable
from tests.support import REPO

pytestmark = pytest.mark.spark

CASES = all_cases()
SPARK_ARGS = [
    "--spark-master",
    "local[2]",
    "--python-bin",
    sys.executable,
    "--spark-args",
    "--conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false "
    "--driver-java-options=-XX:TieredStopAtLevel=1",
]

# case name -> why mrjob's Spark runner cannot give Hadoop's rows (each seen failing)
#: none today: grep, whose second step runs in a spark-submit of its own, was one until
#: mr/lib/mrjob_fixes.py gave that submit the whole steps description
SPARK_EXCEPTIONS: dict[str, str] = {}


def spark_command(case: Case) -> list[str]:
    job = REPO / "mr" / f"{case.job}.py"
    emulate = ["--emulate-map-input-file"] if "mr.lib.inputs" in job.read_text() else []
    return [sys.executable, str(job), "-r", "spark", "--no-conf", *SPARK_ARGS, *emulate, *case.args]


_SPAWN = threading.Lock()


def run_case(case: Case) -> tuple[subprocess.CompletedProcess, list[str]]:
    """The finished run, and what it left in its own TMPDIR (mrjob's and Spark's temporary
    directories must be gone)."""
    argv = [*spark_command(case), *case.inputs]
    tmp = tempfile.mkdtemp(prefix=f"mrkit-spark-{case.name}-")
    # one process start at a time: starting processes from several threads at once failed here
    # with "OSError: [Errno 14] Bad address" (vfork in a threaded process; conftest.py now turns
    # vfork off for the test process as well)
    with _SPAWN:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
                                env={**os.environ, "TMPDIR": tmp})  # fmt: skip
    try:
        out, err = proc.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    left = sorted(os.listdir(tmp))
    shutil.rmtree(tmp, ignore_errors=True)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err), left


@pytest.fixture(scope="module")
def spark_runs(request):
    """Launch every selected case at once; {case name: Future of its finished process}."""
    try:
        import pyspark  # noqa: F401
    except ImportError as e:
        unavailable("spark", e)
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        unavailable("spark", RuntimeError("no java on PATH and no JAVA_HOME"))
    selected = {
        item.callspec.params["case"].name: item.callspec.params["case"]
        for item in request.session.items
        if item.module is sys.modules[__name__] and hasattr(item, "callspec")
    }
    workers = int(os.environ.get("MRKIT_SPARK_PARALLEL", "2"))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures: dict[str, Future] = {
            name: pool.submit(run_case, case) for name, case in sorted(selected.items())
        }
        yield futures
        for f in futures.values():
            f.cancel()


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(reason=SPARK_EXCEPTIONS[c.name], strict=True))
        if c.name in SPARK_EXCEPTIONS
        else c
        for c in CASES
    ],
    ids=[c.name for c in CASES],
)
def test_case_on_spark_matches_golden(spark_runs, case):
    done, left = spark_runs[case.name].result()
    assert done.returncode == 0, (
        f"{' '.join(spark_command(case))} failed:\n"
        + done.stderr.decode("utf-8", "replace")[-4000:]
    )
    out = done.stdout.decode("utf-8")
    rows = sorted(out.split("\n")[:-1] if out else [])
    assert rows == case.expected_rows()
    # mrjob's Spark runner left $TMPDIR/<job>.<user>.<time>-spark after every run
    assert [name for name in left if name.endswith("-spark")] == []
