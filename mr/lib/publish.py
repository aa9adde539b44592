"""Atomic publication of an output: nothing half-written ever looks complete.

Every writer of an output (a job's local ``--output-dir``, a Hive or Pig twin's ``--output``, an
HDFS upload) writes under a hidden temporary name beside the target (:func:`temp_name`: a leading
``.``, which Hadoop's FileInputFormat and every mrkit reader skip), renames it into place only when
the data is complete, and marks a finished directory with an empty ``_SUCCESS`` file, as Hadoop's
output committer does. The local form is :func:`publish_dir`; ``mr.clients.hdfs`` does the same
over WebHDFS with the same names.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

#: the marker of a complete output directory (Hadoop's FileOutputCommitter writes it too)
SUCCESS = "_SUCCESS"


def temp_name(name: str) -> str:
    """The hidden temporary name under which `name` is written: ``.name.tmp-1a2b3c4d``."""
    return f".{name}.tmp-{uuid.uuid4().hex[:8]}"


def temp_path(final: str | os.PathLike[str]) -> Path:
    """A temporary sibling of a local path (same directory, so the rename stays atomic)."""
    final = Path(final)
    return final.with_name(temp_name(final.name))


def holds_data(path: str | os.PathLike[str]) -> bool:
    """Whether a local path holds anything a user would miss: a file, or a directory with entries
    that are not hidden."""
    path = Path(path)
    if path.is_dir():
        return any(not name.startswith(".") for name in os.listdir(path))
    return path.exists()


def remove(path: str | os.PathLike[str]) -> None:
    """Delete a local file, link or directory tree (no error if it is gone)."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)


def publish_dir(staging: str | os.PathLike[str], final: str | os.PathLike[str]) -> Path:
    """Move a finished output directory into place (replacing what is there) and mark it with
    ``_SUCCESS``."""
    staging, final = Path(staging), Path(final)
    staging.mkdir(parents=True, exist_ok=True)
    remove(final)
    os.replace(staging, final)
    (final / SUCCESS).touch()
    return final
