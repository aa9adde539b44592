"""mr.clients.hdfs against the real NameNode (WebHDFS) of the session's Hadoop cluster."""

import os
import socket
import subprocess
import sys

import pytest

from mr.clients import hdfs as mrhdfs
from tests.support import REPO

pytestmark = pytest.mark.hadoop


def test_put_ls_cat_get_rm_roundtrip(hdfs, hdfs_dir, tmp_path):
    local = tmp_path / "users.tsv"
    local.write_bytes(b"1\tada\n2\tgrace\n")
    assert hdfs.put(local, f"{hdfs_dir}/in/users.tsv") == f"{hdfs_dir}/in/users.tsv"

    [entry] = hdfs.ls(f"{hdfs_dir}/in")
    assert (entry.path, entry.kind, entry.size) == (f"{hdfs_dir}/in/users.tsv", "file", 14)
    assert hdfs.read_bytes(f"hdfs://{hdfs_dir}/in/users.tsv") == local.read_bytes()

    back = hdfs.get(f"{hdfs_dir}/in/users.tsv", tmp_path / "back.tsv")
    assert back.read_bytes() == local.read_bytes()

    assert hdfs.rm(f"{hdfs_dir}/in/users.tsv") is True
    assert hdfs.rm(f"{hdfs_dir}/in/users.tsv") is False
    assert hdfs.ls(f"{hdfs_dir}/in") == []


def test_directories_go_up_and_down_recursively(hdfs, hdfs_dir, tmp_path):
    src = tmp_path / "tree"
    (src / "a" / "b").mkdir(parents=True)
    (src / "empty").mkdir()
    (src / "top.txt").write_text("top\n")
    (src / "a" / "b" / "deep.txt").write_text("deep\n")

    hdfs.mkdir(f"{hdfs_dir}/x/y/z")  # parents too
    assert hdfs.status(f"{hdfs_dir}/x/y/z").is_dir
    hdfs.put(src, f"{hdfs_dir}/x")  # into an existing directory, like hadoop fs -put
    listed = {
        e.path.removeprefix(f"{hdfs_dir}/x/tree"): e.kind
        for e in hdfs.ls(f"{hdfs_dir}/x/tree", recursive=True)
    }
    assert listed == {
        "/a": "directory",
        "/a/b": "directory",
        "/a/b/deep.txt": "file",
        "/empty": "directory",
        "/top.txt": "file",
    }
    got = hdfs.get(f"{hdfs_dir}/x/tree", tmp_path / "copy")
    assert (got / "a" / "b" / "deep.txt").read_text() == "deep\n"
    assert (got / "empty").is_dir()

    with pytest.raises(mrhdfs.HdfsError):
        hdfs.rm(f"{hdfs_dir}/x")  # not empty, not recursive
    assert hdfs.rm(f"{hdfs_dir}/x", recursive=True)
    assert not hdfs.exists(f"{hdfs_dir}/x")


def test_upload_is_atomic_and_refuses_to_clobber(hdfs, hdfs_dir, tmp_path, monkeypatch):
    local = tmp_path / "data.txt"
    local.write_bytes(b"x" * 300_000)
    target = f"{hdfs_dir}/data.txt"

    # an upload that dies half-way leaves neither the target nor a temporary file behind
    real_write = hdfs.raw.write

    def dying_write(path, data=None, **kwargs):
        def half():
            for i, chunk in enumerate(data):
                if i == 2:
                    raise OSError("network went away")
                yield chunk

        return real_write(path, data=half(), **kwargs)

    monkeypatch.setattr(hdfs.raw, "write", dying_write)
    with pytest.raises((OSError, mrhdfs.HdfsError)):
        hdfs.put(local, target)
    monkeypatch.undo()
    assert hdfs.ls(hdfs_dir) == []

    hdfs.put(local, target)
    assert hdfs.status(target).size == 300_000
    with pytest.raises(mrhdfs.HdfsError, match="already exists"):
        hdfs.put(local, target)
    local.write_bytes(b"new\n")
    hdfs.put(local, target, overwrite=True)
    assert hdfs.read_bytes(target) == b"new\n"
    assert [e.path for e in hdfs.ls(hdfs_dir)] == [target]


