"""mr.lib.mrjob_fixes: what mrjob 0.7.4 gets wrong, fixed where mrkit runs it."""

import pytest
from mrjob.logs.history import _match_history_log_path

import mr.lib.job  # noqa: F401  (applies the fixes)

JHIST = (
    "hdfs:///tmp/mrkit/history/done_intermediate/{user}/job_1796146935472_0002-1796147014890-"
    "{user}-streamjob9380458362518892862.jar-1796147037189-1-0-FAILED-root.default-"
    "1796147019740.jhist"
)


@pytest.mark.parametrize("user", ["hadoop", "root", "data-eng", "svc_etl"])
def test_history_log_of_any_user_is_found(user):
    match = _match_history_log_path(JHIST.format(user=user))
    assert match == {"job_id": "job_1796146935472_0002", "yarn": True}


def test_history_log_of_another_job_is_not_taken():
    path = JHIST.format(user="root")
    assert _match_history_log_path(path, job_id="job_1796146935472_0003") is None
    assert _match_history_log_path("hdfs:///tmp/x/job_1_0001_conf.xml") is None
