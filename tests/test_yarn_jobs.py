"""Every fixture case on YARN (`-r hadoop` on hdfs:// input) gives the rows of its golden file.

Also: tasks run with a Python that lacks `mr` (the package ships with the job), YARN counters
reach the user, a failing task shows its traceback and input record, and SIGINT/SIGTERM on a
running job kills its YARN application.

The jobs run as `python mr/<job>.py -r hadoop -c .cluster/hadoop/mrjob.conf ...` subprocesses,
MRKIT_YARN_PARALLEL (default 3) at a time: most of a small job's time is YARN waiting, so the
selected jobs are all submitted when the first of them is needed and each test waits for its own.
"""

from __future__ import annotations

import functools
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from mr.cli.jobs import job_class
from tests.cases import Case, all_cases
from tests.support import REPO, run_job, yarn_app_state

pytestmark = pytest.mark.hadoop

CASES = all_cases()
PARALLEL = int(os.environ.get("MRKIT_YARN_PARALLEL", "3"))
TIMEOUT = 900

EXPLODE_JOB = '''
"""Fails on a record holding BOOM."""
from mr.lib.job import MRKitJob


class Explode(MRKitJob):
    def mapper(self, _, line):
        if b"BOOM" in line:
            raise ValueError("cannot digest this record")
        yield line.decode(), 1

    def reducer(self, key, values):
        yield key, sum(values)


if __name__ == "__main__":
    Explode.run()
'''

SLOW_JOB = '''
"""Sleeps in its mapper, to be interrupted."""
import time

from mr.lib.job import MRKitJob


class Slow(MRKitJob):
    def mapper(self, _, line):
        time.sleep(600)
        yield line.decode(), 1


if __name__ == "__main__":
    Slow.run()
'''


KILLABLE_JOB = '''
"""Counts words slowly in its mapper or its reducer, so that a test can kill that task."""
import time

from mr.lib.job import MRKitJob


class Killable(MRKitJob):
    def configure_args(self):
        super().configure_args()
        self.add_passthru_arg("--slow", choices=("mapper", "reducer"))

    def mapper(self, _, line):
        if self.options.slow == "mapper":
            time.sleep(0.25)
        for word in line.decode().split():
            yield word, 1

    def reducer(self, word, counts):
        if self.options.slow == "reducer":
            time.sleep(0.25)
        yield word, sum(counts)


if __name__ == "__main__":
    Killable.run()
'''


@dataclass
class YarnRun:
    returncode: int
    stderr: str
    rows: list[str]
    output_complete: bool

    def counters(self) -> dict[str, dict[str, int]]:
        """The `Counters: N` block mrjob prints, as {group: {counter: value}}."""
        groups: dict[str, dict[str, int]] = {}
        group = None
        block = self.stderr.split("Counters:", 1)[-1] if "Counters:" in self.stderr else ""
        for line in block.splitlines()[1:]:
            if line.startswith("\t\t") and group is not None and "=" in line:
                name, _, value = line.strip().rpartition("=")
                groups[group][name] = int(value)
            elif line.startswith("\t"):
                group = line.strip()
                groups[group] = {}
            else:
                break
        return groups


def job_file(stem: str) -> str:
    return sys.modules[job_class(stem).__module__].__file__


class YarnJobs:
    """Runs jobs on YARN in parallel subprocesses; results by name."""

    def __init__(self, cluster, hdfs, tmp: Path):
        self.cluster = cluster
        self.hdfs = hdfs
        self.tmp = tmp
        self.root = f"/mrkit-tests/yarn-{uuid.uuid4().hex[:8]}"
        self.pool = ThreadPoolExecutor(PARALLEL)
        self.futures: dict[str, Future] = {}

    def submit(self, name: str, fn, *args) -> None:
        if name not in self.futures:
            self.futures[name] = self.pool.submit(fn, *args)

    def result(self, name: str) -> YarnRun:
        return self.futures[name].result()

    def upload(self, name: str, files: list[str]) -> list[str]:
        return [
            "hdfs://" + self.hdfs.put(f, f"{self.root}/{name}/in/{Path(f).name}") for f in files
        ]

    def run(self, name: str, script: str, inputs: list[str], args=(), extra=()) -> YarnRun:
        out = f"{self.root}/{name}/out"
        cmd = [
            sys.executable,
            script,
            "-r",
            "hadoop",
            "-c",
            self.cluster.mrjob_conf,
            "--output-dir",
            f"hdfs://{out}",
            "--no-cat-output",
            *extra,
            *args,
            *self.upload(name, inputs),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=TIMEOUT)
        rows: list[str] = []
        complete = False
        if proc.returncode == 0:
            complete = self.hdfs.is_complete(out)
            for entry in self.hdfs.ls(out):
                if Path(entry.path).name.startswith("part-"):
                    text = self.hdfs.read_bytes(entry.path).decode("utf-8")
                    rows += text.split("\n")[:-1]
        return YarnRun(proc.returncode, proc.stderr, sorted(rows), complete)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        try:
            self.hdfs.rm(self.root, recursive=True)
        except Exception:  # noqa: BLE001 - cleanup of a cluster that may be gone
            pass


