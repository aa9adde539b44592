"""What a ``-r hadoop`` run no longer does again: upload the same job files, ask the version.

- Job files once per content. mrjob's hadoop runner uploads every file a job ships (the job
  script, ``mrjob.zip`` twice, the ``mr`` package archive) into the job's own temporary
  directory on every run and deletes them afterwards. Here a file that is the same from run to
  run goes once per content to ``hdfs:///user/<user>/.mrkit/files/<sha256>/<name>`` (the user's
  HDFS home, as Spark's ``.sparkStaging`` and Tez's session jars), and the job's ``-files`` and
  ``-archives`` name it there; the next run finds it with one status call. An upload is written
  under a hidden temporary name beside it and renamed (HDFS renames atomically and never over an
  existing file), so a half upload is never used and two runs at once keep one copy. A cached
  file is never written again: YARN checks that a file it localizes still has the modification
  time it had at submission. Files mrjob writes for one run only (the setup wrapper, an input
  manifest) and local input files still go to the job's temporary directory. A changed file is
  another digest, another entry; ``mrkit hdfs cache --prune DAYS`` removes the entries no job
  has read for DAYS days (``unused``), ``mrkit hdfs rm -r /user/<user>/.mrkit/files`` empties
  the cache. Only over WebHDFS (mr/lib/mrjob_webhdfs.py); with ``MRKIT_JOB_FS=hadoop`` mrjob
  uploads as before.
- The Hadoop version once per installation. mrjob asks ``hadoop version`` (a JVM) before every
  job. The answer is kept in ``$XDG_CACHE_HOME/mrkit/hadoop-versions.json`` under a key made of
  the ``hadoop`` command (its files' paths and modification times), ``HADOOP_CONF_DIR`` and the
  modification times of the jar directories that command runs (mrkit's ``<state>/hadoop/lib``,
  an installation's ``share/hadoop/common``): replacing the jars or the launcher asks again.

- mrjob.zip compiled, once. mrjob ships itself to the tasks as ``mrjob.zip`` (its ``.py``
  files only), built again for every run, and every task's Python compiled the modules it
  imports from it (zipimport cannot write ``.pyc`` files): about 0.12 s of CPU per task here
  (0.33-0.36 s against 0.20-0.24 s for the mapper of a one-line input, measured with
  ``/usr/bin/time``). The zip here holds a checked hash-based ``.pyc`` beside each ``.py``
  (zipimport's legacy layout), for the launcher's Python; a task Python of another version
  finds the magic number wrong and compiles the source as before. It is built once per mrjob
  version, file list and Python, kept beside the directory archives of mr/lib/mrjob_fixes.py
  and copied for each run, so its digest, and its cached upload, stay the same.

``MRKIT_JOB_CACHE=0`` turns all three off (mrjob's own behaviour, for comparisons).

Applied by ``mr.lib.mrjob_fixes.apply_hadoop``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import posixpath
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from mr.lib import config

# under mrjob's logger, so that -v shows the uploads beside its own lines
log = logging.getLogger("mrjob.hadoop")

#: "0": no upload cache, no version cache
CACHE_ENV = "MRKIT_JOB_CACHE"
#: the cache, relative to the user's HDFS home directory
HDFS_CACHE_DIR = ".mrkit/files"
#: versions kept in the local version cache (the newest written last)
VERSION_CACHE_KEEP = 32

_DIGESTS: dict[tuple[str, int, int], str] = {}


def file_digest(path: str) -> str:
    """The SHA-256 of a local file's bytes (remembered for its path, size and mtime)."""
    st = os.stat(path)
    key = (os.path.realpath(path), st.st_size, st.st_mtime_ns)
    if key not in _DIGESTS:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        _DIGESTS[key] = digest.hexdigest()
    return _DIGESTS[key]


def cache_uri(path: str, name: str) -> str:
    """Where a local file shipped as `name` is cached:
    hdfs:///user/<user>/.mrkit/files/<sha256>/<name> (the user as mrjob names its own
    temporary directory there)."""
    from mrjob.hadoop import fully_qualify_hdfs_path

    return str(fully_qualify_hdfs_path(posixpath.join(HDFS_CACHE_DIR, file_digest(path), name)))


