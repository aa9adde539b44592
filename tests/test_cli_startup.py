"""`mrkit` starts cheaply: building its parser and printing any command's --help imports no
engine, client library, workflow module or mrjob (each command imports what it runs)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap

import pytest

from tests.support import REPO

#: top-level modules that only a command that runs may import (not the parser, not --help)
HEAVY = (
    "mrjob",
    "requests",
    "hdfs",
    "happybase",
    "thrift",
    "thriftpy2",
    "tqdm",
    "yaml",
    "pymysql",
    "lxml",
    "mr.workflow",
    "mr.engines",
    "mr.airflow",
    "airflow",
)

#: the --help of every command group, and of a few of their actions
HELPS = [
    [],
    ["jobs"],
    ["run"],
    ["demo"],
    ["cluster"],
    ["cluster", "up"],
    ["hbase"],
    ["mysql"],
    ["oozie"],
    ["oozie", "up"],
    ["hdfs"],
    ["hdfs", "put"],
    ["index"],
    ["index", "load"],
    ["import"],
    ["import", "mysql"],
    ["export"],
    ["export", "mysql"],
    ["hive"],
    ["pig", "run"],
    ["workflow"],
    ["workflow", "run"],
    ["coord"],
    ["coord", "run"],
    ["airflow"],
    ["airflow", "up"],
    ["airflow", "render"],
    ["airflow", "deploy"],
    ["airflow", "backfill"],
]

PROBE = textwrap.dedent(
    """
    import contextlib, io, json, sys

    from mr.cli import build_parser, main

    build_parser()
    codes = []
    for words in json.loads(sys.argv[1]):
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                main([*words, "--help"])
            except SystemExit as e:
                codes.append(e.code)
    print(json.dumps({"codes": codes, "modules": sorted(sys.modules)}))
    """
)


def is_heavy(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in HEAVY)


def test_parser_and_help_import_no_engine_client_or_mrjob():
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HELPS)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["codes"] == [0] * len(HELPS), "every --help exits 0"
    heavy = [m for m in probe["modules"] if is_heavy(m)]
    assert heavy == [], f"imported to build the parser or print --help: {heavy}"


def test_help_shows_the_engines_docstrings_read_from_their_source():
    """mr/cli/docs.py reads a docstring without importing its module: the same text."""
    from mr.cli.docs import module_doc

    for name in ("mr.engines.hbase", "mr.engines.mariadb", "mr.engines.hive", "mr.engines.pig"):
        doc = importlib.import_module(name).__doc__
        assert doc and module_doc(name) == doc, name
    assert module_doc("mr.lib.defaults") == importlib.import_module("mr.lib.defaults").__doc__
    with pytest.raises(ModuleNotFoundError):
        module_doc("mr.engines.nosuch")  # no source: imported after all, and not there
