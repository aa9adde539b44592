"""The twin-runner skeleton the Hive and Pig runners share: scripts, declared parameters, the
JVM run, staged output and error lines.

A run validates the script's variables against the parameters its header declares, makes a run
directory, starts the engine's JVM and waits. The engine writes into a hidden staging directory
beside ``--output`` (:func:`mr.lib.publish.temp_path`); an ``--output`` that already holds
data is refused before the JVM starts unless the run says ``overwrite``; when it succeeds, its
data files are renamed ``part-00000``, ``part-00001``, ... (in the engine's own order) and the
directory is published in place of ``--output`` with ``_SUCCESS``
(:func:`mr.lib.publish.publish_dir`), as the MR jobs do; when it fails, the staging directory is
removed and the engine's own error lines are raised. :func:`run_many` runs several scripts in one
JVM where the engine can. On a cluster that wants Kerberos (mr/lib/auth.py) a run checks the
user's ticket before any JVM starts (:func:`check_login`), and the JVM gets the cluster's
krb5.conf (``auth.java_options``).

An engine (:class:`TwinEngine`) supplies only what differs: its JVM command line, how variables
reach a script, how several scripts share one JVM, and which output lines are its errors.

Parameters are declared in a script's header, one line each::

    -- @param N int default 10: records to keep per group
    -- @param JOIN_TYPE enum(inner=INNER,left=LEFT OUTER) default inner: the join type

Types: ``int``, ``number``, ``bool`` (true|false), ``cols`` (0-based column numbers: ``1,2``),
``text``, ``regex`` (a Python regex), ``path``, and ``enum(word,...)``. An enum takes one of its
words; ``word=TEXT`` makes the script receive TEXT instead (an SQL keyword, say), so nothing a
user types is pasted into the query unchecked. A ``text``, ``regex`` or ``path`` value may hold
any character but a control character; a script uses it only inside a ``'...'`` literal, and
the engine writes it there in the escaped form its language reads back as exactly that value
(:meth:`TwinEngine.literal_body`), so a quote, backslash, ``;``, ``--`` or ``${...}`` in it is
plain data. A parameter without a default must be given.
The runner's own variables (``INPUT``, ``OUTPUT``, ``PYTHON``) are not declared. A script that
declares no parameter (an ad-hoc script) receives its variables unchecked.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mr.engines import PACKAGE_PARENT, RESOURCE_ROOT, EngineError, state_dir
from mr.lib.errors import UsageError
from mr.lib.publish import check_output, part_names, publish_dir, remove, temp_path

VAR_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: variables the runner sets itself: a script uses them without declaring them
RUNNER_VARS = ("INPUT", "OUTPUT", "PYTHON")

PARAM_LINE_RE = re.compile(r"^\s*--\s*@param\b(?P<rest>.*)$")
PARAM_RE = re.compile(
    r"^\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>enum\([^)]*\)|[a-z]+)"
    r"(?:\s+default\s+(?P<default>\S+))?\s*:\s*(?P<meaning>\S.*)$"
)
PARAM_TYPES = ("int", "number", "bool", "cols", "text", "regex", "path", "enum")
#: types whose values are free text: a script uses them only inside a '...' string literal
TEXT_TYPES = ("text", "regex", "path")
INT_RE = re.compile(r"-?\d+")
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
COLS_RE = re.compile(r"\d+(?:,\d+)*")


@dataclass(frozen=True)
class Param:
    """One declared script parameter: ``-- @param NAME TYPE [default VALUE]: meaning``."""

    name: str
    type: str
    meaning: str
    default: str | None = None
    #: enum words -> what the script receives
    choices: dict[str, str] | None = None

    def value(self, given: str) -> str:
        """The text the script receives for `given`; UsageError if it is not a valid value."""
        ok = True
        if self.choices is not None:
            if given not in self.choices:
                words = "|".join(self.choices)
                raise UsageError(f"--var {self.name}={given}: expected one of {words}")
            return self.choices[given]
        if self.type == "int":
            ok = bool(INT_RE.fullmatch(given))
        elif self.type == "number":
            ok = _is_finite_number(given)
        elif self.type == "bool":
            ok = given in ("true", "false")
        elif self.type == "cols":
            ok = bool(COLS_RE.fullmatch(given))
        elif self.type == "regex":
            ok = _is_regex(given)
        if not ok:
            raise UsageError(f"--var {self.name}={given}: expected {self.type} ({self.meaning})")
        if self.type in TEXT_TYPES and CONTROL_RE.search(given):
            raise UsageError(
                f"--var {self.name}: holds a control character (tab, newline ...), which would "
                "split the rows a TRANSFORM or STREAM filter reads; in a regex write \\t or \\n"
            )
        return given


#: characters a text value keeps as they are in a '...' literal (see unicode_escaped)
INERT_RE = re.compile(r"[A-Za-z0-9 _.,:/+=@]")


def unicode_escaped(value: str) -> str:
    """`value` with every character but letters, digits and a few inert ones written as the
    ``\\uXXXX`` escape (UTF-16 units, as Java counts them) that Hive's and Pig's string
    literals read back. What is left means nothing to a statement splitter, a comment, a
    variable substitution (``${x}``, ``$x``) or a lexer: the value stays data."""
    units = value.encode("utf-16-be")
    out = []
    for i in range(0, len(units), 2):
        unit = units[i : i + 2]
        char = unit.decode("utf-16-be", errors="surrogatepass")
        out.append(char if INERT_RE.fullmatch(char) else f"\\u{unit.hex()}")
    return "".join(out)


def _is_finite_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _is_regex(text: str) -> bool:
    try:
        re.compile(text)
    except re.error:
        return False
    return True


def parse_param(line: str) -> Param | None:
    """The parameter a header line declares, None for another line; EngineError if malformed."""
    m = PARAM_LINE_RE.match(line)
    if m is None:
        return None
    spec = PARAM_RE.match(m.group("rest"))
    if spec is None:
        raise EngineError(f"bad @param line (want NAME TYPE [default VALUE]: meaning): {line}")
    name, kind, default = spec.group("name"), spec.group("type"), spec.group("default")
    choices = None
    if kind.startswith("enum("):
        choices = {}
        for item in kind[len("enum(") : -1].split(","):
            word, sep, text = item.strip().partition("=")
            choices[word] = text if sep else word
        kind = "enum"
    if kind not in PARAM_TYPES:
        raise EngineError(f"bad @param line: unknown type {kind!r}: {line}")
    if name in RUNNER_VARS:
        raise EngineError(f"bad @param line: {name} is set by the runner: {line}")
    param = Param(name, kind, spec.group("meaning").strip(), default, choices)
    if default is not None:
        try:
            param.value(default)
        except UsageError as e:  # the script's own default: the script is wrong, not the user
            raise EngineError(f"bad @param line: default {default!r}: {e}: {line}") from None
    return param


def script_params(script: Path) -> dict[str, Param]:
    """The parameters a script's header declares, by name, in order."""
    found: dict[str, Param] = {}
    for line in Path(script).read_text(encoding="utf-8").splitlines():
        param = parse_param(line)
        if param is not None:
            if param.name in found:
                raise EngineError(f"{Path(script).name}: @param {param.name} declared twice")
            found[param.name] = param
    return found


