"""Delegation tokens as Hadoop writes them: the token, its identifier, the credentials file.

A job's tasks on a Kerberized cluster have no ticket: YARN gives them the job's *credentials*,
a file named by ``HADOOP_TOKEN_FILE_LOCATION`` holding the delegation tokens obtained at
submission (HDFS's, YARN's, and whatever ``mapreduce.job.credentials.binary`` added). mrkit's
HBase Thrift gateway issues tokens of its own kind (:data:`HBASE_THRIFT_KIND`): the launcher asks
for one with its ticket, puts it in such a file for the job, and the tasks answer the gateway's
SASL DIGEST-MD5 challenge with it (mr/lib/digest_md5.py), as Hadoop's RPC and HiveServer2 do.

The formats are Hadoop's, so Hadoop's own tools read what this module writes
(``hadoop dtutil print``) and the other way round:

- a token (``org.apache.hadoop.security.token.Token``): identifier, password, kind, service;
- its identifier (``AbstractDelegationTokenIdentifier``): version 0, owner, renewer, real user,
  issue and max dates (ms), sequence number, master key id, in Writable encoding;
- the password: HMAC-SHA1 of the identifier under the issuer's master key (``SecretManager``);
- a credentials file (``Credentials``): ``HDTS``, then version 0 (Writable) or 1 (protobuf).

:class:`SecretManager` is the issuing side (the gateway's): master key, tokens outstanding,
renewal and cancellation, kept in a 0600 file so that a restarted gateway honours the tokens
of the jobs still running.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: the kind of the tokens mrkit's HBase Thrift gateway issues
HBASE_THRIFT_KIND = "MRKIT_HBASE_THRIFT_TOKEN"
#: HBase's defaults (hbase.auth.token.max.lifetime 7 days; Hadoop renews daily)
MAX_LIFETIME_MS = 7 * 24 * 3600 * 1000
RENEW_INTERVAL_MS = 24 * 3600 * 1000
MAGIC = b"HDTS"
#: the environment variable YARN sets in every container: the job's credentials file
TOKEN_FILE_ENV = "HADOOP_TOKEN_FILE_LOCATION"


class TokenError(Exception):
    """A token or credentials file that cannot be read, or a token the issuer refuses."""


# -- Hadoop's Writable encodings (WritableUtils) --------------------------------------------------


def write_vlong(value: int) -> bytes:
    """WritableUtils.writeVLong: one byte for -112..127, else a length byte and big-endian bytes."""
    if -112 <= value <= 127:
        return (value & 0xFF).to_bytes(1, "big")
    length = -112
    if value < 0:
        value = ~value
        length = -120
    tmp = value
    while tmp:
        tmp >>= 8
        length -= 1
    size = -(length + 120) if length < -120 else -(length + 112)
    return (length & 0xFF).to_bytes(1, "big") + value.to_bytes(size, "big")


class Reader:
    """Hadoop's DataInput over bytes: vlongs, Text, length-prefixed byte arrays."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise TokenError(f"truncated: wanted {n} bytes at {self.pos} of {len(self.data)}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def vlong(self) -> int:
        first = int.from_bytes(self.take(1), "big", signed=True)
        if first >= -112:
            return first
        size = -119 - first if first < -120 else -111 - first
        value = int.from_bytes(self.take(size - 1), "big")
        return ~value if first < -120 else value

    def bytes_(self) -> bytes:
        return self.take(self.vlong())

    def text(self) -> str:
        return self.bytes_().decode("utf-8")

    def varint(self) -> int:
        """A protobuf varint (the version 1 file)."""
        value = shift = 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7

    def done(self) -> bool:
        return self.pos >= len(self.data)


def write_bytes(data: bytes) -> bytes:
    return write_vlong(len(data)) + data


def write_text(text: str) -> bytes:
    return write_bytes(text.encode("utf-8"))


# -- tokens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identifier:
    """An AbstractDelegationTokenIdentifier: who owns the token, until when, under which key."""

    owner: str
    renewer: str
    real_user: str
    issue_date: int
    max_date: int
    sequence: int
    key_id: int

    def encode(self) -> bytes:
        return b"".join(
            (
                b"\x00",  # the identifier's version
                write_text(self.owner),
                write_text(self.renewer),
                write_text(self.real_user),
                write_vlong(self.issue_date),
                write_vlong(self.max_date),
                write_vlong(self.sequence),
                write_vlong(self.key_id),
            )
        )

    @classmethod
    def decode(cls, data: bytes) -> Identifier:
        r = Reader(data)
        if r.take(1) != b"\x00":
            raise TokenError("not a delegation token identifier of version 0")
        owner, renewer, real_user = r.text(), r.text(), r.text()
        ident = cls(owner, renewer, real_user, r.vlong(), r.vlong(), r.vlong(), r.vlong())
        if not r.done():
            raise TokenError("trailing bytes after the token identifier")
        return ident


