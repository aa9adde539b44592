"""How mrkit's clients authenticate to the cluster: the one place that decides (DESIGN.md).

A cluster asks either for *simple* authentication (a user name, trusted as given: the open
cluster of ``mrkit cluster up``) or for *Kerberos* (the secure cluster of ``mrkit cluster up
--secure``, or a real Kerberized cluster). Which one:

1. ``MRKIT_AUTH`` (``simple`` or ``kerberos``), when set;
2. else ``hadoop.security.authentication`` in the Hadoop client configuration
   (``$HADOOP_CONF_DIR/core-site.xml``, else the open cluster's own conf dir);
3. else simple.

With Kerberos, every client uses the user's ticket cache (``KRB5CCNAME``; MIT's default
otherwise) and the realm set-up of ``KRB5_CONFIG`` (or /etc/krb5.conf); mrkit never reads a
keytab. ``require_ticket()`` fails closed before any call: one line naming the principal to
``kinit`` as (``MRKIT_PRINCIPAL``, else ``<user>@<default realm>``), exit code 2.

- WebHDFS (``mrkit hdfs``, mr/clients/hdfs.py, mrjob's calls in mr/lib/mrjob_webhdfs.py):
  :func:`webhdfs_session`, SPNEGO over HTTPS (requests-gssapi), the cluster's CA
  (``MRKIT_WEBHDFS_CA``) trusted explicitly and nothing from the environment: requests would
  otherwise let ``REQUESTS_CA_BUNDLE`` replace it;
- Oozie's REST API (mr/clients/oozie.py, ``mrkit oozie up --secure``): :func:`http_session`,
  SPNEGO as for WebHDFS; a 401 from a service (a ticket it does not accept) is
  :func:`refused`, the same one line as no ticket;
- Java clients (``hadoop jar`` and ``hadoop fs`` of ``-r hadoop``): :func:`java_env`, the
  krb5.conf for Java in ``HADOOP_CLIENT_OPTS`` (Java reads /etc/krb5.conf and ignores
  ``KRB5_CONFIG``); YARN gives the job's tasks delegation tokens, never a keytab. The Hive and
  Pig twins' JVMs on a cluster (started by mrkit, not by the launcher): :func:`java_options`.

- A task of a ``-r hadoop`` job has no ticket: :func:`job_token` finds the delegation token
  the job was given for a service (``HADOOP_TOKEN_FILE_LOCATION``, mr/lib/tokens.py); the HBase
  index (mr/clients/hbase.py) uses the gateway's token when there is one, else the ticket.

An expired ticket is told from none (``the ticket of alice@REALM has expired``); either way the
refusal names the principal to kinit as.

The Python side needs the ``kerberos`` extra (``pip install 'mrkit[kerberos]'``: gssapi and
requests-gssapi; gssapi builds against MIT Kerberos, Debian's libkrb5-dev).
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mr.lib.config import state_root
from mr.lib.errors import UsageError

AUTH_ENV = "MRKIT_AUTH"
PRINCIPAL_ENV = "MRKIT_PRINCIPAL"
KEYTAB_ENV = "MRKIT_KEYTAB"
CA_ENV = "MRKIT_WEBHDFS_CA"
METHODS = ("simple", "kerberos")
EXTRA_HINT = "pip install 'mrkit[kerberos]' (it builds gssapi: apt-get install libkrb5-dev)"


class NoTicket(UsageError):
    """The cluster wants Kerberos and the ticket cache holds no valid ticket: exit code 2."""


@dataclass(frozen=True)
class Ticket:
    """The ticket cache's principal and the seconds its ticket-granting ticket has left."""

    principal: str
    seconds_left: int | None


def hadoop_conf_dir() -> Path:
    """The Hadoop client configuration: $HADOOP_CONF_DIR, else the open cluster's conf dir."""
    conf = os.environ.get("HADOOP_CONF_DIR")
    return Path(conf) if conf else state_root() / "hadoop" / "conf"


def site_value(name: str, key: str, conf_dir: Path | None = None) -> str | None:
    """A property of <conf dir>/<name> (core-site.xml, hdfs-site.xml), or None."""
    import xml.etree.ElementTree as ET

    site = (conf_dir or hadoop_conf_dir()) / name
    try:
        root = ET.parse(site).getroot()
    except (OSError, ET.ParseError):
        return None
    for prop in root.iter("property"):
        if prop.findtext("name") == key:
            return (prop.findtext("value") or "").strip()
    return None


