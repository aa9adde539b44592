"""Oozie apps (workflow, coordinator, bundle) -> Airflow DAG files a person reviews in git.

:func:`render_app` writes one file per DAG, ``<dag id>.py``: a workflow is one DAG (its id the
workflow's name), a coordinator one DAG that runs its workflow on its schedule (its id the
coordinator's name), a bundle one DAG per coordinator. The renderer writes text and never
imports Airflow; the files import Airflow 3 (``airflow.sdk``) and mrkit's runtime
(:mod:`mr.airflow.runtime`), whose tasks run each node as mrkit's local runner does.

What a file holds, in the workflow's order: the DAG (params from the workflow's parameters and
the job.properties given, a schedule for a coordinator), one task per node named like the node
(a name Airflow refuses is cleaned by :func:`mr.airflow.runtime.task_id`, and two names that
would be one task are refused; its Python variable is the name with ``-`` and ``.`` as ``_``),
each action's body as mrkit's model writes it
(``Fs([Delete(...)])``, ``Shell(...)``, ``Job(...)`` for an mrkit job), then the transitions,
each written once: ok transitions as chains (``a >> [b, c] >> join``), error transitions as
edges labelled ``error``. Trigger rules (:func:`trigger_rules`) carry Oozie's transitions:
a kill node fires when an action sends its error there (``one_failed``), a node after a
decision or where paths meet runs when one path arrived (``none_failed_min_one_success``).

Oozie actions mrkit has no model for become the command line of their engine (``pig -f``,
``hive -f``, ``beeline``, ``spark-submit``, ``hadoop distcp``, ``sqoop``, ``ssh``, ``hadoop
<main class>``, ``mapred streaming|pipes``), or, where that cannot work (a map-reduce of Java
classes, email, git), a task that fails naming the action type; an action type Oozie does not
have is refused. A coordinator's input of HCatalog partitions (hcat://) becomes a task that
fails saying why (nothing here can ask a metastore whether a partition exists).

Bad input is refused before anything is written (:class:`InvalidApp`: the validator's one-line
problems; :class:`RenderError`: one line), and files are written to a temporary directory,
compiled (and imported by Airflow when a Python with Airflow is given, see
:func:`check_imports`) and only then moved into place.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from lxml import etree

from mr.airflow.runtime import (
    BOTH_LABEL,
    ERROR_LABEL,
    Command,
    Job,
    JobStep,
    Unsupported,
    task_id,
)
from mr.airflow.source import (
    WIDTH,
    Code,
    Expr,
    call,
    chain_lines,
    expr,
    flat,
    identifier,
    statement,
)
from mr.lib import jobconf as keys
from mr.lib.errors import UsageError
from mr.workflow import el, hcat
from mr.workflow.apps import App, load_app, read_app_xml
from mr.workflow.coordinator import (
    WORKFLOW_PATH_PROPERTY,
    Bundle,
    Coordinator,
    DataIn,
    DataOut,
    render_coordinator,
)
from mr.workflow.graph import check_graph, check_parameters
from mr.workflow.local import (
    DEFAULT_RETRY_INTERVAL,
    MAX_USER_RETRIES,
    check_expressions,
    mrkit_job,
)
from mr.workflow.model import (
    SHELL_NS,
    Action,
    ActionBody,
    Decision,
    End,
    Fork,
    Fs,
    Join,
    Kill,
    MapReduce,
    Node,
    RawAction,
    Shell,
    SubWorkflow,
    Workflow,
)
from mr.workflow.problems import Problem
from mr.workflow.properties import expand_names, layered_values
from mr.workflow.render import STANDARD_PROPERTIES, render_workflow
from mr.workflow.schedule import (
    Frequency,
    ScheduleError,
    parse_frequency,
    parse_time,
    zone,
)


class RenderError(UsageError):
    """An app that cannot become a DAG (one line, naming what and where)."""


class InvalidApp(RenderError):
    """The validator's problems with an app; str() is one line per problem (the CLI prints
    them and exits 1, as `mrkit workflow validate` does)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


#: Oozie's action types (the workflow XSD's and its extension schemas')
OOZIE_ACTIONS = frozenset(
    "map-reduce pig fs sub-workflow java shell hive hive2 spark distcp sqoop ssh email git".split()
)
#: trigger rules that run a task on failures: its runtime checks that a transition leads to it
CHECKED_RULES = ("one_failed", "all_done")
DEFAULT_TIMEOUT_MINUTES = 120  # mr.workflow.coord_local.DEFAULT_TIMEOUT (Oozie's default)


@dataclass
class RenderedDag:
    """One DAG file: its id, its text, what Oozie says that Airflow cannot, and the tasks that
    fail by design (``node (kind)``: an action that cannot run here, an HCatalog input)."""

    dag_id: str
    text: str
    notes: list[str] = field(default_factory=list)
    fails: list[str] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return f"{self.dag_id}.py"


# -- the entry point ------------------------------------------------------------------------------


def render_app(
    app: str,
    out: Path,
    properties: Path | None = None,
    *,
    python: Path | None = None,
) -> list[Path]:
    """Render APP (MODULE:ATTR, file.py:ATTR, an Oozie app directory or XML file) into out, one
    file per DAG; the files written. properties: a job.properties to use instead of the one
    beside the app. python: a Python with Airflow to import the files with before they are
    moved into out (check_imports). RenderError / InvalidApp (UsageErrors) for bad input;
    nothing is written then."""
    from mr.workflow.properties import job_properties

    loaded = load_app(app)
    if properties is not None:
        if not properties.is_file():
            raise RenderError(f"--properties {properties}: no such file")
        loaded.properties = job_properties(properties)
    dags = render_dags(loaded, source=app)
    return write_dags(dags, out, python=python)


def render_dags(app: App, source: str) -> list[RenderedDag]:
    """The DAG files of a loaded app."""
    value = app.value
    if isinstance(value, Workflow):
        return [workflow_dag(value, app.properties, source=source, app_dir=app.directory)]
    if isinstance(value, Coordinator):
        return [coordinator_dag(value, app.properties, source=source, app_dir=app.directory)]
    return bundle_dags(value, app.properties, source=source, app_dir=app.directory)