def bare_python(tmp: Path) -> str:
    """A venv made WITHOUT mrkit, mrjob or pip: its site-packages lack `mr`."""
    venv = tmp / "bare-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    return str(venv / "bin" / "python")


BAD_INPUT = [b"alpha beta", b"", b"\xff\xfe not utf-8", b"   ", b"beta gamma"]


def _schedule(yarn: YarnJobs, name: str, tmp: Path) -> None:
    """Submit the run that test item `name` needs."""
    if name.startswith("case:"):
        case = next(c for c in CASES if c.name == name[5:])
        yarn.submit(name, yarn.run, case.name, job_file(case.job), case.inputs, case.args)
    elif name == "bare":
        case = next(c for c in CASES if c.name == "word_count")
        python = bare_python(tmp)
        yarn.submit(
            name,
            yarn.run,
            "bare",
            job_file("word_count"),
            case.inputs,
            [],
            ["--python-bin", python],
        )
    elif name == "counters":
        path = tmp / "bad.txt"
        path.write_bytes(b"\n".join(BAD_INPUT) + b"\n")
        # -v: Hadoop's driver lines (the job id) are progress, shown only when asked
        yarn.submit(name, yarn.run, "counters", job_file("word_count"), [str(path)], ["-v"])
    elif name == "explode":
        script = tmp / "explode.py"
        script.write_text(EXPLODE_JOB)
        data = tmp / "boom.txt"
        data.write_text("fine one\nthis is BOOM here\nfine two\n")
        yarn.submit(name, yarn.run, "explode", str(script), [str(data)])


RUN_OF_TEST = {
    "test_tasks_run_without_mr_installed": "bare",
    "test_counters_reach_the_user": "counters",
    "test_finished_job_is_known_to_the_job_history_server": "counters",
    "test_failing_task_shows_traceback_and_record": "explode",
}