@dataclass
class TwinRun:
    """One script run: the script, its variables (INPUT included) and its output."""

    script: Path
    output: Path
    vars: dict[str, str] = field(default_factory=dict)
    #: replace an output that already holds data (otherwise the run is refused: UsageError)
    overwrite: bool = False
    #: where the engine writes; published as `output` on success
    staging: Path = field(init=False)

    def __post_init__(self) -> None:
        self.script = Path(self.script).resolve()
        self.output = Path(self.output).resolve()
        self.staging = temp_path(self.output)


def find_script(folder: str, ext: str, stem_or_file: str) -> Path:
    """A twin script by stem (``word_count`` -> ``<repo>/hive/word_count.q``) or by path."""
    path = Path(stem_or_file)
    if path.suffix == ext or path.exists():
        if not path.is_file():
            raise UsageError(f"no script at {path}")
        return path.resolve()
    path = RESOURCE_ROOT / folder / f"{stem_or_file}{ext}"
    if not path.is_file():
        known = sorted(p.stem for p in (RESOURCE_ROOT / folder).glob(f"*{ext}"))
        raise UsageError(f"no twin named {stem_or_file!r} in {folder}/; known: {', '.join(known)}")
    return path


def parse_vars(items: Sequence[str]) -> dict[str, str]:
    """``["N=3", "TOKENIZER=regex"]`` -> a dict; UsageError on a bad one."""
    found = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not VAR_NAME_RE.match(name):
            raise UsageError(f"--var {item!r}: expected NAME=VALUE")
        found[name] = value
    return found


