"""Paths and URIs, one way everywhere: ``hdfs://nn:8020/d/a.txt``, ``hdfs:///d/a.txt``,
``file:///d/a.txt``, ``file:/d/a.txt`` and plain paths."""

from __future__ import annotations

import fnmatch
import posixpath


def uri_path(uri: str) -> str:
    """The path part of a URI (``hdfs://nn:8020/d/a.txt`` -> ``/d/a.txt``; ``hdfs://nn`` -> ``/``);
    a plain path is returned as it is (relative HDFS paths resolve against /user/<user>)."""
    scheme, sep, rest = uri.partition("://")
    if sep and "/" not in scheme:
        slash = rest.find("/")
        return rest[slash:] if slash >= 0 else "/"
    return uri.removeprefix("file:")


def is_local(uri: str) -> bool:
    """Whether a path or URI names the local file system (no scheme, or ``file:``)."""
    return "://" not in uri or uri.startswith("file:")


def basename(uri: str) -> str:
    """The file name of a URI or path (``hdfs://nn/d/a.txt`` -> ``a.txt``)."""
    return posixpath.basename(uri_path(uri).rstrip("/"))


def path_matches(uri: str, pattern: str) -> bool:
    """Whether a file matches a glob: a pattern without ``/`` is matched against the file's
    basename, one with ``/`` against its whole path (scheme and host left out)."""
    if "/" in pattern:
        return fnmatch.fnmatchcase(uri_path(uri), pattern)
    return fnmatch.fnmatchcase(basename(uri), pattern)
