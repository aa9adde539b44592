from collections import defaultdict

from mr.lib.access_log import parse_access_log
from mr.lib.tsv import format_row
from mr.log_report import LogReport
from tests.support import fixture, run_job, write_lines

STEM = "log_report"


def oracle(path):
    totals = defaultdict(lambda: [0, 0, 0])
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = parse_access_log(line)
            if r is None:
                continue
            for key in (("url", r.path), ("status", str(r.status)), ("hour", r.hour_utc)):
                t = totals[key]
                t[0], t[1], t[2] = t[0] + 1, t[1] + r.bytes, t[2] + (r.status >= 500)
    return sorted(format_row(*k, h, b, e / h) for k, (h, b, e) in totals.items())


def test_empty(tmp_path, runner):
    rows, _ = run_job(LogReport, [write_lines(tmp_path / "empty.log", [])], runner=runner)
    assert rows == []


def test_fixture_matches_oracle(runner):
    rows, counters = run_job(LogReport, [fixture(STEM, "access.log")], runner=runner)
    assert rows == oracle(fixture(STEM, "access.log"))
    assert "url\t/cart\t3\t2880\t0.666667" in rows
    assert "hour\t2024-01-01T08\t3\t2560\t0.333333" in rows
    assert "url\t\\N\t2\t157\t0.000000" in rows
    assert counters[STEM] == {"bad_lines": 2, "bad_requests": 2, "empty_lines": 1}


def test_404_is_not_an_error_but_500_is(tmp_path, runner):
    log = write_lines(
        tmp_path / "a.log",
        [
            '1.1.1.1 - - [01/Jan/2024:00:00:00 +0000] "GET /a HTTP/1.1" 404 10',
            '1.1.1.1 - - [01/Jan/2024:00:30:00 +0000] "GET /a HTTP/1.1" 500 -',
            b"\xff\xfe",
        ],
    )
    rows, counters = run_job(LogReport, [log], runner=runner)
    assert rows == [
        "hour\t2024-01-01T00\t2\t10\t0.500000",
        "status\t404\t1\t10\t0.000000",
        "status\t500\t1\t0\t1.000000",
        "url\t/a\t2\t10\t0.500000",
    ]
    assert counters[STEM] == {"bad_utf8": 1}