def method(conf_dir: Path | None = None) -> str:
    """'simple' or 'kerberos': what the cluster asks for (see the module docstring)."""
    chosen = os.environ.get(AUTH_ENV)
    if chosen:
        if chosen not in METHODS:
            raise UsageError(f"{AUTH_ENV}={chosen!r}: expected one of {', '.join(METHODS)}")
        return chosen
    value = site_value("core-site.xml", "hadoop.security.authentication", conf_dir)
    return "kerberos" if (value or "").lower() == "kerberos" else "simple"


def is_kerberos() -> bool:
    return method() == "kerberos"


def default_realm() -> str | None:
    """default_realm of the krb5.conf in use ($KRB5_CONFIG, else /etc/krb5.conf)."""
    for path in (os.environ.get("KRB5_CONFIG") or "/etc/krb5.conf").split(":"):
        try:
            text = Path(path).read_text()
        except OSError:
            continue
        found = re.search(r"^\s*default_realm\s*=\s*(\S+)", text, re.MULTILINE)
        if found:
            return found.group(1)
    return None


def expected_principal() -> str:
    """Whom the user should kinit as: $MRKIT_PRINCIPAL, else <user>@<default realm>."""
    principal = os.environ.get(PRINCIPAL_ENV)
    if principal:
        return principal
    realm = default_realm()
    return f"{getpass.getuser()}@{realm}" if realm else getpass.getuser()


def ticket() -> Ticket | None:
    """The valid ticket of the cache in use, or None (no cache, an empty or expired one)."""
    try:
        import gssapi
    except ImportError:
        return _ticket_from_klist()
    try:
        creds = gssapi.Credentials(usage="initiate")
        lifetime = creds.lifetime
        return Ticket(str(creds.name), lifetime)
    except gssapi.exceptions.GSSError:
        return None


def _ticket_from_klist() -> Ticket | None:
    klist = shutil.which("klist")
    if klist is None:
        raise UsageError(f"the cluster wants Kerberos: {EXTRA_HINT}, or install klist (krb5-user)")
    if subprocess.run([klist, "-s"], capture_output=True).returncode != 0:
        return None
    out = subprocess.run([klist], capture_output=True, text=True).stdout
    found = re.search(r"^Default principal:\s*(\S+)", out, re.MULTILINE)
    return Ticket(found.group(1) if found else "?", None)


def expired_holder() -> str | None:
    """Whose ticket the cache holds when that ticket has expired ('?' when klist cannot say);
    None when the cache holds a valid ticket or none at all (no cache, an empty one)."""
    try:
        import gssapi
    except ImportError:
        return None
    try:
        # inquiring the lifetime is what raises for an expired ticket
        gssapi.Credentials(usage="initiate").inquire(name=False, lifetime=True, usage=False)
        return None
    except gssapi.exceptions.ExpiredCredentialsError:
        pass
    except gssapi.exceptions.GSSError:
        return None
    klist = shutil.which("klist")
    out = subprocess.run([klist], capture_output=True, text=True).stdout if klist else ""
    found = re.search(r"^Default principal:\s*(\S+)", out, re.MULTILINE)
    return found.group(1) if found else "?"


def require_ticket() -> Ticket:
    """The ticket cache's valid ticket; NoTicket (one line: whom to kinit as) without one,
    saying whether the cache held none or an expired one."""
    held = ticket()
    if held is None or (held.seconds_left is not None and held.seconds_left <= 0):
        principal = expected_principal()
        keytab = ' -kt "$MRKIT_KEYTAB"' if os.environ.get(KEYTAB_ENV) else ""
        cache = os.environ.get("KRB5CCNAME", "default")
        expired = expired_holder() if held is None else held.principal
        if expired is None:
            problem = f"there is no valid ticket (cache {cache})"
        else:
            of = "" if expired == "?" else f" of {expired}"
            problem = f"the ticket{of} has expired (cache {cache})"
        raise NoTicket(
            f"the cluster wants Kerberos and {problem}: kinit as {principal} "
            f"(kinit{keytab} {principal})"
        )
    return held


