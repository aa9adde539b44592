"""mrjob's log lines wait until a job's paths are checked; a Hadoop client's failure to reach
its NameNode becomes one sentence that names it."""

from __future__ import annotations

import io
import logging

import pytest

from mr.lib.held_logs import HeldLogs, hadoop_client_error


@pytest.fixture
def stream():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    logger = logging.getLogger("mrjob")
    saved, level = logger.handlers[:], logger.level
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    yield out
    logger.handlers[:] = saved
    logger.setLevel(level)


def test_released_lines_are_printed_in_order_as_if_never_held(stream):
    with HeldLogs() as held:
        logging.getLogger("mrjob.runner").info("one")
        logging.getLogger("mrjob").warning("two")
        assert stream.getvalue() == ""
        held.release()
        logging.getLogger("mrjob.fs").info("three")
    assert stream.getvalue() == "mrjob.runner one\nmrjob two\nmrjob.fs three\n"


def test_lines_of_a_block_that_fails_are_kept_not_printed(stream):
    held = HeldLogs()
    with pytest.raises(OSError), held:
        logging.getLogger("mrjob.fs.hadoop").error("STDERR: boom")
        raise OSError("failed")
    assert stream.getvalue() == ""
    assert held.lines() == ["STDERR: boom"]
    logging.getLogger("mrjob").info("after")  # the handlers are back
    assert stream.getvalue() == "mrjob after\n"


@pytest.mark.parametrize(
    "lines, sentence",
    [
        (
            ["STDERR: ls: Call From vm/127.0.0.1 to localhost:1 failed on connection exception: "
             "java.net.ConnectException: Connection refused; For more details see: http://wiki"],
            "cannot reach the NameNode at localhost:1 (Connection refused)",
        ),
        (
            ["STDERR: ls: Call From a/10.0.0.1 to nn.example:8020 failed on socket timeout "
             "exception: java.net.SocketTimeoutException: 20000 millis timeout while waiting"],
            "cannot reach the NameNode at nn.example:8020 (20000 millis timeout while waiting)",
        ),
        (
            ["STDERR: WARN fs.FileSystem: Failed to initialize filesystem hdfs://x.invalid:8020/o: "
             "java.lang.IllegalArgumentException: java.net.UnknownHostException: x.invalid",
             "STDERR: -ls: java.net.UnknownHostException: x.invalid"],
            "cannot reach the NameNode: unknown host x.invalid",
        ),
        (["STDERR: ls: `/nope': No such file or directory"], None),
        ([], None),
    ],
)  # fmt: skip
def test_hadoop_client_error(lines, sentence):
    assert hadoop_client_error(lines) == sentence
