"""``MrkitJobOperator``: one mrkit job, or a user's own MRJob file, on a runner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import BaseOperator

from mr.airflow import settings
from mr.airflow.hooks.jobs import MrkitHook
from mr.airflow.hooks.webhdfs import WebHdfsHook


class MrkitJobOperator(BaseOperator):
    """``mrkit run JOB INPUTS -r RUNNER --output-dir OUTPUT_DIR [options]``.

    job: a name `mrkit jobs` lists (``word_count``) or the path of a job file (``job_class``
    when the file holds several MRJob classes). runner: inline, local, hadoop or spark.
    options: the job's own options, ``{"top": 3, "jobconf": ["k=v", ...]}`` (True: a flag).
    webhdfs_conn_id: an ``mrkit_webhdfs`` connection for the job's HDFS (else mrkit's lookup).

    Returns (to XCom) ``{"output_dir": ..., "counters": {group: {name: n}}}`` (every step's
    counters added up) and ``"step_counters"`` (one dict per step). A failing task's record
    line and traceback, as mrkit prints them, are in the task log."""

    template_fields: Sequence[str] = ("job", "inputs", "output_dir", "options")

    def __init__(
        self,
        *,
        job: str,
        inputs: str | Sequence[str],
        output_dir: str,
        runner: str = "inline",
        options: Mapping[str, Any] | None = None,
        job_class: str | None = None,
        overwrite: bool = False,
        webhdfs_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.job = job
        self.inputs = inputs
        self.output_dir = output_dir
        self.runner = runner
        self.options = dict(options or {})
        self.job_class = job_class
        self.overwrite = overwrite
        self.webhdfs_conn_id = webhdfs_conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        args = settings.run_args(
            self.job,
            self.inputs,
            self.output_dir,
            runner=self.runner,
            options=self.options,
            job_class=self.job_class,
            overwrite=self.overwrite,
        )
        env = WebHdfsHook(self.webhdfs_conn_id).env() if self.webhdfs_conn_id else {}
        result = MrkitHook().run(args, env=env)
        return {
            "output_dir": self.output_dir,
            "counters": result.total_counters(),
            "step_counters": result.counters,
        }
