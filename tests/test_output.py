"""Where output goes: an --output-dir (a job's) or --output (a twin's) that holds anything, dotfiles
included, is data and is refused without --overwrite; a path that cannot be written is one usage
line (exit 2); a disk that fills up mid-run is one failure line (exit 1). Never a traceback, never
a hidden staging directory left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from mr.cli import main
from mr.engines import hive
from mr.engines.twins import TwinRun
from mr.lib.errors import UsageError
from mr.lib.publish import check_output, holds_data, start_output
from tests.support import BOTH_RUNNERS, REPO, fixture, write_lines


def job(*args: str, runner: str = "inline") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "mr" / "word_count.py"), "--no-conf", "-r", runner, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )


def leftovers(directory) -> list[str]:
    """Hidden staging directories (``.name.tmp-…``) left in a directory."""
    return [n for n in os.listdir(directory) if n.startswith(".") and ".tmp-" in n]


# -- what holds data ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entries,held",
    [
        ([], False),
        ([".env"], True),
        ([".git/HEAD"], True),
        (["_SUCCESS"], True),
        (["part-00000"], True),
    ],
)
def test_any_entry_is_data(tmp_path, entries, held):
    out = tmp_path / "out"
    out.mkdir()
    for name in entries:
        write_lines(out / name, ["x"])
    assert holds_data(out) is held


def test_a_file_or_a_link_is_data_and_a_missing_path_is_not(tmp_path):
    assert not holds_data(tmp_path / "nope")
    write_lines(tmp_path / "f", [])
    assert holds_data(tmp_path / "f")
    os.symlink(tmp_path / "gone", tmp_path / "dangling")
    assert holds_data(tmp_path / "dangling")


def test_check_output_leaves_nothing_behind(tmp_path):
    check_output(tmp_path / "a" / "b" / "out")
    assert (tmp_path / "a" / "b").is_dir()
    assert os.listdir(tmp_path / "a" / "b") == []
    staging = start_output(tmp_path / "out2")
    assert staging.parent == tmp_path and staging.name.startswith(".out2.tmp-")


# -- jobs: --output-dir --------------------------------------------------------------------------


@pytest.mark.parametrize("dotfile", [".env", ".git/config"])
@BOTH_RUNNERS
def test_a_directory_of_dotfiles_is_refused_and_kept(tmp_path, runner, dotfile):
    out = tmp_path / "out"
    write_lines(out / dotfile, ["SECRET=1"])
    proc = job("--output-dir", str(out), fixture("word_count"), runner=runner)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"word_count.py: error: --output-dir {out}: the output directory already holds data; "
        "choose another --output-dir or pass --overwrite"
    ]
    assert (out / dotfile).read_text() == "SECRET=1\n"
    assert leftovers(tmp_path) == []


@BOTH_RUNNERS
def test_overwrite_replaces_a_directory_of_dotfiles(tmp_path, runner):
    out = tmp_path / "out"
    write_lines(out / ".env", ["SECRET=1"])
    proc = job("--overwrite", "--output-dir", str(out), fixture("word_count"), runner=runner)
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(out)) == [
        "_SUCCESS",
        *sorted(p for p in os.listdir(out) if p[0] == "p"),
    ]
    assert leftovers(tmp_path) == []


def test_an_empty_directory_is_used(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    proc = job("--output-dir", str(out), fixture("word_count"))
    assert proc.returncode == 0, proc.stderr
    assert (out / "_SUCCESS").exists()


def test_a_file_at_the_output_path_is_refused(tmp_path):
    write_lines(tmp_path / "out", ["keep me"])
    proc = job("--output-dir", str(tmp_path / "out"), fixture("word_count"))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"word_count.py: error: --output-dir {tmp_path / 'out'}: the output path (a file) already "
        "holds data; choose another --output-dir or pass --overwrite"
    ]
    assert (tmp_path / "out").read_text() == "keep me\n"


@BOTH_RUNNERS
def test_a_file_in_the_way_of_the_output_path_is_one_usage_line(tmp_path, runner):
    write_lines(tmp_path / "blocker", ["x"])
    out = tmp_path / "blocker" / "sub" / "out"
    proc = job("--output-dir", str(out), fixture("word_count"), runner=runner)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"word_count.py: error: --output-dir {out}: {tmp_path / 'blocker'} is a file, "
        "not a directory"
    ]
    assert leftovers(tmp_path) == []


# A read-only parent and a full disk. As root, permission bits do not stop a write: a read-only
# tmpfs does (EROFS); a full disk is a tiny tmpfs. Both need mount(2) (root with CAP_SYS_ADMIN):
# skipped where it is not allowed.


def _mount_tmpfs(path, options: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")


def _umount(path) -> None:
    for _ in range(50):  # a task process may still be leaving it
        if subprocess.run(["umount", str(path)], capture_output=True).returncode == 0:
            return
        time.sleep(0.1)
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.fixture
def read_only_dir(tmp_path):
    path = tmp_path / "ro"
    if os.geteuid() != 0:
        path.mkdir()
        path.chmod(0o555)
        yield path
        path.chmod(0o755)
        return
    _mount_tmpfs(path, "ro,size=64k")
    yield path
    _umount(path)


@pytest.fixture
def small_disk(tmp_path):
    """A 32 KiB file system: word_count's output of ~20,000 words does not fit."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    path = tmp_path / "small"
    _mount_tmpfs(path, "size=32k")
    yield path
    _umount(path)


