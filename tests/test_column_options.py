"""Column options (``--key-col`` and friends): declared once with RecordJob.add_column_arg."""

import importlib
from pathlib import Path

import pytest

from mr.lib.job import RecordJob
from mr.numeric_summary import NumericSummary
from mr.top_n import TopN
from tests.support import fixture
from tests.usage_errors import usage_error

JOBS = sorted(
    p.stem for p in (Path(__file__).parents[1] / "mr").glob("*.py") if p.stem != "__init__"
)


def record_jobs():
    for stem in JOBS:
        module = importlib.import_module(f"mr.{stem}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, RecordJob)
                and value.__module__ == module.__name__
            ):
                yield stem, value


def test_help_text_is_standard():
    job = TopN(["--value-col", "2"])
    helps = {a.option_strings[0]: a.help for a in job.arg_parser._actions if a.option_strings}
    assert helps["--value-col"] == "0-based index of the numeric field to rank by (required)"
    assert helps["--group-col"].startswith("0-based index of the field to rank within")
    assert NumericSummary(["--key-col", "0"])._columns.keys() == {"key_col", "value_col"}


@pytest.mark.parametrize("stem,job_cls", list(record_jobs()))
def test_every_column_option_is_declared_and_named_col(stem, job_cls):
    job = job_cls([])
    declared = {c.flag for c in job._columns.values()}
    assert all(flag.endswith("-col") for flag in declared), declared
    lists = {c.flag for c in job._column_lists.values()}
    assert all(flag.endswith("-cols") for flag in lists), lists
    for action in job.arg_parser._actions:
        if action.help and "0-based index" in action.help and action.type is int:
            assert action.option_strings[-1] in declared or action.option_strings[0] in declared


def test_column_list():
    from mr.distinct import Distinct

    assert Distinct(["--cols", "2, 0"]).column_list("cols") == [2, 0]
    assert Distinct([]).column_list("cols") is None


def test_required_column_takes_no_default():
    class Bad(RecordJob):
        def configure_args(self):
            super().configure_args()
            self.add_column_arg("--x-col", "x field", default=0, required=True)

    with pytest.raises(ValueError, match="--x-col"):
        Bad([])


@pytest.mark.parametrize(
    "stem,args,message",
    [
        ("numeric_summary", ["--value-col", "2"], "error: --key-col is required"),
        (
            "numeric_summary",
            ["--key-col", "-1", "--value-col", "2"],
            "error: --key-col -1: column indexes start at 0",
        ),
        ("top_n", ["--value-col", "-3"], "error: --value-col -3: column indexes start at 0"),
        ("join", ["--left", "u*", "--right-key-col", "-1"], "--right-key-col -1: column indexes"),
        ("sessionize", ["--time-col", "-1"], "error: --time-col -1: column indexes start at 0"),
        (
            "distinct",
            ["--cols", "1,1"],
            "error: --cols: bad column list '1,1': a column is repeated",
        ),
        (
            "load_hbase",
            ["--table", "t", "--row-key-cols", "0,-2"],
            "error: --row-key-cols: bad column list '0,-2': indexes start at 0",
        ),
    ],
)
def test_bad_column_options_exit_2_with_one_line(stem, args, message):
    assert message in usage_error(stem, *args, fixture("join", "users.tsv"))
