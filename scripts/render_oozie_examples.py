#!/usr/bin/env python3
"""Render Apache Oozie's example apps (examples/src/main/apps of an Oozie source tree) as
Airflow DAGs with mrkit (mr/airflow/render.py) and import them with Airflow's DagBag: a table,
one row per app (and per alternative XML an app ships, such as map-reduce's
workflow-with-config-class.xml), saying what rendered and what imported, and why not.

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
from dataclasses import dataclass
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
    files: str
    rendered: bool = False
    imported: bool = False
    dags: int = 0
    reason: str = ""


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
    from mr.airflow.render import InvalidApp, RenderError, check_imports, render_app

    files = " ".join(sorted(p.name for p in xml.parent.iterdir() if p.is_file())) if (
        xml.is_file()) else "(no workflow, coordinator or bundle XML)"  # fmt: skip
    row = Row(label, files)
    if not xml.is_file():
        row.reason = "no workflow.xml, coordinator.xml or bundle.xml"
        return row
    dags = out / "dags" / label.split()[0]
    try:
        written = render_app(str(xml), dags, properties_file(job, out, label))
    except InvalidApp as e:
        row.reason = one_line(f"invalid: {e.problems[0]}" + (
            f" (+{len(e.problems) - 1} more)" if len(e.problems) > 1 else ""))  # fmt: skip
        return row
    except RenderError as e:
        row.reason = one_line(str(e))
        return row
    row.rendered, row.dags = True, len(written)
    errors = check_imports(written, python)
    row.imported = not errors
    if errors:
        name, trace = next(iter(errors.items()))
        last = [s for s in trace.splitlines() if s.strip()][-1:] or [trace]
        row.reason = one_line(f"{Path(name).name}: {last[0]}")
    return row


def table(rows: list[Row]) -> str:
    head = ("app", "files", "rendered", "imports", "reason")
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---" for _ in head) + "|",
    ]
    for r in rows:
        rendered = f"yes ({r.dags} DAG{'s' if r.dags != 1 else ''})" if r.rendered else "no"
        imported = "yes" if r.imported else ("no" if r.rendered else "-")
        cells = (r.app, r.files, rendered, imported, r.reason.replace("|", "\\|"))
        lines.append("| " + " | ".join(cells) + " |")
    apps = [r for r in rows if "(" not in r.app]
    lines.append("")
    lines.append(
        f"{len(apps)} apps: {sum(r.rendered for r in apps)} rendered, "
        f"{sum(r.imported for r in apps)} imported in Airflow's DagBag "
        f"({sum(r.dags for r in apps)} DAGs); alternative XMLs: "
        f"{sum(r.imported for r in rows if r not in apps)} of {len(rows) - len(apps)} imported"
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