def write_dags(dags: list[RenderedDag], out: Path, *, python: Path | None = None) -> list[Path]:
    """Write the files atomically: into a temporary directory beside out (not in it: a
    dag-processor scanning out would parse the staged files, and report an import error for
    each one moved away under it), each compiled (and imported by Airflow with python), then
    moved into out; none is written when one fails."""
    ids = [d.dag_id for d in dags]
    if len(set(ids)) != len(ids):
        raise RenderError(f"two DAGs would have the same id: {', '.join(sorted(ids))}")
    out.mkdir(parents=True, exist_ok=True)
    with _staging(out) as tmp:
        staged = []
        for dag in dags:
            path = Path(tmp) / dag.file_name
            path.write_text(dag.text, encoding="utf-8")
            try:
                compile(dag.text, str(out / dag.file_name), "exec")
            except SyntaxError as e:  # a bug of the renderer: say where, write nothing
                raise RenderError(f"{dag.file_name}:{e.lineno}: would not compile: {e.msg}")
            staged.append(path)
        if python is not None:
            errors = check_imports(staged, python)
            if errors:
                first = next(iter(errors.items()))
                raise RenderError(
                    f"{Path(first[0]).name} would not import in Airflow: {_last_line(first[1])}"
                )
        written = []
        for path in staged:
            target = out / path.name
            os.replace(path, target)
            written.append(target)
    return written


def _staging(out: Path) -> tempfile.TemporaryDirectory[str]:
    """A temporary directory beside out; in it (hidden) only when out's parent is not ours to
    write: a dag-processor may then list a staged file and report it missing once moved, an
    import error of another path than the deployed file's (mr.cli.airflow matches by path)."""
    try:
        return tempfile.TemporaryDirectory(prefix=f".{out.name}.render-", dir=out.parent)
    except PermissionError:
        return tempfile.TemporaryDirectory(prefix=".render-", dir=out)


def check_imports(paths: Iterable[Path], python: Path) -> dict[str, str]:
    """Import DAG files with Airflow's DagBag in `python` (a venv's python with Airflow and
    mrkit importable); {file: error} of those that do not import, {} when all do. Runs in a
    throwaway AIRFLOW_HOME, so no database or configuration of the caller's is touched."""
    files = [str(Path(p).resolve()) for p in paths]
    script = (
        "import json, sys\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        "errors = {}\n"
        "for f in sys.argv[1:]:\n"
        "    bag = DagBag(dag_folder=f, safe_mode=False)\n"
        "    errors.update({str(k): str(v) for k, v in bag.import_errors.items()})\n"
        "    if not bag.dags and f not in errors:\n"
        "        errors[f] = 'no DAG in the file'\n"
        "print(json.dumps(errors))\n"
    )
    with tempfile.TemporaryDirectory(prefix="mrkit-airflow-home-") as home:
        env = dict(os.environ)
        env.update(AIRFLOW_HOME=home, AIRFLOW__CORE__LOAD_EXAMPLES="False",
                   AIRFLOW__CORE__UNIT_TEST_MODE="True")  # fmt: skip
        package_parent = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
        done = subprocess.run(
            [str(python), "-c", script, *files],
            capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    if done.returncode != 0:
        raise RenderError(f"{python}: the DagBag import failed: {_last_line(done.stderr)}")
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else text.strip()


# -- workflows ------------------------------------------------------------------------------------


@dataclass
class _Context:
    """What a workflow DAG is rendered with."""

    source: str
    app_dir: Path | None
    values: dict[str, str]
    notes: list[str] = field(default_factory=list)
    fails: list[str] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)
    constants: list[str] = field(default_factory=list)
    constant_names: set[str] = field(default_factory=set)


def workflow_dag(
    wf: Workflow,
    file_values: Mapping[str, str],
    *,
    source: str,
    app_dir: Path | None = None,
) -> RenderedDag:
    """The DAG of a workflow run on demand (schedule None)."""
    check_workflow(wf, set(file_values))
    params = workflow_params(wf, file_values)
    values = _values(f"workflow {wf.name}", params)
    ctx = _Context(source, app_dir, values)
    nodes, edges = workflow_body(wf, ctx)
    dag_id = task_id(wf.name)
    named = "" if dag_id == wf.name else f" {wf.name}"
    doc = _doc(f"{dag_id}: the Oozie workflow{named} of {source}, as an Airflow DAG.", ctx)
    dag = call(
        "DAG",
        dag_id=dag_id,
        schedule=Code("None"),
        params=_params_expr(wf, params, ctx),
        tags=["mrkit", "oozie-workflow"],
        doc_md=Code("__doc__"),
    )
    oozie = _oozie_tasks(wf.name, ctx)
    text = _file(doc, ctx, dag, [oozie, "", *nodes, "", *edges])
    return RenderedDag(dag_id, text, ctx.notes, ctx.fails)


def check_workflow(wf: Workflow, defined: set[str]) -> None:
    """InvalidApp with the validator's problems: the graph's, and ${parameters} that nothing
    defines (the workflow's parameters, job.properties, what a coordinator passes)."""
    where = f"workflow {wf.name}"
    problems = check_graph(wf, where)
    if not problems:
        root = etree.fromstring(render_workflow(wf).encode())
        known = wf.parameter_names() | defined | set(STANDARD_PROPERTIES)
        problems = check_parameters(root, known, where)
    if problems:
        raise InvalidApp(problems)
    try:
        check_expressions(wf)
    except el.ELError as e:
        raise RenderError(str(e)) from None
    for child in wf.children.values():
        check_workflow(child, set())


def workflow_params(wf: Workflow, file_values: Mapping[str, str]) -> dict[str, str | None]:
    """The DAG's params: the workflow's parameters (None: required), its job.properties
    values, and the job.properties given, in that order of precedence (lowest first)."""
    params: dict[str, str | None] = {p.name: p.value for p in wf.parameters}
    params.update(wf.properties)
    params.update(file_values)
    return params


def _values(owner: str, params: Mapping[str, str | None]) -> dict[str, str]:
    """The values the renderer resolves things with (retry settings, times): the params as a
    run would see them; a required one stands for itself."""
    given = {k: v if v is not None else f"${{{k}}}" for k, v in params.items()}
    return layered_values(owner, [], given, None, None)


def _params_expr(wf: Workflow, params: Mapping[str, str | None], ctx: _Context) -> Expr:
    described = {p.name: p.description for p in wf.parameters if p.description}
    items: dict[str, Any] = {}
    for name, value in params.items():
        if value is None or name in described:
            ctx.imports.add("Param")
            arguments: list[Any] = [] if value is None else [value]
            kw: dict[str, Any] = {"type": "string"}
            if name in described:
                kw["description"] = described[name]
            items[name] = call("Param", *arguments, **kw)
        else:
            items[name] = value
    return expr(items)


def _oozie_tasks(workflow: str, ctx: _Context, coordinator: str | None = None) -> str:
    kw: dict[str, Any] = {}
    if coordinator:
        kw["coordinator"] = Code(coordinator)
    if ctx.app_dir is not None:
        kw["app_dir"] = str(ctx.app_dir.resolve())
    return statement("oozie = ", call("OozieTasks", workflow, **kw), 4)


