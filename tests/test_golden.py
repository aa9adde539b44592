"""Every fixture case, on inline and local: the rows equal the golden file (--update-golden)."""

import pytest

from mr.cli.jobs import job_class
from tests.cases import all_cases
from tests.support import BOTH_RUNNERS, check_golden, run_job

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@BOTH_RUNNERS
def test_case_matches_golden(request, case, runner):
    rows, _ = run_job(job_class(case.job), case.inputs, args=case.args, runner=runner)
    if runner == "local" or not request.config.getoption("--update-golden"):
        check_golden(request, case.name, rows)
