"""Delegation tokens (mr/lib/tokens.py) and SASL DIGEST-MD5 (mr/lib/digest_md5.py).

Oracles: Hadoop's own DtUtilShell reads the credentials file and the token string mrkit writes,
and writes the protobuf file mrkit reads; RFC 2831's worked example checks the digest; the
Writable integer encoding is checked at its boundaries against WritableUtils' layout.
"""

from __future__ import annotations

import base64
import stat
import subprocess
from dataclasses import replace

import pytest

from mr.lib import digest_md5, tokens
from mr.lib.digest_md5 import DigestError
from mr.lib.tokens import SecretManager, TokenError

KIND = tokens.HBASE_THRIFT_KIND


@pytest.mark.parametrize(
    "value, encoded",
    [
        (0, b"\x00"),
        (127, b"\x7f"),
        (-112, b"\x90"),
        (128, b"\x8f\x80"),  # length byte -113, then one byte
        (-113, b"\x87\x70"),  # negative: length byte -121, then ~value
        (1 << 40, b"\x8a\x01\x00\x00\x00\x00\x00"),
    ],
)
def test_vlong_layout(value, encoded):
    assert tokens.write_vlong(value) == encoded
    assert tokens.Reader(encoded).vlong() == value


@pytest.mark.parametrize("value", [-(1 << 63), -129, -1, 255, 256, 65535, (1 << 63) - 1])
def test_vlong_round_trip(value):
    assert tokens.Reader(tokens.write_vlong(value)).vlong() == value


def test_identifier_round_trip_and_truncation():
    ident = tokens.Identifier("alice@R", "alice", "", 1, 2, 3, 4)
    assert tokens.Identifier.decode(ident.encode()) == ident
    with pytest.raises(TokenError, match="truncated"):
        tokens.Identifier.decode(ident.encode()[:-1])
    with pytest.raises(TokenError, match="version 0"):
        tokens.Identifier.decode(b"\x01" + ident.encode()[1:])


def test_credentials_round_trip_and_bad_files(tmp_path):
    manager = SecretManager(KIND)
    token = manager.issue("alice@R", "alice", "h:1")
    path = tmp_path / "creds"
    tokens.save_credentials(path, {"a": token})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tokens.read_credentials(path.read_bytes()) == {"a": token}
    with pytest.raises(TokenError, match="HDTS"):
        tokens.read_credentials(b"nope")
    with pytest.raises(TokenError, match="version 7"):
        tokens.read_credentials(b"HDTS\x07")
    assert "password" not in repr(token) and repr(token.password) not in repr(token)


def test_job_token_picks_kind_and_service(tmp_path):
    manager = SecretManager(KIND)
    ours = manager.issue("alice@R", "alice", "h:1")
    other = tokens.Token(b"x", b"y", "HDFS_DELEGATION_TOKEN", "h:1")
    path = tmp_path / "creds"
    tokens.save_credentials(path, {"hdfs": other, "hbase": ours})
    env = {tokens.TOKEN_FILE_ENV: str(path)}
    assert tokens.job_token(KIND, "h:1", env) == ours
    assert tokens.job_token(KIND, "h:2", env) is None
    assert tokens.job_token(KIND, "h:1", {}) is None
    with pytest.raises(TokenError, match="No such file"):
        tokens.job_token(KIND, "h:1", {tokens.TOKEN_FILE_ENV: str(tmp_path / "gone")})


def test_secret_manager_lifecycle(tmp_path, monkeypatch):
    store = tmp_path / "store.json"
    manager = SecretManager(KIND, store, max_lifetime_ms=10_000, renew_interval_ms=6_000)
    token = manager.issue("alice@R", "alice", "h:1")
    ident, password = manager.check(token.identifier)
    assert (ident.owner, ident.renewer, password) == ("alice@R", "alice", token.password)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600

    # a restarted issuer (same store) honours it; another one does not know its key
    assert SecretManager(KIND, store).check(token.identifier)[1] == token.password
    with pytest.raises(TokenError, match="unknown master key|cancelled or unknown"):
        SecretManager(KIND).check(token.identifier)

    with pytest.raises(TokenError, match="may not renew"):
        manager.renew(token, "bob")
    forged = tokens.Token(token.identifier, b"0" * 20, KIND, "h:1")
    with pytest.raises(TokenError, match="wrong password"):
        manager.renew(forged, "alice")

    now = ident.issue_date
    monkeypatch.setattr(tokens, "_now_ms", lambda: now + 7_000)  # past the renew interval
    with pytest.raises(TokenError, match="expired"):
        manager.check(token.identifier)
    monkeypatch.setattr(tokens, "_now_ms", lambda: now + 1_000)
    assert manager.renew(token, "alice") == now + 7_000
    monkeypatch.setattr(tokens, "_now_ms", lambda: now + 5_000)
    assert manager.renew(token, "alice") == ident.max_date == now + 10_000  # capped
    monkeypatch.setattr(tokens, "_now_ms", lambda: now + 10_001)
    with pytest.raises(TokenError, match="expired"):
        manager.check(token.identifier)

    monkeypatch.setattr(tokens, "_now_ms", lambda: now)
    with pytest.raises(TokenError, match="may not cancel"):
        manager.cancel(token, "bob@R", "bob")
    manager.cancel(token, "alice@R", "alice")
    with pytest.raises(TokenError, match="cancelled or unknown"):
        manager.check(token.identifier)
    assert list(manager.outstanding()) == []


