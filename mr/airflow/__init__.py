"""Airflow for mrkit's Oozie model: DAG files rendered from workflows, coordinators and bundles
(render.py, source.py), and what their tasks run (runtime.py)."""