def enabled() -> bool:
    """False when MRKIT_JOB_CACHE=0: upload and ask the version as mrjob does (benchmarks)."""
    return os.environ.get(CACHE_ENV, "1") != "0"


def upload_once(fs: Any, src: str, uri: str) -> bool:
    """Put local `src` at `uri` unless it is there already; True if it was uploaded.

    `fs` is a WebHDFSFilesystem (exists, put, rename, rm). The bytes go to a hidden name in the
    same directory first and are renamed into place, so `uri` is whole or absent."""
    if fs.exists(uri):
        return False
    directory, name = posixpath.split(uri)
    temp = posixpath.join(directory, f".{name}.{uuid.uuid4().hex}.part")
    fs.put(src, temp)
    try:
        fs.rename(temp, uri)
    except Exception:
        fs.rm(temp)
        if not fs.exists(uri):  # not a run that got there first: a real failure
            raise
    return True


# what the HDFS cache holds


class Listed(Protocol):
    """A path of a recursive listing (mr.clients.hdfs.Entry): times in seconds."""

    @property
    def path(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def modified(self) -> float: ...
    @property
    def accessed(self) -> float: ...
    @property
    def is_dir(self) -> bool: ...


@dataclass(frozen=True)
class CacheEntry:
    """One content in the cache: its directory (``<cache>/<sha256>``), the names it is shipped
    as, its bytes, and when a job last read it (HDFS's access time, kept to the hour by
    default) or it was uploaded, whichever is later (seconds)."""

    directory: str
    names: tuple[str, ...]
    size: int
    last_used: float


def cache_entries(root: str, listing: Iterable[Listed]) -> list[CacheEntry]:
    """The entries of the cache directory `root` from its recursive listing: one per digest
    directory, upload leftovers (``.<name>.<uuid>.part``) counted with their entry, not named."""
    grouped: dict[str, list[Listed]] = {}
    for item in listing:
        rel = posixpath.relpath(item.path, root)
        if item.is_dir or "/" not in rel:
            continue
        grouped.setdefault(posixpath.join(root, rel.split("/", 1)[0]), []).append(item)
    return [
        CacheEntry(
            directory=directory,
            names=tuple(
                sorted(
                    posixpath.basename(f.path)
                    for f in files
                    if not posixpath.basename(f.path).startswith(".")
                )
            ),  # fmt: skip
            size=sum(f.size for f in files),
            last_used=max(max(f.accessed, f.modified) for f in files),
        )
        for directory, files in sorted(grouped.items())
    ]


def unused(entries: Iterable[CacheEntry], now: float, days: float) -> list[CacheEntry]:
    """The entries no job has read for `days` days. A job still running localizes its files
    when its containers start (YARN reads them then, which sets their access time), so a
    retention longer than any job's run never takes a file from under one."""
    return [e for e in entries if e.last_used <= now - days * 86400]


# mrjob.zip


def _mrjob_file(name: str) -> bool:
    """mrjob's filter for its zip: no bytecode, no editor backups, locks or resource forks."""
    return not (
        name.lower().endswith((".pyc", ".pyo"))
        or name.endswith("~")
        or name.startswith((".#", "._"))
    )


def mrjob_zip_members(mrjob_dir: str) -> list[tuple[str, str]]:
    """(path, name in the zip) of mrjob's files, sorted by name, as mrjob zips them."""
    members = []
    for root, dirs, files in os.walk(mrjob_dir):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in files:
            if _mrjob_file(name):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, os.path.dirname(mrjob_dir))
                members.append((path, rel.replace(os.sep, "/")))
    return sorted(members, key=lambda m: m[1])


