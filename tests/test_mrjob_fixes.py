"""mr.lib.mrjob_fixes: what mrjob 0.7.4 gets wrong, fixed where mrkit runs it."""

import os
import random
import subprocess
import sys
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from mrjob.job import MRJob
from mrjob.logs.history import _match_history_log_path

from mr.lib import mrjob_fixes
from mr.lib.job import MRKitJob  # (importing it applies the fixes)
from mr.lib.mrjob_fixes import copy_range, line_ranges
from tests.support import REPO

JHIST = (
    "hdfs:///tmp/mrkit/history/done_intermediate/{user}/job_1796146935472_0002-1796147014890-"
    "{user}-streamjob9380458362518892862.jar-1796147037189-1-0-FAILED-root.default-"
    "1796147019740.jhist"
)


@pytest.mark.parametrize("user", ["hadoop", "root", "data-eng", "svc_etl"])
def test_history_log_of_any_user_is_found(user):
    match = _match_history_log_path(JHIST.format(user=user))
    assert match == {"job_id": "job_1796146935472_0002", "yarn": True}


def test_history_log_of_another_job_is_not_taken():
    path = JHIST.format(user="root")
    assert _match_history_log_path(path, job_id="job_1796146935472_0003") is None
    assert _match_history_log_path("hdfs:///tmp/x/job_1_0001_conf.xml") is None


def _mrjob_groups(data: bytes, split_size: int, key=None) -> list[bytes]:
    """mrjob's own splits (sim._split_records over the lines), as the bytes of each split."""
    from mrjob.sim import _split_records

    lines = data.splitlines(keepends=True)
    return [b"".join(group) for group in _split_records(iter(lines), split_size, key)]


def _ranges(tmp_path, data: bytes, split_size: int, key=None) -> list[bytes]:
    path = tmp_path / "in"
    path.write_bytes(data)
    with open(path, "rb") as f:
        return [data[a:b] for a, b in line_ranges(f, split_size, key)]


def _random_lines(rng: random.Random, keyed: bool) -> bytes:
    lines = []
    for _ in range(rng.randrange(0, 40)):
        text = "".join(rng.choice("ab \t") for _ in range(rng.randrange(0, 12)))
        if keyed:
            text = f"{rng.randrange(5):02d}\t{text}"
        lines.append(text.encode() + b"\n")
    data = b"".join(sorted(lines) if keyed else lines)
    return data[:-1] if data and rng.random() < 0.3 else data  # a last line without \n


@pytest.mark.parametrize("seed", range(200))
def test_split_ranges_cut_where_mrjob_cuts(tmp_path, seed):
    """Seeking for the cuts makes mrjob's splits: map splits by size; reduce splits never cut
    a run of one key."""
    rng = random.Random(seed)
    keyed = seed % 2 == 1
    data = _random_lines(rng, keyed)
    split_size = rng.choice([1, 2, 5, 17, 64, 1000])
    key = (lambda line: line.rstrip(b"\r\n").split(b"\t", 1)[0]) if keyed else None
    assert _ranges(tmp_path, data, split_size, key) == _mrjob_groups(data, split_size, key)


def test_copy_range_copies_the_bytes(tmp_path):
    data = bytes(range(256)) * 5000
    (tmp_path / "src").write_bytes(data)
    with open(tmp_path / "src", "rb") as src, open(tmp_path / "dest", "wb") as dest:
        dest.write(b"head:")
        copy_range(src, dest, 1000, 700_000)
    assert (tmp_path / "dest").read_bytes() == b"head:" + data[1000:701_000]


def _fake_runner(tmp_path):
    """What _create_dir_archive uses of a runner: where an archive goes, and which exist."""
    return SimpleNamespace(
        _dir_archive_path=lambda d: str(tmp_path / "job" / (os.path.basename(d) + ".tar.gz")),
        _dir_archives_created=set(),
    )


def _archived(path):
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def test_dir_archives_are_built_once_per_content(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "a.py").write_text("A = 1\n")
    (pkg / "sub" / "b.py").write_text("B = 2\n")
    cache = tmp_path / "cache" / "mrkit" / "archives"

    first = _fake_runner(tmp_path)
    mrjob_fixes._create_dir_archive(first, str(pkg))
    made = first._dir_archive_path(str(pkg))
    assert _archived(made) == {"a.py": b"A = 1\n", "sub/b.py": b"B = 2\n"}
    built = list(cache.iterdir())
    assert len(built) == 1

    os.utime(pkg / "a.py", (1, 1))  # touched, same bytes: the same archive, not built again
    os.unlink(made)
    mrjob_fixes._create_dir_archive(_fake_runner(tmp_path), str(pkg))
    assert list(cache.iterdir()) == built and _archived(made)["a.py"] == b"A = 1\n"

    (pkg / "a.py").write_text("A = 3\n")  # new bytes: a new archive, with them
    mrjob_fixes._create_dir_archive(_fake_runner(tmp_path), str(pkg))
    assert len(list(cache.iterdir())) == 2
    assert _archived(made) == {"a.py": b"A = 3\n", "sub/b.py": b"B = 2\n"}


