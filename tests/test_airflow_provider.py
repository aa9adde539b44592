"""The provider's parts that need no Airflow: get_provider_info, Connections -> client settings,
the `mrkit` command lines the operators run. (On a real Airflow: tests/test_airflow.py.)"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from mr.airflow import get_provider_info, settings
from mr.lib.errors import UsageError
from tests.support import REPO

ROOT = REPO / "mr" / "airflow"


def conn(host=None, port=None, login=None, password=None, schema=None, **extra):
    return SimpleNamespace(
        host=host, port=port, login=login, password=password, schema=schema, extra_dejson=extra
    )


def module_file(module: str) -> Path:
    return REPO.joinpath(*module.split(".")).with_suffix(".py")


def classes_of(module: str) -> set[str]:
    tree = ast.parse(module_file(module).read_text())
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef)}


def test_import_mr_airflow_needs_no_airflow():
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, mr, mr.airflow; mr.airflow.get_provider_info(); "
         "print('airflow' in sys.modules)"],
        capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "False"


def test_provider_info_names_modules_and_hooks_that_exist():
    info = get_provider_info()
    assert info["package-name"] == "mrkit"
    modules = [m for key in ("operators", "sensors", "triggers", "hooks")
               for entry in info[key] for m in entry["python-modules"]]  # fmt: skip
    assert modules and all(module_file(m).is_file() for m in modules)
    types = {c["connection-type"] for c in info["connection-types"]}
    assert types == {"mrkit_webhdfs", "mrkit_hbase", "mrkit_mysql"}
    for c in info["connection-types"]:
        module, _, cls = c["hook-class-name"].rpartition(".")
        assert cls in classes_of(module), c
    integrations = {i["integration-name"] for i in info["integrations"]}
    for key in ("operators", "sensors", "triggers", "hooks"):
        assert {e["integration-name"] for e in info[key]} <= integrations


def test_the_setup_cfg_entry_point_is_the_provider_info():
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    points = cfg["options.entry_points"]["apache_airflow_provider"].split()
    assert points == ["provider_info", "=", "mr.airflow:get_provider_info"]
    assert "apache-airflow" in cfg["options.extras_require"]["airflow"]


@pytest.mark.parametrize(
    "connection, urls, user",
    [
        (conn(host="nn", port=50070), ("http://nn:50070",), None),
        (conn(host="nn"), ("http://nn:9870",), None),
        (conn(host="nn", schema="https", login="etl"), ("https://nn:9870",), "etl"),
        (conn(urls="http://a:9870; http://b:9870"), ("http://a:9870", "http://b:9870"), None),
        (conn(urls=["http://a:1", "http://b:2"]), ("http://a:1", "http://b:2"), None),
    ],
)
def test_webhdfs_settings(connection, urls, user):
    got = settings.webhdfs_settings(connection)
    assert (got.urls, got.user) == (urls, user)
    assert got.url == ";".join(urls)


@pytest.mark.parametrize(
    "connection, message",
    [(conn(), "needs a host"), (conn(urls="nn1:9870"), "expected http://host:port")],
)
def test_webhdfs_settings_refuse(connection, message):
    with pytest.raises(UsageError, match=message):
        settings.webhdfs_settings(connection)


def test_hbase_settings():
    assert settings.hbase_settings(conn()) == settings.HBaseSettings("127.0.0.1", 9090)
    framed = settings.hbase_settings(conn("h", 9091, transport="framed", protocol="compact"))
    assert framed.cli_args() == [
        *("--hbase-host", "h", "--hbase-port", "9091"),
        *("--hbase-transport", "framed", "--hbase-protocol", "compact"),
    ]
    with pytest.raises(UsageError, match="transport 'http'"):
        settings.hbase_settings(conn(transport="http"))


def test_hbase_settings_for_a_kerberized_gateway():
    """extra.sasl -> --hbase-sasl; extra.sasl_service -> MRKIT_HBASE_SASL_SERVICE (no such
    option: `mrkit index` reads it from its environment); both checked before any use."""
    secure = settings.hbase_settings(conn("localhost", 19090, sasl="auth", sasl_service="thrift"))
    assert secure.cli_args()[-2:] == ["--hbase-sasl", "auth"]
    assert secure.env() == {"MRKIT_HBASE_SASL_SERVICE": "thrift"}
    plain = settings.hbase_settings(conn())
    assert "--hbase-sasl" not in plain.cli_args() and plain.env() == {}
    with pytest.raises(UsageError, match="sasl 'kerberos'"):
        settings.hbase_settings(conn(sasl="kerberos"))
    with pytest.raises(UsageError, match="sasl_service"):
        settings.hbase_settings(conn(sasl="auth", sasl_service="thrift; rm -rf /"))


def test_mysql_settings_keep_the_password_out_of_the_url_and_the_repr():
    got = settings.mysql_settings(conn("db", 3307, "etl user", "pw!", "shop"))
    assert got.url == "mysql://etl%20user@db:3307/shop"
    assert got.env() == {"MRKIT_MYSQL_PASSWORD": "pw!"}
    assert "pw!" not in repr(got)
    from mr.clients.mysql import parse_url

    assert parse_url(got.url).user == "etl user"
    assert settings.mysql_settings(conn()).url == "mysql://root@127.0.0.1:3306/"
    assert settings.mysql_settings(conn()).env() == {}
    on_socket = settings.mysql_settings(conn(schema="d", socket="/run/m.sock"))
    assert parse_url(on_socket.url).socket == "/run/m.sock"


def test_flags_and_where_paths_are():
    assert settings.flag_path("/d/day=1/") == "/d/day=1/_SUCCESS"
    assert settings.flag_path("hdfs:///d", "_DONE") == "hdfs:///d/_DONE"
    assert settings.flag_path("/d", "") == "/d"  # Oozie's empty done-flag: the directory
    assert settings.on_hdfs("hdfs:///d") and settings.on_hdfs("hdfs://nn:8020/d")
    assert not settings.on_hdfs("/d") and not settings.on_hdfs("file:///d")
    assert settings.local_path("file:///tmp/x") == "/tmp/x"


def test_run_args():
    args = settings.run_args(
        "top_n", ["a.txt", "b.txt"], "/out", runner="local",
        options={"top": 3, "jobconf": ["a=1", "b=2"], "quiet": True, "no_x": False},
    )  # fmt: skip
    assert args == ["run", "top_n", "a.txt", "b.txt", "-r", "local", "--output-dir", "/out",
                    "--top", "3", "--jobconf", "a=1", "--jobconf", "b=2", "--quiet"]  # fmt: skip
    own = settings.run_args("jobs/mine.py", "in", "/o", job_class="Mine", overwrite=True)
    assert own[:4] == ["run", "jobs/mine.py", "--class", "Mine"] and "--overwrite" in own
    with pytest.raises(UsageError, match="runner 'emr'"):
        settings.run_args("word_count", "in", "/o", runner="emr")


def test_twin_args_pass_each_parameter_as_one_var():
    args = settings.twin_args("hive", "top_n", "in", "out", {"N": 3, "MIN": 0.5}, cluster=True)
    assert args == ["hive", "run", "top_n", "--input", "in", "--output", "out", "--cluster",
                    "--var", "N=3", "--var", "MIN=0.5"]  # fmt: skip
    with pytest.raises(UsageError, match="hive or pig"):
        settings.twin_args("spark", "x", "i", "o")
    with pytest.raises(UsageError, match="booleans"):
        settings.twin_args("pig", "x", "i", "o", {"FLAG": True})


def test_the_task_settings_given_to_up_are_all_the_processes_see(monkeypatch, tmp_path):
    """`mrkit airflow up` hands its environment's task settings to Airflow's processes; a
    setting of another caller's environment (`airflow` commands run later) does not leak in."""
    from mr.airflow.runtime import Settings
    from mr.engines import airflow as engine

    monkeypatch.setenv("MRKIT_HOME", str(tmp_path))
    monkeypatch.setenv("MRKIT_AIRFLOW_RUNNER", "local")
    assert engine.task_settings_from_env() == {"MRKIT_AIRFLOW_RUNNER": "local"}
    given = {"MRKIT_AIRFLOW_RETRY_CODES": "1", "MRKIT_AIRFLOW_POKE_SECONDS": "15"}
    env = engine.environment(engine.Ports(1, 2, 3), tmp_path / "venv", given)
    assert env["MRKIT_AIRFLOW_RETRY_CODES"] == "1" and env["MRKIT_AIRFLOW_POKE_SECONDS"] == "15"
    assert env["MRKIT_AIRFLOW_RUNNER"] == env["MRKIT_AIRFLOW_ROOT"] == ""
    for name, value in env.items():
        if name.startswith("MRKIT_AIRFLOW_"):
            monkeypatch.setenv(name, value)
    settings = Settings.from_env()  # what a task sees
    assert settings.runner == "inline" and "1" in settings.retry_codes
    assert settings.root == tmp_path / "workflow-root"
