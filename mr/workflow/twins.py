"""Hive and Pig twins as workflow actions: a shell action that runs mrkit's own twin runner.

Why a shell action and not Oozie's hive/pig actions: ``mrkit hive run`` / ``mrkit pig run`` is
the one place where a twin's parameters are checked against the script's header and written
as literals the language reads back unchanged (mr/engines/twins.py). Oozie's hive and pig
actions substitute ``<param>`` values into the script as text, which is how a value rewrites a
query, and Oozie 5.2.1's Hive sharelib is Hive 1.2, which does not run these Hive 4.1 scripts.
The price: the node that runs the action needs mrkit (``mrkit_bin``), as it needs Python for
the streaming steps. The local runner runs the same command on this machine.
"""

from __future__ import annotations

from collections.abc import Mapping

from mr.workflow.model import Action, Shell, WorkflowError, step

#: the twin engines and their `mrkit` command groups
TWIN_ENGINES = ("hive", "pig")


def twin_action(
    name: str,
    engine: str,
    script: str,
    *,
    input: str,
    output: str,
    variables: Mapping[str, str] | None = None,
    overwrite: bool = True,
    mrkit_bin: str = "mrkit",
) -> Action:
    """``mrkit <engine> run SCRIPT --cluster --input --output [--var NAME=VALUE]`` as a shell
    action."""
    if engine not in TWIN_ENGINES:
        raise WorkflowError(f"twin engine {engine!r}: expected one of {', '.join(TWIN_ENGINES)}")
    # --cluster: the twin runs on YARN, and paths without a scheme are HDFS paths, as they are
    # everywhere in a workflow (the local runner maps them under its root instead)
    arguments = [engine, "run", script, "--cluster", "--input", input, "--output", output]
    arguments += ["--overwrite"] if overwrite else []
    for key, value in (variables or {}).items():
        arguments += ["--var", f"{key}={value}"]
    return step(name, Shell(exec=mrkit_bin, arguments=arguments))