def test_the_archive_cache_keeps_the_newest(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(mrjob_fixes, "ARCHIVE_CACHE_KEEP", 2)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    for i in range(4):
        (pkg / "m.py").write_text(f"V = {i}\n")
        mrjob_fixes._create_dir_archive(_fake_runner(tmp_path), str(pkg))
        for n, entry in enumerate(sorted((tmp_path / "cache" / "mrkit" / "archives").iterdir())):
            os.utime(entry, (1000 + i * 10 + n, 1000 + i * 10 + n))
    assert len(list((tmp_path / "cache" / "mrkit" / "archives").iterdir())) == 2


def test_a_cached_archive_is_unpacked_once_for_every_step(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "m.py").write_text("V = 1\n")
    runner = _fake_runner(tmp_path)
    mrjob_fixes._create_dir_archive(runner, str(pkg))
    steps = [tmp_path / "step0" / "pkg", tmp_path / "step1" / "pkg"]
    for dest in steps:
        dest.parent.mkdir()
        mrjob_fixes._unarchive(runner._dir_archive_path(str(pkg)), str(dest))
    assert steps[0].is_symlink() and os.readlink(steps[0]) == os.readlink(steps[1])
    assert (steps[1] / "m.py").read_text() == "V = 1\n"
    other = tmp_path / "other.tar.gz"  # not from the cache: unpacked as mrjob does
    with tarfile.open(other, "w:gz") as tar:
        tar.add(pkg / "m.py", "m.py")
    mrjob_fixes._unarchive(str(other), str(tmp_path / "plain"))
    assert not (tmp_path / "plain").is_symlink() and (tmp_path / "plain" / "m.py").exists()


def test_runners_do_not_import_pyspark_until_a_job_runs_on_spark():
    """mrjob.bin imports pyspark only to find spark-submit beside it (0.1 s of every launch)."""
    import subprocess
    import sys

    code = (
        "import sys, mr.lib.job, mrjob.local, mrjob.hadoop, mrjob.bin\n"
        "print('pyspark' in sys.modules, mrjob.bin.pyspark)\n"
        "from mr.lib import mrjob_fixes\n"
        "mrjob_fixes.apply_spark()\n"
        "print(mrjob.bin.pyspark.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["False None", "pyspark"]


class _PlainJob(MRJob):
    def mapper(self, _, line):
        yield line, 1


class _MRKitJob(MRKitJob):
    def mapper(self, _, line):
        yield line, 1


@pytest.mark.parametrize("job_cls, splits", [(_PlainJob, 4), (_MRKitJob, 2)])
def test_a_plain_job_keeps_mrjobs_two_splits_per_core(tmp_path, job_cls, splits):
    """mrkit's jobs get one split per core; any other MRJob keeps mrjob's target of two."""
    path = tmp_path / "input.txt"
    path.write_bytes(b"x" * 999 + b"\n")
    job = job_cls(["-r", "local", "--no-conf", "--num-cores", "2", str(path)])
    with job.make_runner() as runner:
        assert runner._pick_mapper_split_size([str(path)], 0) == 1000 // splits


def _parts_and_counters(job_cls, argv):
    """(the part files' bytes by name, counters) of a local run with the repo's mrjob.conf (no
    mrjob bootstrap: tasks run `python job.py`)."""
    job = job_cls(["-r", "local", "-c", str(REPO / "mrjob.conf"), "--num-cores", "2", *argv])
    with job.make_runner() as runner:
        runner.run()
        out = runner.get_output_dir()
        parts = {p: (Path(out) / p).read_bytes() for p in sorted(os.listdir(out))}
        return parts, runner.counters()


def test_local_tasks_are_forks_with_the_rows_counters_and_partitions_of_new_pythons(
    tmp_path, monkeypatch
):
    """mrkit's jobs run their local tasks as forks of the launcher: the same part files (so the
    same partitioning over two reducers) and counters as tasks started as new Pythons, which a
    python_bin of its own still gets."""
    from mr.word_count import WordCount

    path = tmp_path / "input.txt"
    path.write_bytes(b"\xef\xbb\xbfthe cat\n\nthe dog \xff\n" * 300 + b"a b c d e f g\n" * 200)
    forks = tmp_path / "forks"
    forks.mkdir()
    in_child = mrjob_fixes._task_in_child

    def recorded(*args, **kwargs):
        (forks / str(os.getpid())).touch()
        return in_child(*args, **kwargs)

    monkeypatch.setattr(mrjob_fixes, "_task_in_child", recorded)
    argv = ["--tokenizer", "whitespace", str(path)]
    forked = _parts_and_counters(WordCount, argv)
    assert len(os.listdir(forks)) == 4  # two map and two reduce tasks
    spawned = _parts_and_counters(WordCount, ["--python-bin", f"{sys.executable} -X utf8", *argv])
    assert len(os.listdir(forks)) == 4  # none more
    assert forked == spawned
    parts, counters = forked
    assert len(parts) == 2 and all(parts.values())
    assert counters[0]["word_count"] == {"empty_lines": 300, "bad_utf8": 300}


EXPLODE = """
import os

from mr.lib.job import MRKitJob

IMPORTED_BY = os.getpid()  # in a forked task, the launcher's pid


class Explode(MRKitJob):
    def mapper(self, _, line):
        if b"BOOM" in line:
            raise ValueError(f"cannot digest this line (forked={IMPORTED_BY != os.getpid()})")
        yield line, 1


if __name__ == "__main__":
    Explode.run()
"""


def test_a_forked_task_that_fails_fails_the_run_naming_its_record(tmp_path):
    job = tmp_path / "explode.py"
    job.write_text(EXPLODE)
    data = tmp_path / "input.txt"
    data.write_text("fine\nBOOM here\nfine too\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    conf = str(REPO / "mrjob.conf")  # no mrjob bootstrap: tasks would run `python explode.py`
    done = subprocess.run([sys.executable, str(job), "-r", "local", "-c", conf, str(data)],
                          capture_output=True, text=True, env=env, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1
    assert "ValueError: cannot digest this line (forked=True)" in done.stderr
    assert "mrkit: mapper of step 1 failed on input record 2" in done.stderr
