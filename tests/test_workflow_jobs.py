"""mrkit jobs as Oozie actions: the streaming commands -r hadoop would run, one action per
step, intermediate directories, and the jobs a streaming action cannot express."""

from pathlib import Path

import mrjob
import pytest

import mr
from mr.count_by_file import CountByFile
from mr.grep import Grep
from mr.join import Join
from mr.lib.errors import UsageError
from mr.load_hbase import LoadHBase
from mr.record_index import RecordIndex
from mr.replicated_join import ReplicatedJoin
from mr.word_count import WordCount
from mr.workflow.jobs import JobNotExpressible, job_actions, load_hbase_actions, streaming_command
from mr.workflow.model import Fs, MapReduce, Workflow
from tests.support import fixture


@pytest.fixture(autouse=True)
def repo_mrjob_conf(monkeypatch):
    """Commands as the repo's mrjob.conf writes them (python3), whether or not a cluster of
    `mrkit cluster up` runs (job_actions would take its absolute python then)."""
    from mr.lib.config import REPO_MRJOB_CONF

    monkeypatch.setenv("MRJOB_CONF", str(REPO_MRJOB_CONF))


def body(action) -> MapReduce:
    assert isinstance(action.body, MapReduce)
    return action.body


def test_one_step_job():
    made = job_actions(
        WordCount, "count", ["--tokenizer", "whitespace"], input="/in", output="/out"
    )
    [count] = made.actions
    b = body(count)
    assert count.name == "count"
    assert (
        b.streaming.mapper == "python3 word_count.py --step-num=0 --mapper --tokenizer whitespace"
    )
    assert b.streaming.reducer == (
        "python3 word_count.py --step-num=0 --reducer --tokenizer whitespace"
    )
    # the hadoop runner's cmdenv in mrjob.conf, and the working dir (./mr, ./mrjob) on the path
    assert b.streaming.env == ["LC_ALL=C.UTF-8", "PYTHONPATH=."]
    assert b.configuration == {
        "mapreduce.input.fileinputformat.inputdir": "/in",
        "mapreduce.output.fileoutputformat.outputdir": "/out",
    }
    assert b.files == ["mrkit/word_count.py#word_count.py"]
    assert b.archives == ["mrkit/mr.tar.gz#mr", "mrkit/mrjob.tar.gz#mrjob"]
    assert b.prepare == []  # the output is not deleted unless the options say --overwrite
    assert made.app_files == {
        "mrkit/word_count.py": Path(mr.__file__).resolve().parent / "word_count.py",
        "mrkit/mr.tar.gz": Path(mr.__file__).resolve().parent,
        "mrkit/mrjob.tar.gz": Path(mrjob.__file__).resolve().parent,
    }


def test_combiner_is_a_pipe_combiner():
    made = job_actions(CountByFile, "count", [], input="/in", output="/out")
    [count] = made.actions
    assert body(count).configuration == {
        "mapred.combiner.class": "org.apache.hadoop.streaming.PipeCombiner",
        "mapreduce.input.fileinputformat.inputdir": "/in",
        "mapreduce.output.fileoutputformat.outputdir": "/out",
        "stream.combine.streamprocessor": "python3 count_by_file.py --step-num=0 --combiner",
    }


def test_multi_step_job_chains_through_intermediate_dirs():
    made = job_actions(
        Grep, "grep", ["--pattern", "a+b c", "--overwrite"], input=["/in1", "/in2"], output="/out"
    )
    assert [a.name for a in made.actions] == ["grep-step1", "grep-step2", "grep-cleanup"]
    first, second, cleanup = made.actions
    work = "/tmp/mrkit-workflows/${wf:id()}/grep"
    assert body(first).configuration["mapreduce.input.fileinputformat.inputdir"] == "/in1,/in2"
    assert body(first).configuration["mapreduce.output.fileoutputformat.outputdir"] == (
        f"{work}/step1"
    )
    assert body(second).configuration["mapreduce.input.fileinputformat.inputdir"] == (
        f"{work}/step1"
    )
    assert body(second).configuration["mapreduce.output.fileoutputformat.outputdir"] == "/out"
    # the step's own jobconf (one reducer for the single sorted output)
    assert body(second).configuration["mapreduce.job.reduces"] == "1"
    # mrjob quotes the pattern; Hadoop streaming URL-decodes commands, so + is %2B
    assert body(second).streaming.mapper == (
        "python3 grep.py --step-num=1 --mapper --pattern 'a%2Bb c'"
    )
    assert [p.path for p in body(first).prepare] == [f"{work}/step1"]
    assert [p.path for p in body(second).prepare] == ["/out"]  # --overwrite
    assert isinstance(cleanup.body, Fs) and cleanup.body.ops[0].path == work


def test_chained_actions_in_a_workflow():
    wf = Workflow("w").job("grep", Grep, ["--pattern", "x"], input="/in", output="/out").end()
    assert [wf.node(n).ok for n in ("grep-step1", "grep-step2", "grep-cleanup")] == [
        "grep-step2",
        "grep-cleanup",
        "end",
    ]
    assert "mrkit/grep.py" in wf.app_files


def test_map_only_step_has_no_reducers():
    [load] = load_hbase_actions("load", input="/counts", output="/loaded", table="wc").actions
    assert body(load).streaming.reducer is None
    assert body(load).configuration["mapreduce.job.reduces"] == "0"
    assert body(load).streaming.mapper == ("python3 load_hbase.py --step-num=0 --mapper --table wc")


def test_sort_values_sets_the_partitioner_and_key_fields():
    [join] = job_actions(
        Join, "join", ["--left-key-col", "0", "--right-key-col", "0", "--left", "users*"],
        input="/in", output="/out",
    ).actions  # fmt: skip
    conf = body(join).configuration
    assert conf["mapred.partitioner.class"] == (
        "org.apache.hadoop.mapred.lib.KeyFieldBasedPartitioner"
    )
    assert conf["stream.num.map.output.key.fields"] == "2"
    assert conf["mapreduce.partition.keypartitioner.options"] == "-k1,1"


def test_file_options_ship_the_file():
    small = fixture("replicated_join", "users.tsv")
    made = job_actions(ReplicatedJoin, "rj", ["--small", small], input="/big", output="/out")
    [rj] = made.actions
    assert "mrkit/users.tsv#users.tsv" in body(rj).files
    assert made.app_files["mrkit/users.tsv"] == Path(small)
    assert "--small users.tsv" in body(rj).streaming.mapper


def test_mapper_raw_is_refused():
    with pytest.raises(JobNotExpressible, match=r"^record_index: step 1 uses mapper_raw"):
        job_actions(RecordIndex, "ri", ["--table", "t"], input="/in", output="/out")


def test_bad_options_are_one_line():
    with pytest.raises(UsageError, match=r"^word_count --tokenizer bogus: .*invalid choice"):
        job_actions(WordCount, "x", ["--tokenizer", "bogus"], input="/in", output="/out")
    with pytest.raises(UsageError, match=r"^load_hbase: --table is required"):
        job_actions(LoadHBase, "x", [], input="/in", output="/out")
    with pytest.raises(UsageError, match=r"give inputs as input="):
        job_actions(WordCount, "x", ["/somewhere"], input="/in", output="/out")


def test_streaming_command_encodes_what_streaming_decodes():
    assert streaming_command("a+b %41 c") == "a%2Bb %2541 c"
