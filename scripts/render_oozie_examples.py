#!/usr/bin/env python3
"""Render Apache Oozie's example apps (examples/src/main/apps of an Oozie source tree) as
Airflow DAGs with mrkit (mr/airflow/render.py) and import them with Airflow's DagBag: a
Markdown table, one row per app, saying what rendered, what imported (and how many DAGs), why
not, and which tasks would fail by design when run (an action that cannot run here, such as a
map-reduce of Java classes or email, or an input of HCatalog partitions); then a second table
for the alternative XMLs an app ships (such as map-reduce's workflow-with-config-class.xml).

    python scripts/render_oozie_examples.py OOZIE_APPS_DIR [--out DIR] [--python PY]

Each app is rendered from its bundle.xml, else coordinator.xml, else workflow.xml, with its
job.properties (job-with-X.properties for X.xml when there is one) under the cluster values
the examples expect from the command line (nameNode, jobTracker, resourceManager, queueName,
examplesRoot, written to a properties file of its own in the --out directory). The DAG files
go to --out (default: a new temporary directory); the import uses --python (default: the
Airflow venv of `mrkit airflow up`, made when missing). Exit 0 when every app imported."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: the values the examples read from the command line / cluster (examples/README)
CLUSTER = {
    "nameNode": "hdfs://localhost:8020",
    "jobTracker": "localhost:8032",
    "resourceManager": "localhost:8032",
    "queueName": "default",
    "examplesRoot": "examples",
}
KINDS = ("bundle.xml", "coordinator.xml", "workflow.xml")


@dataclass
class Row:
    app: str
    rendered: bool = False
    imported: bool = False
    dags: int = 0
    reason: str = ""
    fails: list[str] = field(default_factory=list)


def apps_of(apps_dir: Path) -> list[tuple[str, Path, Path | None]]:
    """(label, XML file to render, its job.properties) for each app and alternative XML."""
    found = []
    for app in sorted(p for p in apps_dir.iterdir() if p.is_dir()):
        main = next((app / k for k in KINDS if (app / k).is_file()), None)
        if main is None:
            found.append((app.name, app, None))
            continue
        found.append((app.name, main, app / "job.properties"))
        for other in sorted(app.glob("*-with-*.xml")):
            suffix = other.stem.split("-with-", 1)[1]
            props = app / f"job-with-{suffix}.properties"
            found.append((f"{app.name} ({other.name})", other, props))
    return found


def properties_file(job: Path | None, out: Path, label: str) -> Path:
    """The app's job.properties with the cluster values on top, in out."""
    from mr.workflow.properties import job_properties

    values = job_properties(job) if job is not None and job.is_file() else {}
    values.update(CLUSTER)
    path = out / "properties" / (label.replace(" ", "_").replace("(", "").replace(")", "")
                                 + ".properties")  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


def one_line(text: str, width: int = 150) -> str:
    """text on one line; a long one keeps its start (what) and its end (why)."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width // 2 - 3] + " ... " + text[-width // 2 :]


def check(label: str, xml: Path, job: Path | None, out: Path, python: Path) -> Row:
    from mr.airflow.render import InvalidApp, RenderError, check_imports, render_dags, write_dags
    from mr.workflow.apps import load_app
    from mr.workflow.properties import job_properties

    row = Row(label)
    if not xml.is_file():
        row.reason = "no workflow.xml, coordinator.xml or bundle.xml"
        return row
    dags = out / "dags" / label.split()[0]
    try:
        app = load_app(str(xml))
        app.properties = job_properties(properties_file(job, out, label))
        rendered = render_dags(app, source=str(xml))
        written = write_dags(rendered, dags)
    except InvalidApp as e:
        row.reason = one_line(f"invalid: {e.problems[0]}" + (
            f" (+{len(e.problems) - 1} more)" if len(e.problems) > 1 else ""))  # fmt: skip
        return row
    except RenderError as e:
        row.reason = one_line(str(e))
        return row
    row.rendered, row.dags = True, len(written)
    row.fails = [f for dag in rendered for f in dag.fails]
    errors = check_imports(written, python)
    row.imported = not errors
    if errors:
        name, trace = next(iter(errors.items()))
        last = [s for s in trace.splitlines() if s.strip()][-1:] or [trace]
        row.reason = one_line(f"{Path(name).name}: {last[0]}")
    return row


def table(rows: list[Row]) -> str:
    """Markdown: the apps, then the alternative XMLs, then a line of totals."""
    head = ("app", "rendered", "imports", "DAGs", "fails by design when run", "why not")
    apps = [r for r in rows if "(" not in r.app]
    others = [r for r in rows if r not in apps]

    def lines_of(part: list[Row]) -> list[str]:
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        for r in part:
            cells = (
                r.app,
                "yes" if r.rendered else "no",
                "yes" if r.imported else ("no" if r.rendered else "-"),
                str(r.dags),
                ", ".join(r.fails) or "-",
                r.reason.replace("|", "\\|") or "-",
            )
            lines.append("| " + " | ".join(cells) + " |")
        return lines

    lines = lines_of(apps)
    if others:
        lines += ["", "Alternative XMLs:", "", *lines_of(others)]
    lines.append("")
    lines.append(
        f"{len(apps)} apps: {sum(r.rendered for r in apps)} rendered, "
        f"{sum(r.imported for r in apps)} imported in Airflow's DagBag "
        f"({sum(r.dags for r in apps)} DAGs), {sum(bool(r.fails) for r in apps)} with a task "
        f"that fails by design; alternative XMLs: {sum(r.imported for r in others)} of "
        f"{len(others)} imported"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("apps_dir", type=Path, help="Oozie's examples/src/main/apps")
    parser.add_argument("--out", type=Path, help="where DAGs and properties go (default: temp)")
    parser.add_argument("--python", type=Path, help="a Python with Airflow 3 for the DagBag")
    args = parser.parse_args(argv)
    if not args.apps_dir.is_dir():
        parser.error(f"{args.apps_dir}: not a directory")
    out = args.out or Path(tempfile.mkdtemp(prefix="oozie-examples-"))
    python = args.python
    if python is None:
        from mr.engines import airflow

        python = airflow.ensure_venv(say=lambda s: print(s, file=sys.stderr)) / "bin" / "python"
    started = time.monotonic()
    rows = [check(label, xml, job, out, python) for label, xml, job in apps_of(args.apps_dir)]
    print(table(rows))
    print(f"(DAG files in {out / 'dags'}; {time.monotonic() - started:.0f}s)", file=sys.stderr)
    return 0 if all(r.imported for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
