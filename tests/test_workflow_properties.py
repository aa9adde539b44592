"""job.properties (mr/workflow/properties.py): what is written reads back the same, files are
read as Oozie's CLI reads them (UTF-8, Java's escapes and continuations), values layer in
Oozie's order."""

import pytest

from mr.lib.errors import UsageError
from mr.workflow.model import Parameter
from mr.workflow.properties import (
    job_properties,
    layered_values,
    properties_text,
    read_properties,
)

TRICKY = {
    "plain": "value",
    "with space=and:colon#hash!": "x",
    "lead": "  two leading spaces",
    "path": "C:\\dir\\file",
    "lines": "one\ntwo\tthree",
    "accent": "café",
    "beyond BMP": "rows 😀 ok",
    "empty": "",
}


def test_what_is_written_reads_back_the_same():
    text = properties_text("a test", TRICKY)
    assert text.isascii()  # any reader of the format, ISO 8859-1 or UTF-8, gets the same
    assert read_properties(text) == TRICKY


def test_a_file_is_read_as_utf8_with_escapes_and_continuations(tmp_path):
    path = tmp_path / "job.properties"
    path.write_text(
        "# comment\n! comment too\nname = caf\u00e9\nlong=one \\\n    two\nemoji=\\ud83d\\ude00\n",
        encoding="utf-8",
    )
    assert job_properties(path) == {"name": "café", "long": "one two", "emoji": "😀"}
    assert job_properties(tmp_path / "none.properties") == {}


def test_values_layer_in_oozies_order():
    values = layered_values(
        "workflow w",
        [Parameter("a", "default"), Parameter("b", "default"), Parameter("c", "default")],
        {"b": "app", "c": "app", "out": "/data/${c}"},
        {"c": "file"},
        {"d": "given"},
    )
    assert (values["a"], values["b"], values["c"], values["d"]) == (
        "default",
        "app",
        "file",
        "given",
    )
    assert values["out"] == "/data/file"


def test_a_parameter_nothing_sets_is_named():
    with pytest.raises(UsageError, match="no value for input"):
        layered_values("workflow w", [Parameter("input")], {}, None, None)
