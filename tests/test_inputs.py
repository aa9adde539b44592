"""Input directories are listed as Hadoop's FileInputFormat lists them, on every runner: names
that start with ``_`` or ``.`` are not input (its hiddenFileFilter), a subdirectory is refused
unless the job asks for recursion, and a directory of hidden files only is empty input (not
stdin). mrjob's inline and local runners read all of them before mr.lib.mrjob_fixes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mr.lib.errors import UsageError
from mr.lib.inputs import local_input_files
from mr.word_count import WordCount
from tests.support import BOTH_RUNNERS, REPO, run_job, write_lines

RECURSIVE = "mapreduce.input.fileinputformat.input.dir.recursive"
IGNORE_SUBDIRS = "mapreduce.input.fileinputformat.input.dir.nonrecursive.ignore.subdirs"


def hidden_tree(root):
    """A directory with one data file and what Hadoop skips beside it."""
    write_lines(root / "part-00000", ["kept words"])
    write_lines(root / "_SUCCESS", ["marker"])  # empty in real life; words make a leak visible
    write_lines(root / ".part-00000.crc", ["crc"])
    write_lines(root / ".notes.swp", ["editor"])
    write_lines(root / "_logs" / "history" / "job_1_conf.xml", ["logs"])
    write_lines(root / ".out.tmp-1a2b3c4d" / "part-00000", ["staging"])
    return root


def names(paths, root):
    return [str(p)[len(str(root)) + 1 :] for p in paths]


def test_a_directory_stands_for_its_files_that_are_not_hidden(tmp_path):
    root = hidden_tree(tmp_path / "in")
    assert names(local_input_files(str(root)), root) == ["part-00000"]
    assert names(local_input_files(f"file://{root}"), root) == ["part-00000"]


def test_glob_matches_with_hidden_names_are_skipped(tmp_path):
    root = hidden_tree(tmp_path / "in")
    assert names(local_input_files(str(root / "*")), root) == ["part-00000"]
    assert names(local_input_files(str(root / "[_p]*")), root) == ["part-00000"]


def test_a_file_named_as_it_is_is_read_even_if_hidden(tmp_path):
    path = write_lines(tmp_path / "_side.tsv", ["x"])
    assert list(local_input_files(path)) == [path]


def test_a_directory_of_hidden_files_only_is_no_input(tmp_path):
    root = tmp_path / "in"
    write_lines(root / "_SUCCESS", [])
    write_lines(root / ".hidden", ["x"])
    assert list(local_input_files(str(root))) == []


def test_a_subdirectory_is_refused_as_hadoop_refuses_it(tmp_path):
    write_lines(tmp_path / "in" / "a.txt", ["a"])
    write_lines(tmp_path / "in" / "sub" / "b.txt", ["b"])
    with pytest.raises(UsageError, match="holds a subdirectory sub .*input.dir.recursive=true"):
        list(local_input_files(str(tmp_path / "in")))


def test_recursive_reads_every_level_but_skips_hidden_subdirectories(tmp_path):
    root = tmp_path / "in"
    write_lines(root / "a.txt", ["a"])
    write_lines(root / "sub" / "b.txt", ["b"])
    write_lines(root / "sub" / "_SUCCESS", ["x"])
    write_lines(root / "sub" / "deeper" / "c.txt", ["c"])
    write_lines(root / "_logs" / "sub" / "d.txt", ["d"])
    write_lines(root / ".staging" / "e.txt", ["e"])
    found = names(local_input_files(str(root), {RECURSIVE: "true"}), root)
    assert found == ["a.txt", "sub/b.txt", "sub/deeper/c.txt"]
    # Hadoop 1's name of the key works too
    assert (
        names(local_input_files(str(root), {"mapred.input.dir.recursive": "true"}), root) == found
    )


def test_ignore_subdirs_reads_the_top_level_only(tmp_path):
    root = tmp_path / "in"
    write_lines(root / "a.txt", ["a"])
    write_lines(root / "sub" / "b.txt", ["b"])
    assert names(local_input_files(str(root), {IGNORE_SUBDIRS: "true"}), root) == ["a.txt"]


# -- the same through the runners -------------------------------------------------------------


@BOTH_RUNNERS
def test_jobs_skip_hidden_files_of_an_input_directory(tmp_path, runner):
    root = hidden_tree(tmp_path / "in")
    rows, _ = run_job(WordCount, [root], runner=runner)
    assert rows == ["kept\t1", "words\t1"]


@BOTH_RUNNERS
def test_a_previous_jobs_output_is_input_without_its_marker(tmp_path, runner):
    first = tmp_path / "first"
    proc = _job(
        "word_count", "-r", runner, "--output-dir", str(first), str(hidden_tree(tmp_path / "in"))
    )
    assert proc.returncode == 0, proc.stderr
    assert (first / "_SUCCESS").exists()
    (first / "_SUCCESS").write_text("marker\n")  # a non-empty marker would show up as a word
    rows, _ = run_job(WordCount, [first], runner=runner)
    # word_count's output lines are "word<TAB>count": each is two words to the second job
    assert rows == ["1\t2", "kept\t1", "words\t1"]


@BOTH_RUNNERS
def test_recursive_jobconf_reaches_the_runners(tmp_path, runner):
    root = tmp_path / "in"
    write_lines(root / "a.txt", ["top"])
    write_lines(root / "sub" / "b.txt", ["nested"])
    write_lines(root / "sub" / ".b.txt.crc", ["crc"])
    rows, _ = run_job(WordCount, [root], runner=runner, extra=["-D", f"{RECURSIVE}=true"])
    assert rows == ["nested\t1", "top\t1"]


def _job(stem, *args, stdin=""):
    return subprocess.run(
        [sys.executable, str(REPO / "mr" / f"{stem}.py"), "--no-conf", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


@BOTH_RUNNERS
def test_a_directory_of_hidden_files_does_not_read_stdin(tmp_path, runner):
    root = tmp_path / "in"
    write_lines(root / "_SUCCESS", [])
    write_lines(root / ".hidden", ["secret"])
    proc = _job("word_count", "-r", runner, str(root), stdin="from stdin\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""


@BOTH_RUNNERS
def test_a_subdirectory_is_one_error_line_before_the_job_starts(tmp_path, runner):
    write_lines(tmp_path / "in" / "a.txt", ["a"])
    write_lines(tmp_path / "in" / "sub" / "b.txt", ["b"])
    proc = _job("word_count", "-r", runner, str(tmp_path / "in"))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"word_count.py: error: input directory {tmp_path / 'in'} holds a subdirectory sub "
        f"(Hadoop reads subdirectories only with -D {RECURSIVE}=true)"
    ]


@BOTH_RUNNERS
def test_a_missing_input_path_is_one_error_line(tmp_path, runner):
    proc = _job("word_count", "-r", runner, str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"word_count.py: error: input path {tmp_path / 'nope'} does not exist"
    ]