def job_token(kind: str, service: str) -> Any:
    """The job's delegation token of kind for service (host:port), in a task; None elsewhere.
    A credentials file that cannot be read is a UsageError (one line), not a traceback."""
    from mr.lib import tokens

    try:
        return tokens.job_token(kind, service)
    except tokens.TokenError as e:
        raise UsageError(f"the job's credentials: {e}") from None


def ca_file() -> str | None:
    """The CA file that signs the cluster's HTTPS certificate: $MRKIT_WEBHDFS_CA, or None
    (then the CAs requests trusts by default, never REQUESTS_CA_BUNDLE's)."""
    ca = os.environ.get(CA_ENV)
    if ca and not Path(ca).is_file():
        raise UsageError(f"{CA_ENV}={ca!r} is not a file")
    return ca or None


def webhdfs_session() -> Any:
    """A requests session for a Kerberized WebHDFS: SPNEGO with the user's ticket, the cluster's
    CA, no trust in the environment (REQUESTS_CA_BUNDLE, proxies, .netrc). Checks the ticket
    first (NoTicket)."""
    require_ticket()
    try:
        from requests_gssapi import OPTIONAL, HTTPSPNEGOAuth
    except ImportError:
        raise UsageError(f"the cluster wants Kerberos (SPNEGO): {EXTRA_HINT}") from None
    import requests

    session = requests.Session()
    session.trust_env = False
    ca = ca_file()
    session.verify = ca if ca else True
    # OPTIONAL: the NameNode does not always sign its answer (mutual authentication)
    session.auth = HTTPSPNEGOAuth(mutual_authentication=OPTIONAL)
    return session


def http_session() -> Any:
    """A requests session for another Kerberized HTTP service of the cluster (Oozie's REST
    API): SPNEGO with the user's ticket, as :func:`webhdfs_session` (NoTicket without one)."""
    return webhdfs_session()


def refused(service: str) -> NoTicket:
    """The error for a service's 401 to a SPNEGO call: one line naming the principal."""
    principal = expected_principal()
    keytab = ' -kt "$MRKIT_KEYTAB"' if os.environ.get(KEYTAB_ENV) else ""
    return NoTicket(
        f"{service} refused the Kerberos ticket (HTTP 401): kinit as {principal} "
        f"(kinit{keytab} {principal})"
    )


def short_name(principal: str) -> str:
    """The user a service sees for a principal under auth_to_local DEFAULT: its first
    component (``alice@R`` and ``alice/host@R`` -> ``alice``)."""
    return principal.split("@", 1)[0].split("/", 1)[0]


def java_options(conf_dir: Path | None = None, env: Mapping[str, str] | None = None) -> list[str]:
    """The JVM options of a Java Hadoop client that mrkit starts itself (the Hive and Pig twins'
    JVMs on a cluster, not through the ``hadoop`` launcher): ``-Djava.security.krb5.conf``
    when ``KRB5_CONFIG`` is set and the cluster (of ``conf_dir``) wants Kerberos; else empty.
    Without it Java read /etc/krb5.conf and Pig's login failed (``NoMatchingRule: No rules
    applied to root@MRKIT.TEST``)."""
    env = os.environ if env is None else env
    krb5 = env.get("KRB5_CONFIG")
    if not krb5 or method(conf_dir) != "kerberos":
        return []
    return [f"-Djava.security.krb5.conf={krb5}"]


def java_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """What a Java Hadoop client's environment needs on top of ``env`` (default os.environ):
    ``-Djava.security.krb5.conf=$KRB5_CONFIG`` in HADOOP_CLIENT_OPTS, since Java ignores
    KRB5_CONFIG (not JAVA_TOOL_OPTIONS, which makes every JVM print a line). Java honours
    KRB5CCNAME itself. Empty when nothing is needed."""
    env = os.environ if env is None else env
    krb5 = env.get("KRB5_CONFIG")
    opts = env.get("HADOOP_CLIENT_OPTS", "")
    if not krb5 or "java.security.krb5.conf" in opts:
        return {}
    return {"HADOOP_CLIENT_OPTS": f"{opts} -Djava.security.krb5.conf={krb5}".strip()}
