"""`word_count --tokenizer whitespace` gives exactly the rows of Hadoop's own Java WordCount
(hadoop-mapreduce-examples `wordcount`) on a hostile input: every line-end, separator and
UTF-8 edge, then a byte soup from a fixed seed.

- test_java_wordcount_parity_yarn: both jobs on the MiniCluster, on the same HDFS input
  (Java: `hadoop jar <examples jar> wordcount`; Python: `mr/word_count.py -r hadoop`).
- test_java_wordcount_parity_local: Java's WordCount in Hadoop's LOCAL mode (LocalJobRunner on
  file:///, no daemons, no ports) against `-r inline` on the same local files.
- test_streaming_wordcount_parity_local: the same Java rows against `mr/word_count.py -r hadoop`
  run by hadoop-streaming in LOCAL mode: the task sees its lines as Hadoop streaming gives them
  (LineRecordReader has split them at a lone \\r and dropped the file's BOM).
The two local tests need java and the fetched jars, not a cluster (about 10 s and 25 s).

The rows are compared as bytes: Java writes each word as the UTF-8 of the text it decoded.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mr.word_count import WordCount
from tests.support import REPO

pytestmark = pytest.mark.hadoop

LAUNCHER = REPO / "scripts" / "hadoop" / "bin" / "hadoop"
SEED = 20261201

# Each piece is written as it is: the line ends are part of the piece.
EDGES: list[bytes] = [
    # a UTF-8 BOM at the start of the file: LineRecordReader drops it
    b"\xef\xbb\xbfbom-first word\n",
    b"\xef\xbb\xbfbom-inside a line start\n",  # ... but only there
    b"x\xef\xbb\xbfy \xef\xbb\xbf\n",
    b"Hello, hello HELLO hello.\n",
    b"crlf one\r\n",
    b"crlf two\r\n\r\n",
    b"cr-a cr-b\rcr-c\r\rcr-d\n",  # a lone \r ends a line
    b"cr cr lf\r\r\n",
    b"\r\n\r\r\n\n",
    b"vt\x0bnot a delimiter fs\x1cgs\x1drs\x1eus\x1f end\n",  # whitespace to str.split() only
    b"ff\x0cgg\thh \t \x0c ii\n",
    b"nul\x00byte \x00 \x00\x00\n",
    b"del\x7f \x01\x02\x03 ctl\n",
    "\u00a0\u3000\u2003\u2028\u2029\u0085\u180e\u200b\ufeff\n".encode(),  # Unicode spaces only
    "nb\u00a0sp ideo\u3000sp em\u2003sp ls\u2028ps\u2029nel\u0085\n".encode(),
    b"\n",
    b"   \t \x0c \n",
    b" \x0b \n",  # a vertical tab is a word
    b"good \xff\xfe bad\xc3 word \xed\xa0\x80surrogate \xf0\x9f\x98 trunc \xe2\x82\n",
    b"cesu \xed\xa0\xbd\xed\xb8\x80 pair \xed\xa0 half \xed\xa0A\n",
    b"overlong \xc0\x80 \xc1\xbf \xe0\x80\x80 \xe0\x9f\xbf \xf0\x80\x80\x80 \xf0\x8f\xbf\xbf\n",
    b"too-big \xf4\x90\x80\x80 \xf5\x80\x80\x80 \xf8\x88\x80\x80\x80 \xfc\x84\x80\x80\x80\x80\n",
    b"stray \x80 \xbf\xbf \x80x\x80\n",
    "replacement \ufffd as text\n".encode(),  # the same word as the bad byte \xff
    b"end\xe2\x82\n",  # a sequence cut by the line end
    b"end\xf0\x9f\n",
    b"\xed\xa0\n",
    b"\xff\n",
    "sup \U0001f600 \U0001d11e \U0010ffff caf\u00e9 cafe\u0301 \u03a3\u039f\u03a3\n".encode(),
    b"back\\slash \\N \\t \\\\ C:\\dir\n",  # no TSV escaping: Java writes the backslash as it is
    b"tab\tin\tthe\tmiddle\n",
    b"a" * 100_000 + b" " + b"b c " * 50_000 + b"\xff" * 1000 + b"\n",  # long lines, long word
    b"no newline at the end\r",
]

# the soup: mostly bytes that matter to line ends, delimiters and UTF-8
SOUP_BYTES = (
    b"\n\r \t\x0b\x0c\x1c\x00\\abcAB"
    b"\x80\x8f\x90\x9f\xa0\xbb\xbf\xc0\xc2\xdf\xe0\xe2\xed\xef\xf0\xf4\xf5\xff"
)


def byte_soup(size: int = 300_000, seed: int = SEED) -> bytes:
    rng = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        if rng.random() < 0.7:
            out += bytes(rng.choice(SOUP_BYTES) for _ in range(rng.randint(1, 12)))
        elif rng.random() < 0.5:
            out += rng.randbytes(rng.randint(1, 12))
        else:  # valid UTF-8 text, so that words repeat
            out += rng.choice(
                ["the ", "The ", "caf\u00e9 ", "\u00a0", "\U0001f600", "\ufffd"]
            ).encode()
    return bytes(out)


def write_hostile_inputs(directory: Path) -> list[Path]:
    """Two files: the edges (BOM first) and the soup (BOM first, then random bytes)."""
    directory.mkdir(parents=True, exist_ok=True)
    edges = directory / "edges.txt"
    edges.write_bytes(b"".join(EDGES))
    soup = directory / "soup.bin"
    soup.write_bytes(b"\xef\xbb\xbf" + byte_soup())
    return [edges, soup]


def part_rows(directory: Path) -> list[bytes]:
    """The rows of every part-* file of a local output directory, as sorted bytes."""
    rows: list[bytes] = []
    for part in sorted(directory.glob("part-*")):
        rows += part.read_bytes().split(b"\n")[:-1]
    return sorted(rows)


def inline_rows(inputs: list[Path]) -> list[bytes]:
    job = WordCount(["-r", "inline", "--no-conf", "--tokenizer", "whitespace", *map(str, inputs)])
    with job.make_runner() as runner:
        runner.run()
        raw = b"".join(runner.cat_output())
    return sorted(raw.split(b"\n")[:-1])


def assert_same_rows(java: list[bytes], python: list[bytes]) -> None:
    only_java, only_python = sorted(set(java) - set(python)), sorted(set(python) - set(java))
    assert (only_java[:20], only_python[:20]) == ([], [])
    assert java == python


def local_hadoop_env(tmp: Path) -> dict[str, str]:
    """The launcher's environment for Hadoop's LOCAL mode: a configuration of file:/// and the
    LocalJobRunner (no NameNode, no YARN, no ports)."""
    conf = tmp / "local-conf"
    conf.mkdir(exist_ok=True)
    site = '<?xml version="1.0"?>\n<configuration>{}</configuration>\n'
    prop = "<property><name>{}</name><value>{}</value></property>"
    (conf / "core-site.xml").write_text(site.format(prop.format("fs.defaultFS", "file:///")))
    (conf / "mapred-site.xml").write_text(
        site.format(prop.format("mapreduce.framework.name", "local"))
    )
    return {**os.environ, "HADOOP_CONF_DIR": str(conf)}


def examples_jar_or_skip() -> Path:
    from mr.engines import EngineError, hadoop

    if shutil.which("java") is None:
        pytest.skip("no java")
    try:
        return hadoop.examples_jar()
    except EngineError as e:
        pytest.skip(f"{e}: python -c \"from mr.engines import fetch; fetch('hadoop')\"")


def java_rows_local(tmp: Path, inputs: list[Path]) -> list[bytes]:
    """Java WordCount's rows, run by the examples jar in Hadoop's LOCAL mode."""
    jar = examples_jar_or_skip()
    out = tmp / "java-out"
    cmd = [str(LAUNCHER), "jar", str(jar), "wordcount", *map(str, inputs), str(out)]
    proc = subprocess.run(
        cmd, env=local_hadoop_env(tmp), capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out / "_SUCCESS").exists()
    rows = part_rows(out)
    assert len(rows) > 1000  # the soup makes many distinct words
    return rows


def test_java_wordcount_parity_local(tmp_path):
    inputs = write_hostile_inputs(tmp_path / "in")
    java = java_rows_local(tmp_path, inputs)
    assert_same_rows(java, inline_rows(inputs))


def test_streaming_wordcount_parity_local(tmp_path):
    from mr.engines import hadoop

    inputs = write_hostile_inputs(tmp_path / "in")
    java = java_rows_local(tmp_path, inputs)
    hadoop_tmp = tmp_path / "hadoop-tmp"
    cmd = [
        sys.executable,
        str(REPO / "mr" / "word_count.py"),
        "-r",
        "hadoop",
        "--no-conf",
        "--cleanup",
        "NONE",  # the output stays in the hadoop tmp dir
        "--no-cat-output",
        "--hadoop-bin",
        str(LAUNCHER),
        "--hadoop-streaming-jar",
        str(hadoop.streaming_jar()),
        "--hadoop-tmp-dir",
        hadoop_tmp.as_uri(),
        "--python-bin",
        sys.executable,
        "--tokenizer",
        "whitespace",
        *map(str, inputs),
    ]
    proc = subprocess.run(
        cmd, env=local_hadoop_env(tmp_path), capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (output,) = hadoop_tmp.glob("*/output")
    assert_same_rows(java, part_rows(output))


def test_java_wordcount_parity_yarn(hadoop_cluster, hdfs, hdfs_dir, tmp_path):
    from mr.engines import hadoop

    jar = hadoop.examples_jar()
    inputs = [
        "hdfs://" + hdfs.put(f, f"{hdfs_dir}/in/{f.name}")
        for f in write_hostile_inputs(tmp_path / "in")
    ]
    java_out, python_out = f"{hdfs_dir}/java-out", f"{hdfs_dir}/python-out"
    proc = subprocess.run(
        [str(LAUNCHER), "jar", str(jar), "wordcount", *inputs, f"hdfs://{java_out}"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "mr" / "word_count.py"),
            "-r",
            "hadoop",
            "-c",
            hadoop_cluster.mrjob_conf,
            "--tokenizer",
            "whitespace",
            "--output-dir",
            f"hdfs://{python_out}",
            "--no-cat-output",
            *inputs,
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]

    def rows(directory: str) -> list[bytes]:
        found: list[bytes] = []
        for entry in hdfs.ls(directory):
            if Path(entry.path).name.startswith("part-"):
                found += hdfs.read_bytes(entry.path).split(b"\n")[:-1]
        return sorted(found)

    java = rows(java_out)
    assert len(java) > 1000
    assert_same_rows(java, rows(python_out))
