"""mr.lib.job_cache: job files uploaded once per content, the Hadoop version asked once."""

from __future__ import annotations

import getpass
import hashlib
import os
import posixpath
import uuid

import pytest
from mrjob.fs.hadoop import HadoopFilesystem

from mr.lib import job_cache, mrjob_fixes

mrjob_fixes.apply_hadoop()


class DictFS:
    """The four calls upload_once makes, over a dict (HDFS's rename: never over a file)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.puts: list[str] = []
        self.rename_first: str | None = None  # another run's upload lands just before ours

    def exists(self, uri: str) -> bool:
        return uri in self.files

    def put(self, src: str, uri: str) -> None:
        assert uri not in self.files
        self.puts.append(uri)
        with open(src, "rb") as f:
            self.files[uri] = f.read()

    def rename(self, src: str, dest: str) -> None:
        if self.rename_first is not None:
            self.files[dest] = self.rename_first.encode()
        if dest in self.files:
            raise OSError(f"Unable to rename {src!r} to {dest!r}.")
        self.files[dest] = self.files.pop(src)

    def rm(self, uri: str) -> None:
        del self.files[uri]


@pytest.fixture
def job_file(tmp_path):
    path = tmp_path / "job.py"
    path.write_bytes(b"print('hello')\n")
    return str(path)


def test_digest_is_the_sha256_and_follows_the_content(job_file):
    assert job_cache.file_digest(job_file) == hashlib.sha256(b"print('hello')\n").hexdigest()
    with open(job_file, "ab") as f:
        f.write(b"# changed\n")
    changed = hashlib.sha256(b"print('hello')\n# changed\n").hexdigest()
    assert job_cache.file_digest(job_file) == changed


def test_cache_uri_is_under_the_users_home(job_file):
    digest = job_cache.file_digest(job_file)
    assert job_cache.cache_uri(job_file, "wc.py") == (
        f"hdfs:///user/{getpass.getuser()}/.mrkit/files/{digest}/wc.py"
    )


def test_upload_once_writes_a_hidden_name_then_renames(job_file):
    fs = DictFS()
    uri = "hdfs:///user/u/.mrkit/files/d/job.py"
    assert job_cache.upload_once(fs, job_file, uri) is True
    assert list(fs.files) == [uri] and fs.files[uri] == b"print('hello')\n"
    [temp] = fs.puts
    assert posixpath.dirname(temp) == posixpath.dirname(uri)
    assert posixpath.basename(temp).startswith(".job.py.") and temp.endswith(".part")


def test_upload_once_uploads_nothing_the_second_time(job_file):
    fs = DictFS()
    uri = "hdfs:///user/u/.mrkit/files/d/job.py"
    job_cache.upload_once(fs, job_file, uri)
    assert job_cache.upload_once(fs, job_file, uri) is False
    assert len(fs.puts) == 1


def test_a_concurrent_upload_keeps_one_copy_and_no_temporary_file(job_file):
    fs = DictFS()
    fs.rename_first = "print('hello')\n"
    uri = "hdfs:///user/u/.mrkit/files/d/job.py"
    assert job_cache.upload_once(fs, job_file, uri) is True
    assert list(fs.files) == [uri]


def test_a_failed_rename_with_nothing_in_place_is_raised(job_file):
    class NoRename(DictFS):
        def rename(self, src: str, dest: str) -> None:
            raise OSError("disk full")

    fs = NoRename()
    with pytest.raises(OSError, match="disk full"):
        job_cache.upload_once(fs, job_file, "hdfs:///c/d/job.py")
    assert fs.files == {}  # the half upload is gone


@pytest.fixture
def version_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(job_cache.CACHE_ENV, raising=False)


@pytest.fixture
def hadoop_bin(tmp_path):
    """A `hadoop` that answers `version` and counts how often it was asked."""
    calls = tmp_path / "calls"
    script = tmp_path / "bin" / "hadoop"
    script.parent.mkdir()
    script.write_text(f'#!/bin/sh\necho x >> {calls}\necho "Hadoop 3.4.1"\n')
    script.chmod(0o755)
    return script, calls


def _asked(calls) -> int:
    return len(calls.read_text().splitlines()) if calls.exists() else 0


def test_the_version_is_asked_once_per_installation(version_cache, hadoop_bin):
    script, calls = hadoop_bin
    for _ in range(3):  # each job's runner has a HadoopFilesystem of its own
        assert HadoopFilesystem([str(script)]).get_hadoop_version() == "3.4.1"
    assert _asked(calls) == 1


def test_a_new_launcher_or_conf_dir_asks_again(version_cache, hadoop_bin, monkeypatch):
    script, calls = hadoop_bin
    HadoopFilesystem([str(script)]).get_hadoop_version()
    monkeypatch.setenv("HADOOP_CONF_DIR", "/etc/other-cluster")
    HadoopFilesystem([str(script)]).get_hadoop_version()
    assert _asked(calls) == 2
    st = os.stat(script)
    os.utime(script, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # replaced
    HadoopFilesystem([str(script)]).get_hadoop_version()
    assert _asked(calls) == 3


def test_no_version_cache_when_turned_off(version_cache, hadoop_bin, monkeypatch):
    script, calls = hadoop_bin
    monkeypatch.setenv(job_cache.CACHE_ENV, "0")
    HadoopFilesystem([str(script)]).get_hadoop_version()
    HadoopFilesystem([str(script)]).get_hadoop_version()
    assert _asked(calls) == 2


def test_a_damaged_version_cache_is_asked_again(version_cache, hadoop_bin):
    script, calls = hadoop_bin
    job_cache.version_cache_path().parent.mkdir(parents=True)
    job_cache.version_cache_path().write_text("{not json")
    assert HadoopFilesystem([str(script)]).get_hadoop_version() == "3.4.1"
    assert HadoopFilesystem([str(script)]).get_hadoop_version() == "3.4.1"
    assert _asked(calls) == 1


def test_the_version_cache_keeps_the_newest(version_cache):
    for i in range(job_cache.VERSION_CACHE_KEEP + 5):
        job_cache.remember_version(f"k{i}", f"3.{i}")
    assert job_cache.cached_version("k0") is None
    last = job_cache.VERSION_CACHE_KEEP + 4
    assert job_cache.cached_version(f"k{last}") == f"3.{last}"


# on the session cluster: the upload step of two runs of one job (no YARN job needed: the
# jobs of tests/test_yarn_jobs.py run from these cached files)


def _upload_step(conf: str, extra_file: str, output: str):
    """Make a -r hadoop runner of word_count and run its steps up to the uploads; its puts."""
    from mr.word_count import WordCount

    job = WordCount(["-r", "hadoop", "-c", conf, "--files", extra_file,
                     "--output-dir", output, "hdfs:///none"])  # fmt: skip
    runner = job.make_runner()
    webhdfs = runner.fs.webhdfs
    puts: list[str] = []
    real_put = webhdfs.put

    def put(src: str, uri: str) -> None:
        puts.append(uri)
        real_put(src, uri)

    webhdfs.put = put
    runner._create_dir_archives()
    runner._find_binaries_and_jars()
    runner._create_setup_wrapper_scripts()
    runner._add_job_files_for_upload()
    runner._upload_local_files()
    args = runner._args_for_step(0)
    runner.cleanup()
    return puts, " ".join(args)


@pytest.mark.hadoop
def test_the_second_run_uploads_nothing(hadoop_cluster, hdfs, tmp_path):
    extra = tmp_path / "lookup.txt"
    extra.write_text(f"{uuid.uuid4()}\n")  # content no earlier run shipped
    cached = job_cache.cache_uri(str(extra), "lookup.txt")
    out = f"hdfs:///mrkit-tests/{uuid.uuid4().hex[:12]}"

    first, args = _upload_step(hadoop_cluster.mrjob_conf, str(extra), out)
    assert f"{cached}#lookup.txt" in args  # the job names the cached copy
    path = cached.removeprefix("hdfs://")
    assert hdfs.read_bytes(path) == extra.read_bytes()
    assert [p for p in first if posixpath.basename(posixpath.dirname(p)) in cached]
    before = hdfs.status(path)

    second, args = _upload_step(hadoop_cluster.mrjob_conf, str(extra), out)
    cache_prefix = job_cache.cache_uri_prefix()
    assert [p for p in second if p.startswith(cache_prefix)] == []
    # only the setup wrapper, which names this run's lock file, goes to the job's own directory
    assert [posixpath.basename(p) for p in second] == ["setup-wrapper.sh"]
    assert f"{cached}#lookup.txt" in args
    assert hdfs.status(path) == before  # never written again (YARN checks its mtime)
    hdfs.rm(posixpath.dirname(path), recursive=True)


def test_mrjob_zip_imports_compiled_code_and_is_built_once(tmp_path):
    import subprocess
    import sys

    import mrjob

    mrjob_dir = os.path.dirname(mrjob.__file__)
    zip_path = job_cache.compiled_mrjob_zip(mrjob_dir, str(tmp_path))
    assert job_cache.compiled_mrjob_zip(mrjob_dir, str(tmp_path)) == zip_path
    assert os.listdir(tmp_path) == [os.path.basename(zip_path)]  # no leftover temporary file
    probe = subprocess.run(
        [sys.executable, "-S", "-c", "import mrjob.job; print(mrjob.job.__file__)"],
        env={"PYTHONPATH": zip_path}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert probe.stdout.strip() == f"{zip_path}/mrjob/job.pyc"


# what the cache holds, and pruning it


def _listed(path: str, size: int = 0, modified: float = 0.0, accessed: float = 0.0, kind="file"):
    from mr.clients.hdfs import Entry

    return Entry(path, kind, size, modified, accessed)


def test_one_entry_per_content_last_used_when_read_or_uploaded():
    root = "/user/u/.mrkit/files"
    entries = job_cache.cache_entries(root, [
        _listed(f"{root}/aa", 4096, modified=999, kind="directory"),  # not counted: its files are
        _listed(f"{root}/aa/job.py", 10, modified=100, accessed=500),
        _listed(f"{root}/aa/copy.py", 10, modified=100, accessed=100),
        _listed(f"{root}/bb/.job.py.1234.part", 7, modified=300, accessed=300),
        _listed(f"{root}/cc/mrjob.zip", 5, modified=900, accessed=0),  # access times off
    ])  # fmt: skip
    assert [(e.directory, e.names, e.size, e.last_used) for e in entries] == [
        (f"{root}/aa", ("copy.py", "job.py"), 20, 500),
        (f"{root}/bb", (), 7, 300),
        (f"{root}/cc", ("mrjob.zip",), 5, 900),
    ]
    day = 86400
    assert [e.directory for e in job_cache.unused(entries, 7 * day + 500, 7)] == [
        f"{root}/aa", f"{root}/bb"
    ]  # fmt: skip
    assert job_cache.unused(entries, 7 * day + 299, 7) == []


@pytest.mark.hadoop
def test_mrkit_hdfs_cache_lists_and_prunes_what_no_job_read(hadoop_cluster, hdfs):
    """As a user of its own (the HDFS home follows $USER on the open cluster), so the
    session's own cache is never touched."""
    import time

    from tests.support import mrkit, one_line

    user = f"cache-{uuid.uuid4().hex[:8]}"
    root = f"/user/{user}/{job_cache.HDFS_CACHE_DIR}"
    env = {"MRKIT_WEBHDFS_URL": hadoop_cluster.webhdfs_url, "USER": user, "LOGNAME": user}
    assert "no job cache at" in mrkit("hdfs", "cache", env=env).stderr
    old, fresh, part = "a" * 64, "b" * 64, "c" * 64
    hdfs.write_bytes(f"{root}/{old}/word_count.py", b"old\n")
    hdfs.write_bytes(f"{root}/{fresh}/word_count.py", b"fresh\n")
    hdfs.write_bytes(f"{root}/{part}/.mrjob.zip.0123.part", b"half")
    ten_days_ago = int((time.time() - 10 * 86400) * 1000)
    for path in (f"{root}/{old}/word_count.py", f"{root}/{part}/.mrjob.zip.0123.part"):
        hdfs.raw.set_times(path, access_time=ten_days_ago, modification_time=ten_days_ago)
    try:
        listed = mrkit("hdfs", "cache", env=env)
        assert listed.returncode == 0, listed.stderr
        assert [line.split(None, 3)[3] for line in listed.stdout.splitlines()] == [
            f"{'a' * 12}  word_count.py", f"{'b' * 12}  word_count.py",
            f"{'c' * 12}  (an unfinished upload)",
        ]  # fmt: skip
        assert one_line(listed.stderr) == f"3 entries, 14 bytes, in {root}"

        dry = mrkit("hdfs", "cache", "--prune", "7", "--dry-run", env=env)
        assert len(dry.stdout.splitlines()) == 2 and "would remove 2 entries" in dry.stderr
        assert hdfs.exists(f"{root}/{old}")
        pruned = mrkit("hdfs", "cache", "--prune", "7", env=env)
        assert pruned.returncode == 0, pruned.stderr
        assert one_line(pruned.stderr) == (
            f"removed 2 entries unused for 7 days (8 bytes) from {root}"
        )
        assert sorted(hdfs._names(root)) == [fresh]

        bad = mrkit("hdfs", "cache", "--prune", "0", env=env)
        assert bad.returncode == 2 and "a whole number of days, 1 or more" in one_line(bad.stderr)
        alone = mrkit("hdfs", "cache", "--dry-run", env=env)
        assert alone.returncode == 2 and "--dry-run goes with --prune" in one_line(alone.stderr)
    finally:
        hdfs.rm(f"/user/{user}", recursive=True)