def script_vars(job: TwinRun, on_cluster: bool = False) -> dict[str, str]:
    """Every variable the script receives: the declared parameters validated (defaults filled,
    enum words mapped), INPUT, OUTPUT (the staging directory; on a cluster the OUTPUT given)
    and PYTHON. UsageError for an undeclared, missing or invalid one. The values are the
    user's; :func:`as_written` turns them into script text."""
    given = dict(job.vars)
    if "PYTHON" in given:
        raise UsageError("--var PYTHON: set by the runner")
    runner = {"PYTHON": sys.executable, "OUTPUT": str(job.staging)}
    if on_cluster and "OUTPUT" in given:
        runner["OUTPUT"] = given["OUTPUT"]
    given.pop("OUTPUT", None)
    if "INPUT" in given:
        runner["INPUT"] = given.pop("INPUT")
    params = script_params(job.script)
    if not params:
        return {**runner, **given}
    unknown = sorted(set(given) - set(params))
    if unknown:
        raise UsageError(
            f"--var {unknown[0]}: {job.script.name} has no such parameter; "
            f"it takes {', '.join(params)}"
        )
    found: dict[str, str] = {}
    for name, param in params.items():
        value = given.get(name, param.default)
        if value is None:
            raise UsageError(f"--var {name}: required by {job.script.name} ({param.meaning})")
        found[name] = param.value(value)
    return {**runner, **found}


#: what PYTHON may look like: it is pasted into a command line (TRANSFORM USING, DEFINE `...`)
PYTHON_PATH_RE = re.compile(r"[\w./+-]+")


def as_written(engine: TwinEngine, job: TwinRun, variables: dict[str, str]) -> dict[str, str]:
    """`variables` as the engine must write them for the script to read back the same values:
    text parameters, INPUT and OUTPUT (each used only inside a '...' literal) in the form of
    :meth:`TwinEngine.literal_body`; the rest are checked words and numbers already (or, in an
    ad-hoc script that declares no parameter, the user's own text, passed as it is)."""
    params = script_params(job.script)
    paths = {"INPUT", "OUTPUT"} | {n for n, p in params.items() if p.type == "path"}
    text = {n for n, p in params.items() if p.type in TEXT_TYPES} - paths
    python = variables.get("PYTHON", "")
    if python and not PYTHON_PATH_RE.fullmatch(python):
        raise EngineError(
            f"this Python's path {python!r} cannot be written into a command line; "
            "run mrkit from a Python (venv) at a path of letters, digits and ./_+-"
        )
    written = {}
    for name, value in variables.items():
        try:
            if name in paths:
                written[name] = engine.path_literal_body(value)
            else:
                written[name] = engine.literal_body(value) if name in text else value
        except UsageError as e:
            raise UsageError(f"--var {name}: {e}") from None
    return written


def publish(run: TwinRun) -> Path:
    """Rename the staged engine files part-NNNNN and publish them as run.output (_SUCCESS)."""
    staging = run.staging
    staging.mkdir(parents=True, exist_ok=True)
    parts = part_names([p.name for p in staging.iterdir() if p.is_file()])
    for p in staging.iterdir():
        if p.name not in parts:
            remove(p)
    for old, new in parts.items():
        (staging / old).rename(staging / new)
    return publish_dir(staging, run.output)


