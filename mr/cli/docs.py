"""Docstrings of modules the parser must not import: `mrkit hbase --help` shows the docstring of
mr/engines/hbase.py, and importing that module (with mr.engines) only to print it would make every
`mrkit` command line pay for it. So the parser reads the docstring from the source file."""

from __future__ import annotations

import ast
import importlib
import tokenize
from pathlib import Path

import mr

#: what may come before a module's docstring
_BEFORE_DOCSTRING = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENCODING}


def module_doc(name: str) -> str | None:
    """The docstring (``__doc__``) of the mr module `name`, read from its source file without
    importing it or its package; imported after all if the source file is not there."""
    path = Path(mr.__file__).parent.joinpath(*name.split(".")[1:]).with_suffix(".py")
    try:
        with tokenize.open(path) as source:
            for token in tokenize.generate_tokens(source.readline):
                if token.type in _BEFORE_DOCSTRING:
                    continue
                if token.type == tokenize.STRING:
                    return str(ast.literal_eval(token.string))
                return None
    except OSError:
        pass
    return importlib.import_module(name).__doc__
