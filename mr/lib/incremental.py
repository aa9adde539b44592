"""Incremental MySQL imports (``mrkit import mysql --incremental ...``), the Sqoop way.

Two modes, both on a ``--check-column``:
- ``append``: rows whose check column (an increasing id) is above the last value:
  ``last < col <= new``, where ``new`` is ``MAX(col)`` when the import starts;
- ``lastmodified``: rows changed since the last value (a DATETIME/TIMESTAMP column the
  application sets on every write): ``last <= col < new``, where ``new`` is the server's
  ``NOW(6)`` when the import starts, in the session time zone '+00:00' (so a DATETIME column
  must hold UTC times).
Without a last value (the first run) there is no lower bound. Each run's rows are added to the
target directory as new part files (a row changed twice is in two runs' files: merge by key in
a job downstream).

The new last value is printed and saved in the target directory itself, in the hidden file
``.mrkit-import.json`` (FileInputFormat and every mrkit reader skip names starting with ``.``),
so the state travels with the data, on local disk and on HDFS alike; the next run with the same
target finds it. ``--last-value`` on the command line wins over the saved one. The state names
the mode, the check column and the source (table or query, connection without password); a run
whose mode, check column or source differs from the saved state is refused rather than
guessing.
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

APPEND, LASTMODIFIED = "append", "lastmodified"
MODES = (APPEND, LASTMODIFIED)
#: the state file inside an incremental import's target directory
STATE_NAME = ".mrkit-import.json"
STATE_VERSION = 1


class ImportState(NamedTuple):
    """What an incremental import leaves for the next run."""

    mode: str
    check_column: str
    last_value: str
    source: str  # "table `users`" or "query <sha256 prefix>", with the server (no password)

    def to_json(self) -> str:
        return json.dumps({"version": STATE_VERSION, **self._asdict()}, indent=2) + "\n"


def parse_state(text: str) -> ImportState:
    """The state saved by a previous run; ValueError if the text is not one."""
    try:
        data: Any = json.loads(text)
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unknown state version {data.get('version')!r}")
        return ImportState(
            mode=str(data["mode"]),
            check_column=str(data["check_column"]),
            last_value=str(data["last_value"]),
            source=str(data["source"]),
        )
    except (ValueError, KeyError, AttributeError, TypeError) as e:
        raise ValueError(f"not an import state file ({e})") from None


def check_state(saved: ImportState, mode: str, check_column: str, source: str) -> None:
    """ValueError (one line) if a saved state belongs to another kind of import."""
    for what, theirs, ours in (
        ("--incremental", saved.mode, mode),
        ("--check-column", saved.check_column, check_column),
        ("source", saved.source, source),
    ):
        if theirs != ours:
            raise ValueError(
                f"the target's saved state is for {what} {theirs}, not {ours}; "
                "choose another target or pass --last-value"
            )


def parse_append_value(text: str) -> int:
    """An append-mode last value: a plain integer; ValueError otherwise."""
    if not re.fullmatch(r"[+-]?[0-9]+", text.strip()):
        raise ValueError(f"--last-value {text!r} is not an integer (append mode needs one)")
    return int(text)


def incremental_predicate(
    mode: str, quoted_column: str, last: int | str | None, new: int | str | None
) -> tuple[str, list[int | str]]:
    """The WHERE predicate selecting a run's rows, and its parameters (bound by the driver).

    Append mode compares integers (:func:`parse_append_value`): a BIGINT compared with a
    string would be compared as a double, inexact above 2**53. `new` is None when there is
    nothing to import (append mode on an empty table): the predicate then selects nothing."""
    if mode not in MODES:
        raise ValueError(f"unknown incremental mode {mode!r}; choose one of {', '.join(MODES)}")
    if new is None:
        return "1 = 0", []
    if mode == APPEND:
        if last is None:
            return f"{quoted_column} <= %s", [new]
        return f"{quoted_column} > %s AND {quoted_column} <= %s", [last, new]
    if last is None:
        return f"{quoted_column} < %s", [new]
    return f"{quoted_column} >= %s AND {quoted_column} < %s", [last, new]