def _check_output(job: TwinRun) -> None:
    """UsageError before any JVM starts if job.output holds data (and not job.overwrite), or
    cannot be written (:func:`mr.lib.publish.check_output`)."""
    check_output(job.output, job.overwrite, flag="--output")


def discard(run: TwinRun) -> None:
    """Drop what a failed run staged."""
    remove(run.staging)


def read_rows(output: Path) -> list[str]:
    """All rows of an output directory's part files (no line endings), in file order."""
    rows: list[str] = []
    for part in sorted(output.glob("part-*")):
        text = part.read_text(encoding="utf-8")
        rows.extend(text.split("\n")[:-1] if text else [])
    return rows


def engine_env(**extra: str) -> dict[str, str]:
    """The environment of an engine's JVM: TRANSFORM/STREAM children can import mr."""
    path = os.environ.get("PYTHONPATH")
    pythonpath = str(PACKAGE_PARENT) + (os.pathsep + path if path else "")
    return {**os.environ, "PYTHONPATH": pythonpath, **extra}


def output_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """A finished JVM's stdout and stderr lines."""
    return (result.stdout or "").splitlines() + (result.stderr or "").splitlines()


def error_lines(
    lines: Iterable[str],
    is_error: Callable[[str], bool],
    clean: Callable[[str], str] = str.strip,
    limit: int = 12,
) -> list[str]:
    """The engine's own error lines (no stack frames, each once); the last lines if none."""
    lines = list(lines)
    kept: list[str] = []
    for line in lines:
        if line.lstrip().startswith("at ") or not is_error(line):
            continue
        text = clean(line)
        if text not in kept:
            kept.append(text)
    if not kept:
        kept = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("at ")][-20:]
    return kept[:limit]


class TwinEngine(ABC):
    """What an engine supplies to the shared run flow."""

    #: the engine's name (``hive``), for messages and its state directory
    name: str

    def home(self) -> Path:
        """The engine's state directory (config, run directories)."""
        return state_dir(self.name)

    @abstractmethod
    def prepare(self) -> tuple[Path, Path]:
        """Fetch jars, write config; return (lib, conf)."""

    @abstractmethod
    def java(
        self, lib: Path, conf: Path, rundir: Path, args: Sequence[str], hadoop_conf: Path | None
    ) -> list[str]:
        """The JVM command line running the engine with `args`."""

    @abstractmethod
    def script_args(self, script: Path, variables: dict[str, str]) -> list[str]:
        """The engine arguments that run `script` with `variables`."""

    @abstractmethod
    def literal_body(self, value: str) -> str:
        """`value` written as the inside of a '...' string literal of the language, such that
        the script reads back exactly `value` (a text parameter's value lands there)."""

    def path_literal_body(self, value: str) -> str:
        """Like :meth:`literal_body`, for a path (some statements read a path literal in
        their own way); UsageError for a path the engine cannot be given safely."""
        return self.literal_body(value)

    @abstractmethod
    def errors(
        self, result: subprocess.CompletedProcess[str], rundir: Path, script: Path | None
    ) -> str:
        """The engine's error message for a failed JVM."""

    def env(self) -> dict[str, str]:
        return engine_env()

    def new_rundir(self) -> Path:
        """A fresh working directory for one JVM (removed when it ends)."""
        rundir = self.home() / "runs" / uuid.uuid4().hex[:12]
        (rundir / "tmp").mkdir(parents=True)
        return rundir

    def localize(self, variables: dict[str, str], rundir: Path) -> dict[str, str]:
        """The variables as this engine needs them in `rundir` (e.g. INPUT as a directory)."""
        return variables

    def finished(self, job: TwinRun, batched: bool) -> bool:
        """Whether the engine completed `job`'s output (after a zero exit when not batched)."""
        return True

    def batchable(self, variables: dict[str, str]) -> bool:
        """Whether a script with these variables can run in a shared JVM."""
        return False

    def batch_script(self, rundir: Path, runs: Sequence[tuple[TwinRun, dict[str, str]]]) -> Path:
        """A driver script that runs several scripts one after the other in one JVM."""
        raise NotImplementedError(f"{self.name} runs one script per JVM")

    def launch(
        self, lib: Path, conf: Path, rundir: Path, args: Sequence[str], hadoop_conf: Path | None
    ) -> subprocess.CompletedProcess[str]:
        """Run the engine's JVM in `rundir` and wait for it."""
        command = self.java(lib, conf, rundir, args, hadoop_conf)
        if hadoop_conf is not None:
            from mr.lib import auth

            command[1:1] = auth.java_options(hadoop_conf)  # a Kerberized cluster's krb5.conf
        return subprocess.run(
            command,
            cwd=rundir,
            env=self.env(),
            capture_output=True,
            text=True,
        )


