"""mr/lib/auth.py without a cluster: which authentication a cluster asks for, the one-line
refusal without a ticket, the WebHDFS session's trust, and Java's krb5.conf.

The same code against the real secure cluster: tests/test_secure.py.
"""

from __future__ import annotations

import pytest

from mr.lib import auth
from mr.lib.errors import UsageError

CORE_SITE = """<?xml version="1.0"?><configuration>
<property><name>hadoop.security.authentication</name><value>{}</value></property>
</configuration>"""


@pytest.fixture
def conf(tmp_path, monkeypatch):
    """A Hadoop client conf dir (HADOOP_CONF_DIR) whose core-site.xml says `method`."""
    monkeypatch.delenv(auth.AUTH_ENV, raising=False)
    monkeypatch.setenv("HADOOP_CONF_DIR", str(tmp_path))

    def write(method: str) -> None:
        (tmp_path / "core-site.xml").write_text(CORE_SITE.format(method))

    return write


def test_method_follows_the_client_configuration(conf, monkeypatch):
    assert auth.method() == "simple"  # no core-site.xml
    conf("kerberos")
    assert auth.is_kerberos()
    conf("simple")
    assert not auth.is_kerberos()
    monkeypatch.setenv(auth.AUTH_ENV, "kerberos")
    assert auth.is_kerberos()
    monkeypatch.setenv(auth.AUTH_ENV, "ntlm")
    with pytest.raises(UsageError, match="MRKIT_AUTH='ntlm': expected one of simple, kerberos"):
        auth.method()


def test_no_ticket_is_one_line_naming_the_principal(tmp_path, monkeypatch):
    krb5 = tmp_path / "krb5.conf"
    krb5.write_text("[libdefaults]\n  default_realm = EXAMPLE.TEST\n")
    monkeypatch.setenv("KRB5_CONFIG", str(krb5))
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{tmp_path}/empty-cache")
    monkeypatch.delenv(auth.PRINCIPAL_ENV, raising=False)
    monkeypatch.delenv(auth.KEYTAB_ENV, raising=False)
    with pytest.raises(auth.NoTicket) as refused:
        auth.require_ticket()
    message = str(refused.value)
    assert "\n" not in message
    assert f"kinit as {auth.getpass.getuser()}@EXAMPLE.TEST" in message
    monkeypatch.setenv(auth.PRINCIPAL_ENV, "alice@EXAMPLE.TEST")
    monkeypatch.setenv(auth.KEYTAB_ENV, str(tmp_path / "alice.keytab"))
    with pytest.raises(auth.NoTicket, match=r'kinit -kt "\$MRKIT_KEYTAB" alice@EXAMPLE.TEST'):
        auth.require_ticket()
    assert issubclass(auth.NoTicket, UsageError)  # exit code 2 in the CLI and the launcher


def test_session_trusts_the_cluster_ca_not_the_environment(tmp_path, monkeypatch):
    pytest.importorskip("requests_gssapi")  # the kerberos extra
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv(auth.CA_ENV, str(ca))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "other.pem"))
    monkeypatch.setattr(auth, "ticket", lambda: auth.Ticket("alice@EXAMPLE.TEST", 3600))
    session = auth.webhdfs_session()
    assert session.verify == str(ca) and not session.trust_env
    # what requests uses for a request: REQUESTS_CA_BUNDLE would win with trust_env on
    settings = session.merge_environment_settings(
        "https://namenode:9871/webhdfs/v1/", {}, None, session.verify, None
    )
    assert settings["verify"] == str(ca)
    assert type(session.auth).__name__ == "HTTPSPNEGOAuth"
    monkeypatch.setenv(auth.CA_ENV, str(tmp_path / "missing.pem"))
    with pytest.raises(UsageError, match="MRKIT_WEBHDFS_CA=.*is not a file"):
        auth.webhdfs_session()


def test_webhdfs_client_on_kerberos_sends_no_user_name(conf, monkeypatch):
    pytest.importorskip("requests_gssapi")
    from mr.lib.webhdfs import raw_client

    conf("kerberos")
    monkeypatch.delenv(auth.CA_ENV, raising=False)
    monkeypatch.setattr(auth, "ticket", lambda: auth.Ticket("alice@EXAMPLE.TEST", 3600))
    client = raw_client(url="https://namenode:9871", user="mallory")
    assert type(client).__name__ == "Client"  # not InsecureClient: no ?user.name=
    assert type(client._session.auth).__name__ == "HTTPSPNEGOAuth"


def test_java_gets_krb5_conf_through_hadoop_client_opts():
    assert auth.java_env({}) == {}
    assert auth.java_env({"KRB5_CONFIG": "/k/krb5.conf"}) == {
        "HADOOP_CLIENT_OPTS": "-Djava.security.krb5.conf=/k/krb5.conf"
    }
    kept = {"KRB5_CONFIG": "/k/krb5.conf", "HADOOP_CLIENT_OPTS": "-Xmx1g"}
    assert auth.java_env(kept) == {
        "HADOOP_CLIENT_OPTS": "-Xmx1g -Djava.security.krb5.conf=/k/krb5.conf"
    }
    done = {"KRB5_CONFIG": "/k", "HADOOP_CLIENT_OPTS": "-Djava.security.krb5.conf=/j"}
    assert auth.java_env(done) == {}


def test_a_twin_jvm_gets_krb5_conf_only_from_a_kerberos_conf_dir(conf, tmp_path):
    krb5 = {"KRB5_CONFIG": "/k/krb5.conf"}
    conf("simple")
    assert auth.java_options(tmp_path, krb5) == []
    conf("kerberos")
    assert auth.java_options(tmp_path, krb5) == ["-Djava.security.krb5.conf=/k/krb5.conf"]
    assert auth.java_options(tmp_path, {}) == []
