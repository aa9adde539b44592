"""Progress on stderr for long work, with tqdm: a bar for transfers of known size (`mrkit hdfs
put|get`), a counter for work of unknown size. Shown on a terminal only (and only for transfers
of PROGRESS_MIN_BYTES or more), never when stderr is piped or redirected, unless asked.

Why tqdm: one small pure-Python package with no dependencies of its own, maintained for a decade,
that already knows what a terminal can show (rates, ETA, resizing, tqdm.write for lines between
redraws) and turns itself off on a pipe. rich draws nicer live panels but brings pygments and
markdown-it with it, for one status line. tqdm is imported when progress is shown, not to build
the `mrkit` parser.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tqdm import tqdm

    from mr.clients.hdfs import Progress

# transfers at least this big get a progress bar on a terminal
PROGRESS_MIN_BYTES = 8 * 1024 * 1024
MODES = ("auto", "always", "never")


def shown(mode: str, size: int = PROGRESS_MIN_BYTES) -> bool:
    """Whether to show progress: mode 'always', 'never', or 'auto' (stderr is a terminal and the
    work is big enough to wait for)."""
    if mode not in MODES:
        raise ValueError(f"progress mode {mode!r}: expected one of {', '.join(MODES)}")
    return mode == "always" or (
        mode == "auto" and size >= PROGRESS_MIN_BYTES and sys.stderr.isatty()
    )


@contextlib.contextmanager
def progress_for(total: int, label: str, mode: str) -> Iterator[Progress | None]:
    """A callable that takes the bytes moved since its last call, drawing a bar of `total` bytes
    (percent, size, rate, time left), or None when nothing is shown (see shown())."""
    if not shown(mode, total):
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=label, unit="B", unit_scale=True, unit_divisor=1024,
              file=sys.stderr, dynamic_ncols=True, mininterval=0.2) as bar:  # fmt: skip
        yield _adding(bar)


@contextlib.contextmanager
def counter(label: str, unit: str, mode: str = "auto") -> Iterator[Progress | None]:
    """A callable that counts done items (rows, actions) on a one-line counter with the rate,
    or None when nothing is shown (mode as in shown(), with no minimum size)."""
    if not shown(mode, PROGRESS_MIN_BYTES):
        yield None
        return
    from tqdm import tqdm

    with tqdm(desc=label, unit=unit, file=sys.stderr, dynamic_ncols=True,
              mininterval=0.2) as bar:  # fmt: skip
        yield _adding(bar)


def _adding(bar: tqdm) -> Progress:
    def add(n: int) -> None:
        bar.update(n)

    return add
