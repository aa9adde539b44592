"""The coord: EL functions of HCatalog datasets (mr/workflow/hcat.py), as Oozie's HCatURI and
HCatELFunctions give them, and what a local coordinator does with an input of HCatalog
partitions: it fails naming it (nothing here can ask a metastore)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mr.workflow import el, hcat
from mr.workflow.apps import read_app_xml
from mr.workflow.coord_local import CoordSettings, LocalCoordinator, run_coordinator
from mr.workflow.coordinator import Coordinator
from mr.workflow.local import LocalSettings
from mr.workflow.properties import job_properties
from mr.workflow.schedule import parse_time

APP = Path(__file__).parent / "fixtures" / "airflow" / "counters-hcat-app"
TWO_DAYS = (
    "hcat://ms:9083/web/logs/ds=20260102;region=eu,hcat://ms:9083/web/logs/ds=20260101;region=eu"
)


def test_an_hcat_uri_read_as_oozie_reads_it():
    uri = hcat.parse("hcat://h1:9083,hcat://h2:9083/web/logs/ds=20260102;region=eu")
    assert uri == hcat.HCatURI("h1:9083,h2:9083", "web", "logs", {"ds": "20260102", "region": "eu"})
    assert hcat.parse("hcat://h:1/db/table/").partitions == {}  # a table: no partition
    assert hcat.split(TWO_DAYS) == TWO_DAYS.split(",")
    assert hcat.split("hcat://a:1,hcat://b:2/d/t/k=v,hcat://c:3/d/t/k=w") == [
        "hcat://a:1,hcat://b:2/d/t/k=v", "hcat://c:3/d/t/k=w",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        ("/web/logs/ds=1", "not a URI (hcat://host:port/db/table/key=value;...)"),
        ("hcat:///web/logs/ds=1", "server host and port are missing"),
        ("hcat://h:1/web", "the path is not /db/table or /db/table/partition"),
        ("hcat://h:1/web/logs/ds=1/more", "the path is not /db/table or /db/table/partition"),
        ("hcat://h:1//logs/ds=1", "the database name is missing"),
        ("hcat://h:1/web//ds=1", "the table name is missing"),
        ("hcat://h:1/web/logs/ds", "partition 'ds' is not key=value"),
        ("hcat://h:1/web/logs/ds=1=2", "partition 'ds=1=2' is not key=value"),
    ],
)
def test_a_malformed_hcat_uri_says_what_is_wrong(uri, reason):
    with pytest.raises(el.ELError) as caught:
        hcat.parse(uri)
    assert str(caught.value) == f"HCatalog URI {uri!r}: {reason}"


class Instances:
    """An EL context with one data-in (logs: two days) and one data-out (counts)."""

    def __init__(self, logs: str = TWO_DAYS):
        data = {"logs": logs}
        out = {"counts": "hcat://ms:9083/web/counts/ds=20260102"}
        self.table = hcat.functions(data.__getitem__, out.__getitem__)

    def variable(self, name):
        raise el.ELError(f"{name} is not defined")

    def function(self, name):
        return self.table[name]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${coord:databaseIn('logs')}.${coord:tableIn('logs')}", "web.logs"),
        ("${coord:databaseOut('counts')}.${coord:tableOut('counts')}", "web.counts"),
        ("${coord:dataInPartitionFilter('logs', 'pig')}",
         "(ds=='20260102' AND region=='eu') OR (ds=='20260101' AND region=='eu')"),
        ("${coord:dataInPartitionFilter('logs', 'hive')}",
         "(ds='20260102' AND region='eu') OR (ds='20260101' AND region='eu')"),
        ("${coord:dataInPartitionMin('logs', 'ds')}-${coord:dataInPartitionMax('logs', 'ds')}",
         "20260101-20260102"),
        ("${coord:dataOutPartitions('counts')}", "'ds=20260102'"),
        ("${coord:dataOutPartitionValue('counts', 'ds')}", "20260102"),
    ],
)  # fmt: skip
def test_hcat_functions(text, expected):
    assert el.substitute(text, Instances(), el.COORD_FUNCTIONS) == expected


def test_hive_export_partitions_of_one_instance():
    one = Instances("hcat://ms:9083/web/logs/ds=20260102;region=eu")
    text = "${coord:dataInPartitions('logs', 'hive-export')}"
    assert el.substitute(text, one, el.COORD_FUNCTIONS) == "ds='20260102',region='eu'"
    with pytest.raises(el.ELError, match="hive-export takes one partition, not 2"):
        el.substitute(text, Instances(), el.COORD_FUNCTIONS)
    with pytest.raises(el.ELError, match="type 'pig': only 'hive-export' is known"):
        el.substitute("${coord:dataInPartitions('logs', 'pig')}", one, el.COORD_FUNCTIONS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${coord:dataInPartitionMin('logs', 'hour')}",
         "HCatalog URI 'hcat://ms:9083/web/logs/ds=20260102;region=eu': no value for the "
         "partition key 'hour'"),
        ("${coord:databaseIn('logs')}",
         "HCatalog URI '/data/logs/2026': not hcat://host:port/db/table/key=value;..."),
    ],
)  # fmt: skip
def test_hcat_functions_on_what_is_not_there(text, message):
    ctx = Instances("/data/logs/2026") if "databaseIn" in text else Instances()
    with pytest.raises(el.ELError) as caught:
        el.substitute(text, ctx, el.COORD_FUNCTIONS)
    assert str(caught.value) == f"{text}: {message}"


def fixture_coordinator(tmp_path: Path) -> tuple[Coordinator, dict[str, str], CoordSettings]:
    coord = read_app_xml(APP / "coordinator.xml")
    assert isinstance(coord, Coordinator)
    values = {**job_properties(APP / "job.properties"), "user.name": "u"}
    settings = CoordSettings(LocalSettings(root=tmp_path / "root", minute_seconds=0), poll=0,
                             now=parse_time("2026-01-02T00:00Z"))  # fmt: skip
    return coord, values, settings


def test_a_coordinator_action_resolves_hcat_functions_of_its_instances(tmp_path):
    coord, values, settings = fixture_coordinator(tmp_path)
    runner = LocalCoordinator(coord, values, settings, tmp_path / "run")
    action = runner.create(1, parse_time("2026-01-02T00:00Z"))
    got = runner.workflow_properties(action)
    assert {k: got[k] for k in coord.configuration} == {
        "DB": "web",
        "TABLE": "logs",
        "FILTER": "(ds='20260102' AND region='eu') OR (ds='20260101' AND region='eu')",
        "FIRST_DAY": "20260101",
        "LAST_DAY": "20260102",
        "OUTPUT_DB": "web",
        "OUTPUT_TABLE": "counts",
        "OUTPUT_PARTITIONS": "'ds=20260102'",
        "OUTPUT_DAY": "20260102",
        "input": "/logs",
        "output": "/counts",
    }


def test_an_input_of_hcat_partitions_fails_the_action_naming_it(tmp_path):
    coord, values, settings = fixture_coordinator(tmp_path)
    record = run_coordinator(coord, settings, file_properties=values, run_dir=tmp_path / "run")
    [action] = record.actions
    assert action.status == "FAILED" and record.status == "DONEWITHERROR"
    assert action.message == (
        "hcat://localhost:9083/web/logs/ds=20260102;region=eu: an HCatalog partition: mrkit "
        "cannot ask a Hive metastore whether it exists (Oozie waits for it through the "
        "metastore's notifications); run this coordinator on Oozie"
    )
    assert not (tmp_path / "root").exists() or not any((tmp_path / "root").rglob("*"))
