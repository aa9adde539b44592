"""Twin parameters: every hive/ and pig/ script declares in its header (``-- @param``) exactly the
variables it uses besides the runner's own, the fixture cases use only declared names with valid
values, and the runner checks values before any JVM starts (no engine needed here)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mr.engines import RESOURCE_ROOT, EngineError
from mr.engines.twins import RUNNER_VARS, TwinRun, parse_param, script_params, script_vars
from mr.lib.errors import UsageError
from tests.support import FIXTURES

TWIN_DIRS = {"hive": ("hive", ".q"), "pig": ("pig", ".pig")}
# what a script references: ${hivevar:X} in Hive, $X in Pig (outside comment lines)
REFERENCE_RE = {"hive": re.compile(r"\$\{hivevar:(\w+)\}"), "pig": re.compile(r"\$([A-Za-z_]\w*)")}

SCRIPTS = [
    pytest.param(engine, path, id=f"{engine}-{path.stem}")
    for engine, (folder, ext) in TWIN_DIRS.items()
    for path in sorted((RESOURCE_ROOT / folder).glob(f"*{ext}"))
]


def referenced(engine: str, script: Path) -> set[str]:
    code = [ln for ln in script.read_text().splitlines() if not ln.lstrip().startswith("--")]
    return set(REFERENCE_RE[engine].findall("\n".join(code)))


@pytest.mark.parametrize("engine, script", SCRIPTS)
def test_declared_params_are_those_the_script_uses(engine, script):
    declared = set(script_params(script))
    assert declared == referenced(engine, script) - set(RUNNER_VARS)


@pytest.mark.parametrize("engine, script", SCRIPTS)
def test_no_pig_default_besides_the_header(engine, script):
    """Defaults live in the @param line only (the runner fills them in)."""
    assert "%default" not in script.read_text()


def _case_vars() -> list:
    found = []
    for case_json in sorted(FIXTURES.glob("*/case.json")):
        spec = json.loads(case_json.read_text())
        stem = spec.get("job", case_json.parent.name)
        for engine, (folder, ext) in TWIN_DIRS.items():
            if engine in spec:
                script = RESOURCE_ROOT / folder / f"{stem}{ext}"
                found.append(
                    pytest.param(
                        script,
                        case_json.parent,
                        spec[engine].get("vars", {}),
                        id=f"{engine}-{case_json.parent.name}",
                    )
                )
    return found


@pytest.mark.parametrize("script, fixture, variables", _case_vars())
def test_case_vars_are_declared_and_valid(script, fixture, variables, tmp_path):
    assert script.is_file()
    assert set(variables) <= set(script_params(script))
    given = {k: str(v).replace("{fixture}", str(fixture)) for k, v in variables.items()}
    job = TwinRun(script, tmp_path / "out", {**given, "INPUT": str(tmp_path)})
    script_vars(job)  # no EngineError


def test_param_line_format():
    param = parse_param("-- @param N int default 10: how many rows per group")
    assert (param.name, param.type, param.default, param.meaning) == (
        "N",
        "int",
        "10",
        "how many rows per group",
    )
    assert parse_param("-- a comment") is None
    enum = parse_param("-- @param J enum(inner=INNER,left=LEFT OUTER) default inner: join type")
    assert enum.choices == {"inner": "INNER", "left": "LEFT OUTER"}
    assert enum.value("left") == "LEFT OUTER"


@pytest.mark.parametrize(
    "line, message",
    [
        ("-- @param N: no type", "bad @param line"),
        ("-- @param N integer: meaning", "unknown type"),
        ("-- @param N int default x: meaning", "expected int"),
        ("-- @param OUTPUT path: meaning", "set by the runner"),
    ],
)
def test_bad_param_lines(line, message):
    with pytest.raises(EngineError, match=message):
        parse_param(line)


def _join_job(tmp_path: Path, **given: str) -> TwinRun:
    base = {"LEFT": "users.*", "LEFT_FIELDS": "3", "RIGHT_FIELDS": "3", "INPUT": str(tmp_path)}
    return TwinRun(RESOURCE_ROOT / "hive" / "join.q", tmp_path / "out", {**base, **given})


def test_runner_maps_the_join_word_and_fills_defaults(tmp_path):
    found = script_vars(_join_job(tmp_path, JOIN_TYPE="full"))
    assert found["JOIN_TYPE"] == "FULL OUTER"
    assert (found["LEFT_KEY"], found["FORMAT"]) == ("0", "tsv")
    assert found["OUTPUT"] != str(tmp_path / "out")  # the staging directory beside it
    assert script_vars(_join_job(tmp_path))["JOIN_TYPE"] == "INNER"


@pytest.mark.parametrize(
    "given, message",
    [
        ({"JOIN_TYPE": "LEFT OUTER"}, "expected one of inner|left|full"),
        ({"JOIN_TYPE": "inner JOIN x ON 1=1 --"}, "expected one of"),
        ({"LEFT_KEY": "0 OR 1"}, "expected int"),
        ({"LEFT": "users\n; DROP TABLE x"}, "control character"),
        ({"LEFT": "users(["}, "expected regex"),
        ({"NO_SUCH": "1"}, "has no such parameter"),
        ({"PYTHON": "/bin/sh"}, "set by the runner"),
        ({"LEFT_FIELDS": ""}, "expected int"),
    ],
)
def test_runner_rejects_bad_values_before_any_jvm(tmp_path, given, message):
    with pytest.raises(UsageError, match=message):
        script_vars(_join_job(tmp_path, **given))


def test_missing_required_param(tmp_path):
    job = TwinRun(RESOURCE_ROOT / "pig" / "top_n.pig", tmp_path / "out", {"INPUT": str(tmp_path)})
    with pytest.raises(UsageError, match="--var GROUP_COL: required"):
        script_vars(job)


def test_output_is_the_runners_own(tmp_path):
    job = TwinRun(
        RESOURCE_ROOT / "pig" / "word_count.pig", tmp_path / "out", {"OUTPUT": "/etc", "INPUT": "."}
    )
    assert script_vars(job)["OUTPUT"] == str(job.staging)
    assert script_vars(job, on_cluster=True)["OUTPUT"] == "/etc"


def test_staging_uses_the_publish_temp_name(tmp_path):
    job = TwinRun(RESOURCE_ROOT / "pig" / "word_count.pig", tmp_path / "out")
    assert job.staging.parent == tmp_path
    assert re.fullmatch(r"\.out\.tmp-[0-9a-f]{8}", job.staging.name)


def test_text_values_are_data_in_the_written_script(tmp_path):
    # a regex may hold quotes, ';' and '--': each engine writes it so the lexer cannot see them
    from mr.engines.hive import HIVE
    from mr.engines.pig import PIG, param_arg
    from mr.engines.twins import as_written

    value = "users'; DROP TABLE x; --${hivevar:OUTPUT}$OUTPUT\\d"
    job = _join_job(tmp_path, LEFT=value)
    hive = as_written(HIVE, job, script_vars(job))["LEFT"]
    assert re.fullmatch(r"[A-Za-z0-9 _.,:/+=@]*(?:\\u[0-9a-f]{4}[A-Za-z0-9 _.,:/+=@]*)*", hive)
    pig = as_written(PIG, job, script_vars(job))["LEFT"]
    assert pig == value.replace("\\", "\\\\").replace("'", "\\'")
    # the -param argument: each $ escaped so no parameter is named, each ' escaped for the loader
    assert "$" not in param_arg(pig).replace("\\\\$", "")


HOSTILE = ["1 OR 1=1", "x'; DROP TABLE t; --", "*/", "a\nb", "${hivevar:OUTPUT}", "$OUTPUT",
           "\\", "CROSS", "1;2", "`id`", '"', "0 --"]  # fmt: skip


@pytest.mark.parametrize("engine, script", SCRIPTS)
def test_every_param_refuses_or_keeps_hostile_values(engine, script, tmp_path):
    """Each hostile value, given to each parameter: refused before any JVM (UsageError), or
    a text parameter that keeps it as data (written escaped, see test_twin_literals.py)."""
    from mr.engines.hive import HIVE
    from mr.engines.pig import PIG
    from mr.engines.twins import TEXT_TYPES, as_written

    runner = {"hive": HIVE, "pig": PIG}[engine]
    params = script_params(script)
    required = {n: (p.choices and next(iter(p.choices))) or "1" for n, p in params.items()}
    for name, param in params.items():
        for value in HOSTILE:
            job = TwinRun(script, tmp_path / "out", {**required, "INPUT": ".", name: value})
            try:
                written = as_written(runner, job, script_vars(job))
            except UsageError:
                continue
            assert param.type in TEXT_TYPES, f"{name}={value!r} accepted by a {param.type}"
            body = runner.path_literal_body if param.type == "path" else runner.literal_body
            assert written[name] == body(value)
