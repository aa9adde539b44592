"""The seeded data generators in scripts/: same seed, same bytes; sizes honored; output parses."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from mr.lib.records import parse_mysql_csv, parse_tsv
from mr.lib.text import regex_words
from tests.support import REPO

SCRIPTS = REPO / "scripts"


def generate(script: str, *args: str) -> bytes:
    """Run scripts/<script> with args; return what it wrote to stdout."""
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / script), *args], capture_output=True, check=True
    )
    return done.stdout


@pytest.mark.parametrize(
    "script,args",
    [
        ("gen_corpus.py", ["--size", "64KB"]),
        ("gen_access_log.py", ["--lines", "500", "--bad-fraction", "0.1"]),
        ("gen_users.py", ["--rows", "300"]),
    ],
)
def test_same_seed_same_bytes_other_seed_other_bytes(script, args):
    first = generate(script, "--seed", "7", *args)
    assert first and first == generate(script, "--seed", "7", *args)
    assert first != generate(script, "--seed", "8", *args)


@pytest.mark.parametrize("script", ["gen_corpus.py", "gen_access_log.py", "gen_users.py"])
def test_help(script):
    assert b"--seed" in generate(script, "--help")


def test_output_file_is_written(tmp_path):
    out = tmp_path / "sub" / "corpus.txt"
    assert generate("gen_corpus.py", "--size", "10KB", "-o", str(out)) == b""
    assert out.read_bytes() == generate("gen_corpus.py", "--size", "10KB")
    assert [p.name for p in out.parent.iterdir()] == ["corpus.txt"]  # no temporary left


def test_bad_size_is_a_usage_error():
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "gen_corpus.py"), "--size", "lots"], capture_output=True
    )
    assert done.returncode == 2
    assert b"bad size" in done.stderr


@pytest.mark.parametrize("size,nbytes", [("300KB", 300 * 1024), ("1.5M", 3 * 2**19), ("999", 999)])
def test_corpus_size_is_honored(size, nbytes):
    data = generate("gen_corpus.py", "--size", size)
    # whole lines only: at most the size, short by less than one line
    assert nbytes - 400 < len(data) <= nbytes
    assert data.endswith(b"\n")


def test_corpus_is_zipf_text():
    text = generate("gen_corpus.py", "--size", "2MB").decode("utf-8")
    counts = Counter(w for line in text.split("\n") for w in regex_words(line))
    (_, first), (_, second), (_, third) = counts.most_common(3)
    # Zipf with s=1: rank r has 1/r of the top word's frequency (sampling noise is small here)
    assert 1.8 < first / second < 2.2
    assert 2.7 < first / third < 3.3
    total = sum(counts.values())
    assert 0.07 < first / total < 0.1  # 1/H(50000) = 0.0877
    assert "" in text.split("\n")  # paragraph breaks
    assert any(not w.isascii() for w in counts)
    assert any("'" in w for w in counts)


def test_users_csv_parses_as_mysql_outfile():
    csv_lines = generate("gen_users.py", "--rows", "2000").decode("utf-8").split("\n")
    tsv_lines = generate("gen_users.py", "--rows", "2000", "--format", "tsv").decode().split("\n")
    assert csv_lines[-1] == "" and len(csv_lines) == 2001
    rows = [parse_mysql_csv(line) for line in csv_lines[:-1]]
    assert all(row is not None and len(row) == 9 for row in rows)
    assert [row[0] for row in rows] == [str(i) for i in range(1, 2001)]
    assert rows == [parse_tsv(line) for line in tsv_lines[:-1]]
    values = [v for row in rows for v in row]
    assert None in values
    assert any(v and '"' in v for v in values)
    assert any(v and "\\" in v for v in values)
    assert any(v and "," in v for v in values)
    assert any(v and "'" in v for v in values)
    raw = "\n".join(csv_lines)
    assert '\\"' in raw and ",\\N" in raw and "\\\\" in raw


def test_access_log_lines_parse():
    from mr.lib.access_log import parse_access_log

    lines = generate("gen_access_log.py", "--lines", "3000").decode("ascii").split("\n")
    assert lines[-1] == "" and len(lines) == 3001
    parsed = [parse_access_log(line) for line in lines[:-1]]
    assert [line for line, p in zip(lines, parsed, strict=False) if p is None] == []
    assert any('\\"' in line for line in lines)  # Apache's escaped quote in a request


def test_access_log_bad_fraction():
    from mr.lib.access_log import parse_access_log

    lines = generate("gen_access_log.py", "--lines", "5000", "--bad-fraction", "0.1")
    bad = sum(parse_access_log(line) is None for line in lines.decode("ascii").split("\n")[:-1])
    assert 350 < bad < 650


def test_access_log_size_is_honored():
    data = generate("gen_access_log.py", "--size", "100KB")
    assert 100 * 1024 - 1000 < len(data) <= 100 * 1024