def workflow_body(wf: Workflow, ctx: _Context) -> tuple[list[str], list[str]]:
    """(the task statements, the transition statements) of a workflow's nodes."""
    tasks: dict[str, str] = {}
    for node in wf.nodes:  # names that differ only in characters Airflow refuses in an id
        made = task_id(node.name)
        if made in tasks:
            raise RenderError(f"workflow {wf.name}: nodes {tasks[made]!r} and {node.name!r} "
                              f"would both be the task {made!r}: rename one")  # fmt: skip
        tasks[made] = node.name
    names: dict[str, str] = {}
    for node in wf.nodes:
        names[node.name] = identifier(node.name, names.values())
    incoming = _incoming(wf)
    rules = trigger_rules(wf, incoming)
    jobs = _job_chains(wf)
    lines: list[str] = []
    for node in _in_reading_order(wf.nodes):
        lines.append(_task(wf, node, names[node.name], rules[node.name], jobs, ctx))
    return lines, _transitions(wf, names, incoming)


def _in_reading_order(nodes: list[Node]) -> list[Node]:
    """The nodes as the workflow has them, its kill and end nodes last (the builder adds a kill
    node where it is first named)."""
    last = (Kill, End)
    return [n for n in nodes if not isinstance(n, last)] + [n for n in nodes if isinstance(n, last)]


def _incoming(wf: Workflow) -> dict[str, list[tuple[str, str]]]:
    """node -> [(predecessor, kind)], kind ok, error or both (a predecessor once)."""
    incoming: dict[str, list[tuple[str, str]]] = {n.name: [] for n in wf.nodes}
    for node in wf.nodes:
        for target, kind in _edges(node):
            incoming.setdefault(target, []).append((node.name, kind))
    return incoming


def _edges(node: Node) -> list[tuple[str, str]]:
    """(target, kind) of a node's transitions, one per target: ok, error or both."""
    if isinstance(node, Action):
        if node.ok and node.ok == node.error:
            return [(node.ok, "both")]
        return [(t, k) for t, k in ((node.ok, "ok"), (node.error, "error")) if t]
    if isinstance(node, Fork):
        targets = node.paths
    elif isinstance(node, Decision):
        targets = [c.to for c in node.cases] + [node.default]
    elif isinstance(node, Join):
        targets = [node.to] if node.to else []
    else:
        targets = []
    return [(t, "ok") for t in dict.fromkeys(targets)]


def trigger_rules(wf: Workflow, incoming: Mapping[str, list[tuple[str, str]]]) -> dict[str, str]:
    """Each node's trigger rule, from how transitions reach it:

    - a kill node only actions send their errors to: ``one_failed``;
    - a node only error transitions reach: ``one_failed``; error and other transitions:
      ``all_done`` (both check at run time that a transition taken leads to them);
    - a node after an action whose error transition leads on (not to a kill node):
      ``all_done``, so that the action's failure skips it rather than failing it;
    - a node several transitions reach (after a decision, a join): ``none_failed_min_one_success``;
    - otherwise Airflow's default, ``all_success``."""
    kinds = {n.name: n for n in wf.nodes}

    def recovering(name: str) -> bool:
        node = kinds.get(name)
        return (
            isinstance(node, Action)
            and node.error is not None
            and node.error != node.ok
            and not isinstance(kinds.get(node.error), Kill)
        )

    rules: dict[str, str] = {}
    for node in wf.nodes:
        edges = incoming.get(node.name, [])
        error_kinds = {k for _, k in edges} & {"error", "both"}
        if isinstance(node, Kill):
            only_errors = edges and all(k == "error" for _, k in edges)
            rules[node.name] = "one_failed" if only_errors else "all_done"
        elif error_kinds and all(k == "error" for _, k in edges):
            rules[node.name] = "one_failed"
        elif error_kinds or any(recovering(p) for p, k in edges if k == "ok"):
            rules[node.name] = "all_done"
        elif len(edges) > 1:
            rules[node.name] = "none_failed_min_one_success"
        else:
            rules[node.name] = "all_success"
    return rules


@dataclass
class _JobChain:
    """The step actions of one mrkit job: run whole at the first."""

    stem: str
    first: str
    steps: list[str]
    args: list[str]
    inputs: list[str]
    output: str
    overwrite: bool


def _job_chains(wf: Workflow) -> dict[str, _JobChain]:
    """Every step action of an mrkit job -> its chain (as the local runner's whole_job_output
    follows it: ok transitions to the next steps of the same job)."""
    chains: dict[str, _JobChain] = {}
    for node in wf.actions():
        if not isinstance(node.body, MapReduce) or (job := mrkit_job(node.body)) is None:
            continue
        stem, step, args = job
        if step != 0:
            continue
        conf = node.body.configuration
        chain = _JobChain(stem, node.name, [node.name], args,
                          [i for i in conf.get(keys.INPUT_DIR, "").split(",") if i],
                          conf.get(keys.OUTPUT_DIR, ""), False)  # fmt: skip
        last: Action = node
        while last.ok and isinstance(nxt := wf.node(last.ok), Action):
            if not isinstance(nxt.body, MapReduce) or (later := mrkit_job(nxt.body)) is None:
                break
            if later[0] != stem or later[1] == 0:
                break
            chain.steps.append(nxt.name)
            last = nxt
        assert isinstance(last.body, MapReduce)
        chain.output = last.body.configuration.get(keys.OUTPUT_DIR, chain.output)
        chain.overwrite = any(getattr(op, "path", None) == chain.output
                              for op in last.body.prepare)  # fmt: skip
        for name in chain.steps:
            chains[name] = chain
    return chains


def _task(
    wf: Workflow, node: Node, var: str, rule: str, jobs: dict[str, _JobChain], ctx: _Context
) -> str:
    kw: dict[str, Any] = {}
    if isinstance(node, Action):
        body, extra = _body(wf, node, jobs, ctx)
        kw.update(extra)
        kw.update(_retries(wf, node, ctx))
        if rule != "all_success":
            kw["trigger_rule"] = rule
        return statement(f"{var} = ", call("oozie.action", node.name, body, **kw), 4)
    if isinstance(node, Decision):
        cases = {c.predicate: c.to for c in node.cases}
        if rule != "all_success":
            kw["trigger_rule"] = rule
        made = call("oozie.decision", node.name, cases, default=node.default, **kw)
        return statement(f"{var} = ", made, 4)
    if isinstance(node, Kill):
        if rule != "one_failed":
            kw["trigger_rule"] = rule
        return statement(f"{var} = ", call("oozie.kill", node.name, node.message, **kw), 4)
    kind = {Fork: "fork", Join: "join", End: "end"}[type(node)]
    default = "none_failed_min_one_success" if kind == "join" else "all_success"
    if rule != default:
        kw["trigger_rule"] = rule
    return statement(f"{var} = ", call(f"oozie.{kind}", node.name, **kw), 4)


