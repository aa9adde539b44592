"""The errors every layer may raise for the user to read: one line each, no traceback."""


class UsageError(Exception):
    """A bad option value, argument or path: reported as one line on stderr, exit code 2."""


class NotFound(LookupError):
    """What was asked for is not there (a row, a key): one line on stderr, exit code 1."""


#: the exit code of a command whose reader went away (`mrkit jobs | head -1`): 128 + SIGPIPE,
#: what a shell shows for a tool that SIGPIPE ended
BROKEN_PIPE_EXIT = 141

#: `mrkit cluster|hbase|oozie|mysql status` when the engine does not answer: a status, not an
#: error, so a script can test for a running engine
NOT_RUNNING_EXIT = 3


def discard_stdout() -> None:
    """After a BrokenPipeError on stdout: point the descriptor at /dev/null, so that Python's
    last flush at exit does not print "Exception ignored ... BrokenPipeError"."""
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