def check_login(hadoop_conf: Path) -> None:
    """On a Kerberized cluster (``hadoop_conf`` says so, mr/lib/auth.py), a valid ticket before
    any JVM starts: without one, auth.NoTicket (one line naming the principal, exit code 2),
    not the engine's Java stack trace."""
    from mr.lib import auth

    if auth.method(hadoop_conf) == "kerberos":
        auth.require_ticket()


def run(engine: TwinEngine, job: TwinRun, hadoop_conf: Path | None = None) -> Path:
    """Run one script in its own JVM; its rows land in job.output.

    With ``hadoop_conf`` (a Hadoop client conf dir) the engine runs on that cluster (YARN, HDFS
    paths): job.vars give INPUT and OUTPUT, and OUTPUT is written by the engine directly."""
    variables = script_vars(job, hadoop_conf is not None)
    if hadoop_conf is None:
        _check_output(job)
    else:
        check_login(hadoop_conf)
    lib, conf = engine.prepare()
    rundir = engine.new_rundir()
    try:
        written = as_written(engine, job, engine.localize(variables, rundir))
        args = engine.script_args(job.script, written)
        result = engine.launch(lib, conf, rundir, args, hadoop_conf)
        if hadoop_conf is not None and result.returncode == 0:
            return job.output
        if result.returncode != 0 or not engine.finished(job, batched=False):
            discard(job)
            raise EngineError(
                f"{job.script.name} failed:\n{engine.errors(result, rundir, job.script)}"
            )
        return publish(job)
    finally:
        remove(rundir)


def run_many(engine: TwinEngine, jobs: Sequence[TwinRun]) -> dict[Path, Exception | None]:
    """Run several scripts, in one JVM where the engine allows; {output: None or the error}.

    If the shared JVM does not finish a script, that script runs again in a JVM of its own, so
    each failure is reported with its own message."""
    outcome: dict[Path, Exception | None] = {}
    batch: list[tuple[TwinRun, dict[str, str]]] = []
    alone: list[TwinRun] = []
    for job in jobs:
        try:
            variables = script_vars(job)
            _check_output(job)
        except (UsageError, OSError) as e:
            outcome[job.output] = e
            continue
        if engine.batchable(as_written(engine, job, variables)):
            batch.append((job, variables))
        else:
            alone.append(job)
    if batch:
        lib, conf = engine.prepare()
        rundir = engine.new_rundir()
        try:
            runs = [
                (job, as_written(engine, job, engine.localize(variables, rundir)))
                for job, variables in batch
            ]
            driver = engine.batch_script(rundir, runs)
            engine.launch(lib, conf, rundir, engine.script_args(driver, {}), None)
        finally:
            remove(rundir)
        for job, _ in batch:
            if engine.finished(job, batched=True):
                publish(job)
                outcome[job.output] = None
            else:
                discard(job)
                alone.append(job)
    for job in alone:
        try:
            run(engine, job)
            outcome[job.output] = None
        except (EngineError, UsageError) as e:
            outcome[job.output] = e
    return outcome
