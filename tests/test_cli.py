"""The `mrkit` command (mr/cli) and the README's promises for --output-dir, without any engine."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import mr.cli
from mr.cli import jobs, main
from mr.clients.hdfs import HdfsError, HdfsUnavailable
from mr.engines import EngineError
from mr.lib.errors import BROKEN_PIPE_EXIT, NotFound, UsageError
from tests.support import REPO, fixture, mrkit, run_job

WORDS = "the quick fox\nthe lazy dog\n"


def job_file(stem: str, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """`python mr/<stem>.py ARGS`, as a user runs a job."""
    return subprocess.run(
        [sys.executable, str(REPO / "mr" / f"{stem}.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def one_error_line(result: subprocess.CompletedProcess[str], prefix: str) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{prefix}: error: "), result.stderr
    return lines[0]


def word_rows(text: str) -> Counter[str]:
    return Counter(text.split())


# -- mrkit jobs and mrkit run -------------------------------------------------------------------


def test_jobs_lists_every_job_module_once():
    result = mrkit("jobs")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    files = sorted(p.stem for p in (REPO / "mr").glob("*.py") if p.name != "__init__.py")
    assert [line.split()[0] for line in lines] == files
    assert all(len(line.split(None, 1)) == 2 for line in lines)  # each with its summary
    assert sorted(jobs.job_modules()) == files


def test_every_job_module_has_a_job_class():
    for stem in jobs.job_modules():
        assert jobs.job_class(stem).__module__ == f"mr.{stem}"


def test_jobs_into_a_closed_pipe_ends_without_a_traceback():
    shell = subprocess.run(
        f"{sys.executable} -m mr.cli jobs | head -1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert shell.returncode == 0 and len(shell.stdout.splitlines()) == 1
    assert shell.stderr == ""
    # the reader gone before the first write: the broken pipe is certain
    proc = subprocess.Popen(
        [sys.executable, "-m", "mr.cli", "jobs"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == BROKEN_PIPE_EXIT
    assert err == "", err


def test_run_prints_the_rows(tmp_path):
    path = tmp_path / "in.txt"
    path.write_text(WORDS)
    result = mrkit("run", "word_count", str(path))
    assert result.returncode == 0, result.stderr
    rows = sorted(result.stdout.splitlines())
    assert rows == ["dog\t1", "fox\t1", "lazy\t1", "quick\t1", "the\t2"]


def test_run_an_unknown_job_is_a_usage_error():
    result = mrkit("run", "nosuch")
    assert result.returncode == 2
    line = one_error_line(result, "mrkit run")
    assert "no job named 'nosuch'" in line and "mrkit jobs" in line
    with pytest.raises(UsageError, match="no job named 'nosuch'"):
        jobs.job_class("nosuch")


def test_argparse_errors_are_one_line(capsys):
    with pytest.raises(SystemExit) as e:
        main(["cluster", "up", "--timeout", "soon"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("mrkit cluster up: error: ")


# -- the one error path ---------------------------------------------------------------------------


def _hbase_server_error(kind: str, message: str | bytes) -> Exception:
    import happybase  # noqa: F401  (defines the module Hbase_thrift)
    import Hbase_thrift

    return getattr(Hbase_thrift, kind)(message=message)


HBASE_HINT = (
    "(is HBase up? `mrkit hbase up`; do --hbase-transport/--hbase-protocol match the server?)"
)

ERRORS = [
    (UsageError("--var 'x': expected NAME=VALUE"), 2, "--var 'x': expected NAME=VALUE"),
    (EngineError("java not found on PATH"), 1, "java not found on PATH"),
    (HdfsError("ls: /x: no such file or directory"), 1, "ls: /x: no such file or directory"),
    (HdfsUnavailable("cannot reach the NameNode"), 1, "cannot reach the NameNode"),
    (NotFound("no row 'k' in table t"), 1, "no row 'k' in table t"),
    (
        ConnectionError("HBase Thrift server 127.0.0.1:1: get failed"),
        1,
        "HBase Thrift server 127.0.0.1:1: get failed " + HBASE_HINT,
    ),
    (ConnectionRefusedError("refused"), 1, "refused " + HBASE_HINT),
    (
        OSError(28, "No space left on device", "/out/part-00000"),
        1,
        "[Errno 28] No space left on device: '/out/part-00000'",
    ),
]


@pytest.mark.parametrize(("error", "code", "message"), ERRORS, ids=lambda v: type(v).__name__)
def test_each_error_type_has_its_exit_code(monkeypatch, capsys, error, code, message):
    def failing(args: object) -> int:
        raise error

    monkeypatch.setattr(jobs, "cmd_jobs", failing)
    assert main(["jobs"]) == code
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"mrkit jobs: error: {message}\n"


@pytest.mark.parametrize(
    ("kind", "message"),
    [("IOError", b"TableNotFoundException: nope"), ("IllegalArgument", "bad row key")],
)
def test_hbase_server_errors_exit_1_with_their_message(monkeypatch, capsys, kind, message):
    error = _hbase_server_error(kind, message)

    def failing(args: object) -> int:
        raise error

    monkeypatch.setattr(jobs, "cmd_jobs", failing)
    assert main(["jobs"]) == 1
    text = message.decode() if isinstance(message, bytes) else message
    assert capsys.readouterr().err == f"mrkit jobs: error: {text}\n"


def test_the_action_is_named_in_the_error_line(capsys):
    assert mr.cli.report("mrkit hdfs ls", HdfsError("x")) == 1
    assert capsys.readouterr().err == "mrkit hdfs ls: error: x\n"


def test_other_errors_are_bugs_with_a_traceback(monkeypatch):
    def failing(args: object) -> int:
        raise KeyError("a bug")

    monkeypatch.setattr(jobs, "cmd_jobs", failing)
    with pytest.raises(KeyError):
        main(["jobs"])
    assert mr.cli.exit_code(BrokenPipeError()) is None  # handled apart, not as HBase down


def test_cluster_up_with_a_bad_setting_is_a_usage_error(tmp_path):
    result = mrkit("cluster", "up", "-D", "no-equals-sign", env={"MRKIT_HOME": str(tmp_path)})
    assert result.returncode == 2
    line = one_error_line(result, "mrkit cluster up")
    assert line.endswith("-D expects KEY=VALUE, not 'no-equals-sign'")


def test_cluster_env_and_secure_status_without_a_cluster(tmp_path):
    env = {"MRKIT_HOME": str(tmp_path)}
    for args in (("env",), ("env", "--secure")):
        result = mrkit("cluster", *args, env=env)
        assert result.returncode == 3 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and " running (mrkit cluster up" in result.stderr
    status = mrkit("cluster", "status", "--secure", env=env)
    assert status.returncode == 3
    assert "hadoop-secure: not running (`mrkit cluster up --secure` starts it)" in status.stdout
    down = mrkit("cluster", "down", "--secure", env=env)
    assert down.returncode == 0 and "hadoop-secure: not running" in down.stdout


def test_cluster_help_shows_the_readme_example():
    result = mrkit("cluster", "--help")
    assert result.returncode == 0
    assert "mrkit hdfs put mr/data/sample.txt /data/in/" in result.stdout
    assert "hdfs:///data/in/" in result.stdout and "$USER" not in result.stdout
    readme = (REPO / "README.md").read_text()
    assert "mrkit hdfs put mr/data/sample.txt /data/in/" in readme
    assert "mr/word_count.py -r hadoop -c .cluster/hadoop/mrjob.conf hdfs:///data/in/" in readme


# -- twins: usage errors before any JVM -----------------------------------------------------------


@pytest.mark.parametrize("engine", ["hive", "pig"])
def test_unknown_twin_exits_2_without_a_jvm(no_java, capsys, tmp_path, engine):
    argv = [engine, "run", "nosuch", "--input", fixture("word_count"), "--output", "o"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"mrkit {engine} run: error: no twin named 'nosuch' in {engine}/")


@pytest.mark.parametrize("engine", ["hive", "pig"])
@pytest.mark.parametrize("var", ["bad", "=x", "1N=2", "N-1=2"])
def test_bad_var_exits_2_without_a_jvm(no_java, capsys, tmp_path, engine, var):
    out = tmp_path / "out"
    argv = [engine, "run", "word_count", "--input", fixture("word_count"), "--output", str(out)]
    assert main([*argv, "--var", var]) == 2
    assert capsys.readouterr().err == (
        f"mrkit {engine} run: error: --var {var!r}: expected NAME=VALUE\n"
    )
    assert not out.exists()


@pytest.mark.parametrize("name", ["INPUT", "OUTPUT", "PYTHON"])
def test_runner_variables_cannot_be_set(no_java, capsys, tmp_path, name):
    argv = ["hive", "run", "word_count", "--input", fixture("word_count"), "--output", "o"]
    assert main([*argv, "--var", f"{name}=/elsewhere"]) == 2
    err = capsys.readouterr().err
    assert err == f"mrkit hive run: error: --var {name}: set by the runner, not by --var\n"


def test_missing_twin_input_exits_2_without_a_jvm(no_java, capsys, tmp_path):
    missing = tmp_path / "nope.txt"
    assert main(["pig", "run", "word_count", "--input", str(missing), "--output", "o"]) == 2
    err = capsys.readouterr().err
    assert err == f"mrkit pig run: error: --input {missing}: no such file or directory\n"


def test_twin_usage_error_in_a_subprocess_is_one_line(tmp_path):
    result = mrkit(
        "hive", "run", "nosuch", "--input", ".", "--output", str(tmp_path / "o"),
        env={"PATH": str(tmp_path), "JAVA_HOME": ""},
    )  # fmt: skip
    assert result.returncode == 2
    one_error_line(result, "mrkit hive run")


def test_without_java_a_twin_fails_with_exit_1(no_java, capsys, tmp_path):
    argv = ["hive", "run", "word_count", "--input", fixture("word_count")]
    assert main([*argv, "--output", str(tmp_path / "o")]) == 1
    assert "mrkit hive run: error: java not found on PATH" in capsys.readouterr().err


# -- --output-dir, as the README promises it ----------------------------------------------------


@pytest.fixture
def words(tmp_path: Path) -> Path:
    path = tmp_path / "words.txt"
    path.write_text(WORDS)
    return path


def hidden_entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def part_rows(out: Path) -> Counter[str]:
    rows: Counter[str] = Counter()
    for part in sorted(out.glob("part-*")):
        rows.update(part.read_text().splitlines())
    return rows


def test_output_dir_gets_part_files_and_success_local_runner(tmp_path, words):
    out = tmp_path / "out"
    result = job_file("word_count", "-r", "local", "--output-dir", str(out), str(words))
    assert result.returncode == 0, result.stderr
    assert (out / "_SUCCESS").is_file() and (out / "_SUCCESS").stat().st_size == 0
    assert part_rows(out) == Counter(["the\t2", "quick\t1", "fox\t1", "lazy\t1", "dog\t1"])
    assert hidden_entries(tmp_path) == []


def test_output_dir_that_holds_data_is_refused(tmp_path, words):
    out = tmp_path / "out"
    out.mkdir()
    (out / "part-00000").write_text("old\t1\n")
    result = job_file("word_count", "-r", "local", "--output-dir", str(out), str(words))
    assert result.returncode == 2
    line = one_error_line(result, "word_count.py")
    assert f"--output-dir {out}: the output directory already holds data" in line
    assert "--overwrite" in line
    assert (out / "part-00000").read_text() == "old\t1\n"
    assert hidden_entries(tmp_path) == []


def test_output_dir_refused_through_mrkit_run(tmp_path, words):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep me\n")
    result = mrkit("run", "word_count", str(words), "--output-dir", str(out))
    assert result.returncode == 2
    assert "already holds data" in one_error_line(result, "word_count.py")
    assert (out / "notes.txt").read_text() == "keep me\n"


def test_overwrite_replaces_the_output_dir(tmp_path, words):
    out = tmp_path / "out"
    out.mkdir()
    (out / "part-00000").write_text("old\t1\n")
    (out / "stale.txt").write_text("from before\n")
    argv = ["-r", "inline", "--overwrite", "--output-dir", str(out), str(words)]
    result = job_file("word_count", *argv)
    assert result.returncode == 0, result.stderr
    assert not (out / "stale.txt").exists()
    assert part_rows(out) == Counter(["the\t2", "quick\t1", "fox\t1", "lazy\t1", "dog\t1"])
    assert (out / "_SUCCESS").is_file()
    assert hidden_entries(tmp_path) == []


def test_an_empty_output_dir_is_not_data(tmp_path, words):
    out = tmp_path / "out"
    out.mkdir()
    result = job_file("word_count", "-r", "inline", "--output-dir", str(out), str(words))
    assert result.returncode == 0, result.stderr
    assert (out / "_SUCCESS").is_file()


def test_missing_input_leaves_no_staging_directory(tmp_path):
    out = tmp_path / "out"
    missing = tmp_path / "nope.txt"
    result = job_file("word_count", "-r", "local", "--output-dir", str(out), str(missing))
    assert result.returncode == 2
    assert f"input path {missing} does not exist" in one_error_line(result, "word_count.py")
    assert not out.exists()
    assert hidden_entries(tmp_path) == []


@pytest.mark.parametrize("runner", ["inline", "local"])
def test_a_failed_job_leaves_no_staging_directory_and_the_old_output(tmp_path, runner):
    bad = tmp_path / "broken.gz"  # not gzip: reading it fails the job
    bad.write_bytes(b"this is not gzip data\n")
    out = tmp_path / "out"
    result = job_file("word_count", "-r", runner, "--output-dir", str(out), str(bad))
    assert result.returncode != 0
    assert not out.exists()
    assert hidden_entries(tmp_path) == []
    # with --overwrite too: the previous output stays as it was until a run succeeds
    out.mkdir()
    (out / "part-00000").write_text("old\t1\n")
    (out / "_SUCCESS").touch()
    argv = ["-r", runner, "--overwrite", "--output-dir", str(out), str(bad)]
    assert job_file("word_count", *argv).returncode != 0
    assert sorted(p.name for p in out.iterdir()) == ["_SUCCESS", "part-00000"]
    assert (out / "part-00000").read_text() == "old\t1\n"
    assert hidden_entries(tmp_path) == []


def test_help_into_a_pipe_that_closes_early_is_no_error():
    # `python mr/word_count.py --help | head -1`: head exits, the job's help must not trace back
    job = subprocess.Popen(
        [sys.executable, str(REPO / "mr" / "record_index.py"), "--help"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
    )  # fmt: skip
    assert job.stdout is not None and job.stderr is not None
    job.stdout.close()  # as head does once it has its lines: every write now fails (EPIPE)
    err = job.stderr.read()
    assert job.wait(timeout=60) == 0
    assert b"Traceback" not in err and b"BrokenPipe" not in err


# -- oozie: what `up` and `status` say without a cluster ------------------------------------------


def test_oozie_up_without_a_cluster_says_to_start_one(tmp_path):
    result = mrkit("oozie", "up", env={"MRKIT_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr == (
        "mrkit oozie up: error: the Hadoop cluster is not running: start it first "
        "(`mrkit cluster up`)\n"
    )


def test_oozie_status_when_nothing_runs_is_exit_3(tmp_path):
    result = mrkit("oozie", "status", env={"MRKIT_HOME": str(tmp_path)})
    assert result.returncode == 3
    assert result.stdout.startswith("oozie: not running")


def test_secure_oozie_status_when_nothing_runs_is_exit_3(tmp_path):
    result = mrkit("oozie", "status", "--secure", env={"MRKIT_HOME": str(tmp_path)})
    assert result.returncode == 3
    assert result.stdout.startswith("oozie-secure: not running")


@pytest.mark.parametrize("option", [["--bind-host", "0.0.0.0"], ["--retry-codes", "1"]])
def test_secure_oozie_up_refuses_the_open_servers_options(tmp_path, option):
    result = mrkit("oozie", "up", "--secure", *option, env={"MRKIT_HOME": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "is for the open Oozie" in result.stderr


def test_secure_oozie_up_without_the_secure_cluster_is_one_line(tmp_path):
    result = mrkit("oozie", "up", "--secure", env={"MRKIT_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "the secure cluster is not running" in result.stderr


def test_workflow_run_on_oozie_without_a_server_is_one_line(tmp_path):
    app = tmp_path / "wf.py"
    app.write_text(
        "from mr.workflow.model import Fs, Mkdir, Workflow\n"
        "wf = Workflow('w').action('mk', Fs([Mkdir('/x')])).end()\n"
    )
    result = mrkit(
        "workflow", "run", f"{app}:wf", "--engine", "oozie",
        "--property", "nameNode=hdfs://localhost:1", "--property", "resourceManager=localhost:1",
        env={"MRKIT_HOME": str(tmp_path / "home"), "OOZIE_URL": "", "MRKIT_WEBHDFS_URL": ""},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1
    assert "no Oozie server: start one with `mrkit oozie up`, or set OOZIE_URL" in result.stderr


@pytest.mark.parametrize("runner", ["inline", "local"])
def test_a_run_is_quiet_unless_asked(tmp_path, runner):
    """Rows on stdout; on stderr only the counters (mrjob's progress lines with -v)."""
    data = tmp_path / "in.txt"
    data.write_text("a b\n\na\n")
    quiet = job_file("word_count", "-r", runner, str(data))
    assert quiet.returncode == 0, quiet.stderr
    assert sorted(quiet.stdout.splitlines()) == ["a\t2", "b\t1"]
    assert quiet.stderr.split() == ["Counters:", "1", "word_count", "empty_lines=1"]
    chatty = job_file("word_count", "-r", runner, "-v", str(data))
    assert chatty.returncode == 0, chatty.stderr
    assert "Running step 1 of 1" in chatty.stderr and "empty_lines=1" in chatty.stderr
    silent = job_file("word_count", "-r", runner, "-q", str(data))
    assert silent.stderr == "" and sorted(silent.stdout.splitlines()) == ["a\t2", "b\t1"]


def test_demo_shows_the_top_words_of_the_sample():
    from mr.cli.jobs import SAMPLE
    from mr.word_count import WordCount

    rows, _ = run_job(WordCount, [str(SAMPLE)])
    counts = sorted(((w, int(n)) for w, n in (r.split("\t") for r in rows)),
                    key=lambda wc: (-wc[1], wc[0]))  # fmt: skip
    done = mrkit("demo", "--top", "4")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith(f"{len(counts)} words, the top 4:")
    assert [line.split() for line in lines[1:5]] == [[w, str(n)] for w, n in counts[:4]]
    assert "mrkit cluster up" in done.stdout


@pytest.mark.parametrize("how", ["job-inline", "job-local", "mrkit-run"])
def test_rows_into_a_closed_pipe_end_quietly(tmp_path, how):
    """`python mr/word_count.py big.txt | head -1`: the reader goes away; no "job failed"."""
    data = tmp_path / "big.txt"
    data.write_text("".join(f"w{i} w{i % 7}\n" for i in range(20000)))
    argv = {
        "job-inline": [sys.executable, str(REPO / "mr" / "word_count.py"), str(data)],
        "job-local": [sys.executable, str(REPO / "mr" / "word_count.py"), "-r", "local",
                      str(data)],
        "mrkit-run": [sys.executable, "-m", "mr.cli", "run", "word_count", str(data)],
    }[how]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # after the first row, as head -1 does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == BROKEN_PIPE_EXIT, err
    assert err == "", err  # no bad input, so no counters either