def _retries(wf: Workflow, action: Action, ctx: _Context) -> dict[str, Any]:
    """retries, retry_interval (minutes) and exponential of an action, as Oozie decides them
    (retry-max capped at 3, retry-interval 10 when unset); an EL value resolved now."""

    def number(value: int | None, attr: str) -> int | None:
        if value is not None:
            return value
        text = action.attributes.get(attr)
        if text is None:
            return None
        resolved = expand_names(text, ctx.values)
        if not resolved.strip().isdigit():
            raise RenderError(
                f"workflow {wf.name}: node {action.name!r}: {attr}={text!r} is not a number"
            )
        return int(resolved)

    retries = number(action.retry_max, "retry-max")
    if not retries:
        return {}
    if retries > MAX_USER_RETRIES:
        ctx.notes.append(f"{action.name}: retry-max {retries} is capped at {MAX_USER_RETRIES}, "
                         "as Oozie caps it")  # fmt: skip
    interval = number(action.retry_interval, "retry-interval")
    kw: dict[str, Any] = {
        "retries": min(retries, MAX_USER_RETRIES),
        "retry_interval": DEFAULT_RETRY_INTERVAL if interval is None else interval,
    }
    if action.attributes.get("retry-policy") == "exponential":
        kw["exponential"] = True
    return kw


def _body(
    wf: Workflow, action: Action, jobs: dict[str, _JobChain], ctx: _Context
) -> tuple[Expr, dict[str, Any]]:
    """The expression of an action's body, and keywords for oozie.action (a child workflow)."""
    body = action.body
    if action.name in jobs:
        chain = jobs[action.name]
        ctx.imports.add("Job" if action.name == chain.first else "JobStep")
        if action.name != chain.first:
            return expr(JobStep(chain.stem, chain.steps.index(action.name) + 1, chain.first)), {}
        job = Job(chain.stem, chain.args, chain.inputs, chain.output, chain.overwrite)
        return expr(job), {}
    found: Command | Unsupported | None = None
    if isinstance(body, MapReduce):
        found = streaming_command(action.name, body)
    elif isinstance(body, RawAction):
        found = foreign_action(wf, action, body.element)
    elif isinstance(body, Fs) and any(isinstance(op, etree._Element) for op in body.ops):
        kinds = [etree.QName(op).localname for op in body.ops if isinstance(op, etree._Element)]
        reason = f"fs {', '.join(kinds)} cannot run here (mrkit's fs: delete, mkdir, move, touchz)"
        found = Unsupported("fs", reason)
    if found is not None:
        ctx.imports.add(type(found).__name__)
        if isinstance(found, Unsupported):
            ctx.fails.append(f"{action.name} ({found.kind})")
        return expr(found), {}
    clean = _clean_body(body)
    ctx.imports.add(type(clean).__name__)
    _model_imports(clean, ctx)
    extra: dict[str, Any] = {}
    if isinstance(body, SubWorkflow):
        child = _shipped_child(wf, body.app_path) or _child_in_app_dir(body.app_path, ctx)
        if child is not None:
            extra["child"] = Code(_child_constant(child, ctx))
    return _model_expr(clean), extra


def _clean_body(body: ActionBody) -> ActionBody:
    """A body without what only Oozie's cluster reads (resource manager, name node, job XML,
    unknown XML): the local runner does not read them either."""
    if isinstance(body, Shell):
        return replace(body, resource_manager=None, name_node=None, job_xml=[], extra=[],
                       namespace=SHELL_NS)  # fmt: skip
    if isinstance(body, Fs):
        return replace(body, name_node=None, job_xml=[], extra=[])
    if isinstance(body, SubWorkflow):
        return replace(body, extra=[])
    return body


def _model_imports(value: Any, ctx: _Context) -> None:
    import dataclasses

    if isinstance(value, list):
        for v in value:
            _model_imports(v, ctx)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        ctx.imports.add(type(value).__name__)
        for f in dataclasses.fields(value):
            _model_imports(getattr(value, f.name), ctx)


def _model_expr(value: Any) -> Expr:
    return expr(value)


def _shipped_child(wf: Workflow, app_path: str) -> Workflow | None:
    prefix = "${wf:appPath()}/"
    if not app_path.startswith(prefix):
        return None
    return wf.children.get(app_path[len(prefix) :].strip("/"))


def _child_in_app_dir(app_path: str, ctx: _Context) -> Workflow | None:
    """A child workflow inside the application directory (``${wf:appPath()}/sub/x``), read
    from its workflow.xml."""
    from mr.workflow.parse import parse_workflow_file

    prefix = "${wf:appPath()}/"
    if ctx.app_dir is None or not app_path.startswith(prefix):
        return None
    found = ctx.app_dir / app_path[len(prefix) :].strip("/") / "workflow.xml"
    return parse_workflow_file(found) if found.is_file() else None


def _child_constant(child: Workflow, ctx: _Context) -> str:
    """A module constant holding a child workflow (what a sub-workflow task runs), as mrkit's
    model writes it; its name."""
    name = identifier(child.name, ctx.constant_names).upper()
    if name in ctx.constant_names:
        return name
    ctx.constant_names.add(name)
    nodes: list[Any] = []
    for node in _in_reading_order(child.nodes):
        if isinstance(node, Action) and isinstance(node.body, RawAction):
            kind = etree.QName(node.body.element).localname
            raise RenderError(f"sub-workflow {child.name}: node {node.name!r}: a {kind} action "
                              "cannot run inside a sub-workflow here")  # fmt: skip
        if isinstance(node, Action):
            node = replace(node, body=_clean_body(node.body), attributes={}, extra=[])
        nodes.append(node)
    for grandchild_dir, grandchild in child.children.items():
        _child_constant(grandchild, ctx)  # children of children: their own constants
        del grandchild_dir
    model = Workflow(child.name, start=child.start, nodes=nodes, parameters=child.parameters,
                     properties=child.properties)  # fmt: skip
    _model_imports(model, ctx)
    ctx.constants.append(statement(f"{name} = ", _workflow_expr(model, child, ctx)))
    return name


def _workflow_expr(model: Workflow, child: Workflow, ctx: _Context) -> Expr:
    kw: dict[str, Any] = {"start": model.start, "nodes": model.nodes}
    if model.parameters:
        kw["parameters"] = model.parameters
    if model.properties:
        kw["properties"] = model.properties
    if child.children:
        kw["children"] = {
            d: Code(identifier(c.name, set()).upper()) for d, c in child.children.items()
        }
    return call("Workflow", model.name, **kw)


# -- actions of other engines ---------------------------------------------------------------------


def _texts(e: etree._Element, tag: str) -> list[str]:
    return [(c.text or "").strip() for c in e if isinstance(c.tag, str)
            and etree.QName(c).localname == tag]  # fmt: skip


def _text(e: etree._Element, tag: str) -> str | None:
    found = _texts(e, tag)
    return found[0] if found else None


