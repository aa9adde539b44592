"""The errors every layer may raise for the user to read: one line each, no traceback."""


class UsageError(Exception):
    """A bad option value, argument or path: reported as one line on stderr, exit code 2."""


class NotFound(LookupError):
    """What was asked for is not there (a row, a key): one line on stderr, exit code 1."""
