from collections import Counter

import pytest

from mr.distinct import Distinct
from mr.lib.tsv import format_row
from tests.support import BOTH_RUNNERS, fixture, run_job, write_lines
from tests.usage_errors import usage_error

STEM = "distinct"
PAYMENTS = fixture(STEM, "payments.tsv")


def oracle(path, cols=None, count=False):
    seen = Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = [None if x == "\\N" else x for x in line.rstrip("\n").split("\t")]
            if not line.strip() or (cols and len(fields) <= max(cols)):
                continue
            seen[tuple(fields if cols is None else [fields[c] for c in cols])] += 1
    return sorted(format_row(*k, *([n] if count else [])) for k, n in seen.items())


def test_empty(tmp_path, runner):
    path = write_lines(tmp_path / "empty.tsv", [])
    assert run_job(Distinct, [path], args=["--count"], runner=runner)[0] == []


@pytest.mark.parametrize("cols", [None, [1], [2, 1], [1, 2]])
@pytest.mark.parametrize("count", [False, True])
def test_fixture_matches_oracle(runner, cols, count):
    args = (["--cols", ",".join(map(str, cols))] if cols else []) + (["--count"] if count else [])
    rows, counters = run_job(Distinct, [PAYMENTS], args=args, runner=runner)
    assert rows == oracle(PAYMENTS, cols, count)
    assert counters[STEM]["empty_lines"] == 1
    # the short record "2026-11-03\toslo" has no column 2
    assert counters[STEM].get("too_few_fields", 0) == (1 if cols and max(cols) >= 2 else 0)


def test_counts_and_nulls(runner):
    rows, _ = run_job(Distinct, [PAYMENTS], args=["--cols", "1,2", "--count"], runner=runner)
    assert "paris\tcash\t3" in rows and "\\N\tcard\t2" in rows and "lisbon\tCard\t1" in rows
    assert len(rows) == 7


def test_whole_records_dedupe_exact_text(tmp_path, runner):
    path = write_lines(tmp_path / "in.tsv", ["a\t1", "a\t1", "a\t1.0", "a", "a\t1\t", b"\xffx"])
    rows, counters = run_job(Distinct, [path], args=["--count"], runner=runner)
    assert rows == sorted(["a\t1\t2", "a\t1.0\t1", "a\t1", "a\t1\t\t1"])
    assert counters[STEM] == {"bad_utf8": 1}


def test_mysql_csv_records_compare_as_parsed_fields(tmp_path, runner):
    path = write_lines(tmp_path / "in.csv", ['"a",b', 'a,"b"', "a,\\N", 'a,"\\N"', 'a,c,"x'])
    rows, counters = run_job(Distinct, [path], args=["--format", "csv", "--count"], runner=runner)
    assert rows == sorted(["a\tb\t2", "a\t\\N\t2"])
    assert counters[STEM] == {"malformed": 1}


@BOTH_RUNNERS
def test_mysql_csv_escapes_and_a_byte_order_mark_reach_the_job(tmp_path, runner):
    # a file as a Windows tool saves MySQL's output: a BOM first; then LOAD DATA's rules: an
    # escaped comma, a quote in a bare field, the bare word NULL; in a file of its own (one
    # split, wherever a runner cuts the first), a record cut by a line break: the line and the
    # one that carries it on are malformed
    lines = ['\ufeff"x,y",1', "x\\,y,1", 'x,5" disk', "NULL,2", '"\\N",2']
    write_lines(tmp_path / "in" / "a.csv", lines)
    write_lines(tmp_path / "in" / "b.csv", ["cut,a\\", "b"])
    rows, counters = run_job(
        Distinct, [tmp_path / "in"], args=["--format", "csv", "--count"], runner=runner
    )
    assert rows == sorted(["x,y\t1\t2", 'x\t5" disk\t1', "\\N\t2\t2"])
    assert counters[STEM] == {"malformed": 2}


@pytest.mark.parametrize("cols", ["", "a,b", "1,,2", "-1", "1,1"])
def test_bad_cols_exit_2(cols):
    assert "--cols" in usage_error(STEM, "--cols", cols, PAYMENTS)