@BOTH_RUNNERS
def test_a_read_only_parent_is_one_usage_line(read_only_dir, runner):
    out = read_only_dir / "out"
    proc = job("--output-dir", str(out), fixture("word_count"), runner=runner)
    assert proc.returncode == 2
    reason = "Read-only file system" if os.geteuid() == 0 else "Permission denied"
    assert proc.stderr.splitlines() == [
        f"word_count.py: error: --output-dir {out}: cannot write there ({reason})"
    ]


@BOTH_RUNNERS
def test_a_full_disk_is_one_failure_line_and_leaves_nothing(tmp_path, small_disk, runner):
    big = write_lines(tmp_path / "big.txt", [f"w{i} x" for i in range(20000)])
    out = small_disk / "out"
    proc = job("-q", "--output-dir", str(out), big, runner=runner)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    if runner == "inline":  # the write fails in this process
        assert lines[0] == "word_count: job failed: [Errno 28] No space left on device"
    else:  # the write fails in a reducer task
        assert lines[0].startswith("word_count: job failed: Step 1 of 1 failed: ")
    assert os.listdir(small_disk) == []  # no staging directory, no half output


def test_a_full_disk_shows_no_launcher_traceback(tmp_path, small_disk):
    big = write_lines(tmp_path / "big.txt", [f"w{i} x" for i in range(20000)])
    proc = job("--output-dir", str(small_disk / "out"), big)  # mrjob's logging on
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1] == (
        "word_count: job failed: [Errno 28] No space left on device"
    )


# -- twins: --output (refused before any JVM starts) ----------------------------------------------


@pytest.mark.parametrize("engine", ["hive", "pig"])
@pytest.mark.parametrize("held", [".env", "part-00000", "_SUCCESS"])
def test_twin_output_that_holds_data_is_refused(no_java, capsys, tmp_path, engine, held):
    out = tmp_path / "out"
    write_lines(out / held, ["keep"])
    argv = [engine, "run", "word_count", "--input", fixture("word_count"), "--output", str(out)]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"mrkit {engine} run: error: --output {out}: the output directory already holds data; "
        "choose another --output or pass --overwrite\n"
    )
    assert (out / held).read_text() == "keep\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("engine", ["hive", "pig"])
def test_twin_overwrite_gets_past_the_check(no_java, capsys, tmp_path, engine):
    out = tmp_path / "out"
    write_lines(out / ".env", ["keep"])
    argv = [engine, "run", "word_count", "--input", fixture("word_count"), "--output", str(out)]
    # past the check the run needs a JVM, which is not there: a failure (1), not a refusal (2)
    assert main([*argv, "--overwrite"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"mrkit {engine} run: error: ") and "already holds data" not in err
    assert (out / ".env").read_text() == "keep\n"  # a failed run replaces nothing


def test_twin_output_in_the_way_is_one_usage_line(no_java, capsys, tmp_path):
    write_lines(tmp_path / "blocker", ["x"])
    out = tmp_path / "blocker" / "out"
    argv = ["pig", "run", "word_count", "--input", fixture("word_count"), "--output", str(out)]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"mrkit pig run: error: --output {out}: {tmp_path / 'blocker'} is a file, not a directory\n"
    )


def test_the_library_refuses_too(no_java, tmp_path):
    out = tmp_path / "out"
    write_lines(out / ".git" / "HEAD", ["ref: refs/heads/main"])
    run = TwinRun(REPO / "hive" / "word_count.q", out, {"INPUT": fixture("word_count")})
    with pytest.raises(UsageError, match="already holds data"):
        hive.run(run)
    outcome = hive.run_many([run])
    assert isinstance(outcome[out.resolve()], UsageError)


def test_part_names_are_the_same_for_every_engine():
    from mr.lib.publish import part_names

    assert part_names(["000001_0", "000000_0", "_SUCCESS", ".000000_0.crc", "x.crc"]) == {
        "000000_0": "part-00000",
        "000001_0": "part-00001",
    }
    assert part_names(["part-m-00000", "_logs"]) == {"part-m-00000": "part-00000"}
    assert part_names([]) == {}
