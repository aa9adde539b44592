"""Which input file a map task reads, the same way on inline, local and hadoop runners.

Every runner puts the task's input split in the job configuration as
``mapreduce.map.input.file`` (a URI: ``file:///data/a.txt``, ``hdfs://nn:8020/data/a.txt``).
Input files are named by their basename (``a.txt``), so the name does not depend on where the
files live.

Which files an input path stands for is decided by :func:`local_input_files`, the way Hadoop's
FileInputFormat decides it (its ``hiddenFileFilter``): names that start with ``_`` or ``.``
(``_SUCCESS``, ``_logs``, ``.crc`` files, editors' ``.swp`` files, mrkit's own ``.out.tmp-*``
staging directories) are not input. mrjob's inline and local runners use it through
``mr.lib.mrjob_fixes``; Hadoop and Spark apply the same filter themselves.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Mapping

from mr.lib import jobconf
from mr.lib.errors import UsageError
from mr.lib.uris import basename, path_matches, uri_path

__all__ = [
    "basename",
    "input_file_uri",
    "is_hidden",
    "local_input_files",
    "path_matches",
    "uri_path",
]


def is_hidden(name: str) -> bool:
    """Whether a file name is skipped as input (Hadoop's hiddenFileFilter: ``_x``, ``.x``)."""
    return name.startswith(("_", "."))


def _true(conf: Mapping[str, object], key: str) -> bool:
    return str(conf.get(key, "false")).strip().lower() == "true"


def local_input_files(path: str, conf: Mapping[str, object] | None = None) -> Iterator[str]:
    """The local files an input path stands for, as Hadoop's FileInputFormat lists them.

    - a file named as it is is read, even a hidden one (Hadoop refuses that job instead);
    - a glob's matches with hidden names are skipped;
    - a directory stands for its files whose names are not hidden, in name order; a directory
      holding only hidden files stands for nothing (no input, not stdin);
    - a subdirectory is read too (at every level, hidden ones skipped) when
      ``mapreduce.input.fileinputformat.input.dir.recursive`` is true in `conf`, ignored when
      ``...input.dir.nonrecursive.ignore.subdirs`` is true, and otherwise a UsageError, as
      Hadoop fails such a job ("Not a file").

    `path` may be a ``file:`` URI; the files are yielded as plain paths.
    """
    conf = conf or {}
    recursive = _true(conf, jobconf.INPUT_DIR_RECURSIVE) or _true(
        conf, "mapred.input.dir.recursive"
    )
    ignore_subdirs = _true(conf, jobconf.INPUT_DIR_IGNORE_SUBDIRS)
    bare = uri_path(path)
    if glob.has_magic(bare):
        matches = [m for m in sorted(glob.glob(bare)) if not is_hidden(os.path.basename(m))]
    else:
        matches = [bare] if os.path.exists(bare) else []
    for match in matches:
        if os.path.isdir(match):
            yield from _dir_files(match, recursive, ignore_subdirs)
        else:
            yield match


def _dir_files(directory: str, recursive: bool, ignore_subdirs: bool) -> Iterator[str]:
    for name in sorted(os.listdir(directory)):
        if is_hidden(name):
            continue
        child = os.path.join(directory, name)
        if not os.path.isdir(child):
            yield child
        elif recursive:
            yield from _dir_files(child, recursive, ignore_subdirs)
        elif not ignore_subdirs:
            raise UsageError(
                f"input directory {directory} holds a subdirectory {name} "
                f"(Hadoop reads subdirectories only with -D {jobconf.INPUT_DIR_RECURSIVE}=true)"
            )


def input_file_uri() -> str | None:
    """The URI of the file this map task reads, or None (not in a map task)."""
    return jobconf.get(jobconf.MAP_INPUT_FILE) or None
