"""Hold mrjob's log lines back until we know the step they describe worked.

A job that fails before it starts (an input on a NameNode that is down, a path that does not
exist) should say so in one line, not after mrjob's "Creating temp directory ..." and a page of
Java ``STDERR:`` lines. :class:`HeldLogs` buffers every record of the given loggers until
:meth:`HeldLogs.release`, which hands them to the loggers' own handlers in order, as if never
held; records of a block that fails before releasing are kept for the caller, not printed.

:func:`hadoop_client_error` reads those held lines for the cause a Hadoop client printed
(``Call From host to nn:8020 failed on connection exception: java.net.ConnectException ...``)
and turns it into one sentence that names the NameNode.
"""

from __future__ import annotations

import logging
import re

#: the loggers mrjob's own set_up_logging attaches handlers to
MRJOB_LOGGERS = ("mrjob", "__main__")


class _Buffer(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class HeldLogs:
    """A context in which the records of `names` are held; :meth:`release` prints them.

    Records still held when the context ends (because the block failed before releasing) are
    not printed; :meth:`lines` gives their messages to whoever explains the failure.
    """

    def __init__(self, names: tuple[str, ...] = MRJOB_LOGGERS) -> None:
        self.names = names
        self._buffer = _Buffer()
        self._saved: dict[str, list[logging.Handler]] | None = None

    @property
    def records(self) -> list[logging.LogRecord]:
        return self._buffer.records

    def __enter__(self) -> HeldLogs:
        self._saved = {name: logging.getLogger(name).handlers[:] for name in self.names}
        for name in self.names:
            logging.getLogger(name).handlers[:] = [self._buffer]
        return self

    def __exit__(self, *exc: object) -> None:
        self._restore()

    def _restore(self) -> dict[str, list[logging.Handler]]:
        saved, self._saved = self._saved or {}, None
        for name, handlers in saved.items():
            logging.getLogger(name).handlers[:] = handlers
        return saved

    def release(self) -> None:
        """Stop holding: hand every held record to its logger's own handlers, in order."""
        saved = self._restore()
        for record in self.records if saved else ():
            # the logger whose handler caught it: itself, or the ancestor it propagated to
            owner = next(n for n in self.names if f"{record.name}.".startswith(f"{n}."))
            for handler in saved[owner]:
                if record.levelno >= handler.level:
                    handler.handle(record)
        self._buffer.records = []

    def lines(self) -> list[str]:
        return [record.getMessage() for record in self.records]


_CALL_FAILED = re.compile(
    r"Call From \S+ to (?P<nn>\S+?) failed on (?:connection exception|socket timeout exception)"
    r"[^:]*: (?P<cause>[\w.]+(?:Exception|Error))(?:: (?P<detail>[^;]+))?"
)
_UNKNOWN_HOST = re.compile(r"java\.net\.UnknownHostException: (?P<host>[^\s;:]+)")


def hadoop_client_error(lines: list[str]) -> str | None:
    """One sentence for a Hadoop client that could not reach its NameNode, else None."""
    text = "\n".join(lines)
    m = _CALL_FAILED.search(text)
    if m:
        cause = (m.group("detail") or m.group("cause").rsplit(".", 1)[-1]).strip()
        return f"cannot reach the NameNode at {m.group('nn')} ({cause})"
    m = _UNKNOWN_HOST.search(text)
    if m:
        return f"cannot reach the NameNode: unknown host {m.group('host')}"
    return None