@dataclass(frozen=True)
class Token:
    """A token: an identifier, its password, its kind and the service (host:port) it is for."""

    identifier: bytes
    password: bytes
    kind: str
    service: str

    def encode(self) -> bytes:
        return b"".join(
            (
                write_bytes(self.identifier),
                write_bytes(self.password),
                write_text(self.kind),
                write_text(self.service),
            )
        )

    @classmethod
    def read(cls, r: Reader) -> Token:
        return cls(r.bytes_(), r.bytes_(), r.text(), r.text())

    def url_string(self) -> str:
        """Token.encodeToUrlString: what `hadoop dtutil import` takes."""
        return base64.urlsafe_b64encode(self.encode()).decode().rstrip("=")

    def owner(self) -> str:
        return Identifier.decode(self.identifier).owner

    def __repr__(self) -> str:  # never the password, in a log or a traceback
        return f"Token(kind={self.kind!r}, service={self.service!r})"


def password(key: bytes, identifier: bytes) -> bytes:
    """SecretManager.createPassword: HMAC-SHA1 of the identifier under the master key."""
    return hmac.new(key, identifier, hashlib.sha1).digest()


# -- credentials files ------------------------------------------------------------------------


def write_credentials(tokens: dict[str, Token]) -> bytes:
    """A credentials file (version 0, Writable) holding tokens under their aliases."""
    out = [MAGIC, b"\x00", write_vlong(len(tokens))]
    for alias, token in tokens.items():
        out += [write_text(alias), token.encode()]
    out.append(write_vlong(0))  # no secret keys
    return b"".join(out)


def _proto_fields(data: bytes) -> Iterator[tuple[int, bytes | int]]:
    r = Reader(data)
    while not r.done():
        key = r.varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            yield number, r.varint()
        elif wire == 2:
            yield number, r.take(r.varint())
        else:
            raise TokenError(f"credentials: protobuf wire type {wire} unexpected")


def _proto_token(data: bytes) -> Token:
    fields: dict[int, bytes] = {n: v for n, v in _proto_fields(data) if isinstance(v, bytes)}
    return Token(
        fields.get(1, b""),
        fields.get(2, b""),
        fields.get(3, b"").decode(),
        fields.get(4, b"").decode(),
    )


def read_credentials(data: bytes) -> dict[str, Token]:
    """The tokens of a credentials file of either version, by alias."""
    r = Reader(data)
    if r.take(4) != MAGIC:
        raise TokenError("not a Hadoop credentials file (no HDTS header)")
    version = r.take(1)[0]
    tokens: dict[str, Token] = {}
    if version == 0:
        for _ in range(r.vlong()):
            alias = r.text()
            tokens[alias] = Token.read(r)
    elif version == 1:  # CredentialsProto, length-delimited: tokens are field 1
        for number, kv in _proto_fields(r.take(r.varint())):
            if number == 1 and isinstance(kv, bytes):
                entry = dict(_proto_fields(kv))
                name, token = entry.get(1, b""), entry.get(2)
                if isinstance(name, bytes) and isinstance(token, bytes):
                    tokens[name.decode()] = _proto_token(token)
    else:
        raise TokenError(f"credentials file version {version}: this mrkit reads 0 and 1")
    return tokens


def job_token(kind: str, service: str, environ: dict[str, str] | None = None) -> Token | None:
    """The token of this kind for service in the job's credentials (a task's
    HADOOP_TOKEN_FILE_LOCATION), else None; TokenError if the file cannot be read."""
    location = (os.environ if environ is None else environ).get(TOKEN_FILE_ENV)
    if not location:
        return None
    try:
        data = Path(location).read_bytes()
    except OSError as e:
        raise TokenError(f"{TOKEN_FILE_ENV}={location}: {e.strerror}") from None
    for token in read_credentials(data).values():
        if token.kind == kind and token.service == service:
            return token
    return None


