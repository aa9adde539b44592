"""mrjob's HDFS calls over WebHDFS instead of a JVM per call.

:class:`WebHDFSFilesystem` serves the file system calls mrjob's hadoop runner makes around a
job (does the input exist, upload the job's files, list and read the output, delete the
temporary directory) from the NameNode mr/lib/webhdfs.py finds. mrjob makes each of them with
``hadoop fs ...``: a new JVM per call, one to three seconds each, ten or more per job. The
streaming job itself still starts with ``hadoop jar``. mr/lib/mrjob_fixes.py puts it in front of
mrjob's HadoopFilesystem for ``hdfs://`` paths of that NameNode (others, such as
``hdfs://other:8020/``, stay with ``hadoop fs``); ``MRKIT_JOB_FS=hadoop`` keeps mrjob's own calls.
On a Kerberized cluster the client speaks SPNEGO over HTTPS (mr/lib/auth.py).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from mrjob.cat import decompress
from mrjob.fs.base import Filesystem

from mr.lib.globs import has_magic, match_paths
from mr.lib.webhdfs import (
    HdfsError,
    default_fs,
    file_status,
    namenode_of_source,
    raw_client,
    webhdfs_source,
)

#: how jobs reach HDFS for mrjob's own calls: "webhdfs" (default) or "hadoop" (mrjob's JVM calls)
JOB_FS_ENV = "MRKIT_JOB_FS"


def job_filesystem() -> WebHDFSFilesystem | None:
    """The WebHDFSFilesystem for mrjob's runner, or None: MRKIT_JOB_FS=hadoop, or no NameNode
    configured (mrjob's own `hadoop fs` calls then serve every path)."""
    choice = os.environ.get(JOB_FS_ENV, "webhdfs")
    if choice not in ("webhdfs", "hadoop"):
        raise ValueError(f"{JOB_FS_ENV}={choice!r}: expected webhdfs or hadoop")
    if choice == "hadoop":
        return None
    try:
        source, _ = webhdfs_source()
        # authenticated as mr/lib/auth.py says: on a Kerberized cluster without a ticket this
        # raises auth.NoTicket (a usage error: one line, exit code 2), never falls back
        client = raw_client()
    except HdfsError:
        return None
    return WebHDFSFilesystem(client, default_fs(), namenode_of_source(source))


class WebHDFSFilesystem(Filesystem):
    """mrjob's Filesystem interface for ``hdfs://`` URIs over WebHDFS (an ``hdfs.Client``).

    Paths of other NameNodes (``hdfs://other:8020/...``) are not handled here: mrjob's
    HadoopFilesystem gets them. The NameNode behind the WebHDFS URL is taken to be the default
    file system of the Hadoop client configuration (``fs.defaultFS``), as in one cluster.
    Listing is recursive and lists files only, and globs are Hadoop's (mr/lib/globs.py), as
    ``hadoop fs -ls -R`` does for mrjob.
    """

    def __init__(
        self, client: Any, default_fs: str | None = None, namenode: str | None = None
    ) -> None:
        self.client = client
        #: the NameNode (hdfs://host:port) behind this WebHDFS; unknown: the default file system
        own = namenode or default_fs
        #: the authority (host:port) of hdfs:// URIs this NameNode serves
        self.authority = urlparse(own).netloc if own else ""
        #: whether hdfs:///path (the default file system) is this NameNode: not when the client
        #: configuration names another (HADOOP_CONF_DIR pointing at another cluster)
        self.serves_default = not (namenode and default_fs and namenode != default_fs)

    # which paths

    def can_handle_path(self, path: str) -> bool:
        """hdfs://host:port/path of this NameNode, and hdfs:///path when the default file
        system (fs.defaultFS of the client configuration) is this NameNode."""
        parts = urlparse(path)
        if parts.scheme != "hdfs":
            return False
        if not parts.netloc:
            return self.serves_default
        return parts.netloc == self.authority

    @staticmethod
    def _split(uri: str) -> tuple[str, str]:
        """(scheme://netloc prefix, absolute path) of an hdfs:// URI."""
        parts = urlparse(uri)
        return f"{parts.scheme}://{parts.netloc}", parts.path or "/"

    def _status(self, path: str) -> dict[str, Any] | None:
        return file_status(self.client, path)

    def _names(self, directory: str) -> list[str]:
        status = self._status(directory)
        if status is None or status.get("type") != "DIRECTORY":
            return []
        names: list[str] = self.client.list(directory)
        return names

    def _paths(self, path_glob: str) -> tuple[str, list[str]]:
        prefix, path = self._split(path_glob)
        if has_magic(path):
            return prefix, match_paths(path, self._names, lambda p: self._status(p) is not None)
        return prefix, [path] if self._status(path) is not None else []

    # mrjob's interface

    def ls(self, path_glob: str) -> Iterator[str]:
        prefix, paths = self._paths(path_glob)
        for path in paths:
            status = self._status(path)
            if status is None:
                continue
            if status.get("type") != "DIRECTORY":
                yield prefix + path
                continue
            for (parent, _), _dirs, files in self.client.walk(path, status=True):
                for name, _st in sorted(files):
                    yield prefix + posixpath.join(parent, name)

    def _cat_file(self, path: str) -> Iterator[bytes]:
        _, hdfs_path = self._split(path)
        with self.client.read(hdfs_path) as reader:
            yield from decompress(reader, hdfs_path)

    def du(self, path_glob: str) -> int:
        _, paths = self._paths(path_glob)
        return sum(int(self.client.content(p)["length"]) for p in paths)

    def exists(self, path_glob: str) -> bool:
        return bool(self._paths(path_glob)[1])

    def mkdir(self, path: str) -> None:
        self.client.makedirs(self._split(path)[1])

    def put(self, src: str, path: str) -> None:
        if path.endswith("/"):
            raise ValueError("put() destination may not be a directory")
        self.client.upload(self._split(path)[1], src, overwrite=False)

    def rename(self, src: str, dest: str) -> None:
        """Move a file; HdfsError if `dest` exists (HDFS never renames over a file), which
        mr/lib/job_cache.py relies on."""
        self.client.rename(self._split(src)[1], self._split(dest)[1])

    def rm(self, path_glob: str) -> None:
        for path in self._paths(path_glob)[1]:
            self.client.delete(path, recursive=True)

    def touchz(self, path: str) -> None:
        hdfs_path = self._split(path)[1]
        status = self._status(hdfs_path)
        if status is not None and int(status.get("length", 0)) > 0:
            raise OSError(f"Non-empty file {path!r} already exists!")
        self.client.write(hdfs_path, b"", overwrite=True)


def unreachable(error: BaseException) -> bool:
    """Whether an error of WebHDFSFilesystem means WebHDFS cannot be reached (mrjob then stops
    using it and falls back to `hadoop fs`)."""
    import requests

    return isinstance(error, requests.exceptions.ConnectionError | requests.exceptions.Timeout)
