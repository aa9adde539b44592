"""An example pipeline to copy: ingest -> word count -> (top N | Hive twin) -> load the index.

``ingest`` (fs: a fresh work dir) -> ``count`` (word_count, streaming) -> fork: ``top-words``
(top_n over the counts) | ``hive-count`` (the Hive twin of word_count over the same input, a
parity check on the cluster) -> join -> ``index?`` (a decision: load the index when
``loadIndex`` is true and the counts are complete) -> ``load-index`` (load_hbase: the counts
into an HBase table) -> end. Any action that fails goes to the kill node ``fail``, whose message
names the failed node and its error.

Render it: ``mrkit workflow render mr.workflow.examples:word_pipeline --out /tmp/wf``; validate
it: ``mrkit workflow validate /tmp/wf/workflow.xml``.
"""

from __future__ import annotations

from mr.load_hbase import LoadHBase
from mr.top_n import TopN
from mr.word_count import WordCount
from mr.workflow.jobs import job_actions
from mr.workflow.model import Delete, Fs, Mkdir, Workflow
from mr.workflow.twins import twin_action

#: load the index only when asked to and when the counts are complete
INDEX_WANTED = "${loadIndex eq 'true' and fs:exists(concat(workDir, '/counts/_SUCCESS'))}"


def word_pipeline() -> Workflow:
    """The example pipeline (see the module docstring). Job options are checked now, so they
    are literal values; EL (${...}) goes into paths, which Oozie resolves per run."""
    counts = "${workDir}/counts"
    # job.properties values: Hadoop's Configuration expands ${...} in them when Oozie reads them
    example_values = {
        "input": "${nameNode}/user/${user.name}/books",
        "workDir": "${nameNode}/user/${user.name}/word-pipeline",
    }
    wf = (
        Workflow("word-pipeline", properties=example_values)
        .global_settings(resource_manager="${resourceManager}", name_node="${nameNode}")
        .param("input", description="text files to count words in")
        .param("workDir", description="where every step writes (deleted first)")
        .param("loadIndex", "true", "load the counts into HBase (true|false)")
        .action("ingest", Fs([Delete("${workDir}"), Mkdir("${workDir}")]))
        .job("count", WordCount, ["--overwrite"], input="${input}", output=counts)
        .fork(
            "analyse",
            [
                job_actions(
                    TopN,
                    "top-words",
                    ["--value-col", "1", "-n", "20", "--overwrite"],
                    input=counts,
                    output="${workDir}/top",
                ),
                [
                    twin_action(
                        "hive-count",
                        "hive",
                        "word_count",
                        input="${input}",
                        output="${workDir}/hive_counts",
                    )
                ],
            ],
        )
        .decision("want-index", {INDEX_WANTED: "load-index"}, default="end")
        .job(
            "load-index",
            LoadHBase,
            ["--table", "word_count", "--columns", "f:count"],
            input=counts,
            output="${workDir}/loaded",
        )
        .end()
    )
    return wf