@pytest.fixture(scope="module")
def yarn(request, hadoop_cluster, hdfs, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("yarn")
    jobs = YarnJobs(hadoop_cluster, hdfs, tmp)
    # submit every run the selected tests of this module need, at once
    for item in request.session.items:
        if item.module is not request.module:
            continue
        case = getattr(item, "callspec", None) and item.callspec.params.get("case")
        name = f"case:{case.name}" if case else RUN_OF_TEST.get(item.originalname)
        if name:
            _schedule(jobs, name, tmp)
    yield jobs
    jobs.close()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_on_yarn_matches_golden(yarn, case: Case):
    run = yarn.result(f"case:{case.name}")
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.output_complete, "no _SUCCESS marker in the job's HDFS output directory"
    # without -v: the job's own counters, not Hadoop's framework groups
    assert "Map-Reduce Framework" not in run.stderr, run.stderr[-3000:]
    if case.expected.exists():
        assert run.rows == case.expected_rows()
    else:  # no golden yet: parity with the inline runner on the same input
        inline, _ = run_job(job_class(case.job), case.inputs, args=case.args)
        assert run.rows == inline


def test_tasks_run_without_mr_installed(yarn, tmp_path):
    run = yarn.result("bare")
    # the interpreter the tasks used really lacks mr and mrjob
    bare = next(Path(p) for p in Path(yarn.tmp).glob("bare-venv/bin/python"))
    probe = subprocess.run(
        [str(bare), "-c", "import mr"], capture_output=True, text=True, cwd=tmp_path
    )
    assert probe.returncode != 0 and "No module named 'mr'" in probe.stderr
    assert run.returncode == 0, run.stderr[-3000:]
    case = next(c for c in CASES if c.name == "word_count")
    assert run.rows == case.expected_rows()


def test_counters_reach_the_user(yarn):
    run = yarn.result("counters")
    assert run.returncode == 0, run.stderr[-3000:]
    assert sorted(run.rows) == ["alpha\t1", "beta\t2", "gamma\t1"]
    counters = run.counters()
    assert counters["word_count"] == {"bad_utf8": 1, "empty_lines": 2}
    assert counters["Map-Reduce Framework"]["Map input records"] == len(BAD_INPUT)


def test_finished_job_is_known_to_the_job_history_server(yarn):
    # A client that asks about a job after its ApplicationMaster exits is sent to the JobHistory
    # server; when the two disagreed on the history directories, that answer was "Unknown Job"
    # (a flaky failure on a busy machine). Ask about the job after the run, as `mapred job` does.
    run = yarn.result("counters")
    assert run.returncode == 0, run.stderr[-3000:]
    job = re.search(r"Running job: (job_\d+_\d+)", run.stderr)
    assert job, run.stderr[-3000:]
    status = subprocess.run(
        [str(REPO / "scripts" / "hadoop" / "bin" / "hadoop"), "job", "-status", job.group(1)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert status.returncode == 0, status.stderr[-3000:]
    assert "Job state: SUCCEEDED" in status.stdout, status.stdout[-3000:]
    assert re.search(r"word_count\s+bad_utf8=1", status.stdout), status.stdout[-3000:]


def test_failing_task_shows_traceback_and_record(yarn):
    run = yarn.result("explode")
    assert run.returncode == 1
    err = run.stderr
    assert "Probable cause of failure" in err
    assert "Traceback (most recent call last)" in err
    assert "ValueError: cannot digest this record" in err
    assert re.search(
        r"mrkit: mapper of step 1 failed on input record 2 of hdfs://\S+/boom\.txt: "
        r"b'this is BOOM here'",
        err,
    ), err[-3000:]


def _task_pids(pattern: str) -> list[int]:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


@pytest.mark.parametrize("role", ["mapper", "reducer"])
def test_killed_task_is_retried_and_the_rows_are_right(
    hadoop_cluster, hdfs, hdfs_dir, tmp_path, role
):
    # Hadoop's fault tolerance: a task whose process dies is run again, and the job's rows are
    # those of an undisturbed run
    script = tmp_path / f"killable_{uuid.uuid4().hex[:8]}.py"
    script.write_text(KILLABLE_JOB)
    words = [f"w{i % 7} w{i % 3}" for i in range(40)]
    data = hdfs.write_bytes(f"{hdfs_dir}/in.txt", ("\n".join(words) + "\n").encode())
    out = f"{hdfs_dir}/out"
    proc = subprocess.Popen(
        [sys.executable, str(script), "-r", "hadoop", "-c", hadoop_cluster.mrjob_conf,
         "--slow", role, "--output-dir", f"hdfs://{out}", "--no-cat-output", "-v",
         # uber tasks (the cluster's default for small jobs) get one attempt: retries need
         # containers of their own
         "--jobconf", "mapreduce.job.ubertask.enable=false", f"hdfs://{data}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )  # fmt: skip
    try:
        # the task's Python itself, not the launcher or the shell wrapper (their command lines
        # hold the same words)
        task = rf"^\S*python\S* {re.escape(script.name)} --step-num=0 --{role}"
        deadline = time.monotonic() + 300
        while not (pids := _task_pids(task)):
            assert proc.poll() is None, proc.stderr.read()[-3000:]
            assert time.monotonic() < deadline, f"no {role} process appeared"
            time.sleep(0.2)
        time.sleep(1)  # let it get some records done
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err[-3000:]
    assert re.search(r"Task Id : attempt_\S+_[mr]_\S+, Status : FAILED", err), err[-3000:]
    rows = [
        row
        for e in hdfs.ls(out)
        if Path(e.path).name.startswith("part-")
        for row in hdfs.read_bytes(e.path).decode().split("\n")[:-1]
    ]
    expected = Counter(w for line in words for w in line.split())
    assert sorted(rows) == sorted(f"{w}\t{n}" for w, n in expected.items())
    assert hdfs.is_complete(out)


def _as_from_a_terminal() -> None:
    # Ctrl-C reaches a job started from a terminal; a test run started in the background of a
    # script inherits SIGINT ignored, which no terminal user has
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _as_under_nohup() -> None:
    # `nohup python mr/job.py -r hadoop ... &`, then `kill`: HUP is ignored from the start,
    # so the hadoop launcher must not rely on a HUP trap it inherited as ignored
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


@pytest.mark.parametrize(
    "sig, start",
    [(signal.SIGINT, _as_from_a_terminal), (signal.SIGTERM, _as_under_nohup)],
    ids=["SIGINT", "SIGTERM-under-nohup"],
)
def test_interrupt_kills_the_yarn_application(hadoop_cluster, hdfs, hdfs_dir, tmp_path, sig, start):
    script = tmp_path / "slow.py"
    script.write_text(SLOW_JOB)
    data = hdfs.write_bytes(f"{hdfs_dir}/in.txt", b"one\n")
    proc = subprocess.Popen(
        [sys.executable, str(script), "-r", "hadoop", "-c", hadoop_cluster.mrjob_conf, "-v",
         f"hdfs://{data}"],  # -v: the progress lines name the application
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        preexec_fn=start,
    )  # fmt: skip
    app = None
    try:
        for line in proc.stderr:
            m = re.search(r"Submitted application (application_\d+_\d+)", line)
            app = m.group(1) if m else app
            if "Running job" in line:
                break
        assert app, "the job never reached YARN"
        state = functools.partial(yarn_app_state, app)
        assert state() in ("ACCEPTED", "RUNNING")
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == (130 if sig == signal.SIGINT else 143), err[-2000:]
        assert err.strip().splitlines()[-1] == "slow: interrupted; stopped the job", err[-2000:]
        assert "Traceback" not in err
        deadline = time.monotonic() + 120
        while state() not in ("KILLED", "FINISHED", "FAILED"):
            assert time.monotonic() < deadline, f"{app} still {state()}"
            time.sleep(1)
        assert state() == "KILLED"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_local_output_dir_of_a_yarn_job(hadoop_cluster, hdfs, hdfs_dir, tmp_path):
    # file:// output of a job that reads HDFS: staged locally and published with _SUCCESS (a
    # plain path would be a path of the cluster's file system, as Hadoop reads it)
    data = hdfs.write_bytes(f"{hdfs_dir}/in.txt", b"one two\ntwo\n")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, job_file("word_count"), "-r", "hadoop", "-c", hadoop_cluster.mrjob_conf,
         "--output-dir", f"file://{out}", f"hdfs://{data}"],
        capture_output=True, text=True, cwd=REPO, timeout=TIMEOUT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = sorted(r for p in out.glob("part-*") for r in p.read_text().splitlines())
    assert rows == ["one\t1", "two\t2"]
    assert (out / "_SUCCESS").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def _closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_word_count(args: list[str], mrjob_conf: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, job_file("word_count"), "-r", "hadoop", "-c", mrjob_conf, *args],
        capture_output=True, text=True, cwd=REPO, timeout=TIMEOUT, env={**os.environ, **env},
    )  # fmt: skip


@pytest.mark.parametrize("where", ["input", "output"])
def test_a_namenode_that_does_not_answer_is_one_line(hadoop_cluster, tmp_path, where):
    url = f"hdfs://127.0.0.1:{_closed_port()}/data"
    local = tmp_path / "in.txt"
    local.write_text("a b\n")
    args = [url] if where == "input" else ["--output-dir", url, str(local)]
    proc = _run_word_count(args, hadoop_cluster.mrjob_conf)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert proc.stderr.count("\n") == 1, proc.stderr[-3000:]
    assert "cannot reach the NameNode at" in proc.stderr
    assert f"for {url}" in proc.stderr and "Connection refused" in proc.stderr


def test_an_unknown_namenode_host_is_one_line(hadoop_cluster, tmp_path):
    local = tmp_path / "in.txt"
    local.write_text("a b\n")
    url = "hdfs://no-such-namenode.invalid:8020/out"
    proc = _run_word_count(["--output-dir", url, str(local)], hadoop_cluster.mrjob_conf)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert proc.stderr.splitlines() == [
        f"word_count: cannot reach the NameNode: unknown host no-such-namenode.invalid for {url}: "
        "is the cluster up? (`mrkit cluster status`)"
    ]


def test_a_default_file_system_that_is_down_is_one_line(hadoop_cluster, tmp_path):
    # hdfs:/// paths go to fs.defaultFS of the client configuration: here a NameNode that is down
    conf = tmp_path / "conf"
    conf.mkdir()
    port = _closed_port()
    (conf / "core-site.xml").write_text(
        "<configuration><property><name>fs.defaultFS</name>"
        f"<value>hdfs://127.0.0.1:{port}</value></property></configuration>"
    )
    proc = _run_word_count(
        ["hdfs:///data/in"], hadoop_cluster.mrjob_conf, HADOOP_CONF_DIR=str(conf)
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert proc.stderr.count("\n") == 1, proc.stderr[-3000:]
    assert f"cannot reach the NameNode at 127.0.0.1:{port}" in proc.stderr or (
        f"cannot reach the NameNode at localhost:{port}" in proc.stderr
    ), proc.stderr


def test_mrjob_reaches_hdfs_over_webhdfs_not_a_jvm_per_call(hadoop_cluster, hdfs, hdfs_dir):
    """Around the job (inputs, uploads, output, clean-up) mrjob's runner used `hadoop fs`, a JVM
    each; with the cluster's WebHDFS known it calls none (MRKIT_JOB_FS=hadoop: mrjob's own)."""
    data = hdfs.write_bytes(f"{hdfs_dir}/in.txt", b"one two\ntwo\n")

    def fs_calls(**env: str) -> list[str]:
        done = _run_word_count(["-v", f"hdfs://{data}"], hadoop_cluster.mrjob_conf, **env)
        assert done.returncode == 0, done.stderr[-3000:]
        assert sorted(done.stdout.splitlines()) == ["one\t1", "two\t2"]
        return [line for line in done.stderr.splitlines()
                if line.startswith("> ") and " fs -" in line]  # fmt: skip

    assert fs_calls() == []
    assert len(fs_calls(MRKIT_JOB_FS="hadoop")) >= 5
