"""Pig twins (pig/<stem>.pig) in local mode: one JVM runs ``org.apache.pig.Main -x local``.

    mrkit pig run word_count --input tests/fixtures/word_count/input.txt --output /tmp/wc
    mrkit pig run pig/top_n.pig --input sales/ --output /tmp/top --var N=2

Variables reach the script as ``-param`` (``$INPUT``, ``$OUTPUT``, every ``--var NAME=VALUE``, and
``$PYTHON``: this Python, for ``STREAM ... THROUGH`` filters of mr/lib/streams.py, with the
repository on PYTHONPATH). A script stores its rows with ``STORE x INTO '$OUTPUT' USING
PigStorage('\\t')``; the runner turns that directory into part files and ``_SUCCESS``.

Jars: scripts/pig/pom.xml (Pig 0.18.0 with the Hadoop 3.4.1 client), fetched into
.cluster/pig/lib; Pig's Guava 11 goes first on the classpath. ``run_many`` runs several scripts in
one JVM with Grunt's ``exec -param_file F SCRIPT``. Environment: MRKIT_PIG_HEAP (default 1g).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Sequence
from pathlib import Path

from mr.engines import (
    JAVA17_OPENS,
    PACKAGE_PARENT,
    EngineError,
    classpath,
    fetch,
    java_bin,
    lib_dir,
    state_dir,
    twins,
)
from mr.engines.twins import TwinEngine, TwinRun, error_lines, output_lines
from mr.lib.errors import UsageError
from mr.lib.publish import SUCCESS

ENGINE = "pig"
MAIN_CLASS = "org.apache.pig.Main"

# Pig's own error lines: "ERROR 1200: <file x.pig, line 3, column 7> mismatched input ..."
ERROR_LINE_RE = re.compile(r"(ERROR \d+: .*|<file [^>]*>.*|Caused by: .*|Failed to parse: .*)")
NOISE_RE = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ \[\w+\] \w+ +\S+ - ")


def home() -> Path:
    return state_dir(ENGINE)


def prepare() -> tuple[Path, Path]:
    """Fetch jars and write the log4j config; return (lib, conf)."""
    java_bin()
    lib = fetch(ENGINE)
    conf = home() / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "log4j.properties").write_text(
        "log4j.rootLogger=WARN, console\n"
        "log4j.appender.console=org.apache.log4j.ConsoleAppender\n"
        "log4j.appender.console.target=System.err\n"
        "log4j.appender.console.layout=org.apache.log4j.PatternLayout\n"
        "log4j.appender.console.layout.ConversionPattern=%d [%t] %p %c - %m%n\n"
        "log4j.logger.org.apache.pig=ERROR\n"
        "log4j.logger.org.apache.hadoop=ERROR\n"
    )
    return lib, conf


PLACEHOLDER_SOURCE = """package org.apache.pig.org.roaringbitmap;
/** Placeholder for the relocated class pig-0.18.0.jar names but does not contain. */
public final class RoaringBitmap {
  private RoaringBitmap() {}
}
"""


def roaring_placeholder() -> Path:
    """A jar with an empty org.apache.pig.org.roaringbitmap.RoaringBitmap, compiled once.

    pig-0.18.0.jar on Maven Central lists that relocated class among the packages it ships
    with every MapReduce job (JarManager) but does not contain it, so ``-x mapreduce`` dies
    with NoClassDefFoundError. Only Bloom joins use the class; they are not supported here."""
    jar = home() / "extra" / "pig-roaringbitmap-placeholder.jar"
    if jar.exists():
        return jar
    javac = shutil.which("javac")
    jar_tool = shutil.which("jar")
    if not javac or not jar_tool:
        raise EngineError("Pig on a cluster needs a JDK (javac, jar) to build a placeholder class")
    work = home() / "extra" / f"build-{uuid.uuid4().hex[:8]}"
    src = work / "src" / "RoaringBitmap.java"
    src.parent.mkdir(parents=True)
    src.write_text(PLACEHOLDER_SOURCE)
    for cmd in (
        [javac, "-d", str(work / "classes"), str(src)],
        [jar_tool, "cf", str(work / jar.name), "-C", str(work / "classes"), "."],
    ):
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise EngineError(f"building {jar.name} failed: {result.stderr.strip()}")
    os.replace(work / jar.name, jar)
    shutil.rmtree(work, ignore_errors=True)
    return jar


def _java(
    lib: Path, conf: Path, rundir: Path, args: Sequence[str], hadoop_conf: Path | None = None
) -> list[str]:
    heap = os.environ.get("MRKIT_PIG_HEAP", "1g")
    guava = sorted(lib.glob("guava-*.jar"))
    pig = sorted(lib.glob("pig-*.jar"))
    cluster: list[str] = []
    if hadoop_conf is not None:
        # YARN containers do not inherit this environment: STREAM commands need mr importable
        env = f"PYTHONPATH={PACKAGE_PARENT}"
        # the MR ApplicationMaster's classes come from the Hadoop engine's jars (Pig's lib has
        # no hadoop-mapreduce-client-app); Pig ships its own classes in the job jar
        pig = [*pig, roaring_placeholder()]
        app_cp = ",".join([str(lib_dir("hadoop") / "*"), *map(str, pig)])
        cluster = [
            f"-Dmapreduce.map.env={env}",
            f"-Dmapreduce.reduce.env={env}",
            "-Dyarn.is.minicluster=false",
            f"-Dmapreduce.application.classpath={app_cp}",
        ]
    return [
        java_bin(),
        f"-Xmx{heap}",
        *JAVA17_OPENS,
        f"-Dlog4j.configuration=file:{conf / 'log4j.properties'}",
        f"-Djava.io.tmpdir={rundir}",
        *([] if hadoop_conf else [f"-Dpig.temp.dir={rundir / 'pigtmp'}"]),
        *cluster,
        "-cp",
        classpath(*([hadoop_conf] if hadoop_conf else []), conf, *pig, *guava, lib / "*"),
        MAIN_CLASS,
        "-x",
        "mapreduce" if hadoop_conf else "local",
        "-logfile",
        str(rundir / "pig.log"),
        *args,
    ]


class PigEngine(TwinEngine):
    """Pig's part of a twin run: ``-x local``, -param, Grunt ``exec`` batches."""

    name = ENGINE
    prepare = staticmethod(prepare)
    java = staticmethod(_java)

    def script_args(self, script: Path, variables: dict[str, str]) -> list[str]:
        args: list[str] = []
        for name, value in variables.items():
            try:
                args += ["-param", f"{name}={param_arg(value)}"]
            except UsageError as e:
                raise UsageError(f"--var {name}: {e}") from None
        return [*args, "-f", str(script)]

    def literal_body(self, value: str) -> str:
        # Pig's lexer reads \\ and \' in a '...' literal; nothing else needs escaping there
        return value.replace("\\", "\\\\").replace("'", "\\'")

    def errors(
        self, result: subprocess.CompletedProcess[str], rundir: Path, script: Path | None
    ) -> str:
        lines = output_lines(result)
        log = rundir / "pig.log"
        if log.exists():
            lines += log.read_text(errors="replace").splitlines()
        kept = error_lines(
            lines,
            lambda ln: bool(ERROR_LINE_RE.search(ln)),
            lambda ln: NOISE_RE.sub("", ln).strip(),
        )
        return "\n".join(kept)

    def finished(self, job: TwinRun, batched: bool) -> bool:
        # STORE makes the directory; in a batch only a completed one has _SUCCESS
        return (job.staging / SUCCESS).exists() if batched else job.staging.is_dir()

    def batchable(self, variables: dict[str, str]) -> bool:
        return all(_param_file_value(v) is not None for v in variables.values())

    def batch_script(self, rundir: Path, runs: Sequence[tuple[TwinRun, dict[str, str]]]) -> Path:
        lines = []
        for i, (job, variables) in enumerate(runs):
            params = rundir / f"params-{i}.txt"
            params.write_text("".join(f"{k}={v}\n" for k, v in variables.items()))
            lines.append(f"exec -param_file {params} {job.script};")
        driver = rundir / "driver.pig"
        driver.write_text("\n".join(lines) + "\n")
        return driver


