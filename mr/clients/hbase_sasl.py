"""SASL/GSSAPI (Kerberos) for the HBase Thrift client: what a Kerberized Thrift gateway
(``hbase.thrift.security.qop``) asks of its clients.

thriftpy2 brings the Thrift SASL framing (``TSaslClientTransport``: START/OK/COMPLETE status
bytes with 4-byte lengths, then length-prefixed frames) but no mechanism: it expects a client
object of the old ``sasl`` package's interface (start, step, encode, decode, getError).
:class:`GssapiSasl` is that object for GSSAPI (RFC 4752) on python-gssapi, which the
``kerberos`` extra already installs for SPNEGO; pure-sasl's GSSAPI would need pykerberos
besides. :class:`SaslConnection` is a happybase Connection over that transport (happybase only
knows ``buffered`` and ``framed``).

The ticket is the user's (``KRB5CCNAME``); the server's principal is
``<service>/<host>``: ``MRKIT_HBASE_SASL_SERVICE`` (default ``hbase``) and the Thrift host as
given (``localhost`` for mrkit's secure HBase: its principal names that host).

A task of a ``-r hadoop`` job has no ticket but the job's delegation token for the gateway
(mr/clients/hbase_tokens.py): :class:`TokenSasl` answers with it in SASL DIGEST-MD5
(mr/lib/digest_md5.py), qop auth only.
"""

from __future__ import annotations

import struct
from typing import Any

import happybase
from Hbase_thrift import Hbase  # type: ignore[import-not-found]  # loaded by happybase
from thriftpy2.thrift import TClient
from thriftpy2.transport import TSocket
from thriftpy2.transport import sasl as thrift_sasl

from mr.lib import digest_md5
from mr.lib.tokens import Token

#: the Cython transport where thriftpy2 has it: its binary protocol takes no Python transport
SaslTransport = getattr(thrift_sasl, "TCySaslClientTransport", thrift_sasl.TSaslClientTransport)

#: SASL qualities of protection and their GSSAPI security-layer bits (RFC 4752 3.3)
QOP_LAYERS = {"auth": 1, "auth-int": 2, "auth-conf": 4}


class GssapiSasl:
    """The GSSAPI mechanism as thriftpy2's TSaslClientTransport drives it."""

    def __init__(self, service: str, host: str, qop: str = "auth") -> None:
        if qop not in QOP_LAYERS:
            raise ValueError(f"SASL qop {qop!r}: expected one of {', '.join(QOP_LAYERS)}")
        self.service, self.host, self.qop = service, host, qop
        self.error = ""
        self._ctx: Any = None
        self._layer_done = False

    def getError(self) -> str:  # noqa: N802 (the interface thriftpy2 calls)
        return self.error

    def start(self, mechanism: str) -> tuple[bool, str, bytes]:
        import gssapi

        try:
            target = gssapi.Name(f"{self.service}@{self.host}", gssapi.NameType.hostbased_service)
            self._ctx = gssapi.SecurityContext(name=target, usage="initiate")
            return True, "GSSAPI", self._ctx.step() or b""
        except gssapi.exceptions.GSSError as e:
            self.error = f"GSSAPI for {self.service}/{self.host}: {e.gen_message()}"
            return False, mechanism, b""

    def step(self, challenge: bytes) -> tuple[bool, bytes]:
        import gssapi

        try:
            if not self._ctx.complete:
                return True, self._ctx.step(challenge) or b""
            if self._layer_done or not challenge:
                return True, b""
            # the server's offer: security layers it accepts + its largest message; our choice
            offer = self._ctx.unwrap(challenge).message
            wanted = QOP_LAYERS[self.qop]
            if len(offer) != 4 or not offer[0] & wanted:
                self.error = f"the server does not offer SASL qop {self.qop} (layers {offer[:1]!r})"
                return False, b""
            max_size = 0 if self.qop == "auth" else int.from_bytes(offer[1:4], "big")
            reply = bytes([wanted]) + max_size.to_bytes(3, "big")
            self._layer_done = True
            return True, self._ctx.wrap(reply, False).message
        except gssapi.exceptions.GSSError as e:
            self.error = f"GSSAPI: {e.gen_message()}"
            return False, b""

    def encode(self, data: bytes) -> tuple[bool, bytes]:
        """A frame to send: as is for auth (the transport adds the length), else wrapped."""
        if self.qop == "auth":
            return True, data
        wrapped = self._ctx.wrap(data, self.qop == "auth-conf").message
        return True, struct.pack(">I", len(wrapped)) + wrapped

    def decode(self, frame: bytes) -> tuple[bool, bytes]:
        """A received wrapped frame (with its length header) unwrapped."""
        return True, self._ctx.unwrap(frame[4:]).message


class TokenSasl:
    """DIGEST-MD5 with a delegation token, as thriftpy2's TSaslClientTransport drives it: the
    challenge answered, then the server's rspauth checked (it proves the server knew the
    token's password); qop auth."""

    def __init__(self, token: Token) -> None:
        self._client = digest_md5.Client(token.identifier, token.password)
        self._answered = False
        self.error = ""

    def getError(self) -> str:  # noqa: N802 (the interface thriftpy2 calls)
        return self.error

    def start(self, mechanism: str) -> tuple[bool, str, bytes]:
        return True, digest_md5.MECHANISM, b""

    def step(self, challenge: bytes) -> tuple[bool, bytes]:
        try:
            if not self._answered:
                self._answered = True
                return True, self._client.respond(challenge)
            self._client.check(challenge)
            return True, b""
        except (digest_md5.DigestError, UnicodeDecodeError) as e:
            self.error = f"DIGEST-MD5 with the job's token: {e}"
            return False, b""

    def encode(self, data: bytes) -> tuple[bool, bytes]:
        return True, data

    def decode(self, frame: bytes) -> tuple[bool, bytes]:
        return True, frame[4:]


class SaslConnection(happybase.Connection):
    """happybase.Connection over SASL (no buffered/framed layer: SASL frames itself): GSSAPI
    with the user's ticket, or DIGEST-MD5 with a delegation token when given one."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        service: str,
        qop: str = "auth",
        token: Token | None = None,
        **kwargs: Any,
    ) -> None:
        self._sasl_service, self._sasl_qop, self._token = service, qop, token
        super().__init__(host, port, **kwargs)

    def _mechanism(self) -> Any:
        if self._token is not None:
            return TokenSasl(self._token)
        return GssapiSasl(self._sasl_service, self.host, self._sasl_qop)

    def _refresh_thrift_client(self) -> None:
        sock = TSocket(host=self.host, port=self.port, socket_timeout=self.timeout)
        mechanism = digest_md5.MECHANISM if self._token is not None else "GSSAPI"
        self.transport = SaslTransport(self._mechanism, mechanism, sock)
        #: the protocol, for the gateway's calls beyond Hbase (mr/clients/hbase_tokens.py)
        self.protocol = self._protocol_class(self.transport, decode_response=False)
        self.client = TClient(Hbase, self.protocol)
