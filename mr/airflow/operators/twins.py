"""``MrkitTwinOperator``: a Hive or Pig twin (hive/<stem>.q, pig/<stem>.pig, or a script
path), locally or on the cluster, with its typed parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import BaseOperator

from mr.airflow import settings
from mr.airflow.hooks.jobs import MrkitHook


class MrkitTwinOperator(BaseOperator):
    """``mrkit ENGINE run TWIN --input INPUT --output OUTPUT [--cluster] --var NAME=VALUE...``.

    engine: hive or pig. params: the script's parameters (its header declares their names and
    types: mrkit refuses an unknown name or a value of the wrong type before any JVM starts,
    exit code 2, which fails the task). cluster: run on YARN (paths without a scheme are HDFS
    paths). Returns ``{"output": OUTPUT}``."""

    # the output directory is `output_dir`: `output` is BaseOperator's own (its XComArg), a
    # property without a setter (assigning it failed every DAG that used this operator)
    template_fields: Sequence[str] = ("twin", "input", "output_dir", "params_")

    def __init__(
        self,
        *,
        engine: str,
        twin: str,
        input: str,
        output: str,
        params: Mapping[str, str | int | float] | None = None,
        cluster: bool = False,
        overwrite: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.engine = engine
        self.twin = twin
        self.input = input
        self.output_dir = output
        # not `params`: BaseOperator's own (the DAG's templating params)
        self.params_ = dict(params or {})
        self.cluster = cluster
        self.overwrite = overwrite
        settings.twin_args(engine, twin, input, output, self.params_)  # a bad engine: at parse

    def execute(self, context: Any) -> dict[str, str]:
        args = settings.twin_args(
            self.engine,
            self.twin,
            self.input,
            self.output_dir,
            self.params_,
            cluster=self.cluster,
            overwrite=self.overwrite,
        )
        MrkitHook().run(args)
        return {"output": self.output_dir}
