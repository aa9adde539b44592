"""HDFS from Python over WebHDFS (the `hdfs` package): put/get/ls/cat/rm/mkdir, atomic uploads,
``_SUCCESS`` markers and byte-range reads. The ``mrkit hdfs`` command is mr/cli/hdfs.py.

Which NameNode: mr/lib/webhdfs.py (``url=``/``MRKIT_WEBHDFS_URL``, ``alias=``/
``MRKIT_HDFS_ALIAS``, the cluster of ``mrkit cluster up``, HdfsCLI's default alias); jobs find it
the same way.

A NameNode that does not answer raises :class:`HdfsUnavailable`, naming the URL.

    >>> from mr.clients import hdfs
    >>> fs = hdfs.client()
    >>> fs.put("data/users.tsv", "/data/users.tsv")      # temp name, renamed on success
    >>> hdfs.read_range(fs, "/data/users.tsv", offset=1024, length=80)
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import requests
from hdfs.client import Client
from hdfs.util import HdfsError as _LibHdfsError

from mr.lib.globs import match_paths
from mr.lib.publish import SUCCESS, remove, temp_name, temp_path
from mr.lib.uris import uri_path
from mr.lib.webhdfs import HdfsError as HdfsError
from mr.lib.webhdfs import HdfsUnavailable as HdfsUnavailable
from mr.lib.webhdfs import file_status, raw_client
from mr.lib.webhdfs import webhdfs_source as webhdfs_source

Progress = Callable[[int], None]  # called with the number of bytes moved since the last call


@dataclass(frozen=True)
class Entry:
    """One listed path: absolute path, 'file' or 'directory', size in bytes, mtime and atime
    (seconds; HDFS keeps a file's access time to the hour by default, a directory's never)."""

    path: str
    kind: str
    size: int
    modified: float
    accessed: float = 0.0

    @property
    def is_dir(self) -> bool:
        return self.kind == "directory"


def client(url: str | None = None, alias: str | None = None, user: str | None = None) -> HDFS:
    """An HDFS client from the configuration (see the module docstring for the order)."""
    return HDFS(raw_client(url, alias, user))


class HDFS:
    """WebHDFS helpers on an ``hdfs.Client``: paths are HDFS paths (``/a/b`` or ``hdfs:///a/b``)."""

    def __init__(self, raw: Client):
        self.raw = raw
        self.url: str = raw.url

    def __repr__(self) -> str:
        return f"HDFS({self.url!r})"

    @contextlib.contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        try:
            yield
        except requests.exceptions.ConnectionError as e:
            raise HdfsUnavailable(
                f"cannot reach the NameNode's WebHDFS at {self.url} ({what}): is HDFS up? "
                f"(`mrkit cluster status`)  [{type(e).__name__}]"
            ) from None
        except requests.exceptions.Timeout:
            raise HdfsUnavailable(f"WebHDFS at {self.url} timed out ({what})") from None
        except _LibHdfsError as e:
            raise HdfsError(f"{what}: {e}") from None

    # -- reading ------------------------------------------------------------------------------

    def status(self, path: str) -> Entry | None:
        """The path's Entry, or None if it does not exist."""
        path = hdfs_path(path)
        with self._errors(f"status {path}"):
            st = file_status(self.raw, path)
        return None if st is None else _entry(path, st)

    def exists(self, path: str) -> bool:
        return self.status(path) is not None

    def ls(self, path: str, recursive: bool = False) -> list[Entry]:
        """Entries of a directory (sorted; all levels with recursive), or the file itself."""
        path = hdfs_path(path)
        top = self.status(path)
        if top is None:
            raise HdfsError(f"ls: {path}: no such file or directory")
        if not top.is_dir:
            return [top]
        entries: list[Entry] = []
        with self._errors(f"ls {path}"):
            if recursive:
                for (parent, _), dirs, files in self.raw.walk(path, status=True):
                    for name, st in [*dirs, *files]:
                        entries.append(_entry(posixpath.join(parent, name), st))
            else:
                for name, st in self.raw.list(path, status=True):
                    entries.append(_entry(posixpath.join(path, name), st))
        return sorted(entries, key=lambda e: e.path)

    def resolve(self, path: str) -> str:
        """The absolute HDFS path: a relative one is under the home directory (/user/<user>),
        as WebHDFS resolves it."""
        path = hdfs_path(path)
        if path.startswith("/"):
            return path
        with self._errors(f"resolve {path}"):
            return str(self.raw.resolve(path))

    def glob(self, pattern: str) -> list[str]:
        """The paths that exist and match a Hadoop glob (mr/lib/globs.py), sorted; a pattern
        without wildcards gives itself if it exists. Relative patterns are under the home
        directory (/user/<user>), as WebHDFS resolves them."""
        path = self.resolve(pattern)
        try:
            return match_paths(path, self._names, self.exists)
        except ValueError as e:
            raise HdfsError(str(e)) from None

    def _names(self, directory: str) -> list[str]:
        """The names in a directory; [] for a file or a path that is not there."""
        top = self.status(directory)
        if top is None or not top.is_dir:
            return []
        with self._errors(f"ls {directory}"):
            return sorted(self.raw.list(directory))

    def cat(self, path: str, chunk_size: int = 1 << 16) -> Iterator[bytes]:
        """The file's bytes, in chunks."""
        path = hdfs_path(path)
        with self._errors(f"cat {path}"), self.raw.read(path, chunk_size=chunk_size) as reader:
            yield from reader

    def read_bytes(self, path: str) -> bytes:
        return b"".join(self.cat(path))

    def read_range(self, path: str, offset: int, length: int) -> bytes:
        """Up to `length` bytes of a file from byte `offset` (fewer at its end)."""
        if offset < 0 or length < 0:
            raise ValueError(f"read_range: offset and length must be >= 0, not {offset}, {length}")
        path = hdfs_path(path)
        if length == 0:
            return b""
        with self._errors(f"read {path} [{offset}:+{length}]"):
            with self.raw.read(path, offset=offset, length=length) as reader:
                return reader.read()

    def get(
        self,
        path: str,
        local: str | Path,
        overwrite: bool = False,
        progress: Progress | None = None,
    ) -> Path:
        """Download a file or directory; a partial download never takes the local name."""
        path = hdfs_path(path)
        local = Path(local)
        if local.is_dir():
            local = local / posixpath.basename(path.rstrip("/"))
        if local.exists() and not overwrite:
            raise HdfsError(f"get: {local} already exists (overwrite to replace it)")
        temp = temp_path(local)
        top = self.status(path)
        if top is None:
            raise HdfsError(f"get: {path}: no such file or directory")
        try:
            entries = self.ls(path, recursive=True) if top.is_dir else [top]
            for entry in entries:
                rel = posixpath.relpath(entry.path, path) if top.is_dir else ""
                target = temp / rel if rel else temp
                if entry.is_dir:
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "wb") as out:
                    for chunk in self.cat(entry.path):
                        out.write(chunk)
                        if progress:
                            progress(len(chunk))
            if top.is_dir:
                temp.mkdir(exist_ok=True)
            if local.exists():
                remove(local)
            os.replace(temp, local)
        finally:
            if temp.exists():
                remove(temp)
        return local

    # -- writing ------------------------------------------------------------------------------

    def mkdir(self, path: str) -> None:
        """Create a directory and its parents (no error if it exists)."""
        path = hdfs_path(path)
        with self._errors(f"mkdir {path}"):
            self.raw.makedirs(path)

    def rm(self, path: str, recursive: bool = False) -> bool:
        """Delete a path (a non-empty directory needs recursive); False if it did not exist."""
        path = hdfs_path(path)
        with self._errors(f"rm {path}"):
            return bool(self.raw.delete(path, recursive=recursive))

    def rename(self, src: str, dst: str) -> None:
        src, dst = hdfs_path(src), hdfs_path(dst)
        with self._errors(f"rename {src} -> {dst}"):
            self.raw.rename(src, dst)

    def put(
        self,
        local: str | Path,
        path: str,
        overwrite: bool = False,
        progress: Progress | None = None,
    ) -> str:
        """Upload a file or a directory (recursively) atomically; return the HDFS path.

        The data goes to a hidden temporary name beside the target and is renamed into place
        when complete, so readers never see a partial file. An existing directory target
        receives the upload inside it, like `hadoop fs -put`.
        """
        local = Path(local)
        if not local.exists():
            raise HdfsError(f"put: local path {local} does not exist")
        path = hdfs_path(path)
        if path.endswith("/"):  # a directory, made if missing
            self.mkdir(path)
        target = self.status(path)
        if target is not None and target.is_dir:
            path = posixpath.join(path, local.name)
            target = self.status(path)
        if target is not None and not overwrite:
            raise HdfsError(f"put: {path} already exists (overwrite to replace it)")
        parent, name = posixpath.split(path.rstrip("/"))
        temp = posixpath.join(parent or "/", temp_name(name))
        self.mkdir(parent or "/")
        try:
            if local.is_dir():
                self.mkdir(temp)
                for file in sorted(p for p in local.rglob("*") if p.is_file()):
                    rel = file.relative_to(local).as_posix()
                    self._upload_file(file, posixpath.join(temp, rel), progress)
                for sub in sorted(p for p in local.rglob("*") if p.is_dir()):
                    self.mkdir(posixpath.join(temp, sub.relative_to(local).as_posix()))
            else:
                self._upload_file(local, temp, progress)
            if target is not None:
                self.rm(path, recursive=True)
            self.rename(temp, path)
        except BaseException:
            self._discard(temp)
            raise
        return path

    def _discard(self, temp: str, quiet: float = 2.0, limit: float = 15.0) -> None:
        # The DataNode that served a broken upload may create or close its file only after our
        # delete (it talks to the NameNode on its own time), so the temporary name is deleted
        # again until it has stayed absent for `quiet` seconds (at most `limit` seconds in all).
        start = time.monotonic()
        absent_since = None
        while time.monotonic() - start < limit:
            with contextlib.suppress(HdfsError):
                if self.exists(temp):
                    self.rm(temp, recursive=True)
                    absent_since = None
                elif absent_since is None:
                    absent_since = time.monotonic()
                elif time.monotonic() - absent_since >= quiet:
                    return
            time.sleep(0.25)

    def _upload_file(self, local: Path, path: str, progress: Progress | None) -> None:
        with self._errors(f"put {local} -> {path}"), open(local, "rb") as f:
            self.raw.write(path, data=_chunks(f, progress), overwrite=False)

    def write_bytes(self, path: str, data: bytes, overwrite: bool = False) -> str:
        """Write a small file atomically (temporary name, then rename)."""
        path = hdfs_path(path)
        exists = self.exists(path)
        if exists and not overwrite:
            raise HdfsError(f"write: {path} already exists (overwrite to replace it)")
        parent, name = posixpath.split(path)
        temp = posixpath.join(parent or "/", temp_name(name))
        try:
            with self._errors(f"write {path}"):
                self.raw.write(temp, data=data, overwrite=False)
        except BaseException:
            self._discard(temp)
            raise
        if exists:
            self.rm(path, recursive=True)
        self.rename(temp, path)
        return path

    def mark_success(self, directory: str) -> str:
        """Write the empty `_SUCCESS` marker that says a job's output directory is complete."""
        return self.write_bytes(posixpath.join(hdfs_path(directory), SUCCESS), b"", overwrite=True)

    def is_complete(self, directory: str) -> bool:
        """Whether an output directory carries the `_SUCCESS` marker."""
        return self.exists(posixpath.join(hdfs_path(directory), SUCCESS))


def read_range(fs: HDFS, path: str, offset: int, length: int) -> bytes:
    """Up to `length` bytes of an HDFS file from byte `offset` (fewer at the end of the file)."""
    return fs.read_range(path, offset, length)


def hdfs_path(path: str) -> str:
    """`hdfs://host:port/a/b` or `hdfs:///a/b` -> `/a/b`; relative paths are left as they are
    (WebHDFS resolves them against /user/<user>)."""
    return uri_path(path)


def _entry(path: str, st: dict[str, Any]) -> Entry:
    return Entry(
        path=path,
        kind="directory" if st.get("type") == "DIRECTORY" else "file",
        size=int(st.get("length", 0)),
        modified=st.get("modificationTime", 0) / 1000.0,
        accessed=st.get("accessTime", 0) / 1000.0,
    )


def _chunks(f: IO[bytes], progress: Progress | None, size: int = 1 << 16) -> Iterator[bytes]:
    while chunk := f.read(size):
        if progress:
            progress(len(chunk))
        yield chunk
