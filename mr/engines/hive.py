"""Hive twins (hive/<stem>.q), embedded: one JVM runs Hive's CLI driver, a Derby metastore and
local-mode MapReduce; no HiveServer2, no ports.

    mrkit hive run word_count --input tests/fixtures/word_count/input.txt --output /tmp/wc
    mrkit hive run hive/top_n.q --input sales/ --output /tmp/top --var N=2

Variables reach the script as ``--hivevar`` (``${hivevar:INPUT}``, ``${hivevar:OUTPUT}``, every
``--var NAME=VALUE``, and ``${hivevar:PYTHON}``: this Python, for ``TRANSFORM ... USING`` filters
of mr/lib/streams.py, with the repository on PYTHONPATH). A script writes its rows with
``INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}' ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'``
(NULL is written ``\\N``); the runner turns that directory into part files and ``_SUCCESS``.

Jars: scripts/hive/pom.xml (hive-exec 4.1.0; the CLI driver of hive-cli 4.0.1, since the mirror
has no 4.1.0 BeeLine/CLI), fetched into .cluster/hive/lib. The metastore schema is created once
(.cluster/hive/metastore-template) and copied for each JVM, so runs do not share a Derby lock.
``run_many`` runs several scripts in one JVM (``set hivevar:...; source SCRIPT;``).
Environment: MRKIT_HIVE_HEAP (default 1g), JAVA_HOME.
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
from mr.engines.twins import (
    TwinEngine,
    TwinRun,
    engine_env,
    error_lines,
    output_lines,
)
from mr.lib.errors import UsageError
from mr.lib.publish import remove

ENGINE = "hive"
MAIN_CLASS = "org.apache.hadoop.hive.cli.CliDriver"

SITE = {
    "hive.execution.engine": "mr",
    "mapreduce.framework.name": "local",
    "fs.defaultFS": "file:///",
    "datanucleus.schema.autoCreateAll": "true",
    "hive.metastore.schema.verification": "false",
    "hive.exec.submit.local.task.via.child": "false",
    "hive.server2.enable.doAs": "false",
    "hive.metastore.uris": "",
    "hive.stats.autogather": "false",
    "hive.stats.column.autogather": "false",
    "hive.async.log.enabled": "false",
    "hive.cli.print.header": "false",
    # small inputs: no need to wait for the optimizer's statistics
    "hive.compute.query.using.stats": "false",
    "hive.auto.convert.join": "true",
    "hive.mapred.mode": "nonstrict",
    "hive.strict.checks.cartesian.product": "false",
    "hive.exec.mode.local.auto": "false",
    "hive.security.authorization.enabled": "false",
    "hive.metastore.event.db.notification.api.auth": "false",
    "hive.txn.manager": "org.apache.hadoop.hive.ql.lockmgr.DummyTxnManager",
    "hive.support.concurrency": "false",
    "hive.create.as.insert.only": "false",
    "metastore.create.as.acid": "false",
    "hive.strict.managed.tables": "false",
}

# what a failed script says about itself: Hive's own messages, not the JVM's log noise
ERROR_LINE_RE = re.compile(
    r"^(FAILED: .*|Error: .*|.*(?:ParseException|SemanticException|Exception in thread).*|"
    r"Caused by: .*|.*Hive Runtime Error.*|.*\[Error \d+\].*|Could not open .*)$"
)
QUOTED_RE = re.compile(r"'([^']+)'")
#: what a path written into a Hive script must not hold (see path_literal_body)
HIVE_PATH_BAD_RE = re.compile(r"['\"\\;`{}\[\]*?]|[\x00-\x1f\x7f]")


def home() -> Path:
    return state_dir(ENGINE)


def write_site(conf: Path) -> None:
    conf.mkdir(parents=True, exist_ok=True)
    props = "\n".join(
        f"  <property><name>{k}</name><value>{v}</value></property>" for k, v in SITE.items()
    )
    (conf / "hive-site.xml").write_text(f"<configuration>\n{props}\n</configuration>\n")
    # quiet console: warnings and errors only; the CLI prints FAILED lines itself
    (conf / "hive-log4j2.properties").write_text(
        "status = ERROR\nname = mrkit-hive\n"
        "appender.console.type = Console\nappender.console.name = console\n"
        "appender.console.target = SYSTEM_ERR\n"
        "appender.console.layout.type = PatternLayout\n"
        "appender.console.layout.pattern = %p %c{1}: %m%n\n"
        "rootLogger.level = WARN\nrootLogger.appenderRef.console.ref = console\n"
        "logger.ql.name = org.apache.hadoop.hive.ql.exec\nlogger.ql.level = ERROR\n"
        "logger.hadoop.name = org.apache.hadoop\nlogger.hadoop.level = ERROR\n"
        "logger.dn.name = DataNucleus\nlogger.dn.level = ERROR\n"
    )


def prepare() -> tuple[Path, Path]:
    """Fetch jars, write config; return (lib, conf)."""
    java_bin()
    lib = fetch(ENGINE)
    conf = home() / "conf"
    write_site(conf)
    return lib, conf


def _java(
    lib: Path, conf: Path, rundir: Path, args: Sequence[str], hadoop_conf: Path | None = None
) -> list[str]:
    heap = os.environ.get("MRKIT_HIVE_HEAP", "1g")
    derby = f"jdbc:derby:;databaseName={rundir / 'metastore'};create=true"
    cluster: list[str] = []
    if hadoop_conf is not None:
        # YARN execution: the cluster's fs.defaultFS and RM from its client conf, scratch on
        # HDFS; containers do not inherit this environment, TRANSFORM needs mr importable
        env = f"PYTHONPATH={PACKAGE_PARENT}"
        for k, v in {
            "mapreduce.framework.name": "yarn",
            "fs.defaultFS": _conf_value(hadoop_conf, "fs.defaultFS"),
            "hive.exec.scratchdir": f"/tmp/hive-{os.environ.get('USER', 'mrkit')}",
            "mapreduce.map.env": env,
            "mapreduce.reduce.env": env,
            # the MR ApplicationMaster's and tasks' classes: the Hadoop engine's jars (Hive's lib
            # lacks hadoop-mapreduce-client-app, and its log4j bridge breaks Hadoop's reload4j)
            # plus hive-exec, instead of this client's classpath (yarn.is.minicluster would
            # pass it on)
            "yarn.is.minicluster": "false",
            "mapreduce.application.classpath": ",".join(
                [str(lib_dir("hadoop") / "*"), *map(str, sorted(lib.glob("hive-exec-*.jar")))]
            ),
        }.items():
            cluster += ["--hiveconf", f"{k}={v}"]
    return [
        java_bin(),
        f"-Xmx{heap}",
        *JAVA17_OPENS,
        "-Dlog4j2.configurationFile=" + str(conf / "hive-log4j2.properties"),
        f"-Djava.io.tmpdir={rundir / 'tmp'}",
        "-cp",
        classpath(*([hadoop_conf] if hadoop_conf else []), conf, lib / "*"),
        MAIN_CLASS,
        "--hiveconf",
        f"javax.jdo.option.ConnectionURL={derby}",
        "--hiveconf",
        f"hive.metastore.warehouse.dir=file://{rundir / 'warehouse'}",
        "--hiveconf",
        f"hive.exec.scratchdir={rundir / 'scratch'}",
        "--hiveconf",
        f"hive.exec.local.scratchdir={rundir / 'localscratch'}",
        "--hiveconf",
        f"hive.querylog.location={rundir / 'querylog'}",
        "--hiveconf",
        f"hive.downloaded.resources.dir={rundir / 'resources'}",
        *cluster,
        *args,
    ]


def _conf_value(conf_dir: Path, name: str) -> str:
    """A property of a Hadoop client conf dir (core-site.xml first)."""
    import xml.etree.ElementTree as ET

    for site in ("core-site.xml", "yarn-site.xml", "mapred-site.xml", "hdfs-site.xml"):
        path = conf_dir / site
        if not path.exists():
            continue
        for prop in ET.parse(path).getroot().iter("property"):
            if prop.findtext("name") == name:
                return prop.findtext("value") or ""
    raise EngineError(f"{name} is not set in {conf_dir}")


class HiveEngine(TwinEngine):
    """Hive's part of a twin run: the CLI driver, --hivevar, ``source`` batches."""

    name = ENGINE
    prepare = staticmethod(prepare)
    java = staticmethod(_java)

    def env(self) -> dict[str, str]:
        return engine_env(HADOOP_USER_NAME=os.environ.get("USER", "mrkit"))

    def new_rundir(self) -> Path:
        rundir = super().new_rundir()
        # each JVM its own Derby metastore: runs do not share a lock
        shutil.copytree(metastore_template(), rundir / "metastore")
        return rundir

    def script_args(self, script: Path, variables: dict[str, str]) -> list[str]:
        args = ["-f", str(script)]
        for name, value in variables.items():
            args += ["--hivevar", f"{name}={value}"]
        return args

    def literal_body(self, value: str) -> str:
        # Hive unescapes \uXXXX in a string literal (HIVE-4618), after the CLI has split the
        # statements and substituted ${hivevar:..}; neither sees anything of the value's
        return twins.unicode_escaped(value)

    def path_literal_body(self, value: str) -> str:
        # INSERT OVERWRITE DIRECTORY '...' and LOCATION '...' take the literal without
        # unescaping it, so a path can only be written as it is: one without the characters
        # that would end the literal, split the statement or ask for a ${variable}, nor glob
        # characters (an output dir with {x} in its name came out empty, without an error)
        bad = sorted(set(HIVE_PATH_BAD_RE.findall(value)))
        if bad:
            raise UsageError(
                f"Hive cannot be given a path holding {' '.join(bad)} ({value}); "
                "rename it, or point a symlink without them at it"
            )
        return value

    def localize(self, variables: dict[str, str], rundir: Path) -> dict[str, str]:
        source = variables.get("INPUT", "://")
        if "://" in source or not Path(source).is_file():
            return variables
        # a table's LOCATION is a directory: give a single input file one of its own
        folder = rundir / "inputs" / uuid.uuid4().hex[:8]
        folder.mkdir(parents=True)
        shutil.copy(source, folder / Path(source).name)
        return {**variables, "INPUT": str(folder)}

    def errors(
        self, result: subprocess.CompletedProcess[str], rundir: Path, script: Path | None
    ) -> str:
        kept = error_lines(output_lines(result), lambda ln: bool(ERROR_LINE_RE.match(ln.strip())))
        message = "\n".join(kept)
        if script is not None:
            hints = _script_lines(script, " ".join(kept[:3]))
            if hints:
                message += "\n" + hints
        return message

    def finished(self, job: TwinRun, batched: bool) -> bool:
        # a twin's one INSERT OVERWRITE DIRECTORY, its last statement, makes the staging dir
        return not batched or job.staging.is_dir()

    def batchable(self, variables: dict[str, str]) -> bool:
        # the CLI splits a file on ';' outside quotes: a quote in a `set` value would swallow
        # the statements after it, so such values go to a JVM of their own as --hivevar
        return all(not re.search(r"[;'\"\n\\]|--", v) for v in variables.values())

    def batch_script(self, rundir: Path, runs: Sequence[tuple[TwinRun, dict[str, str]]]) -> Path:
        lines = []
        for job, variables in runs:
            lines += [f"set hivevar:{name}={value};" for name, value in variables.items()]
            lines.append(f"source {job.script};")
        driver = rundir / "driver.q"
        driver.write_text("\n".join(lines) + "\n")
        return driver


