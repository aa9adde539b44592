"""Free-text twin parameters (text, regex, path; INPUT and OUTPUT) reach a Hive or Pig script as
exactly the user's characters, whatever they are: a quote, ';', '--', '*/', '${...}', '$NAME' or
a backslash is data, never query text. Each engine runs one script that echoes every hostile
value given at once, and one twin on input and output paths full of such characters."""

from __future__ import annotations

import pytest

from mr.engines import RESOURCE_ROOT
from mr.engines.twins import TwinRun, read_rows
from mr.lib.errors import UsageError

HOSTILE = [
    "it's",
    'say "hi"',
    "a;b",
    "x -- y",
    "/* c */ */",
    "${hivevar:OUTPUT}",
    "${env:HOME}",
    "${system:user.name}",
    "$OUTPUT",
    "${INPUT}",
    "\\",
    "a\\d+\\",
    "\\'",
    "\\$P0",
    "\\u0041",
    "\\\\u0041",
    "100%_",
    "é😀",
    "a$",
    "$1 \\1",
    "`ls`",
    "a' OR '1'='1",
]
NAMES = [f"P{i}" for i in range(len(HOSTILE))]
HEADER = "".join(f"-- @param {n} text: hostile value {i}\n" for i, n in enumerate(NAMES))

ENGINES = {
    "hive": (
        "echo.q",
        HEADER
        + "INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'\n"
        + "ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'\n"
        + "SELECT "
        + ",\n  ".join(f"'${{hivevar:{n}}}'" for n in NAMES)
        + ";\n",
    ),
    "pig": (
        "echo.pig",
        HEADER
        + "lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);\n"
        + "one = LIMIT lines 1;\n"
        + "echo = FOREACH one GENERATE "
        + ",\n  ".join(f"'${n}'" for n in NAMES)
        + ";\nSTORE echo INTO '$OUTPUT' USING PigStorage('\\t');\n",
    ),
}


@pytest.fixture(params=[pytest.param("hive", marks=pytest.mark.hive),
                        pytest.param("pig", marks=pytest.mark.pig)])  # fmt: skip
def engine(request):
    """(name, the engine module) once its session fixture is up."""
    return request.param, request.getfixturevalue(f"{request.param}_engine")


def test_every_hostile_value_is_plain_data(engine, tmp_path):
    engine_name, runner = engine
    name, text = ENGINES[engine_name]
    script = tmp_path / name
    script.write_text(text)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "one.txt").write_text("x\n")
    out = tmp_path / "out"
    given = dict(zip(NAMES, HOSTILE, strict=True))
    runner.run(TwinRun(script, out, {"INPUT": str(tmp_path / "in"), **given}))
    assert read_rows(out) == ["\t".join(HOSTILE)]


@pytest.mark.parametrize("value", ["a\nb", "tab\there", "\x00"])
def test_control_characters_are_refused_before_any_jvm(tmp_path, value):
    from mr.engines.twins import script_vars

    script = tmp_path / "echo.q"
    script.write_text("-- @param P text: a value\nSELECT '${hivevar:P}';\n")
    with pytest.raises(UsageError, match="--var P: holds a control character"):
        script_vars(TwinRun(script, tmp_path / "out", {"INPUT": ".", "P": value}))


HOSTILE_PATHS = {
    # (input dir, output dir). Pig takes any path; Hive reads some path literals without
    # unescaping them, so it refuses those characters that could end the literal or name a
    # variable, and takes the rest. Input paths are Hadoop globs ({a,b} [ab] * ? \\): not here.
    "pig": ("it's $OUTPUT $x a;b -- %", "o'ut ${INPUT} \\ ;--"),
    "hive": ("its $OUTPUT $x a -- % é", "out $INPUT -- é"),
}


def test_twin_on_hostile_paths(engine, tmp_path):
    # INPUT and OUTPUT are free text too
    source, target = HOSTILE_PATHS[engine[0]]
    (tmp_path / source).mkdir()
    (tmp_path / source / "words.txt").write_text("b a b\n")
    out = tmp_path / target
    engine_name, runner = engine
    twin = RESOURCE_ROOT / engine_name / f"word_count.{'q' if engine_name == 'hive' else 'pig'}"
    runner.run(TwinRun(twin, out, {"INPUT": str(tmp_path / source)}))
    assert sorted(read_rows(out)) == ["a\t1", "b\t2"]


@pytest.mark.parametrize("path", ["it's", "a\\b", "a;b", "${x}", 'say "x"', "{x}", "a*"])
def test_hive_refuses_paths_it_cannot_be_given(tmp_path, path):
    from mr.engines.hive import HIVE
    from mr.engines.twins import as_written

    job = TwinRun(RESOURCE_ROOT / "hive" / "word_count.q", tmp_path / path, {"INPUT": "."})
    with pytest.raises(UsageError, match="--var OUTPUT: Hive cannot be given a path holding"):
        as_written(HIVE, job, {"INPUT": ".", "OUTPUT": str(tmp_path / path)})
