"""Hooks: Airflow Connections in, mrkit's own clients and `mrkit` subprocesses out."""