def foreign_action(wf: Workflow, action: Action, e: etree._Element) -> Command | Unsupported:
    """The engine command line of an Oozie action mrkit has no model for, or Unsupported
    naming its type; RenderError for a type Oozie does not have."""
    kind = etree.QName(e).localname
    if kind not in OOZIE_ACTIONS:
        raise RenderError(
            f"workflow {wf.name}: node {action.name!r}: unknown action type {kind!r} "
            f"({etree.QName(e).namespace or 'no namespace'}); Oozie's are "
            f"{', '.join(sorted(OOZIE_ACTIONS))}"
        )
    params = _texts(e, "param")
    arguments = _texts(e, "argument")
    capture = any(etree.QName(c).localname == "capture-output" for c in e
                  if isinstance(c.tag, str))  # fmt: skip
    if kind == "pig":
        argv = ["pig", "-f", _text(e, "script") or ""]
        for p in params:
            argv += ["-param", p]
        return Command(kind, argv + arguments)
    if kind == "hive":
        argv = ["hive", "-f", _text(e, "script") or ""]
        for p in params:
            argv += ["--hivevar", p]
        return Command(kind, argv + arguments)
    if kind == "hive2":
        argv = ["beeline", "-u", _text(e, "jdbc-url") or ""]
        if (password := _text(e, "password")) is not None:
            argv += ["-p", password]
        argv += ["-f", _text(e, "script") or ""]
        for p in params:
            argv += ["--hivevar", p]
        return Command(kind, argv + arguments)
    if kind == "spark":
        argv = ["spark-submit", "--master", _text(e, "master") or "yarn"]
        if (mode := _text(e, "mode")) is not None:
            argv += ["--deploy-mode", mode]
        argv += ["--name", _text(e, "name") or action.name]
        if (main := _text(e, "class")) is not None:
            argv += ["--class", main]
        import shlex

        argv += shlex.split(_text(e, "spark-opts") or "")
        return Command(kind, [*argv, _text(e, "jar") or "", *_texts(e, "arg")])
    if kind == "distcp":
        return Command(kind, ["hadoop", "distcp", *arguments])
    if kind == "sqoop":
        import shlex

        command = _text(e, "command")
        return Command(kind, ["sqoop", *(shlex.split(command) if command else _texts(e, "arg"))])
    if kind == "ssh":
        argv = ["ssh", _text(e, "host") or "", _text(e, "command") or "", *_texts(e, "args")]
        return Command(kind, argv, capture_output=capture)
    if kind == "java":
        opts = " ".join(_texts(e, "java-opts") + _texts(e, "java-opt"))
        env = {"HADOOP_CLASSPATH": "lib/*"}
        if opts:
            env["HADOOP_CLIENT_OPTS"] = opts
        argv = ["hadoop", _text(e, "main-class") or "", *_texts(e, "arg")]
        return Command(kind, argv, env=env, capture_output=capture)
    if kind == "map-reduce":
        pipes = next((c for c in e if isinstance(c.tag, str)
                      and etree.QName(c).localname == "pipes"), None)  # fmt: skip
        if pipes is not None:
            conf = _configuration(e)
            argv = ["mapred", "pipes", *_defines(conf, skip_io=True),
                    "-input", conf.get(keys.INPUT_DIR, conf.get("mapred.input.dir", "")),
                    "-output", conf.get(keys.OUTPUT_DIR, conf.get("mapred.output.dir", "")),
                    "-program", _text(pipes, "program") or ""]  # fmt: skip
            return Command(kind, argv)
    reasons = {
        "map-reduce": "a map-reduce of Java mapper and reducer classes has no command line "
        "(Oozie submits it from its configuration): run it from a java action's driver",
        "email": "sending mail needs an SMTP server, which this runtime does not have: use "
        "Airflow's EmailOperator",
        "git": "a git action clones into HDFS, which this runtime cannot do",
    }
    return Unsupported(kind, reasons.get(kind, "cannot run here"))


def _configuration(e: etree._Element) -> dict[str, str]:
    conf: dict[str, str] = {}
    for c in e:
        if isinstance(c.tag, str) and etree.QName(c).localname == "configuration":
            for p in c:
                if isinstance(p.tag, str):
                    conf[_text(p, "name") or ""] = _text(p, "value") or ""
    return conf


_IO_KEYS = {keys.INPUT_DIR, keys.OUTPUT_DIR, "mapred.input.dir", "mapred.output.dir"}


def _defines(conf: Mapping[str, str], skip_io: bool) -> list[str]:
    out: list[str] = []
    for k, v in conf.items():
        if not (skip_io and k in _IO_KEYS):
            out += ["-D", f"{k}={v}"]
    return out


def streaming_command(name: str, body: MapReduce) -> Command | Unsupported:
    """A map-reduce action that is not an mrkit job: ``mapred streaming`` for a streaming
    one, else Unsupported (Java classes)."""
    s = body.streaming
    if s is None:
        return Unsupported("map-reduce", "a map-reduce of Java mapper and reducer classes has "
                           "no command line (Oozie submits it from its configuration): run it "
                           "from a java action's driver")  # fmt: skip
    conf = body.configuration
    argv = ["mapred", "streaming", *_defines(conf, skip_io=True)]
    for i in (conf.get(keys.INPUT_DIR) or conf.get("mapred.input.dir") or "").split(","):
        if i:
            argv += ["-input", i]
    argv += ["-output", conf.get(keys.OUTPUT_DIR) or conf.get("mapred.output.dir") or ""]
    argv += ["-mapper", s.mapper or "cat"]
    if s.reducer:
        argv += ["-reducer", s.reducer]
    for f in body.files:
        argv += ["-file", f.partition("#")[0]]
    for v in s.env:
        argv += ["-cmdenv", v]
    return Command("map-reduce", argv)


# -- transitions ---------------------------------------------------------------------------------


def _transitions(
    wf: Workflow, names: Mapping[str, str], incoming: Mapping[str, list[tuple[str, str]]]
) -> list[str]:
    """The ``>>`` statements: ok chains first, then the labelled error edges."""
    ok_next: dict[str, list[str]] = {n.name: [] for n in wf.nodes}
    ok_prev: dict[str, list[str]] = {n.name: [] for n in wf.nodes}
    errors: dict[tuple[str, str], list[str]] = {}
    for node in wf.nodes:
        for target, kind in _edges(node):
            if kind == "ok":
                ok_next[node.name].append(target)
                ok_prev.setdefault(target, []).append(node.name)
            else:
                label = ERROR_LABEL if kind == "error" else BOTH_LABEL
                errors.setdefault((target, label), []).append(node.name)
    done: set[tuple[str, str]] = set()
    chains: list[list[str]] = []
    order = [n.name for n in wf.nodes]
    starts = [wf.start] if wf.start else []
    for name in [*starts, *order]:
        for target in ok_next.get(name, []):
            if (name, target) in done:
                continue
            chain = [names[name]]
            current = name
            while True:
                nexts = [t for t in ok_next.get(current, []) if (current, t) not in done]
                if not nexts:
                    break
                done.update((current, t) for t in nexts)
                if len(nexts) == 1:
                    chain.append(names[nexts[0]])
                    current = nexts[0]
                    continue
                chain.append("[" + ", ".join(names[t] for t in nexts) + "]")
                after = {tuple(ok_next.get(t, [])) for t in nexts}
                if len(after) == 1 and len(meet := after.pop()) == 1:
                    if all(len(ok_prev.get(t, [])) == 1 for t in nexts):
                        done.update((t, meet[0]) for t in nexts)
                        chain.append(names[meet[0]])
                        current = meet[0]
                        continue
                break
            chains.append(chain)
    chains = _merge_pairs(chains)
    lines = chain_lines(chains, 4)
    for (target, label), sources in errors.items():
        lines += _edge_lines([names[s] for s in sources], f'Label("{label}")', names[target])
    return lines