PIG = PigEngine()


def run(job: TwinRun, hadoop_conf: Path | None = None) -> Path:
    """Run one Pig script in its own JVM; its rows land in job.output.

    With ``hadoop_conf`` (a Hadoop client conf dir) Pig runs in mapreduce mode on that cluster
    (YARN, HDFS paths); job.output is then an HDFS path written by Pig directly."""
    return twins.run(PIG, job, hadoop_conf)


def run_many(jobs: Sequence[TwinRun]) -> dict[Path, Exception | None]:
    """Run several scripts in one JVM (Grunt ``exec``, one after the other);
    {output: None or the error}."""
    return twins.run_many(PIG, jobs)


#: a -param value ParamLoader reads unquoted: an <OTHER> token, or an <IDENTIFIER> and one
UNQUOTED_PARAM_RE = re.compile(r"(?:_*[A-Za-z][A-Za-z0-9_]*)?[^\"'`A-Za-z_#= \t\r\n][^\n]*")


def param_arg(text: str) -> str:
    """The ``-param NAME=...`` value after which the script holds exactly `text` where it says
    ``$NAME``: the inverse of the three steps of Pig 0.18's preprocessor (tools/parameters),
    as measured by tests/test_twin_literals.py:

    1. ParamLoader reads a '...' value, turning \\' into ' and nothing else (\\\\ stays two).
    2. The value is itself substituted (``$x``, ``${x}`` not after a backslash name other
       parameters), then each \\$ becomes $.
    3. Where the script says ``$NAME`` the value goes in, a $ not after a backslash escaped as
       \\$, and then each \\$ of the line becomes $.

    Each $ of the text is therefore written \\\\$ (step 2 leaves \\$, step 3 the $) and each
    ' as \\'; a backslash needs nothing. No $ of the text can name a parameter. A text that
    ends with a backslash cannot be quoted (\\' would not close the quote): it goes unquoted
    when ParamLoader's grammar allows (no escapes there at all), else UsageError."""
    body = text.replace("$", "\\\\$")
    if not body.endswith("\\"):
        return "'" + body.replace("'", "\\'") + "'"
    if UNQUOTED_PARAM_RE.fullmatch(body):
        return body
    raise UsageError(
        "a value that ends with a backslash and starts with a space, quote, = or # "
        "cannot be passed to Pig"
    )


def _param_file_value(value: str) -> str | None:
    """A value as a Pig param-file line accepts it unchanged, or None if it cannot."""
    # the -param escapes (param_arg) are not applied to a param file: nothing that needs them
    if re.search(r"[\n`\\$'\"]", value) or value != value.strip():
        return None
    return value