HIVE = HiveEngine()


def metastore_template() -> Path:
    """A Derby metastore with Hive's schema, created once (copying it is faster than creating)."""
    template = home() / "metastore-template"
    if (template / "service.properties").exists():
        return template
    lib, conf = prepare()
    scratch = home() / "runs" / f"init-{uuid.uuid4().hex[:8]}"
    (scratch / "tmp").mkdir(parents=True)
    result = HIVE.launch(lib, conf, scratch, ["-e", "SHOW DATABASES;"], None)
    if result.returncode != 0:
        message = HIVE.errors(result, scratch, None)
        raise EngineError(f"creating the Hive metastore failed:\n{message}")
    tmp = home() / f"metastore-template.{os.getpid()}"
    remove(tmp)
    shutil.move(str(scratch / "metastore"), tmp)
    try:
        os.replace(tmp, template)
    except OSError:  # another process made it first
        remove(tmp)
    remove(scratch)
    return template


def _script_lines(script: Path, message: str) -> str:
    """Lines of the script holding the first token Hive quotes in its message (Hive counts
    lines within the failing statement, not within the file)."""
    text = script.read_text(encoding="utf-8").splitlines()
    for token in QUOTED_RE.findall(message):
        if token == "<EOF>" or not token.strip():
            continue
        hits = [f"{script.name}:{i}: {ln.strip()}" for i, ln in enumerate(text, 1) if token in ln]
        if hits:
            return "\n".join(hits[:3])
    return ""


def run(job: TwinRun, hadoop_conf: Path | None = None) -> Path:
    """Run one Hive script in its own JVM; its rows land in job.output.

    With ``hadoop_conf`` (a Hadoop client conf dir) the queries run as MapReduce jobs on that
    cluster's YARN, reading and writing its HDFS; job.vars then give INPUT and OUTPUT as HDFS
    paths, and the OUTPUT directory is Hive's own (no part-file renaming)."""
    return twins.run(HIVE, job, hadoop_conf)


def run_many(jobs: Sequence[TwinRun]) -> dict[Path, Exception | None]:
    """Run several scripts in one JVM (``set hivevar:...; source SCRIPT;``, one after the
    other); {output: None or the error}."""
    return twins.run_many(HIVE, jobs)
