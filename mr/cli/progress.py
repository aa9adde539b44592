"""A progress bar on stderr for long transfers (`mrkit hdfs put|get --progress`)."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import IO

from mr.clients.hdfs import Progress

# transfers at least this big get a progress bar on a terminal
PROGRESS_MIN_BYTES = 8 * 1024 * 1024


class ProgressBar:
    """A one-line progress bar on stderr: bytes done of total, percent and rate."""

    def __init__(self, total: int, label: str, stream: IO[str] | None = None, width: int = 30):
        self.total = max(total, 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.done = 0
        self.start = time.monotonic()
        self.shown = 0.0

    def __call__(self, nbytes: int) -> None:
        self.done += nbytes
        now = time.monotonic()
        if now - self.shown >= 0.2 or self.done >= self.total:
            self.shown = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        frac = min(self.done / self.total, 1.0)
        bar = "#" * int(frac * self.width)
        rate = self.done / max(now - self.start, 1e-6)
        self.stream.write(
            f"\r{self.label} [{bar:<{self.width}}] {frac:6.1%} "
            f"{human(self.done)}/{human(self.total)} {human(rate)}/s"
        )
        self.stream.flush()

    def close(self) -> None:
        self._draw(time.monotonic())
        self.stream.write("\n")
        self.stream.flush()


def human(n: float) -> str:
    """A byte count for people: 512B, 1.5KiB, 3.0MiB, 2.1GiB."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1024
    return f"{n:.1f}GiB"


@contextlib.contextmanager
def progress_for(total: int, label: str, mode: str) -> Iterator[Progress | None]:
    """A ProgressBar for a transfer of `total` bytes, or None: mode 'always', 'never', or 'auto'
    (on a terminal, for PROGRESS_MIN_BYTES or more)."""
    show = mode == "always" or (
        mode == "auto" and total >= PROGRESS_MIN_BYTES and sys.stderr.isatty()
    )
    if not show:
        yield None
        return
    bar = ProgressBar(total, label)
    try:
        yield bar
    finally:
        bar.close()
