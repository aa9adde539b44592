"""``MrkitHook``: runs ``mrkit`` commands as subprocesses of the task, their output in the task
log line by line (a failing job's record line and traceback with it), the job's counters read
back from the file the launcher writes (MRKIT_COUNTERS_FILE)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airflow.sdk import BaseHook
from airflow.sdk.exceptions import AirflowException

from mr.lib.defaults import COUNTERS_FILE_ENV

#: lines of a failed command's output repeated in the exception (the whole output is in the log)
TAIL_LINES = 30


@dataclass
class CommandResult:
    """A finished `mrkit` command: its stdout lines and the job's counters (one dict per step)."""

    args: list[str]
    stdout: list[str]
    counters: list[dict[str, dict[str, int]]] = field(default_factory=list)

    def total_counters(self) -> dict[str, dict[str, int]]:
        """Every step's counters added up: {group: {name: count}}."""
        total: dict[str, dict[str, int]] = {}
        for step in self.counters:
            for group, names in step.items():
                for name, count in names.items():
                    total.setdefault(group, {})
                    total[group][name] = total[group].get(name, 0) + count
        return total


class MrkitHook(BaseHook):
    """`python -m mr.cli ...` with this task's Python (where mrkit is installed or, under `mrkit
    airflow up`, on PYTHONPATH). No connection of its own: the other hooks give settings."""

    def __init__(self, env: Mapping[str, str] | None = None, cwd: str | None = None) -> None:
        super().__init__()
        self.env = dict(env or {})
        self.cwd = cwd

    def command(self, args: Sequence[str]) -> list[str]:
        return [sys.executable, "-m", "mr.cli", *args]

    def run(self, args: Sequence[str], env: Mapping[str, str] | None = None) -> CommandResult:
        """Run `mrkit ARGS`; AirflowException naming the exit code and the output's last lines
        when it fails. Both streams go to the task log as they come (stderr and stdout merged:
        a job's counters and errors are on stderr, rows and summaries on stdout)."""
        argv = self.command(args)
        with tempfile.TemporaryDirectory(prefix="mrkit-airflow-") as tmp:
            counters_file = Path(tmp) / "counters.json"
            full_env = {**os.environ, **self.env, **(env or {})}
            full_env[COUNTERS_FILE_ENV] = str(counters_file)
            full_env["PYTHONUNBUFFERED"] = "1"
            self.log.info("running: mrkit %s", " ".join(args))
            tail: deque[str] = deque(maxlen=TAIL_LINES)
            stdout: list[str] = []
            with subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=full_env,
                cwd=self.cwd,
                text=True,
                errors="replace",
            ) as proc:
                assert proc.stdout is not None
                try:
                    for line in proc.stdout:
                        line = line.rstrip("\n")
                        self.log.info("%s", line)
                        tail.append(line)
                        stdout.append(line)
                except BaseException:
                    # the task was killed or timed out: the job goes with it (the launcher
                    # unwinds on SIGTERM and stops a YARN application)
                    proc.terminate()
                    raise
                code = proc.wait()
            if code != 0:
                raise AirflowException(
                    f"mrkit {' '.join(args)} failed (exit code {code}):\n" + "\n".join(tail)
                )
            counters: list[dict[str, dict[str, int]]] = []
            if counters_file.exists():
                counters = json.loads(counters_file.read_text())
        return CommandResult(list(args), stdout, counters)

    def get_conn(self) -> Any:
        return self

    @staticmethod
    def loaded_rows(result: CommandResult) -> dict[str, int]:
        """`mrkit index load`'s summary lines, TABLE<TAB>rows -> {table: rows}."""
        loaded = {}
        for line in result.stdout:
            table, sep, rows = line.partition("\t")
            if sep and rows.strip().isdigit():
                loaded[table] = int(rows)
        return loaded