def _merge_pairs(chains: list[list[str]]) -> list[list[str]]:
    """``a >> j`` and ``b >> j`` become ``[a, b] >> j``."""
    merged: list[list[str]] = []
    pairs: dict[str, list[str]] = {}
    for chain in chains:
        if len(chain) == 2 and not chain[0].startswith("["):
            if chain[1] in pairs:
                pairs[chain[1]].append(chain[0])
                continue
            pairs[chain[1]] = [chain[0]]
        merged.append(chain)
    out = []
    for chain in merged:
        if len(chain) == 2 and chain[1] in pairs and len(pairs[chain[1]]) > 1:
            out.append(["[" + ", ".join(pairs[chain[1]]) + "]", chain[1]])
        else:
            out.append(chain)
    return out


def _edge_lines(sources: list[str], label: str, target: str) -> list[str]:
    """``[a, b] >> Label("error") >> fail``, the list cut to fit the line length."""
    tail = f" >> {label} >> {target}"
    lines: list[str] = []
    current: list[str] = []
    for s in sources:
        candidate = [*current, s]
        if current and len("    [" + ", ".join(candidate) + "]" + tail) > WIDTH:
            lines.append(_edge_line(current, tail))
            current = [s]
        else:
            current = candidate
    if current:
        lines.append(_edge_line(current, tail))
    return lines


def _edge_line(sources: list[str], tail: str) -> str:
    head = sources[0] if len(sources) == 1 else "[" + ", ".join(sources) + "]"
    return f"    {head}{tail}"


# -- coordinators and bundles -------------------------------------------------------------------


def coordinator_values(coord: Coordinator, file_values: Mapping[str, str]) -> dict[str, str | None]:
    """The coordinator's raw values (its parameters < its properties < job.properties)."""
    params: dict[str, str | None] = {p.name: p.value for p in coord.parameters}
    params.update(coord.properties)
    params.update(file_values)
    return params


def coordinator_dag(
    coord: Coordinator,
    file_values: Mapping[str, str],
    *,
    source: str,
    app_dir: Path | None = None,
) -> RenderedDag:
    """The DAG of a coordinator: its workflow's tasks, after a sensor per input event, on the
    coordinator's schedule."""
    wf = coord.workflow
    if not isinstance(wf, Workflow):
        wf = _workflow_at(coord, wf, file_values, app_dir)
    raw = coordinator_values(coord, file_values)
    owner = f"coordinator {coord.name}"
    missing = [k for k, v in raw.items() if v is None]
    if missing:
        raise RenderError(f"{owner}: no value for {', '.join(missing)}; give it in "
                          "job.properties (--properties FILE)")  # fmt: skip
    values = layered_values(owner, [], {k: v or "" for k, v in raw.items()}, None, None)
    # ${name}s of the coordinator itself that nothing defines: the validator's problems
    root = etree.fromstring(render_coordinator(coord).encode())
    known = set(values) | set(STANDARD_PROPERTIES) | {WORKFLOW_PATH_PROPERTY}
    problems = check_parameters(root, known, owner)
    if problems:
        raise InvalidApp(problems)
    passed = set(coord.configuration) | set(raw)
    check_workflow(wf, passed)
    templates = {d.name: expand_names(d.uri_template, values) for d in coord.datasets}
    try:
        el.check(" ".join(coord.configuration.values()), el.COORD_FUNCTIONS)
        hcat.check_calls(
            " ".join(coord.configuration.values()),
            {i.name: templates.get(i.dataset, "") for i in coord.inputs},
            {o.name: templates.get(o.dataset, "") for o in coord.outputs},
        )
        start = parse_time(expand_names(coord.start, values))
        end = parse_time(expand_names(coord.end, values))
        frequency = parse_frequency(expand_names(coord.frequency, values))
        tz = coord.timezone
        zone(tz)
    except (ScheduleError, el.ELError) as e:
        raise RenderError(f"{owner}: {e}") from None
    events: list[DataIn | DataOut] = [*coord.inputs, *coord.outputs]
    for event in events:
        if event.dataset not in {d.name for d in coord.datasets}:
            raise RenderError(f"{owner}: {event.name} names the dataset {event.dataset!r}, "
                              "which <datasets> does not define")  # fmt: skip
    params: dict[str, str | None] = {
        p.name: p.value for p in wf.parameters if p.name not in coord.configuration
    }
    params.update(raw)
    unset = [k for k, v in params.items() if v is None]
    if unset:
        raise RenderError(f"{owner}: the workflow {wf.name}'s {', '.join(unset)} has no value: "
                          "the coordinator's configuration must pass it")  # fmt: skip
    ctx = _Context(source, app_dir, {**values, **{k: v or "" for k, v in params.items()}})
    nodes, edges = workflow_body(wf, ctx)
    names = {n.name for n in wf.nodes}
    sensors: list[str] = []
    sensor_names: list[str] = []
    controls = coord.controls
    timeout = DEFAULT_TIMEOUT_MINUTES if controls.timeout is None else controls.timeout
    for data_in in coord.inputs:
        var = identifier(f"wait-for-{data_in.name}", names | set(sensor_names))
        sensor_names.append(var)
        template = templates.get(data_in.dataset, "")
        if hcat.is_hcat(template):
            made = call("oozie.cannot_wait_for", data_in.name, hcat.CANNOT_WAIT)
            ctx.fails.append(f"wait-for-{data_in.name} (hcat input)")
            ctx.notes.append(f"the input event {data_in.name}: its task fails: {template} is "
                             f"{hcat.CANNOT_WAIT}")  # fmt: skip
        else:
            made = call("oozie.wait_for", data_in.name, timeout=None if timeout < 0 else timeout)
        sensors.append(statement(f"{var} = ", made, 4))
    if sensor_names and wf.start:
        node_vars: dict[str, str] = {}  # as workflow_body names them
        for node in wf.nodes:
            node_vars[node.name] = identifier(node.name, node_vars.values())
        start_var = node_vars[wf.start]
        head = sensor_names[0] if len(sensor_names) == 1 else "[" + ", ".join(sensor_names) + "]"
        edges = chain_lines([[head, start_var]], 4) + edges
    schedule, notes = _schedule(frequency, start, tz)
    ctx.notes += notes
    dag_kw: dict[str, Any] = {
        "dag_id": task_id(coord.name),
        "schedule": schedule,
        "start_date": _time_expr(start, tz),
        "end_date": _time_expr(end - timedelta(minutes=1), tz),
    }
    execution = (controls.execution or "FIFO").upper()
    dag_kw["catchup"] = execution not in ("LAST_ONLY", "NONE")
    if execution == "LIFO":
        ctx.notes.append("execution LIFO: Airflow runs a backlog oldest first (FIFO)")
    if execution == "NONE":
        ctx.notes.append("execution NONE: catchup=False runs the latest missed action, where "
                         "Oozie skips every action more than a minute late")  # fmt: skip
    dag_kw["max_active_runs"] = controls.concurrency or 1
    if controls.throttle is not None:
        ctx.notes.append(f"throttle {controls.throttle}: Airflow has no limit on waiting runs "
                         "beyond max_active_runs")  # fmt: skip
    if coord.outputs:
        ctx.notes.append("output events: coord:dataOut gives their paths; Airflow does not "
                         "track them (no Asset is written)")  # fmt: skip
    dag_kw.update(
        params=_params_expr(wf, params, ctx),
        tags=["mrkit", "oozie-coordinator"],
        doc_md=Code("__doc__"),
    )
    end_text = f"# end {_oozie_time(end)} excluded"
    named = "" if task_id(coord.name) == coord.name else f" {coord.name}"
    doc = _doc(
        f"{task_id(coord.name)}: the Oozie coordinator{named} of {source}, as an Airflow DAG.",
        ctx,
        "Each run is the coordinator's action at its nominal time (the run's logical date): it "
        f"waits for the done-flags of its inputs, then runs the workflow {wf.name}.",
    )
    ctx.imports.update({"Coordinator", "Dataset", "DataIn"})
    if coord.outputs:
        ctx.imports.add("DataOut")
    constant = statement("COORDINATOR = ", _coordinator_expr(coord))
    ctx.constants.insert(0, constant)
    dag = call("DAG", **dag_kw)
    oozie = _oozie_tasks(wf.name, ctx, coordinator="COORDINATOR")
    text = _file(doc, ctx, dag, [oozie, "", *sensors, *nodes, "", *edges], end_comment=end_text)
    return RenderedDag(task_id(coord.name), text, ctx.notes, ctx.fails)


