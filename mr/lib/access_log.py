"""Parse web server access log lines: Apache/Nginx common and combined formats.

Common:   ``%h %l %u %t "%r" %>s %b``
Combined: common plus ``"%{Referer}i" "%{User-Agent}i"``; further fields after those (Nginx's
``"$http_x_forwarded_for"`` and the like) are allowed and ignored.

    ``2001:db8::1 - ann [10/Oct/2000:13:55:36 -0700] "GET /a.gif?x=1 HTTP/1.0" 200 2326 "-" "curl"``

- the host may be an IPv4 or IPv6 address or a name; ``-`` user and ident become None;
- quoted fields may contain escaped quotes and backslashes (``\\"``, ``\\\\``, as Apache writes
  them); other escapes such as Nginx's ``\\x22`` are kept as written;
- bytes ``-`` (nothing sent) is 0;
- the time keeps its UTC offset; ``hour_utc`` gives ``YYYY-MM-DDTHH`` in UTC;
- a request line that is not ``METHOD TARGET [PROTOCOL]`` (``-``, junk from TLS probes) leaves
  method, target and path None but the line still parses; ``path`` is the target without its
  query string (``/a.gif``).
A line that does not match the format gives None.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

_QUOTED = r'"((?:[^"\\]|\\.)*)"'
_LINE_RE = re.compile(
    r"(?P<host>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]+)\] "
    + _QUOTED.replace("(", "(?P<request>", 1)
    + r" (?P<status>\d{3}) (?P<bytes>\d+|-)"
    + r"(?: "
    + _QUOTED.replace("(", "(?P<referer>", 1)
    + " "
    + _QUOTED.replace("(", "(?P<agent>", 1)
    + r"(?: .*)?)?"
)
_TIME_RE = re.compile(r"(\d{2})/([A-Za-z]{3})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})")
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
# datetime.UTC is 3.11+; mrkit supports 3.10
UTC = timezone.utc  # noqa: UP017
_UNESCAPE_RE = re.compile(r'\\(["\\])')

#: a response with a status at or above this is an error (a server error, 5xx)
ERROR_STATUS = 500


class AccessLogRecord(NamedTuple):
    host: str
    ident: str | None
    user: str | None
    time: datetime
    request: str
    method: str | None
    target: str | None
    protocol: str | None
    status: int
    bytes: int
    referer: str | None
    user_agent: str | None

    @property
    def path(self) -> str | None:
        """The request target without its query string."""
        return None if self.target is None else self.target.split("?", 1)[0]

    @property
    def is_error(self) -> bool:
        """Whether the response was a server error (status ERROR_STATUS or above)."""
        return self.status >= ERROR_STATUS

    @property
    def hour_utc(self) -> str:
        """The hour of the request in UTC, ``YYYY-MM-DDTHH``."""
        return self.time.astimezone(UTC).strftime("%Y-%m-%dT%H")


def parse_log_time(text: str) -> datetime | None:
    """``10/Oct/2000:13:55:36 -0700`` as an aware datetime, or None."""
    m = _TIME_RE.fullmatch(text)
    if not m:
        return None
    day, mon, year, hh, mm, ss, sign, oh, om = m.groups()
    month = _MONTHS.get(mon.lower())
    if month is None:
        return None
    offset = timedelta(hours=int(oh), minutes=int(om))
    try:
        return datetime(
            int(year), month, int(day), int(hh), int(mm), int(ss),
            tzinfo=timezone(-offset if sign == "-" else offset),
        )  # fmt: skip
    except ValueError:
        return None


def split_request(request: str) -> tuple[str | None, str | None, str | None]:
    """(method, target, protocol) of a request line, all None if it is not one."""
    parts = request.split(" ")
    if len(parts) >= 3 and parts[-1].startswith("HTTP/"):
        method, target, protocol = parts[0], " ".join(parts[1:-1]), parts[-1]
    elif len(parts) == 2:  # HTTP/0.9: no protocol
        (method, target), protocol = parts, None
    else:
        return None, None, None
    if not method.isalpha() or not method.isupper() or not target:
        return None, None, None
    return method, target, protocol


def _dash(value: str | None) -> str | None:
    return None if value in (None, "-") else value


def _unescape(value: str) -> str:
    return _UNESCAPE_RE.sub(r"\1", value)


def parse_access_log(line: str) -> AccessLogRecord | None:
    """One access log line (common or combined format) as a record, or None."""
    m = _LINE_RE.fullmatch(line.rstrip("\r\n"))
    if not m:
        return None
    time = parse_log_time(m["time"])
    if time is None:
        return None
    request = _unescape(m["request"])
    method, target, protocol = split_request(request)
    referer, agent = m["referer"], m["agent"]
    return AccessLogRecord(
        host=m["host"],
        ident=_dash(m["ident"]),
        user=_dash(m["user"]),
        time=time,
        request=request,
        method=method,
        target=target,
        protocol=protocol,
        status=int(m["status"]),
        bytes=0 if m["bytes"] == "-" else int(m["bytes"]),
        referer=_dash(None if referer is None else _unescape(referer)),
        user_agent=_dash(None if agent is None else _unescape(agent)),
    )
