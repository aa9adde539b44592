"""Oozie's REST API (Web Services API v2) from Python: the standard library, and requests with
SPNEGO on a Kerberos cluster.

``Oozie(url, user)``: submit a workflow (``POST /v2/jobs?action=start`` with the job's properties
as a Hadoop ``<configuration>``), read a job (``GET /v2/job/<id>?show=info``) and its log, kill it
(``PUT /v2/job/<id>?action=kill``), read the server's status; check an application the way the
server does (``POST /v2/validate``: its XSDs; ``POST /v2/jobs?action=dryrun``: a submit that
parses the workflow, graph included, and starts nothing). Authentication, as mr/lib/auth.py
decides for the cluster: Oozie's "simple" kind (the user name goes with every call as
``user.name``), or Kerberos: SPNEGO with the user's ticket (``mrkit oozie up --secure``), the
user being the ticket's short name; no ticket, or a 401 from the server, is
:class:`~mr.lib.auth.NoTicket` (one line naming the principal to kinit as, exit code 2). The
server's errors (HTTP 4xx/5xx with the ``oozie-error-code`` and ``oozie-error-message`` headers)
become :class:`OozieError` with the code and message; a server that does not answer becomes
:class:`OozieUnavailable`.

The URL: the argument, else ``$OOZIE_URL`` (as Oozie's own CLI reads it), else the server of
``mrkit oozie up`` (``mrkit oozie up --secure``'s when the cluster is Kerberos).
"""

from __future__ import annotations

import getpass
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from mr.lib import auth

#: seconds a call may take (a submit parses the workflow and copies nothing: it is quick)
TIMEOUT = 30.0


class OozieError(RuntimeError):
    """The server refused a call: its error code (E0701 ...) and message."""

    def __init__(self, code: str, message: str, status: int | None = None):
        # the server's message often starts with its code already ("E0701: XML schema ...")
        said = message if not code or message.startswith(code) else f"{code}: {message}"
        super().__init__(said)
        self.code = code
        self.message = message
        self.status = status


class OozieUnavailable(OozieError):
    """No server answers at the URL."""


def configuration_xml(properties: Mapping[str, str]) -> str:
    """Job properties as the Hadoop <configuration> document Oozie's submit call reads."""
    rows = "".join(
        f"<property><name>{escape(k)}</name><value>{escape(v)}</value></property>"
        for k, v in properties.items()
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><configuration>{rows}</configuration>'


def default_url() -> str:
    """$OOZIE_URL, else the server of `mrkit oozie up`; OozieUnavailable if neither."""
    url = os.environ.get("OOZIE_URL")
    if url:
        return url.rstrip("/")
    from mr.lib.config import state_root

    engine, up = ("oozie", "mrkit oozie up")
    if auth.is_kerberos():
        engine, up = ("oozie-secure", "mrkit oozie up --secure")
    try:
        return str(json.loads((state_root() / engine / "state.json").read_text())["url"])
    except (OSError, ValueError, KeyError):
        raise OozieUnavailable(
            "", f"no Oozie server: start one with `{up}`, or set OOZIE_URL"
        ) from None


class Oozie:
    """One Oozie server, as one user."""

    def __init__(self, url: str | None = None, user: str | None = None):
        self.url = (url or default_url()).rstrip("/")
        #: a requests session with SPNEGO when the cluster is Kerberos, else None (simple)
        self.session: Any = None
        if auth.is_kerberos():
            # the server takes the user from the ticket, whatever user.name says
            self.session = auth.http_session()
            self.user = auth.short_name(auth.require_ticket().principal)
        else:
            self.user = user or getpass.getuser()

    def call(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        body: str | None = None,
    ) -> bytes:
        if self.session is not None:
            return self._call_spnego(method, path, params, body)
        query = urllib.parse.urlencode({**(params or {}), "user.name": self.user})
        request = urllib.request.Request(
            f"{self.url}/v2/{path}?{query}",
            data=body.encode("utf-8") if body is not None else None,
            method=method,
            headers={"Content-Type": "application/xml;charset=UTF-8"} if body else {},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as e:
            code = e.headers.get("oozie-error-code") or f"HTTP {e.code}"
            message = e.headers.get("oozie-error-message") or e.reason
            raise OozieError(code, str(message), e.code) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise OozieUnavailable(
                "",
                f"Oozie at {self.url} does not answer ({reason}): is it up? (`mrkit oozie status`)",
            ) from None

    def _call_spnego(
        self, method: str, path: str, params: Mapping[str, str] | None, body: str | None
    ) -> bytes:
        import requests

        url = f"{self.url}/v2/{path}"
        try:
            answer = self.session.request(
                method,
                url,
                params=dict(params or {}),
                data=body.encode("utf-8") if body is not None else None,
                headers={"Content-Type": "application/xml;charset=UTF-8"} if body else {},
                timeout=TIMEOUT,
            )
        except requests.exceptions.RequestException as e:
            raise OozieUnavailable(
                "",
                f"Oozie at {self.url} does not answer ({type(e).__name__}): is it up? "
                "(`mrkit oozie status --secure`)",
            ) from None
        if answer.status_code == 401:  # a ticket it does not accept, or expired since the check
            raise auth.refused(f"Oozie at {self.url}")
        if answer.status_code >= 400:
            code = answer.headers.get("oozie-error-code") or f"HTTP {answer.status_code}"
            message = answer.headers.get("oozie-error-message") or answer.reason
            raise OozieError(code, str(message), answer.status_code)
        return bytes(answer.content)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        raw = self.call(method, path, **kwargs)
        return json.loads(raw) if raw.strip() else {}

    def status(self) -> str:
        """The system mode: NORMAL, NOWEBSERVICE or SAFEMODE."""
        return str(self.json("GET", "admin/status").get("systemMode"))

    def submit(self, properties: Mapping[str, str], start: bool = True) -> str:
        """Submit (and start) a job from its properties; its id (…-W, …-C or …-B)."""
        params = {"action": "start"} if start else {}
        body = configuration_xml({**properties, "user.name": self.user})
        return str(self.json("POST", "jobs", params=params, body=body)["id"])

    def validate(self, xml: str, name: str = "workflow.xml") -> None:
        """The server's XSD check of one workflow, coordinator or bundle; OozieError if invalid."""
        self.call("POST", "validate", params={"file": name, "user": self.user}, body=xml)

    def dry_run(self, properties: Mapping[str, str]) -> None:
        """Submit without creating a job: the server parses the application (its XSD, graph and
        required parameters) and answers OK, or OozieError with what it rejects."""
        body = configuration_xml({**properties, "user.name": self.user})
        self.call("POST", "jobs", params={"action": "dryrun"}, body=body)

    def info(self, job_id: str) -> dict[str, Any]:
        """The job and its actions, as Oozie reports them."""
        return dict(self.json("GET", f"job/{job_id}", params={"show": "info"}))

    def definition(self, job_id: str) -> str:
        return self.call("GET", f"job/{job_id}", params={"show": "definition"}).decode()

    def log(self, job_id: str) -> str:
        raw = self.call("GET", f"job/{job_id}", params={"show": "log"})
        return raw.decode("utf-8", "replace")

    def kill(self, job_id: str) -> None:
        self.call("PUT", f"job/{job_id}", params={"action": "kill"})

    def jobs(self, jobtype: str = "wf", length: int = 50) -> list[dict[str, Any]]:
        answer = self.json("GET", "jobs", params={"jobtype": jobtype, "len": str(length)})
        key = {"wf": "workflows", "coordinator": "coordinatorjobs", "bundle": "bundlejobs"}
        return list(answer.get(key.get(jobtype, "workflows"), []))