def test_rfc2831_example():
    """RFC 2831 section 4, example 1 (IMAP): the response and rspauth it gives."""
    d = {
        "realm": "elwood.innosoft.com",
        "nonce": "OA6MG9tEQGm2hh",
        "cnonce": "OA6MHXh6VqTrRk",
        "nc": "00000001",
        "qop": "auth",
        "digest-uri": "imap/elwood.innosoft.com",
    }
    assert digest_md5._digest("chris", "secret", d, "AUTHENTICATE") == (
        "d388dad90d4bbd760a152321f2143af7"
    )
    assert digest_md5._digest("chris", "secret", d, "") == "ea40f60335c427b5527b84dbabcdfffd"


def _server_for(manager):
    def lookup(username):
        _, password = manager.check(base64.b64decode(username))
        return digest_md5.encode_password(password)

    return digest_md5.Server(lookup)


def test_digest_md5_with_a_token():
    manager = SecretManager(KIND)
    token = manager.issue("alice@R", "alice", "h:1")
    server, client = _server_for(manager), digest_md5.Client(token.identifier, token.password)
    response = client.respond(server.challenge())
    assert token.password not in response
    assert digest_md5.encode_password(token.password).encode() not in response
    username, rspauth = server.verify(response)
    assert base64.b64decode(username) == token.identifier
    client.check(rspauth)


def test_digest_md5_refusals():
    manager = SecretManager(KIND)
    token = manager.issue("alice@R", "alice", "h:1")
    server = _server_for(manager)
    forged = digest_md5.Client(token.identifier, b"not the password")
    with pytest.raises(DigestError, match="does not match"):
        server.verify(forged.respond(server.challenge()))
    # a response to another server's challenge (a replay) is refused
    other = _server_for(manager)
    good = digest_md5.Client(token.identifier, token.password)
    with pytest.raises(DigestError, match="another challenge"):
        server.verify(good.respond(other.challenge()))
    # a server that does not know the password cannot fake rspauth
    client = digest_md5.Client(token.identifier, token.password)
    client.respond(server.challenge())
    with pytest.raises(DigestError, match="rspauth"):
        client.check(b"rspauth=00000000000000000000000000000000")
    with pytest.raises(DigestError, match="only auth"):
        client.respond(b'nonce="n",qop="auth-conf"')
    with pytest.raises(DigestError, match="malformed"):
        digest_md5.parse('a="unterminated')


def test_parse_quoted_commas_and_escapes():
    assert digest_md5.parse('realm="a,b",nonce="x\\"y", qop=auth') == {
        "realm": "a,b",
        "nonce": 'x"y',
        "qop": "auth",
    }


@pytest.mark.hadoop
def test_hadoop_reads_our_tokens_and_we_read_hadoops(tmp_path):
    """Hadoop's DtUtilShell prints mrkit's credentials file (version 0) and imports its token
    string into a protobuf file (version 1), which mrkit reads back."""
    from mr.engines import fetch, java_bin

    classpath = f"{fetch('hadoop')}/*"
    token = SecretManager(KIND).issue("alice@MRKIT.TEST", "alice", "localhost:9090")
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    tokens.save_credentials(ours, {"hbase": token})

    def dtutil(*args):
        run = subprocess.run(
            [java_bin(), "-cp", classpath, "org.apache.hadoop.security.token.DtUtilShell", *args],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr[-2000:]
        return run.stdout

    printed = dtutil("print", str(ours))
    assert f"{KIND} localhost:9090" in " ".join(printed.split())
    assert token.url_string() in printed
    dtutil("import", token.url_string(), "-format", "protobuf", str(theirs))
    assert theirs.read_bytes()[:5] == b"HDTS\x01"
    (read,) = tokens.read_credentials(theirs.read_bytes()).values()
    assert read == token


def test_a_gateway_without_token_calls_is_one_clear_error(tmp_path, monkeypatch):
    """HBase's own ThriftServer answers getDelegationToken with 'unknown method': the launcher
    says what that means instead of a Thrift application error."""
    from thriftpy2.thrift import TApplicationException

    from mr.clients.hbase import Index

    creds = tmp_path / "creds"
    token = SecretManager(KIND).issue("alice@R", "alice", "h:1")
    tokens.save_credentials(creds, {"hbase": replace(token, service="gw:9090")})
    monkeypatch.setenv(tokens.TOKEN_FILE_ENV, str(creds))  # a task's: no ticket needed
    index = Index("gw", 9090, sasl="auth", pool_size=1)
    assert index.token is not None and index.token.service == "gw:9090"

    def unknown(operation, what):
        raise TApplicationException(TApplicationException.UNKNOWN_METHOD, f"{what} unknown")

    monkeypatch.setattr(index, "call", unknown)
    with pytest.raises(PermissionError, match="issues no delegation tokens"):
        index.delegation_token("alice")
