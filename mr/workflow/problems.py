"""One problem validate found: the file, the line, the node and the rule, printed as one line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """``file:line: node 'x': rule: message`` (line and node when they are known)."""

    file: str
    rule: str
    message: str
    node: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        node = f" node '{self.node}':" if self.node else ""
        return f"{where}:{node} {self.rule}: {self.message}"
