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

from collections.abc import Sequence

from mr.grep import Grep
from mr.load_hbase import LoadHBase
from mr.log_report import LogReport
from mr.sessionize import Sessionize
from mr.top_n import TopN
from mr.word_count import WordCount
from mr.workflow.coordinator import Controls, Coordinator, DataIn, DataOut, Dataset
from mr.workflow.jobs import job_actions
from mr.workflow.model import Delete, Fs, Mkdir, Move, Parameter, Shell, Touchz, Workflow
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


def every_action(index_options: Sequence[str] = ()) -> Workflow:
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

    index_options: load_hbase's ``--hbase-*`` options (say ``["--hbase-port", "19090"]``); by
    default none, and its tasks use ``MRKIT_HBASE_*`` as the cluster's containers see them.
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
            ["--table", "every_action", "--columns", "f:count", *index_options],
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


# --- the flagship: a daily report over a week of access logs ---------------------------------

#: the day's report rows in HBase: row ``<day>/<dimension>/<value>`` (2026-01-03/status/503)
REPORT_TABLE = "daily_report"
REPORT_COLUMNS = "f:hits,f:bytes,f:error_rate"
#: the first day of the example's logs (scripts/gen_daily_logs.py writes from it)
FIRST_DAY = "2026-01-01T00:00Z"


def daily_report_workflow() -> Workflow:
    """One day of access logs -> the day's report (the workflow :func:`daily_report` runs).

    ``prepare`` (fs: the day's output, fresh) -> fork: ``report`` (log_report: hits, bytes and
    error rate per URL, status and hour) | ``sessions`` (sessionize over the logs read as
    records, per client host) -> join -> ``want-hive?`` -> ``hive-report`` (the Hive twin of
    log_report over the same logs: the same rows, checked by the tests) -> ``want-index?`` ->
    ``load-index`` (the report into HBase, rows keyed ``<day>/<dimension>/<value>``) ->
    ``done`` (``_SUCCESS`` in the day's output: the reports dataset's done-flag). Any error
    goes to the kill node, whose message names the node and its error."""
    out = "${output}"
    return (
        Workflow(
            "daily-report",
            kill_message="daily-report of ${day} failed at ${wf:lastErrorNode()}: "
            "${wf:errorMessage(wf:lastErrorNode())}",
        )
        .global_settings(resource_manager="${resourceManager}", name_node="${nameNode}")
        .param("input", description="the day's access logs (a directory)")
        .param("output", description="the day's report directory (made anew)")
        .param("day", description="the day, yyyy-MM-dd: the prefix of its HBase rows")
        .param("withHive", "true", "run the Hive twin of the report too (true|false)")
        .param("loadIndex", "true", "load the report into HBase (true|false)")
        .action("prepare", Fs([Delete(out), Mkdir(out)]))
        .fork(
            "analyse",
            [
                job_actions(LogReport, "report", [], input="${input}", output=f"{out}/report"),
                job_actions(
                    Sessionize,
                    "sessions",
                    ["--format", "access-log", "--user-col", "0", "--time-col", "3"],
                    input="${input}",
                    output=f"{out}/sessions",
                ),
            ],
        )
        .decision("want-hive", {"${withHive eq 'true'}": "hive-report"}, default="want-index")
        .actions_in_sequence(
            [
                twin_action(
                    "hive-report",
                    "hive",
                    "log_report",
                    input="${input}",
                    output=f"{out}/hive_report",
                )
            ]  # fmt: skip
        )
        .decision("want-index", {"${loadIndex eq 'true'}": "load-index"}, default="done")
        .job(
            "load-index",
            LoadHBase,
            [
                "--table",
                REPORT_TABLE,
                "--key-prefix",
                "${day}/",
                "--row-key-cols",
                "0,1",
                "--key-sep",
                "/",
                "--columns",
                REPORT_COLUMNS,
            ],
            input=f"{out}/report",
            output=f"{out}/loaded",
        )  # fmt: skip
        .action("done", Fs([Touchz(f"{out}/_SUCCESS")]))
        .end()
    )


def daily_report() -> Coordinator:
    """The flagship pipeline: :func:`daily_report_workflow` once a day, when the day's logs
    are done (their ``_SUCCESS``), from ``start`` to ``end`` (default: the week of
    2026-01-01, which scripts/gen_daily_logs.py generates). A start in the past backfills."""
    root = "${nameNode}/user/${user.name}/daily-report"
    return Coordinator(
        "daily-report",
        workflow=daily_report_workflow(),
        frequency="${coord:days(1)}",
        start="${start}",
        end="${end}",
        datasets=[
            Dataset("logs", "${coord:days(1)}", FIRST_DAY, "${logsRoot}/${YEAR}/${MONTH}/${DAY}"),
            Dataset(
                "reports", "${coord:days(1)}", FIRST_DAY, "${reportsRoot}/${YEAR}-${MONTH}-${DAY}"
            ),
        ],  # fmt: skip
        inputs=[DataIn("logs", "logs")],
        outputs=[DataOut("report", "reports")],
        controls=Controls(timeout=-1, concurrency=1, execution="FIFO"),
        configuration={
            "input": "${coord:dataIn('logs')}",
            "output": "${coord:dataOut('report')}",
            "day": "${coord:formatTime(coord:nominalTime(), 'yyyy-MM-dd')}",
            "withHive": "${withHive}",
            "loadIndex": "${loadIndex}",
        },
        parameters=[
            Parameter("start", FIRST_DAY, "the first day to report on"),
            Parameter("end", "2026-01-08T00:00Z", "the day after the last"),
            Parameter("logsRoot", f"{root}/logs", "where the days of logs land (YYYY/MM/DD)"),
            Parameter("reportsRoot", f"{root}/reports", "where the day's reports go"),
            Parameter("withHive", "true", "run the Hive twin too (true|false)"),
            Parameter("loadIndex", "true", "load each day into HBase (true|false)"),
        ],
    )
