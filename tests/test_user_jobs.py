"""A user's own MRJob file under mrkit (`mrkit run job.py`, `mrkit jobs --path DIR`).

The oracle is plain mrjob: the same file run as `python job.py` by this Python, where mrjob
imports without mrkit (3.10, 3.11: the test is skipped elsewhere), with no `mr` imported.
mrjob's own example jobs are copied unmodified from the installed mrjob package.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import mrjob
import pytest

from mr.lib import user_jobs
from mr.lib.errors import UsageError
from tests.support import FIXTURES, mrkit

BYO = FIXTURES / "byo_jobs"
EXAMPLES = Path(mrjob.__file__).parent / "examples"
TEXT = "The cat sat\non the mat\n\nthe end of THE story\ncat and dog\n"
RUNNERS = ("inline", "local")
needs_plain_mrjob = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="plain mrjob 0.7.4 imports only on Python <= 3.11"
)


def plain(job: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python job.py ARGS` with plain mrjob: no mr on the path, no mrkit config."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MRJOB_CONF")}
    return subprocess.run(
        [sys.executable, str(job), "--no-conf", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=300,
    )  # fmt: skip


def rows(out: str) -> list[str]:
    return sorted(out.splitlines())


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "input.txt").write_text(TEXT)
    return tmp_path


def copy_example(name: str, work: Path) -> Path:
    shutil.copy(EXAMPLES / name, work / name)
    return work / name


# -- mrkit run: the same rows as plain mrjob ------------------------------------------------


@needs_plain_mrjob
@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    "example, args",
    [
        ("mr_word_freq_count.py", ()),
        ("mr_wc.py", ()),
        ("mr_next_word_stats.py", ()),
    ],
)
def test_an_mrjob_example_gives_plain_mrjobs_rows(work, runner, example, args):
    job = copy_example(example, work)
    expected = plain(job, "-r", runner, *args, "input.txt", cwd=work)
    assert expected.returncode == 0, expected.stderr
    done = mrkit("run", str(job), "-r", runner, *args, str(work / "input.txt"))
    assert done.returncode == 0, done.stderr
    assert rows(done.stdout) == rows(expected.stdout) != []


@needs_plain_mrjob
def test_grep_runs_its_command_step_on_the_local_runner(work):
    job = copy_example("mr_grep.py", work)
    expected = plain(job, "-r", "local", "-e", "cat", "input.txt", cwd=work)
    done = mrkit("run", str(job), "-r", "local", "-e", "cat", str(work / "input.txt"))
    assert done.returncode == 0, done.stderr
    assert rows(done.stdout) == rows(expected.stdout) == ["The cat sat", "cat and dog"]


def test_what_mrjobs_inline_runner_cannot_run_is_one_line(work):
    job = copy_example("mr_grep.py", work)
    done = mrkit("run", str(job), "-r", "inline", "-e", "cat", str(work / "input.txt"))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "mr_grep.py: error: step 0's mapper runs a command, but inline runner does not support "
        "subprocesses (try -r local)"
    ]


@needs_plain_mrjob
def test_most_used_word_reads_its_stop_words_beside_it(work):
    job = copy_example("mr_most_used_word.py", work)
    shutil.copy(EXAMPLES / "stop_words.txt", work)
    expected = plain(job, "-r", "local", "input.txt", cwd=work)
    done = mrkit("run", str(job), "-r", "local", str(work / "input.txt"))
    assert done.returncode == 0, done.stderr
    assert rows(done.stdout) == rows(expected.stdout) == ['"cat"']


@needs_plain_mrjob
@pytest.mark.parametrize("runner", RUNNERS)
def test_a_plain_job_keeps_mrjobs_number_of_tasks(work, runner):
    """mrkit's own jobs get one split per core; a plain job's rows may count its tasks."""
    (work / "input.txt").write_text("".join(f"line {i}\n" for i in range(400)))
    job = BYO / "tasks_seen.py"
    expected = plain(job, "-r", runner, "input.txt", cwd=work)
    done = mrkit("run", str(job), "-r", runner, str(work / "input.txt"))
    assert done.returncode == 0, done.stderr
    assert rows(done.stdout) == rows(expected.stdout)
    assert '"lines"\t400' in done.stdout


# -- choosing the class -------------------------------------------------------------------


@pytest.mark.parametrize("runner", RUNNERS)
def test_class_picks_a_class_other_than_the_main_blocks_in_the_tasks_too(work, runner):
    job = BYO / "word_and_line_counts.py"
    input_ = str(work / "input.txt")
    words = mrkit("run", str(job), "-r", runner, input_)
    assert words.returncode == 0, words.stderr
    assert '"the"\t4' in words.stdout  # MRWords: what the file's __main__ block runs
    lines = mrkit("run", str(job), "--class", "MRLinesByFirstWord", "-r", runner, input_)
    assert lines.returncode == 0, lines.stderr
    assert rows(lines.stdout) == ['"cat"\t1', '"on"\t1', '"the"\t2']


def test_several_classes_and_no_main_block_is_an_error_naming_them(tmp_path):
    job = tmp_path / "jobs.py"
    job.write_text((BYO / "word_and_line_counts.py").read_text().split("if __name__")[0])
    done = mrkit("run", str(job), str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"mrkit run: error: {job} defines several MRJob classes (MRLinesByFirstWord, MRWords): "
        "choose one with --class"
    ]


@pytest.mark.parametrize(
    "source, args, message",
    [
        ("x = 1\n", (), "{job} defines no MRJob class"),
        ("from mrjob.job import MRJob\nclass A(MRJob): pass\n", ("--class", "B"),
         "{job} has no MRJob class 'B' (it has: A)"),
        ("from mrjob.job import MRJob\nclass A(MRJob): pass\n", ("--class",),
         "--class needs the name of an MRJob class"),
    ],
)  # fmt: skip
def test_bad_choices_are_one_line(tmp_path, source, args, message):
    job = tmp_path / "my_job.py"
    job.write_text(source)
    done = mrkit("run", str(job), *args)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"mrkit run: error: {message.format(job=job)}"]


@pytest.mark.parametrize(
    "source, message",
    [
        ("import no_such_module_here\n",
         "{job}: cannot import the job file: ModuleNotFoundError: "
         "No module named 'no_such_module_here'"),
        ("from mrjob.job import MRJob\nclass A(MRJob)\n",
         "{job}:2: cannot import the job file: SyntaxError: expected ':'"),
    ],
)  # fmt: skip
def test_a_job_file_that_does_not_import_is_one_line(tmp_path, source, message):
    job = tmp_path / "my_job.py"
    job.write_text(source)
    done = mrkit("run", str(job), "-r", "inline")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"mrkit run: error: {message.format(job=job)}"]


def test_a_missing_job_file_is_one_line(tmp_path):
    done = mrkit("run", str(tmp_path / "nope.py"))
    assert (done.returncode, done.stderr) == (
        2,
        f"mrkit run: error: no job file {tmp_path}/nope.py\n",
    )


def test_pick_and_main_class_unit():
    path = BYO / "word_and_line_counts.py"
    assert user_jobs.main_class(path) == "MRWords"
    module = user_jobs.load(path)
    assert user_jobs.pick(module, path, None).__name__ == "MRWords"
    assert user_jobs.pick(module, path, "MRLinesByFirstWord").__name__ == "MRLinesByFirstWord"
    with pytest.raises(UsageError, match="no MRJob class 'Nope'"):
        user_jobs.pick(module, path, "Nope")


# -- mrkit jobs --path ----------------------------------------------------------------------


def test_jobs_path_lists_classes_without_running_any(tmp_path):
    (tmp_path / "a.py").write_text(
        '"""Module summary."""\nimport mrjob.job\nfrom mrjob.job import MRJob\n'
        "raise SystemExit('this file must not run')\n"
        "class Base(MRJob):\n    '''Base job.\n\n    More.'''\n"
        "class Child(Base):\n    pass\n"
        "class Dotted(mrjob.job.MRJob):\n    '''Dotted base.'''\n"
        "class NotAJob(object):\n    '''Not listed.'''\n"
    )
    (tmp_path / "notes.txt").write_text("class X(MRJob): pass\n")
    (tmp_path / "b.py").write_text("def f():\n    pass\n")
    done = mrkit("jobs", "--path", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "a.py:Base    Base job.",
        "a.py:Child   Module summary.",
        "a.py:Dotted  Dotted base.",
    ]


def test_jobs_path_on_mrjobs_examples_lists_the_word_count():
    done = mrkit("jobs", "--path", str(EXAMPLES))
    assert done.returncode == 0, done.stderr
    assert re.search(r"^mr_word_freq_count.py:MRWordFreqCount +The classic MapReduce job",
                     done.stdout, re.MULTILINE)  # fmt: skip


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "missing", "--path {d}/missing: not a directory"),
        (lambda d: (d / "bad.py").write_text("class (:\n") and d, "{d}/bad.py: cannot read it"),
    ],
)
def test_jobs_path_errors_are_one_line(tmp_path, make, message):
    target = make(tmp_path)
    done = mrkit("jobs", "--path", str(target))
    assert done.returncode == 2
    assert done.stderr.startswith(f"mrkit jobs: error: {message.format(d=tmp_path)}")
    assert len(done.stderr.splitlines()) == 1


# -- mrkit's launcher on a plain job --------------------------------------------------------


@pytest.mark.parametrize("runner", RUNNERS)
def test_output_dir_rules(work, runner):
    job = copy_example("mr_wc.py", work)
    out = work / "out"
    first = mrkit("run", str(job), "-r", runner, str(work / "input.txt"), "--output-dir", str(out))
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    assert (out / "_SUCCESS").exists()
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".")) == []  # no staging
    again = mrkit("run", str(job), "-r", runner, str(work / "input.txt"), "--output-dir", str(out))
    assert again.returncode == 2
    assert "already holds data; choose another --output-dir or pass --overwrite" in again.stderr
    forced = mrkit(
        "run", str(job), "-r", runner, str(work / "input.txt"), "--output-dir", str(out),
        "--overwrite",
    )  # fmt: skip
    assert forced.returncode == 0, forced.stderr


def test_a_run_is_quiet(work):
    job = copy_example("mr_wc.py", work)
    done = mrkit("run", str(job), "-r", "local", str(work / "input.txt"))
    assert done.returncode == 0
    assert "Creating temp directory" not in done.stderr
    assert "Running step" not in done.stderr


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_failing_task_names_its_record_and_the_run_is_one_line(work, runner):
    (work / "input.txt").write_text("fine\nBOOM here\nfine too\n")
    done = mrkit("run", str(BYO / "explode.py"), "-r", runner, str(work / "input.txt"))
    assert done.returncode == 1
    assert "ValueError: cannot digest this line" in done.stderr
    if runner == "local":  # inline: the traceback is the launcher's own, the record in it
        assert "mrkit: mapper of step 1 failed on input record 2" in done.stderr
        assert "BOOM here" in done.stderr
        assert "explode: job failed: " in done.stderr


@pytest.mark.parametrize("runner", ("emr", "dataproc"))
def test_cloud_runners_name_the_supported_ones(work, runner):
    job = copy_example("mr_wc.py", work)
    done = mrkit("run", str(job), "-r", runner, str(work / "input.txt"))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"mr_wc.py: error: -r {runner}: mrkit runs jobs on inline, local, hadoop, spark; "
        f"{runner} is one of mrjob's cloud runners, which mrkit does not support"
    ]


def test_a_subdirectory_in_an_input_directory_is_one_line(work):
    job = copy_example("mr_wc.py", work)
    (work / "in" / "sub").mkdir(parents=True)
    (work / "in" / "a.txt").write_text(TEXT)
    done = mrkit("run", str(job), "-r", "local", str(work / "in"))
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert "holds a subdirectory sub" in done.stderr


def test_with_only_the_fixes_loaded_a_plain_refusal_is_one_line_too(work):
    """A plain MRJob run by `python job.py` in a process that loaded mrkit's fixes (not by
    mrkit's launcher): the refusal is still one line and exit code 2, not a traceback."""
    job = copy_example("mr_wc.py", work)
    (work / "in" / "sub").mkdir(parents=True)
    code = (
        "import runpy, sys; import mr.lib.mrjob_fixes as f; f.apply(); "
        f"sys.argv = [{str(job)!r}, '-r', 'inline', '--no-conf', 'in']; "
        f"runpy.run_path({str(job)!r}, run_name='__main__')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=work, timeout=120
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1:] == [
        "mr_wc.py: error: input directory in holds a subdirectory sub (Hadoop reads "
        "subdirectories only with -D mapreduce.input.fileinputformat.input.dir.recursive=true)"
    ]