def _coordinator_expr(coord: Coordinator) -> Expr:
    shown = replace(coord, workflow="", parameters=[], properties={})
    kw: dict[str, Any] = {}
    for f in ("frequency", "start", "end", "timezone"):
        kw[f] = getattr(shown, f)
    kw["datasets"] = shown.datasets
    if shown.inputs:
        kw["inputs"] = shown.inputs
    if shown.outputs:
        kw["outputs"] = shown.outputs
    if shown.configuration:
        kw["configuration"] = shown.configuration
    name = coord.workflow.name if isinstance(coord.workflow, Workflow) else coord.workflow
    return call("Coordinator", coord.name, name, **kw)


def _workflow_at(
    coord: Coordinator, app_path: str, file_values: Mapping[str, str], app_dir: Path | None
) -> Workflow:
    from mr.workflow.parse import parse_workflow_file

    found = _local_app(app_path, {**file_values}, app_dir, "workflow.xml")
    if found is None:
        raise RenderError(f"coordinator {coord.name}: its workflow {app_path} is not in the "
                          "app directory (put workflow.xml beside coordinator.xml)")  # fmt: skip
    return parse_workflow_file(found)


def _local_app(
    app_path: str, values: Mapping[str, str], app_dir: Path | None, file_name: str
) -> Path | None:
    """An app path (``${nameNode}/user/${user.name}/apps/x``) found on this machine: the path
    itself, or its last components under the app directory or its parents."""
    from urllib.parse import urlparse

    resolved = expand_names(app_path, {**values})
    path = urlparse(resolved).path if "://" in resolved else resolved
    candidates = [Path(path)]
    if app_dir is not None:
        parts = Path(path).parts
        for base in [app_dir, *app_dir.resolve().parents]:
            for n in range(1, min(len(parts), 4) + 1):
                candidates.append(base.joinpath(*parts[-n:]))
    for c in candidates:
        if c.is_file() and c.name.endswith(".xml"):
            return c
        if (c / file_name).is_file():
            return c / file_name
    return None


def bundle_dags(
    bundle: Bundle, file_values: Mapping[str, str], *, source: str, app_dir: Path | None
) -> list[RenderedDag]:
    """One DAG per coordinator of a bundle, each with the bundle's values and its own
    configuration."""
    raw: dict[str, str | None] = {p.name: p.value for p in bundle.parameters}
    raw.update(bundle.properties)
    raw.update(file_values)
    values = {k: v for k, v in raw.items() if v is not None}
    resolved = layered_values(f"bundle {bundle.name}", [], values, None, None)
    dags = []
    for name, coord in bundle.coordinators.items():
        # a coordinator's configuration is EL of the bundle's values (start=${start}), as
        # Oozie resolves it when the bundle starts the coordinator
        conf = bundle.configuration.get(name, {})
        given = {**values, **{k: expand_names(v, resolved) for k, v in conf.items()}}
        directory = app_dir
        if isinstance(coord, str):
            found = _local_app(coord, layered_values(f"bundle {bundle.name}", [], given, None,
                                                     None), app_dir, "coordinator.xml")  # fmt: skip
            if found is None:
                raise RenderError(f"bundle {bundle.name}: coordinator {name}: {coord} is not "
                                  "on this machine")  # fmt: skip
            loaded = read_app_xml(found)
            if not isinstance(loaded, Coordinator):
                raise RenderError(f"bundle {bundle.name}: {found} is not a coordinator")
            coord, directory = loaded, found.parent
            from mr.workflow.properties import job_properties

            given = {**job_properties(found.parent / "job.properties"), **given}
        dags.append(coordinator_dag(coord, given, source=f"{source} ({name})",
                                    app_dir=directory))  # fmt: skip
    if bundle.kick_off_time:
        for dag in dags:
            dag.notes.append(f"the bundle's kick-off-time {bundle.kick_off_time}: each DAG "
                             "starts at its own start_date")  # fmt: skip
    return dags


