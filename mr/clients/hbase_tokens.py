"""Delegation tokens of mrkit's HBase Thrift gateway: the calls, and a job's use of them.

A ``-r hadoop`` job whose tasks read or write the index on a Kerberized HBase: the launcher,
which has the user's ticket, asks the gateway for a token (``getDelegationToken``, over
SASL/GSSAPI); :class:`JobToken` writes it into a credentials file that Hadoop's job submission
adds to the job's tokens (``mapreduce.job.credentials.binary``); YARN hands each task those
tokens (``HADOOP_TOKEN_FILE_LOCATION``), and the task's :class:`~mr.clients.hbase.Index`
authenticates with SASL DIGEST-MD5 and the token, never a keytab or a ticket. While the job runs
the launcher renews the token; when it ends, cancels it.

The calls extend the Hbase service the gateway serves (happybase's ``Hbase.thrift``) with three
methods of their own, defined once here in Thrift IDL (:data:`IDL`); a token is only issued to a
caller that authenticated with Kerberos, not with another token (as Hadoop's rule).
"""

from __future__ import annotations

import io
import logging
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import thriftpy2

from mr.lib import tokens
from mr.lib.errors import UsageError

LOG = logging.getLogger(__name__)

IDL = """
exception TokenRefused { 1: string message }
struct TDelegationToken { 1: binary identifier, 2: binary password, 3: string kind }
service HbaseTokens {
  TDelegationToken getDelegationToken(1: string renewer) throws (1: TokenRefused refused)
  i64 renewDelegationToken(1: TDelegationToken token) throws (1: TokenRefused refused)
  void cancelDelegationToken(1: TDelegationToken token) throws (1: TokenRefused refused)
}
"""
thrift: Any = thriftpy2.load_fp(io.StringIO(IDL), "mrkit_hbase_tokens_thrift")
#: Hadoop's job property naming a credentials file whose tokens join the job's
CREDENTIALS_PROPERTY = "mapreduce.job.credentials.binary"
#: how often the launcher renews its job's token (the gateway's renew interval is a day)
RENEW_EVERY_S = 3600.0


def serve_with(base: Any) -> Any:
    """The service ``base`` (happybase's Hbase) with the token calls added: what the gateway's
    processor serves. Its methods keep base's own types (its exceptions are those its handler
    raises)."""
    ours = thrift.HbaseTokens
    attrs = {"thrift_services": [*base.thrift_services, *ours.thrift_services]}
    for name in ours.thrift_services:
        attrs[f"{name}_args"] = getattr(ours, f"{name}_args")
        attrs[f"{name}_result"] = getattr(ours, f"{name}_result")
    return type("HbaseWithTokens", (base,), attrs)


def to_thrift(token: tokens.Token) -> Any:
    return thrift.TDelegationToken(token.identifier, token.password, token.kind)


def from_thrift(t: Any, service: str) -> tokens.Token:
    # strings arrive as bytes on connections that do not decode them (happybase's)
    kind = t.kind.decode() if isinstance(t.kind, bytes) else str(t.kind)
    return tokens.Token(bytes(t.identifier), bytes(t.password), kind, service)


class JobToken:
    """A token obtained for one job: its credentials file, renewed until released. The tokens
    of a credentials file the job already names (``also``) are copied into it."""

    def __init__(self, index: Any, renewer: str, also: str | None = None) -> None:
        try:
            held = tokens.read_credentials(Path(also).read_bytes()) if also else {}
        except (OSError, tokens.TokenError) as e:
            raise UsageError(f"-D {CREDENTIALS_PROPERTY}={also}: {e}") from None
        self.index = index
        self.token = index.delegation_token(renewer)
        self.dir = Path(tempfile.mkdtemp(prefix="mrkit-credentials-"))
        self.path = self.dir / "job.tokens"
        tokens.save_credentials(self.path, {**held, f"hbase:{self.token.service}": self.token})
        self._stop = threading.Event()
        self._renewer = threading.Thread(target=self._renew, name="hbase-token", daemon=True)
        self._renewer.start()

    def jobconf(self) -> dict[str, str]:
        """The job property that gives the job this file's tokens."""
        return {CREDENTIALS_PROPERTY: str(self.path)}

    def _renew(self) -> None:
        while not self._stop.wait(RENEW_EVERY_S):
            try:
                self.index.renew_token(self.token)
            except Exception as e:  # the next round tries again; the job fails if it expires
                LOG.warning("could not renew the HBase token: %s", e)

    def release(self) -> None:
        """Stop renewing, cancel the token at the gateway, remove its file."""
        self._stop.set()
        self.index.retries = min(self.index.retries, 2)  # a gateway gone: do not hold the exit
        try:
            self.index.cancel_token(self.token)
        except Exception as e:  # it expires by itself within the renew interval
            LOG.warning("could not cancel the HBase token (it expires by itself): %s", e)
        shutil.rmtree(self.dir, ignore_errors=True)