# -- a user's own mrjob.conf ----------------------------------------------------------------


def test_a_users_mrjob_conf_is_read_and_what_mrkit_cannot_honour_is_named(work):
    home = work / "home"
    home.mkdir()
    (home / ".mrjob.conf").write_text(
        "runners:\n"
        "  emr:\n    region: us-west-2\n"
        "  local:\n    check_input_paths: false\n    cmdenv:\n      MRKIT_TEST_VALUE: from-home\n"
    )
    env = {"HOME": str(home), "MRJOB_CONF": ""}
    env_without = {k: v for k, v in os.environ.items() if k != "MRJOB_CONF"}
    done = subprocess.run(
        [sys.executable, "-m", "mr.cli", "run", str(BYO / "env_value.py"), "-r", "local",
         str(work / "input.txt")],
        capture_output=True, text=True, env={**env_without, "HOME": env["HOME"]}, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == '"value"\t["from-home"]\n'
    conf = home / ".mrjob.conf"
    assert (
        f"env_value: warning: {conf}: runners.emr is not read: mrkit runs jobs on inline, "
        "local, hadoop, spark" in done.stderr
    )
    assert (
        f"env_value: warning: {conf}: runners.local.check_input_paths: False is not honoured: "
        "mrkit always checks input paths before a job starts" in done.stderr
    )


def test_unhonoured_options_of_mrkits_own_conf_are_none():
    from mr.lib.config import REPO_MRJOB_CONF
    from mr.lib.launcher import unhonoured_options

    assert unhonoured_options(str(REPO_MRJOB_CONF)) == []


# -- on YARN -------------------------------------------------------------------------------


@pytest.mark.hadoop
def test_an_mrjob_example_on_yarn_through_mrkit_run(hadoop_cluster, hdfs, hdfs_dir, work):
    job = copy_example("mr_word_freq_count.py", work)
    hdfs.write_bytes(f"{hdfs_dir}/input.txt", TEXT.encode())
    done = mrkit("run", str(job), "-r", "hadoop", f"hdfs://{hdfs_dir}/input.txt",
                 env={"MRJOB_CONF": hadoop_cluster.mrjob_conf})  # fmt: skip
    assert done.returncode == 0, done.stderr
    local = mrkit("run", str(job), "-r", "inline", str(work / "input.txt"))
    assert rows(done.stdout) == rows(local.stdout) != []
    out = f"{hdfs_dir}/out"
    # no MRJOB_CONF: the cluster of `mrkit cluster up` is found as mrkit's own jobs find it
    second = subprocess.run(
        [sys.executable, "-m", "mr.cli", "run", str(BYO / "word_and_line_counts.py"),
         "--class", "MRLinesByFirstWord", "-r", "hadoop", f"hdfs://{hdfs_dir}/input.txt",
         "--output-dir", f"hdfs://{out}"],
        capture_output=True, text=True, timeout=600,
        env={k: v for k, v in os.environ.items() if k != "MRJOB_CONF"},
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    assert hdfs.exists(f"{out}/_SUCCESS")


@pytest.mark.spark
def test_a_plain_job_on_spark_through_mrkit_run(work):
    job = BYO / "word_and_line_counts.py"
    done = mrkit(
        "run", str(job), "--class", "MRLinesByFirstWord", "-r", "spark", str(work / "input.txt")
    )
    assert done.returncode == 0, done.stderr
    assert rows(done.stdout) == ['"cat"\t1', '"on"\t1', '"the"\t2']
