"""The counters a run prints without -v: the job's own groups; Hadoop's framework groups (File
System Counters, Map-Reduce Framework, ...) only with -v. The block is mrjob's own format."""

import logging

from mrjob.logs.counters import _format_counters

from mr.lib.launcher import essential_record, job_counters_only

HADOOP = {
    "File System Counters": {"HDFS: Number of bytes read": 120},
    "Map-Reduce Framework": {"Map input records": 5, "Reduce output records": 3},
    "Job Counters": {"Launched map tasks": 1},
}


def record(message: str, level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord("mrjob.hadoop", level, __file__, 1, message, None, None)


def test_only_the_jobs_groups_are_shown():
    block = _format_counters({**HADOOP, "word_count": {"bad_utf8": 1, "empty_lines": 2}})
    shown = record(block)
    assert essential_record(shown)
    assert shown.getMessage() == "Counters: 2\n\tword_count\n\t\tbad_utf8=1\n\t\tempty_lines=2"


def test_a_block_of_hadoops_groups_alone_is_not_shown():
    assert not essential_record(record(_format_counters(HADOOP)))


def test_other_records_are_left_alone():
    local = _format_counters({"word_count": {"bad_utf8": 1}})
    assert job_counters_only(local) == local
    assert job_counters_only("Counters are odd today") == "Counters are odd today"
    assert essential_record(record("disk full", logging.WARNING))
    assert not essential_record(record("Running step 1 of 1"))
