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

from mr.grep import Grep
from mr.load_hbase import LoadHBase
from mr.top_n import TopN
from mr.word_count import WordCount
from mr.workflow.jobs import job_actions
from mr.workflow.model import Delete, Fs, Mkdir, Move, Shell, Touchz, Workflow
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


def publish_counts() -> Workflow:
    """The child of :func:`every_action`: move ``${workDir}/counts`` to
    ``${workDir}/published`` and touch ``${workDir}/DONE``."""
    return (
        Workflow("publish-counts")
        .param("workDir", description="the parent's work dir (propagated)")
        .action(
            "publish",
            Fs([Move("${workDir}/counts", "${workDir}/published"), Touchz("${workDir}/DONE")]),
        )
        .end()
    )


def every_action() -> Workflow:
    """Every kind of action mrkit renders, in one pipeline (the README's walk-through):

    ``ingest`` (fs: delete, mkdir, touchz) -> ``count`` (word_count: one streaming action) ->
    fork: ``frequent`` (grep: two chained streaming actions and a cleanup) | ``hive-count``
    (Hive twin) | ``pig-count`` (Pig twin) -> join -> ``check`` (shell with capture-output) ->
    ``want-index`` (decision on the captured output and ``loadIndex``) -> ``load-index``
    (load_hbase into HBase) -> ``publish`` (sub-workflow shipped in the app: fs move + touchz)
    -> ``notify`` (a shell that fails once and succeeds on its retry: ``retry-max`` 2,
    ``retry-interval`` 0; its exit code 1 must be a retried code: ``mrkit oozie up
    --retry-codes 1``, ``mrkit workflow run --retry-codes 1``) -> ``probe`` (a shell that
    fails: its error transition goes to ``recover``, an fs touchz) -> end.
    """
    work = "${workDir}"
    wf = (
        Workflow("every-action")
        .global_settings(resource_manager="${resourceManager}", name_node="${nameNode}")
        .param("input", description="text files to count words in")
        .param("workDir", description="where every step writes (deleted first)")
        .param("flagFile", description="a local file the notify step makes on its first try")
        .param("loadIndex", "true", "load the counts into HBase (true|false)")
        .action("ingest", Fs([Delete(work), Mkdir(work), Touchz(f"{work}/STARTED")]))
        .job("count", WordCount, ["--overwrite"], input="${input}", output=f"{work}/counts")
        .fork(
            "analyse",
            [
                job_actions(
                    Grep,
                    "frequent",
                    ["--pattern", "[a-z]+"],
                    input="${input}",
                    output=f"{work}/frequent",
                    tmp_dir=f"{work}/tmp",
                ),
                [
                    twin_action(
                        "hive-count",
                        "hive",
                        "word_count",
                        input="${input}",
                        output=f"{work}/hive_counts",
                    )
                ],
                [
                    twin_action(
                        "pig-count",
                        "pig",
                        "word_count",
                        input="${input}",
                        output=f"{work}/pig_counts",
                    )
                ],
            ],
        )  # fmt: skip
        .action("check", Shell(exec="echo", arguments=["checked=true"], capture_output=True))
        .decision("want-index", {INDEX_CHECKED: "load-index"}, default="publish")
        .job(
            "load-index",
            LoadHBase,
            ["--table", "every_action", "--columns", "f:count"],
            input=f"{work}/counts",
            output=f"{work}/loaded",
        )
        .sub_workflow("publish", publish_counts())
        .action(
            "notify",
            Shell(exec="sh", arguments=["-c", FAIL_ONCE, "sh", "${flagFile}"]),
            retry_max=2,
            retry_interval=0,
        )
        .action("probe", Shell(exec="sh", arguments=["-c", "exit 3"]), error="recover")
        .action("recover", Fs([Touchz(f"{work}/RECOVERED")]))
        .end()
    )
    return wf


#: load the index when asked to and when the check said so (its captured output)
INDEX_CHECKED = "${wf:actionData('check')['checked'] eq 'true' and loadIndex eq 'true'}"
#: a shell step that fails the first time (no flag yet: it makes one) and succeeds after
FAIL_ONCE = 'test -e "$1" || { touch "$1"; echo "not yet: retry" >&2; exit 1; }'