def compiled_mrjob_zip(mrjob_dir: str, cache_dir: str) -> str:
    """The path of mrjob.zip with a .pyc beside each .py, built once in `cache_dir`."""
    import importlib.util
    import py_compile
    import sys
    import zipfile

    members = mrjob_zip_members(mrjob_dir)
    key = hashlib.sha256(importlib.util.MAGIC_NUMBER + sys.version.encode())
    for path, name in members:
        st = os.stat(path)
        key.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    zip_path = os.path.join(cache_dir, f"mrjob-{key.hexdigest()}.zip")
    if os.path.exists(zip_path):
        return zip_path
    os.makedirs(cache_dir, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=cache_dir, prefix=".building-", suffix=".zip")
    os.close(fd)
    mode = py_compile.PycInvalidationMode.CHECKED_HASH  # whatever the zip's file times say
    try:
        with (
            tempfile.TemporaryDirectory() as work,
            zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as zf,
        ):
            for path, name in members:
                zf.write(path, name)
                if name.endswith(".py"):
                    pyc = os.path.join(work, "x.pyc")
                    py_compile.compile(path, pyc, dfile=name, doraise=True, invalidation_mode=mode)
                    zf.write(pyc, name[:-3] + ".pyc")
        os.replace(temp, zip_path)  # whole or not at all
    except BaseException:
        os.unlink(temp)
        raise
    return zip_path


# the Hadoop version


def version_cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mrkit" / "hadoop-versions.json"


def _mtime(path: str | Path) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def version_key(hadoop_bin: list[str]) -> str:
    """The cache key of the version `hadoop_bin` reports (see the module docstring)."""
    parts: list[Any] = [list(hadoop_bin), os.environ.get("HADOOP_CONF_DIR", "")]
    for arg in hadoop_bin:
        if os.path.exists(arg):
            real = os.path.realpath(arg)
            parts.append([real, _mtime(real)])
            common = Path(real).parent.parent / "share" / "hadoop" / "common"
            parts.append([str(common), _mtime(common)])
    for env in ("HADOOP_HOME", "HADOOP_PREFIX"):
        if os.environ.get(env):
            common = Path(os.environ[env]) / "share" / "hadoop" / "common"
            parts.append([str(common), _mtime(common)])
    lib = config.state_root() / "hadoop" / "lib"
    parts.append([str(lib), _mtime(lib)])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _read_versions() -> dict[str, str]:
    try:
        data = json.loads(version_cache_path().read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


def cached_version(key: str) -> str | None:
    """The version cached under `key`, or None."""
    return _read_versions().get(key)


def remember_version(key: str, version: str) -> None:
    """Cache `version` under `key` (the file replaced whole; a failure to write is ignored)."""
    versions = _read_versions()
    versions.pop(key, None)
    versions[key] = version
    kept = dict(list(versions.items())[-VERSION_CACHE_KEEP:])
    path = version_cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".versions-")
        with os.fdopen(fd, "w") as f:
            json.dump(kept, f)
        os.replace(temp, path)
    except OSError as e:
        log.debug("could not cache the Hadoop version: %s", e)


# mrjob's hadoop runner


def _webhdfs(runner: Any) -> Any | None:
    """The runner's WebHDFSFilesystem when the cache applies, else None."""
    if not enabled():
        return None
    fs = runner.fs
    webhdfs = fs.__dict__.get("webhdfs")
    if webhdfs is None or "webhdfs" in fs._disabled:
        return None
    return webhdfs if webhdfs.can_handle_path(cache_uri_prefix()) else None


def cache_uri_prefix() -> str:
    from mrjob.hadoop import fully_qualify_hdfs_path

    return str(fully_qualify_hdfs_path(HDFS_CACHE_DIR)) + "/"


def _same_every_run(runner: Any, path: str) -> bool:
    """Whether a local file is one to cache: not one mrjob wrote for this run only (in its
    local temporary directory, but for mrjob.zip and the directory archives, which
    mrjob_fixes keeps the same for the same content)."""
    from mrjob.parse import is_uri

    if is_uri(path) or not os.path.isfile(path):
        return False
    tmp = os.path.realpath(runner._get_local_tmp_dir())
    real = os.path.realpath(path)
    if not real.startswith(tmp + os.sep):
        return True
    mrjob_zip = getattr(runner, "_mrjob_zip_path", None)
    return (mrjob_zip is not None and real == os.path.realpath(mrjob_zip)) or (
        os.path.dirname(real) == os.path.join(tmp, "archives")
    )


