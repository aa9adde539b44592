"""The MiniCluster's command line and settings (no cluster needed): what makes YARN behave like a
real cluster and keeps client and cluster in agreement."""

from pathlib import Path

from mr.engines import hadoop as engine


def _command() -> list[str]:
    return engine.java_command(engine.Ports.from_env(), Path("/lib"), {})


def _settings(argv: list[str]) -> dict[str, str]:
    pairs = [argv[i + 1] for i, a in enumerate(argv) if a == "-D"]
    return dict(p.split("=", 1) for p in pairs)


def test_cluster_does_not_read_back_the_client_config_of_its_last_start():
    # conf/ holds the *-site.xml written for clients; on the cluster's own classpath every
    # setting of the previous start came back as a default
    classpath = _command()[_command().index("-cp") + 1].split(":")
    assert str(engine.conf_dir()) not in classpath
    assert classpath[0] == str(engine.server_conf_dir())


def test_history_dirs_and_staging_dir_are_explicit_and_not_hadoops_default():
    settings = _settings(_command())
    # MiniMRYarnCluster replaces the default staging dir, leaving clients writing elsewhere
    assert settings["yarn.app.mapreduce.am.staging-dir"] != "/tmp/hadoop-yarn/staging"
    for key in ("mapreduce.jobhistory.intermediate-done-dir", "mapreduce.jobhistory.done-dir"):
        assert settings[key].startswith("/"), key


def test_tasks_are_retried_like_on_a_real_cluster():
    settings = _settings(_command())
    for key in (
        "mapreduce.map.maxattempts",
        "mapreduce.reduce.maxattempts",
        "mapreduce.am.max-attempts",
        "yarn.resourcemanager.am.max-attempts",
    ):
        assert key not in settings  # Hadoop's defaults: 4, 4, 2, 2
    # uber tasks run inside the ApplicationMaster with one attempt only: on for small jobs'
    # speed, a job turns it off to get retries (test_yarn_jobs' killed-task test does)
    assert settings["mapreduce.job.ubertask.enable"] == "true"


def test_extra_settings_override_the_defaults():
    argv = engine.java_command(
        engine.Ports.from_env(), Path("/lib"), {"mapreduce.map.maxattempts": "1"}
    )
    assert _settings(argv)["mapreduce.map.maxattempts"] == "1"
