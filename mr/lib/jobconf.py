"""Every Hadoop configuration key the jobs read or set, with its meaning (as Hadoop's
TeraSortConfigKeys lists its own). Tasks read them with :func:`get`, which works on every runner:
Hadoop streaming exports them to the task environment, and mrjob's inline, local and spark
runners emulate that."""

from __future__ import annotations

from mrjob.compat import jobconf_from_env

#: URI of the file the current map task reads (``file:///d/a.txt``, ``hdfs://nn:8020/d/a.txt``)
MAP_INPUT_FILE = "mapreduce.map.input.file"
#: byte offset in that file where the current map task's input split starts
MAP_INPUT_START = "mapreduce.map.input.start"
#: the mapper command of a Hadoop streaming job: set only when the task runs under Hadoop
#: streaming (mrjob's inline and local runners do not emulate it)
STREAM_MAP_PROCESSOR = "stream.map.streamprocessor"
#: 0-based number of the current task among the tasks of its kind (map or reduce)
TASK_PARTITION = "mapreduce.task.partition"
#: number of reduce tasks of a step (total_order_sort: one key range each; grep sets 1 for its
#: single sorted output)
JOB_REDUCES = "mapreduce.job.reduces"


def get(key: str, default: str | None = None) -> str | None:
    """The value of a configuration key in the current task (default outside one)."""
    return jobconf_from_env(key, default)


#: "true": an input directory's subdirectories are read too, at every level (hidden ones skipped)
INPUT_DIR_RECURSIVE = "mapreduce.input.fileinputformat.input.dir.recursive"
#: "true" (Hadoop 3): an input directory's subdirectories are ignored instead of failing the job
INPUT_DIR_IGNORE_SUBDIRS = "mapreduce.input.fileinputformat.input.dir.nonrecursive.ignore.subdirs"

# -- keys mr/workflow writes into Oozie map-reduce streaming actions (mr/workflow/jobs.py) --
#: comma-separated input paths of a job (FileInputFormat)
INPUT_DIR = "mapreduce.input.fileinputformat.inputdir"
#: output directory of a job (FileOutputFormat)
OUTPUT_DIR = "mapreduce.output.fileoutputformat.outputdir"
#: the combiner command of a streaming job, URL-encoded as Hadoop streaming decodes it
#: (Oozie's <streaming> has no combiner element: the action sets this key and the class below)
STREAM_COMBINE_COMMAND = "stream.combine.streamprocessor"
#: combiner class of an old-API (org.apache.hadoop.mapred) job, as Oozie's streaming runs
OLD_API_COMBINER = "mapred.combiner.class"
#: partitioner class of an old-API job (the -partitioner of hadoop-streaming)
OLD_API_PARTITIONER = "mapred.partitioner.class"
#: Hadoop streaming's combiner: runs the stream.combine.streamprocessor command
STREAMING_COMBINER_CLASS = "org.apache.hadoop.streaming.PipeCombiner"

# -- keys of the MySQL import (mr/mysql_import.py): one map task per line of its input ------
#: the old-API input format that makes one split of every N lines (N below; Hadoop's default 1)
NLINE_INPUT_FORMAT = "org.apache.hadoop.mapred.lib.NLineInputFormat"
#: lines of input per map task under NLineInputFormat
LINES_PER_MAP = "mapreduce.input.lineinputformat.linespermap"
#: "true": streaming hands the mapper the line only, not ``key<TAB>line`` (streaming leaves the
#: key out by itself only for TextInputFormat)
STREAM_MAP_INPUT_IGNORE_KEY = "stream.map.input.ignoreKey"
#: how streaming reads the map command's output lines; "keyonlytext" makes each whole line the
#: key and the value NullWritable, so TextOutputFormat writes a map-only job's lines unchanged.
#: (Splitting at a TAB instead leaves an empty Text value, after which TextOutputFormat writes
#: its separator: a trailing TAB on every line without one. An empty separator cannot be set:
#: Hadoop drops a property whose value is empty when the task reads job.xml.)
STREAM_MAP_OUTPUT = "stream.map.output"
KEY_ONLY_TEXT = "keyonlytext"
#: "false": no speculative second attempt of a slow map task
MAP_SPECULATIVE = "mapreduce.map.speculative"
