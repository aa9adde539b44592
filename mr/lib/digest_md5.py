"""SASL DIGEST-MD5 (RFC 2831) with a delegation token, as Hadoop's RPC uses it (pure functions).

A task has no Kerberos ticket, only the job's tokens (mr/lib/tokens.py). Hadoop authenticates
such a caller with DIGEST-MD5: the user name is the token's identifier in base64, the password
its password in base64, the realm ``default``, the digest-uri ``/default``
(``SaslRpcServer.SASL_DEFAULT_REALM``, an empty protocol). The password never crosses the wire:
the server, which can recompute it from the identifier (HMAC under its master key), checks the
client's response, and answers with ``rspauth`` so the client knows the server had it too.

Only the ``auth`` quality of protection (no integrity or confidentiality layer), which is what
mrkit's gateways negotiate by default; a server asking for more is refused by :class:`Client`.

    server = Server(lookup)               # lookup(username) -> password, or raises
    challenge = server.challenge()
    client = Client(token.identifier, token.password)
    response = client.respond(challenge)
    rspauth = server.verify(response)     # the caller's identifier, checked; or DigestError
    client.check(rspauth)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable

MECHANISM = "DIGEST-MD5"
REALM = "default"
DIGEST_URI = "/default"
QOP = "auth"
NC = "00000001"


class DigestError(Exception):
    """A challenge or response that is malformed, or a response that does not check."""


def encode_username(identifier: bytes) -> str:
    return base64.b64encode(identifier).decode()


def encode_password(password: bytes) -> str:
    return base64.b64encode(password).decode()


_DIRECTIVE = re.compile(r'\s*([A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^",]*)\s*(?:,|$)')


def parse(text: str) -> dict[str, str]:
    """A DIGEST-MD5 challenge or response -> {directive: value}, quotes and escapes removed."""
    out: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        m = _DIRECTIVE.match(text, pos)
        if not m or m.end() == pos:
            raise DigestError(f"malformed DIGEST-MD5 directives at {text[pos : pos + 20]!r}")
        name, value = m.group(1).lower(), m.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        if name in out:
            raise DigestError(f"DIGEST-MD5 directive {name} given twice")
        out[name] = value
        pos = m.end()
    return out


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _h(data: bytes) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


def _hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _digest(username: str, password: str, d: dict[str, str], a2_prefix: str) -> str:
    """The response value (a2_prefix "AUTHENTICATE") or rspauth (a2_prefix "")."""
    a1 = _h(f"{username}:{d['realm']}:{password}".encode()) + (
        f":{d['nonce']}:{d['cnonce']}".encode()
    )
    a2 = f"{a2_prefix}:{d['digest-uri']}".encode()
    kd = f"{_hex(a1)}:{d['nonce']}:{d['nc']}:{d['cnonce']}:{d['qop']}:{_hex(a2)}"
    return _hex(kd.encode())


class Client:
    """The client side: respond to the server's challenge, then check its rspauth."""

    def __init__(self, identifier: bytes, password: bytes) -> None:
        self.username = encode_username(identifier)
        self._password = encode_password(password)
        self._sent: dict[str, str] = {}

    def respond(self, challenge: bytes) -> bytes:
        c = parse(challenge.decode("utf-8"))
        qops = [q.strip() for q in c.get("qop", QOP).split(",")]
        if QOP not in qops:
            raise DigestError(f"the server offers qop {c.get('qop')}: only auth is supported")
        if "nonce" not in c:
            raise DigestError("the server's challenge has no nonce")
        d = {
            "realm": c.get("realm", REALM),
            "nonce": c["nonce"],
            "cnonce": secrets.token_urlsafe(24),
            "nc": NC,
            "qop": QOP,
            "digest-uri": DIGEST_URI,
        }
        response = _digest(self.username, self._password, d, "AUTHENTICATE")
        self._sent = d
        fields = [
            ("charset", "utf-8"),
            ("username", _quote(self.username)),
            ("realm", _quote(d["realm"])),
            ("nonce", _quote(d["nonce"])),
            ("nc", NC),
            ("cnonce", _quote(d["cnonce"])),
            ("digest-uri", _quote(DIGEST_URI)),
            ("maxbuf", "65536"),
            ("response", response),
            ("qop", QOP),
        ]
        return ",".join(f"{k}={v}" for k, v in fields).encode()

    def check(self, rspauth: bytes) -> None:
        """The server's rspauth=...: DigestError unless it proves the server knew the password."""
        got = parse(rspauth.decode("utf-8")).get("rspauth", "")
        expected = _digest(self.username, self._password, self._sent, "")
        if not self._sent or not hmac.compare_digest(got, expected):
            raise DigestError("the server's rspauth does not match: not the token's issuer")


class Server:
    """The server side: a challenge, then the client's response checked against the password
    that ``lookup(username)`` gives (it raises for an unknown or invalid token)."""

    def __init__(self, lookup: Callable[[str], str]) -> None:
        self.lookup = lookup
        self.nonce = secrets.token_urlsafe(24)

    def challenge(self) -> bytes:
        return (
            f'realm="{REALM}",nonce="{self.nonce}",qop="{QOP}",charset=utf-8,algorithm=md5-sess'
        ).encode()

    def verify(self, response: bytes) -> tuple[str, bytes]:
        """(the client's username, the rspauth to send it); DigestError if it does not check."""
        d = parse(response.decode("utf-8"))
        missing = {"username", "nonce", "cnonce", "nc", "digest-uri", "response"} - set(d)
        if missing:
            raise DigestError(f"DIGEST-MD5 response without {', '.join(sorted(missing))}")
        d.setdefault("realm", REALM)
        d.setdefault("qop", QOP)
        if d["qop"] != QOP:
            raise DigestError(f"qop {d['qop']}: only auth is supported")
        if d["nonce"] != self.nonce or d["nc"] != NC:
            raise DigestError("DIGEST-MD5 response to another challenge (nonce or nc)")
        if d["realm"] != REALM or d["digest-uri"] != DIGEST_URI:
            raise DigestError(f"realm {d['realm']!r} / digest-uri {d['digest-uri']!r} unexpected")
        password = self.lookup(d["username"])
        expected = _digest(d["username"], password, d, "AUTHENTICATE")
        if not hmac.compare_digest(expected, d["response"]):
            raise DigestError("DIGEST-MD5 response does not match the token's password")
        return d["username"], f"rspauth={_digest(d['username'], password, d, '')}".encode()
