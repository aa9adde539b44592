"""The Hive and Pig twin runners: clear errors, the engine's own message with the script line,
atomic output, and the mr.lib.streams filters the twins pipe rows through."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from mr.engines import EngineError
from mr.engines.twins import TwinRun, read_rows
from mr.lib import streams
from mr.lib.text import regex_words


def test_tokenize_is_mr_lib_tokenizer():
    line = "Hello, World-wide don't_stop Café\n"
    out = list(streams.tokenize_lines([line.encode()], "regex"))
    assert out == regex_words(line)


def test_tokenize_keyed_with_lengths():
    out = list(streams.tokenize_lines([b"a.txt\tCall me Ishmael"], "regex", True, True))
    assert out == ["a.txt\tcall\t4", "a.txt\tme\t2", "a.txt\tishmael\t7"]


def test_records_csv_key_and_number():
    lines = [b'1,"Lovelace, Ada",\\N,12.5', b"", b'"unterminated,1', b"\xff,1"]
    out = list(streams.record_lines(lines, "csv", key_col=0, number=3))
    assert out == ["1\x011\tLovelace, Ada\t\\N\t12.5\x0112.5"]


def test_records_width_and_numeric_key():
    lines = [b"1e3\tcrate", b"n/a\tbroken", b"7\tnut\textra"]
    out = list(streams.record_lines(lines, "tsv", width=2, key_col=0, key_type="number"))
    assert out == ["1000.0\x011e3\tcrate", "\\N\x01n/a\tbroken"]


def test_access_log_bad_request_has_null_path():
    line = b'1.2.3.4 - - [01/Jan/2024:09:11:00 +0000] "-" 400 0 "-" "-"'
    assert list(streams.access_log_lines([line, b"junk"])) == ["\\N\t400\t2024-01-01T09\t0\t0"]


def test_matches_counts_every_group_match():
    rows = [b'"GET / HTTP/1.1" 200 5 "GET /x HTTP/1.1" 404 1\t" ([0-9]+) \t1\tfalse']
    assert list(streams.match_lines(rows)) == ["200", "404"]


def test_streams_command_line():
    result = subprocess.run(
        [sys.executable, "-m", "mr.lib.streams", "tokenize"],
        input=b"The end.\n",
        capture_output=True,
        check=True,
    )
    assert result.stdout == b"the\nend\n"


def test_missing_java_is_a_clear_error(monkeypatch):
    from mr.engines import hive, pig

    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    for engine in (hive, pig):
        with pytest.raises(EngineError, match="java not found"):
            engine.prepare()


def test_unknown_twin_is_a_usage_error(capsys):
    from mr.cli import main

    assert main(["hive", "run", "no_such_twin", "--input", ".", "--output", "/tmp/x"]) == 2
    assert "no twin named 'no_such_twin'" in capsys.readouterr().err


@pytest.mark.pig
def test_pig_error_names_the_script_line(pig_engine, tmp_path):
    script = tmp_path / "bad.pig"
    script.write_text(
        "x = LOAD '$INPUT';\ny = FOREACH x GENERATE $0 +* 1;\nSTORE y INTO '$OUTPUT';\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "part-00000").write_text("old\n")
    with pytest.raises(EngineError) as e:
        # --overwrite: the old output may be replaced, but only by a run that succeeds
        pig_engine.run(TwinRun(script, out, {"INPUT": str(script)}, overwrite=True))
    assert "line 2, column 27" in str(e.value)
    # a failed run leaves the previous output alone and no staging directory behind
    assert read_rows(out) == ["old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.pig", "out"]


@pytest.mark.hive
def test_hive_error_names_the_statement(hive_engine, tmp_path):
    script = tmp_path / "bad.q"
    script.write_text("-- a typo\nSELECT 1\nFROMM nothing;\n")
    with pytest.raises(EngineError) as e:
        hive_engine.run(TwinRun(script, tmp_path / "out", {"INPUT": str(tmp_path)}))
    message = str(e.value)
    assert "ParseException" in message
    assert "bad.q:3: FROMM nothing;" in message  # the line, found by the token Hive names
    assert not (tmp_path / "out").exists()


@pytest.mark.hive
def test_hive_vars_reach_the_script_unchanged(hive_engine, tmp_path):
    """A value with quotes and ';' is passed as --hivevar, not pasted into the script."""
    script = tmp_path / "echo.q"
    script.write_text(
        "INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}' SELECT length('${hivevar:TEXT}');\n"
    )
    hive_engine.run(TwinRun(script, tmp_path / "out", {"INPUT": str(tmp_path), "TEXT": "a;b c"}))
    assert read_rows(tmp_path / "out") == ["5"]


def test_read_rows_splits_on_newline_only(tmp_path):
    (tmp_path / "part-00000").write_bytes(b"a\x0bb\n")
    (tmp_path / "part-00001").write_text("")
    assert read_rows(tmp_path) == ["a\x0bb"]


def test_stream_main_writes_bytes(monkeypatch, capsysbinary):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x\tCall me\n")))
    assert streams.main(["tokenize", "--keyed"]) == 0
    assert capsysbinary.readouterr().out == b"x\tcall\nx\tme\n"
