"""Which input file a map task reads, the same way on inline, local and hadoop runners.

Every runner puts the task's input split in the job configuration as
``mapreduce.map.input.file`` (a URI: ``file:///data/a.txt``, ``hdfs://nn:8020/data/a.txt``);
mrjob's ``jobconf_from_env`` reads it from the task environment. Input files are named by their
basename (``a.txt``), so the name does not depend on where the files live.
"""

from __future__ import annotations

import fnmatch
import posixpath
from urllib.parse import urlsplit

from mrjob.compat import jobconf_from_env

INPUT_FILE_CONF = "mapreduce.map.input.file"


def input_file_uri() -> str | None:
    """The URI of the file this map task reads, or None (not in a map task)."""
    return jobconf_from_env(INPUT_FILE_CONF) or None


def uri_path(uri: str) -> str:
    """The path part of a file URI (``hdfs://nn:8020/d/a.txt`` -> ``/d/a.txt``)."""
    if "://" in uri:
        return urlsplit(uri).path
    return uri.removeprefix("file:")


def basename(uri: str) -> str:
    """The file name of a URI or path (``hdfs://nn/d/a.txt`` -> ``a.txt``)."""
    return posixpath.basename(uri_path(uri).rstrip("/"))


def path_matches(uri: str, pattern: str) -> bool:
    """Whether an input file matches a glob: a pattern without ``/`` is matched against the
    file's basename, one with ``/`` against its whole path (scheme and host left out)."""
    if "/" in pattern:
        return fnmatch.fnmatchcase(uri_path(uri), pattern)
    return fnmatch.fnmatchcase(basename(uri), pattern)