def test_progress_callback_sees_every_byte(hdfs, hdfs_dir, tmp_path):
    local = tmp_path / "big.bin"
    local.write_bytes(os.urandom(200_000))
    seen = []
    hdfs.put(local, f"{hdfs_dir}/big.bin", progress=seen.append)
    assert sum(seen) == 200_000 and len(seen) > 1
    seen.clear()
    hdfs.get(f"{hdfs_dir}/big.bin", tmp_path / "back.bin", progress=seen.append)
    assert sum(seen) == 200_000


def test_read_range_reads_exactly_the_bytes_asked_for(hdfs, hdfs_dir):
    data = bytes(range(256)) * 40  # 10240 bytes
    path = hdfs.write_bytes(f"{hdfs_dir}/blob", data)
    assert mrhdfs.read_range(hdfs, path, 1000, 17) == data[1000:1017]
    assert hdfs.read_range(f"hdfs://{path}", 0, 1) == data[:1]
    assert hdfs.read_range(path, 10230, 100) == data[10230:]  # short at the end
    assert hdfs.read_range(path, 5, 0) == b""
    with pytest.raises(ValueError):
        hdfs.read_range(path, -1, 3)


def test_success_marker(hdfs, hdfs_dir):
    out = f"{hdfs_dir}/out"
    hdfs.write_bytes(f"{out}/part-00000", b"a\t1\n")
    assert not hdfs.is_complete(out)
    hdfs.mark_success(out)
    assert hdfs.is_complete(out)
    assert hdfs.status(f"{out}/_SUCCESS").size == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_namenode_that_is_down_is_named_in_the_error():
    url = f"http://127.0.0.1:{_free_port()}"
    fs = mrhdfs.client(url=url)
    with pytest.raises(mrhdfs.HdfsUnavailable, match=url.replace(".", r"\.")):
        fs.ls("/")
    # and the CLI says the same in one line, exit code 1
    result = subprocess.run(
        [sys.executable, "-m", "mr.cli", "hdfs", "ls", "/"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "MRKIT_WEBHDFS_URL": url},
    )
    assert result.returncode == 1
    assert f"cannot reach the NameNode's WebHDFS at {url}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_url_list_fails_over_to_the_namenode_that_answers(hadoop_cluster, hdfs_dir):
    # HdfsCLI's form for HA NameNodes: `url1;url2`, tried in turn; the first one here is dead
    dead = f"http://127.0.0.1:{_free_port()}"
    fs = mrhdfs.client(url=f"{dead};{hadoop_cluster.webhdfs_url}")
    fs.write_bytes(f"{hdfs_dir}/ha.txt", b"both\n")
    assert fs.read_bytes(f"{hdfs_dir}/ha.txt") == b"both\n"
    result = subprocess.run(
        [sys.executable, "-m", "mr.cli", "hdfs", "cat", f"{hdfs_dir}/ha.txt"],
        capture_output=True,
        cwd=REPO,
        env={**os.environ, "MRKIT_WEBHDFS_URL": f"{dead};{hadoop_cluster.webhdfs_url}"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"both\n"


def test_client_from_an_hdfscli_alias(hdfs_dir, hadoop_cluster, tmp_path, monkeypatch):
    cfg = tmp_path / "hdfscli.cfg"
    cfg.write_text(
        f"[global]\ndefault.alias = dev\n\n[dev.alias]\nurl = {hadoop_cluster.webhdfs_url}\n"
    )
    monkeypatch.setenv("HDFSCLI_CONFIG", str(cfg))
    monkeypatch.delenv("MRKIT_WEBHDFS_URL", raising=False)
    monkeypatch.setenv("MRKIT_HDFS_ALIAS", "dev")
    fs = mrhdfs.client()
    assert fs.url == hadoop_cluster.webhdfs_url
    assert fs.exists(hdfs_dir)
    monkeypatch.setenv("MRKIT_HDFS_ALIAS", "nope")
    with pytest.raises(mrhdfs.HdfsError, match="nope"):
        mrhdfs.client()


def test_cli_put_ls_cat_get_rm(hdfs_dir, hadoop_cluster, tmp_path):
    env = {**os.environ, "MRKIT_WEBHDFS_URL": hadoop_cluster.webhdfs_url}

    def mrkit(*args):
        return subprocess.run(
            [sys.executable, "-m", "mr.cli", "hdfs", *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
        )

    local = tmp_path / "words.txt"
    local.write_text("to be or not\n")
    assert mrkit("put", "--progress", "always", str(local), f"{hdfs_dir}/w/").returncode == 0
    ls = mrkit("ls", "-R", hdfs_dir)
    assert ls.returncode == 0 and f"{hdfs_dir}/w/words.txt" in ls.stdout
    assert mrkit("cat", f"hdfs://{hdfs_dir}/w/words.txt").stdout == "to be or not\n"
    assert mrkit("get", f"{hdfs_dir}/w/words.txt", str(tmp_path / "got.txt")).returncode == 0
    assert (tmp_path / "got.txt").read_text() == "to be or not\n"
    again = mrkit("put", str(local), f"{hdfs_dir}/w/words.txt")
    assert again.returncode == 1 and "already exists" in again.stderr
    assert mrkit("rm", "-r", f"{hdfs_dir}/w").returncode == 0
    missing = mrkit("rm", f"{hdfs_dir}/w")
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_globs_match_as_hadoop_fs_does(hdfs, hdfs_dir, hadoop_cluster, tmp_path):
    out = f"{hdfs_dir}/out"
    for name, data in [("part-00000", b"a\n"), ("part-00001", b"b\n"), ("_SUCCESS", b"")]:
        hdfs.write_bytes(f"{out}/{name}", data)
    hdfs.write_bytes(f"{hdfs_dir}/logs/2026/01/x.log", b"jan\n")
    hdfs.write_bytes(f"{hdfs_dir}/logs/2026/02/x.log", b"feb\n")
    assert hdfs.glob(f"{out}/part-*") == [f"{out}/part-00000", f"{out}/part-00001"]
    assert hdfs.glob(f"hdfs://{out}/*") == [f"{out}/_SUCCESS", f"{out}/part-00000",
                                             f"{out}/part-00001"]  # fmt: skip
    assert hdfs.glob(f"{hdfs_dir}/logs/*/{{01,02}}/*.log") == [
        f"{hdfs_dir}/logs/2026/01/x.log",
        f"{hdfs_dir}/logs/2026/02/x.log",
    ]
    assert hdfs.glob(f"{out}/part-0000[1-9]") == [f"{out}/part-00001"]
    assert hdfs.glob(f"{out}/nothing-*") == []
    assert hdfs.glob(f"{out}/part-00000") == [f"{out}/part-00000"]  # no wildcard: itself

    env = {**os.environ, "MRKIT_WEBHDFS_URL": hadoop_cluster.webhdfs_url}

    def mrkit(*args):
        return subprocess.run([sys.executable, "-m", "mr.cli", "hdfs", *args],
                              capture_output=True, text=True, cwd=REPO, env=env)  # fmt: skip

    assert mrkit("cat", f"{out}/part-*").stdout == "a\nb\n"
    ls = mrkit("ls", f"{out}/part-*")
    assert [line.split()[-1] for line in ls.stdout.splitlines()] == [
        f"{out}/part-00000",
        f"{out}/part-00001",
    ]
    none = mrkit("cat", f"{out}/nothing-*")
    assert none.returncode == 1 and none.stderr.strip().endswith("(the glob matches nothing)")
    clash = tmp_path / "clash"
    clash.mkdir()  # two x.log into one directory: the second is refused, not overwritten
    assert mrkit("get", f"{hdfs_dir}/logs/2026/*/x.log", str(clash)).returncode == 1
    assert [p.read_text() for p in clash.iterdir()] == ["jan\n"]
    into = tmp_path / "got"
    into.mkdir()
    assert mrkit("get", f"{out}/part-*", str(into)).returncode == 0
    assert sorted(p.name for p in into.iterdir()) == ["part-00000", "part-00001"]
    assert mrkit("rm", f"{out}/part-*").returncode == 0
    assert hdfs.glob(f"{out}/*") == [f"{out}/_SUCCESS"]
    assert mrkit("rm", "-f", f"{out}/part-*").returncode == 0  # -f: nothing matches, fine


def test_mrjob_filesystem_over_webhdfs(hdfs, hdfs_dir, hadoop_cluster, tmp_path):
    """mrjob's Filesystem calls, as its hadoop runner makes them, served by WebHDFS."""
    import gzip

    from mr.lib.mrjob_webhdfs import WebHDFSFilesystem
    from mr.lib.webhdfs import default_fs

    fs = WebHDFSFilesystem(hdfs.raw, default_fs())
    authority = default_fs().removeprefix("hdfs://")
    assert fs.can_handle_path(f"hdfs://{hdfs_dir}/x")
    assert fs.can_handle_path(f"hdfs://{authority}{hdfs_dir}/x")
    assert not fs.can_handle_path(f"hdfs://elsewhere:8020{hdfs_dir}/x")  # another NameNode
    assert not fs.can_handle_path(f"file://{tmp_path}") and not fs.can_handle_path("/tmp/x")

    base = f"hdfs://{hdfs_dir}"
    fs.mkdir(f"{base}/up/deep")
    local = tmp_path / "job.py"
    local.write_text("print('hi')\n")
    fs.put(str(local), f"{base}/up/job.py")
    packed = tmp_path / "rows.gz"
    packed.write_bytes(gzip.compress(b"a\nb\n"))
    fs.put(str(packed), f"{base}/up/deep/rows.gz")
    with pytest.raises(ValueError):
        fs.put(str(local), f"{base}/up/")
    assert fs.exists(f"{base}/up/job.py") and fs.exists(f"{base}/up/*.py")
    assert not fs.exists(f"{base}/nothing") and not fs.exists(f"{base}/up/*.txt")
    # recursive, files only, the caller's prefix kept
    assert sorted(fs.ls(f"{base}/up")) == [f"{base}/up/deep/rows.gz", f"{base}/up/job.py"]
    assert list(fs.ls(f"hdfs://{authority}{hdfs_dir}/up/job.py")) == [
        f"hdfs://{authority}{hdfs_dir}/up/job.py"
    ]
    assert list(fs.ls(f"{base}/nothing")) == []
    assert b"".join(fs.cat(f"{base}/up/job.py")) == b"print('hi')\n"
    assert b"".join(fs.cat(f"{base}/up/deep/rows.gz")) == b"a\nb\n"  # decompressed, as mrjob's
    assert fs.du(f"{base}/up") == local.stat().st_size + packed.stat().st_size
    fs.touchz(f"{base}/up/_SUCCESS")
    assert hdfs.status(f"{hdfs_dir}/up/_SUCCESS").size == 0
    with pytest.raises(OSError):
        fs.touchz(f"{base}/up/job.py")  # not empty
    fs.rm(f"{base}/up/*.py")
    assert not fs.exists(f"{base}/up/job.py") and fs.exists(f"{base}/up/deep/rows.gz")
    fs.rm(f"{base}/up")
    assert not hdfs.exists(f"{hdfs_dir}/up")