def _cached_uri(runner: Any, path: str, name: str) -> str | None:
    if _webhdfs(runner) is None or not _same_every_run(runner, path):
        return None
    return cache_uri(path, name)


def _cached_uploads(runner: Any, prefix: str) -> Any:
    """mrjob's UploadDirManager whose py_files (mrjob.zip) are named in the cache."""
    from mrjob.setup import UploadDirManager

    class CachedUploads(UploadDirManager):
        def uri(self, path: str) -> str:
            if path in self._path_to_name and path in runner._py_files():
                cached = _cached_uri(runner, path, self._path_to_name[path])
                if cached:
                    return cached
            return str(super().uri(path))

        def path_to_uri(self) -> dict[str, str]:
            return {path: self.uri(path) for path in self._path_to_name}

    return CachedUploads(prefix)


def install(zip_cache_dir: Callable[[], str]) -> None:
    """Patch mrjob's hadoop runner and HadoopFilesystem (idempotent); `zip_cache_dir` says
    where the compiled mrjob.zip is kept (mrjob_fixes' archive cache, which calls this)."""
    import mrjob.hadoop
    from mrjob.fs.hadoop import HadoopFilesystem

    runner = mrjob.hadoop.HadoopJobRunner
    if getattr(runner, "_mrkit_job_cache", False):
        return
    runner._mrkit_job_cache = True
    init = runner.__init__
    dest_in_wd_mirror = runner._dest_in_wd_mirror
    upload_local_files = runner._upload_local_files
    get_version = HadoopFilesystem.get_hadoop_version
    create_mrjob_zip = runner._create_mrjob_zip

    def __init__(self: Any, **kwargs: Any) -> None:
        init(self, **kwargs)
        self._upload_mgr = _cached_uploads(self, self._upload_mgr.prefix)

    def _dest_in_wd_mirror(self: Any, path: str, name: str) -> str | None:
        dest = dest_in_wd_mirror(self, path, name)
        return (_cached_uri(self, path, name) or dest) if dest else dest

    def _upload_local_files(self: Any) -> None:
        webhdfs = _webhdfs(self)
        if webhdfs is None:
            upload_local_files(self)
            return
        prefix = cache_uri_prefix()
        made: set[str] = set()
        wd = self._working_dir_mgr
        uploads = [
            (path, self._dest_in_wd_mirror(path, name))
            for kind in ("file", "archive_file")
            for name, path in sorted(wd.name_to_path(kind).items())
        ]
        uploads += list(self._upload_mgr.path_to_uri().items())
        for src, uri in uploads:
            if not uri:
                continue
            if uri.startswith(prefix):
                done = upload_once(webhdfs, src, uri)
                log.info("  %s -> %s%s", src, uri, "" if done else " (cached)")
                continue
            parent = posixpath.dirname(uri)
            if parent not in made:
                self.fs.mkdir(parent)
                made.add(parent)
            log.info("  %s -> %s", src, uri)
            self.fs.put(src, uri)

    def get_hadoop_version(self: Any) -> str:
        if not self._hadoop_version and enabled():
            key = version_key(self.get_hadoop_bin())
            self._hadoop_version = cached_version(key)
            if self._hadoop_version is None:
                remember_version(key, get_version(self))
            else:
                log.info("Using Hadoop version %s (cached)", self._hadoop_version)
        return str(get_version(self))

    def _create_mrjob_zip(self: Any) -> str:
        if not enabled():
            return str(create_mrjob_zip(self))
        if not self._mrjob_zip_path:
            import shutil

            import mrjob

            cached = compiled_mrjob_zip(os.path.dirname(mrjob.__file__), zip_cache_dir())
            zip_path = os.path.join(self._get_local_tmp_dir(), "mrjob.zip")
            shutil.copyfile(cached, zip_path)
            self._mrjob_zip_path = zip_path
        return str(self._mrjob_zip_path)

    runner.__init__ = __init__
    runner._create_mrjob_zip = _create_mrjob_zip
    runner._dest_in_wd_mirror = _dest_in_wd_mirror
    runner._upload_local_files = _upload_local_files
    HadoopFilesystem.get_hadoop_version = get_hadoop_version