def save_credentials(path: Path, tokens: dict[str, Token]) -> None:
    """Write a credentials file readable by its owner only (it holds passwords)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(write_credentials(tokens))


# -- the issuing side -------------------------------------------------------------------------


def _now_ms() -> int:
    return int(time.time() * 1000)


class SecretManager:
    """Issues, checks, renews and cancels tokens of one kind, as Hadoop's
    AbstractDelegationTokenSecretManager: a master key, and the tokens outstanding with their
    expiry. With a store path, both are kept there (0600, written then renamed)."""

    def __init__(
        self,
        kind: str,
        store: Path | None = None,
        max_lifetime_ms: int = MAX_LIFETIME_MS,
        renew_interval_ms: int = RENEW_INTERVAL_MS,
    ) -> None:
        self.kind, self.store = kind, store
        self.max_lifetime_ms, self.renew_interval_ms = max_lifetime_ms, renew_interval_ms
        self._lock = threading.Lock()
        self.key_id, self.key = 1, secrets.token_bytes(64)
        self.sequence = 0
        #: sequence number -> expiry (ms) of each token outstanding
        self.expiry: dict[int, int] = {}
        if store is not None and store.exists():
            state = json.loads(store.read_text())
            self.key_id, self.key = state["key_id"], base64.b64decode(state["key"])
            self.sequence = state["sequence"]
            self.expiry = {int(k): v for k, v in state["expiry"].items()}
        self._save()

    def _save(self) -> None:
        if self.store is None:
            return
        now = _now_ms()
        self.expiry = {s: e for s, e in self.expiry.items() if e > now}
        state = {
            "key_id": self.key_id,
            "key": base64.b64encode(self.key).decode(),
            "sequence": self.sequence,
            "expiry": self.expiry,
        }
        tmp = self.store.with_name(self.store.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(state, f)
        os.replace(tmp, self.store)

    def issue(self, owner: str, renewer: str, service: str, real_user: str = "") -> Token:
        """A new token for owner (an authenticated Kerberos user: the caller checks)."""
        with self._lock:
            self.sequence += 1
            now = _now_ms()
            ident = Identifier(
                owner, renewer, real_user, now, now + self.max_lifetime_ms, self.sequence,
                self.key_id,
            )  # fmt: skip
            self.expiry[ident.sequence] = min(ident.max_date, now + self.renew_interval_ms)
            self._save()
        data = ident.encode()
        return Token(data, password(self.key, data), self.kind, service)

    def check(self, identifier: bytes) -> tuple[Identifier, bytes]:
        """The identifier decoded and its password, if the token is valid now; else TokenError
        saying why (unknown key, cancelled or never issued, expired)."""
        ident = Identifier.decode(identifier)
        if ident.key_id != self.key_id:
            raise TokenError(f"token of {ident.owner}: unknown master key {ident.key_id}")
        with self._lock:
            expiry = self.expiry.get(ident.sequence)
        if expiry is None:
            raise TokenError(f"token of {ident.owner} (#{ident.sequence}) is cancelled or unknown")
        if expiry < _now_ms():
            raise TokenError(f"token of {ident.owner} (#{ident.sequence}) has expired")
        return ident, password(self.key, identifier)

    def _known(self, token: Token) -> Identifier:
        ident, expected = self.check(token.identifier)
        if not hmac.compare_digest(expected, token.password):
            raise TokenError(f"token of {ident.owner}: wrong password")
        return ident

    def renew(self, token: Token, caller: str) -> int:
        """Push the expiry one interval further (not past the max date); the new expiry (ms).
        Only the token's renewer may: caller is a short name, as the renewer is."""
        ident = self._known(token)
        if caller != ident.renewer:
            raise TokenError(f"{caller} may not renew a token whose renewer is {ident.renewer}")
        with self._lock:
            expiry = min(ident.max_date, _now_ms() + self.renew_interval_ms)
            self.expiry[ident.sequence] = expiry
            self._save()
        return expiry

    def cancel(self, token: Token, principal: str, short_name: str) -> None:
        """Forget the token; its owner (a principal) or renewer (a short name) may."""
        ident = self._known(token)
        if principal != ident.owner and short_name != ident.renewer:
            raise TokenError(f"{principal} may not cancel a token of {ident.owner}")
        with self._lock:
            self.expiry.pop(ident.sequence, None)
            self._save()

    def outstanding(self) -> Iterable[int]:
        with self._lock:
            return sorted(self.expiry)
