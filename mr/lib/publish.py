"""Atomic publication of an output: nothing half-written ever looks complete.

Every writer of an output (a job's local ``--output-dir``, a Hive or Pig twin's ``--output``, an
HDFS upload) writes under a hidden temporary name beside the target (:func:`temp_name`: a leading
``.``, which Hadoop's FileInputFormat and every mrkit reader skip), renames it into place only when
the data is complete, and marks a finished directory with an empty ``_SUCCESS`` file, as Hadoop's
output committer does. The local form is :func:`publish_dir`; ``mr.clients.hdfs`` does the same
over WebHDFS with the same names.
"""

from __future__ import annotations

import errno
import os
import shutil
import uuid
from pathlib import Path

from mr.lib.errors import UsageError

#: the marker of a complete output directory (Hadoop's FileOutputCommitter writes it too)
SUCCESS = "_SUCCESS"


def is_data_file(name: str) -> bool:
    """Whether an engine's output file holds rows: not hidden (``.``, ``_``: markers, logs) and
    not a checksum (``.crc``)."""
    return not name.startswith((".", "_")) and not name.endswith(".crc")


def part_names(names: list[str]) -> dict[str, str]:
    """The engine's data files (Hive's ``000000_0``, Pig's ``part-m-00000``, in sorted order)
    -> ``part-00000``, ``part-00001``, ...: the names every mrkit output has, MR jobs' and
    twins', local or on a cluster, so one ``part-*`` glob reads any of them."""
    data = sorted(n for n in names if is_data_file(n))
    return {name: f"part-{i:05d}" for i, name in enumerate(data)}


def temp_name(name: str) -> str:
    """The hidden temporary name under which `name` is written: ``.name.tmp-1a2b3c4d``."""
    return f".{name}.tmp-{uuid.uuid4().hex[:8]}"


def temp_path(final: str | os.PathLike[str]) -> Path:
    """A temporary sibling of a local path (same directory, so the rename stays atomic)."""
    final = Path(final)
    return final.with_name(temp_name(final.name))


def holds_data(path: str | os.PathLike[str]) -> bool:
    """Whether a local path holds anything a user would miss: a file (or a link), or a directory
    with any entry at all (``.git``, ``.env`` and ``_SUCCESS`` too). Only a missing path or an
    empty directory may be replaced without asking."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        return any(True for _ in os.scandir(path))
    return path.exists() or path.is_symlink()


def check_output(
    final: str | os.PathLike[str], overwrite: bool = False, flag: str = "--output-dir"
) -> None:
    """Check that an output may be published at local path `final`: creates its parent
    directories and tries a hidden staging directory beside it (removed again).

    UsageError (one line, naming `flag`) if `final` holds data and `overwrite` is false, if a
    file stands where a parent directory must be, or if the parent cannot be written to
    (permissions, a read-only file system). Other OSErrors (a full disk) are left to the caller:
    they are failures, not usage problems.
    """
    staging = start_output(final, overwrite, flag)
    staging.rmdir()


def start_output(
    final: str | os.PathLike[str], overwrite: bool = False, flag: str = "--output-dir"
) -> Path:
    """:func:`check_output`, then create and return the hidden staging directory of `final`."""
    final = Path(final)
    if holds_data(final) and not overwrite:
        what = "directory" if final.is_dir() else "path (a file)"
        raise UsageError(
            f"{flag} {final}: the output {what} already holds data; "
            f"choose another {flag} or pass --overwrite"
        )
    staging = temp_path(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in final.parents if p.exists() and not p.is_dir()), final.parent)
        raise UsageError(f"{flag} {final}: {blocker} is a file, not a directory") from None
    except OSError as e:
        if isinstance(e, PermissionError) or e.errno == errno.EROFS:
            raise UsageError(f"{flag} {final}: cannot write there ({e.strerror})") from None
        raise
    return staging


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
    (staging / SUCCESS).touch()  # before the rename: what appears is complete
    remove(final)
    os.replace(staging, final)
    return final
