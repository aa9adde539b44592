"""Operators: thin; each builds its arguments and calls a hook."""