def _schedule(frequency: Frequency, start: datetime, tz: str) -> tuple[Expr, list[str]]:
    """The timetable of a coordinator frequency: a run at each nominal time, its logical date
    the nominal time (trigger timetables)."""
    local = start.astimezone(zone(tz))
    notes: list[str] = []
    cron: str | None = None
    if frequency.cron is not None:
        cron = frequency.cron
    elif frequency.amount == 1 and frequency.unit == "DAY":
        cron = "0 0 * * *" if frequency.end_of else f"{local.minute} {local.hour} * * *"
    elif frequency.amount == 1 and frequency.unit == "MONTH":
        cron = "0 0 1 * *" if frequency.end_of else f"{local.minute} {local.hour} {local.day} * *"
        if not frequency.end_of and local.day > 28:
            notes.append(f"months(1) from day {local.day}: cron skips the months without that "
                         "day, where Oozie takes their last day")  # fmt: skip
    elif frequency.unit == "HOUR" and 24 % frequency.amount == 0 and local.minute == start.minute:
        hours = f"{start.hour % frequency.amount}/{frequency.amount}"
        cron = f"{start.minute} {hours if frequency.amount > 1 else '*'} * * *"
        if tz != "UTC":
            cron = None  # hours step absolute time, cron the wall clock
    elif frequency.unit == "MINUTE" and 60 % frequency.amount == 0 and tz == "UTC":
        every = f"{start.minute % frequency.amount}/{frequency.amount}"
        cron = f"{every if frequency.amount > 1 else '*'} * * * *"
    if cron is not None:
        return call("CronTriggerTimetable", cron, timezone=tz), notes
    if frequency.unit == "MONTH":
        delta: Expr = call("relativedelta", months=frequency.amount)
    else:
        minutes = frequency.amount * {"MINUTE": 1, "HOUR": 60, "DAY": 1440}[frequency.unit]
        delta = call("datetime.timedelta", minutes=minutes)
        if frequency.unit == "DAY" and tz != "UTC":
            notes.append(
                f"days({frequency.amount}) in {tz}: Airflow steps {minutes} minutes, "
                "Oozie the wall clock (a day is 23 or 25 hours across a DST change)"
            )
    if frequency.end_of:
        notes.append("endOf...: the first run is start_date, not the next boundary after it")
    return call("DeltaTriggerTimetable", delta), notes


def _time_expr(t: datetime, tz: str) -> Expr:
    local = t.astimezone(zone(tz))
    parts: list[Any] = [local.year, local.month, local.day]
    if local.hour or local.minute:
        parts += [local.hour, local.minute]
    return call("pendulum.datetime", *parts, tz=tz)


def _oozie_time(t: datetime) -> str:
    from mr.workflow.schedule import format_time

    return format_time(t)


# -- the file -----------------------------------------------------------------------------------


_MODEL = ("Action Case Decision Delete End Fork Fs Join Kill Mkdir Move Parameter Shell "
          "SubWorkflow Touchz Workflow MapReduce Streaming").split()  # fmt: skip
_COORDINATOR_MODEL = ("Coordinator", "DataIn", "DataOut", "Dataset")
_RUNTIME = ("Command", "Job", "JobStep", "OozieTasks", "Unsupported")


def _doc(title: str, ctx: _Context, intro: str = "") -> str:
    import textwrap

    lines = [*textwrap.wrap(title, WIDTH - 4, break_on_hyphens=False), ""]
    if intro:
        lines += [*textwrap.wrap(intro, WIDTH - 4, break_on_hyphens=False), ""]
    lines += [
        "Rendered by mrkit (`mrkit airflow render`): render it again rather than edit it. One "
        "task per",
        "node, named like it; each runs the node as mrkit's local runner does "
        "(mr/airflow/runtime.py).",
        'Error transitions are the edges labelled "error".',
    ]
    if ctx.notes:
        lines += ["", "What Airflow does not express as Oozie does:", ""]
        for note in ctx.notes:
            lines += textwrap.wrap(note, WIDTH - 4, initial_indent="- ", subsequent_indent="  ",
                                   break_on_hyphens=False)  # fmt: skip
    return '"""' + "\n".join(lines) + '\n"""\n'


def _file(
    doc: str,
    ctx: _Context,
    dag: Expr,
    body: list[str],
    end_comment: str | None = None,
) -> str:
    imports = ["from __future__ import annotations", ""]
    stdlib = []
    text_so_far = flat(dag) + "\n".join(body) + "\n".join(ctx.constants)
    if "datetime." in text_so_far:
        stdlib.append("import datetime")
    third = []
    if "pendulum." in text_so_far:
        third.append("import pendulum")
    if "relativedelta(" in text_so_far:
        third.append("from dateutil.relativedelta import relativedelta")
    sdk = ["DAG"]
    if "Label(" in text_so_far:
        sdk.append("Label")
    if "Param" in ctx.imports:
        sdk.append("Param")
    third.append(f"from airflow.sdk import {', '.join(sorted(sdk, key=str.lower))}")
    timetables = [t for t in ("CronTriggerTimetable", "DeltaTriggerTimetable")
                  if t + "(" in text_so_far]  # fmt: skip
    if timetables:
        third.append(f"from airflow.timetables.trigger import {', '.join(timetables)}")
    third.sort(key=_import_key)  # `import x` before `from x import y`, each by module
    first = []
    runtime = sorted({"OozieTasks", *(n for n in _RUNTIME if n in ctx.imports)})
    first.append(_import_line("mr.airflow.runtime", runtime))
    coord = sorted(n for n in _COORDINATOR_MODEL if n in ctx.imports)
    if coord:
        first.append(_import_line("mr.workflow.coordinator", coord))
    model = sorted((n for n in _MODEL if n in ctx.imports), key=str.lower)
    if model:
        first.append(_import_line("mr.workflow.model", model))
    imports += [*stdlib, *([""] if stdlib else []), *third, "", *first]
    parts = [doc, "\n".join(imports), ""]
    if ctx.constants:
        parts += ["\n\n".join(ctx.constants), ""]
    with_line = statement("with ", dag, 0, " as dag:")
    if end_comment:
        with_line = _comment_end_date(with_line, end_comment)
    parts += [with_line, "\n".join(body).rstrip("\n"), ""]
    return "\n".join(parts)


def _comment_end_date(text: str, comment: str) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.strip().startswith("end_date=") and len(line) + 2 + len(comment) <= WIDTH:
            lines[i] = f"{line}  {comment}"
    return "\n".join(lines)


def _import_key(line: str) -> tuple[bool, str]:
    words = line.split()
    return (words[0] == "from", words[1].lower())


def _import_line(module: str, names: list[str]) -> str:
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= WIDTH:
        return line
    inner = "\n".join(f"    {n}," for n in names)
    return f"from {module} import (\n{inner}\n)"


__all__ = [
    "InvalidApp",
    "RenderError",
    "RenderedDag",
    "check_imports",
    "render_app",
    "render_dags",
    "trigger_rules",
    "write_dags",
]
