#!/usr/bin/env python3
"""Generate a web server access log in Apache's combined format, deterministically from a seed.

    %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"
    203.0.113.7 - - [05/Jan/2026:00:00:03 +0000] "GET /docs/42 HTTP/1.1" 200 5120 "-" "curl/8.5.0"

Clients and URLs are Zipf-distributed; time moves forward from --start with random gaps; statuses
are mostly 200 with 3xx, 4xx and 5xx mixed in; %b is "-" when no body was sent (304, HEAD); a few
requests hold a quote, escaped as \\" the way Apache writes it.

--bad-fraction F makes about that fraction of lines malformed (truncated, garbage, a bad
timestamp, a non-numeric status, an unquoted request, an empty line) so that jobs can show they
count and skip them; all lines stay ASCII.

    .venv/bin/python scripts/gen_access_log.py --lines 100000 --bad-fraction 0.01 -o access.log
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from random import Random

from gen_common import ZipfSampler, atomic_output, base_parser, parse_size, write_limited

# datetime.UTC is 3.11+; mrkit supports 3.10
UTC = timezone.utc  # noqa: UP017
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_METHODS = (("GET", 86), ("POST", 9), ("HEAD", 3), ("PUT", 1), ("DELETE", 1))
_STATUSES = (
    (200, 760),
    (304, 80),
    (404, 60),
    (301, 20),
    (302, 20),
    (206, 10),
    (403, 10),
    (400, 10),
    (500, 20),
    (503, 10),
)
_PROTOCOLS = (("HTTP/1.1", 80), ("HTTP/2.0", 15), ("HTTP/1.0", 5))
_AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
    "-",
)
_SECOND = timedelta(seconds=1)
_SECTIONS = ("products", "blog", "docs", "api/v1/items", "users", "search", "static/img")
_REFERERS = ("https://www.example.com/", "https://search.example.org/?q=shop", "-")


class _Weighted:
    """Seeded draws from a small (value, weight) table, k at a time."""

    def __init__(self, table: tuple) -> None:
        self.values = [v for v, _ in table]
        self.cum = list(itertools.accumulate(w for _, w in table))

    def sample(self, rng: Random, k: int) -> list:
        return rng.choices(self.values, cum_weights=self.cum, k=k)


def _urls(rng: Random, n: int) -> list[str]:
    urls = ["/", "/index.html", "/favicon.ico", "/robots.txt", "/static/css/site.css"]
    while len(urls) < n:
        section = rng.choice(_SECTIONS)
        if section == "search":
            urls.append(f"/search?q=item{rng.randrange(1000)}&page={rng.randrange(1, 6)}")
        elif section == "static/img":
            urls.append(f"/static/img/{rng.randrange(10_000):04d}.png")
        else:
            urls.append(f"/{section}/{rng.randrange(100_000)}")
    return urls


def _ips(rng: Random, n: int) -> list[str]:
    # documentation and private ranges only (RFC 5737, RFC 1918)
    prefixes = ("192.0.2", "198.51.100", "203.0.113", "10.0.7", "172.16.4")
    return [f"{rng.choice(prefixes)}.{rng.randrange(1, 255)}" for _ in range(n)]


def format_time(t: datetime) -> str:
    """Apache's %t: [05/Jan/2026:00:00:03 +0000]."""
    offset = t.strftime("%z") or "+0000"
    return f"[{t.day:02d}/{_MONTHS[t.month - 1]}/{t.year}:{t:%H:%M:%S} {offset}]"


def _bad_line(rng: Random, good: str) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return good[: rng.randrange(1, len(good) // 2)]  # truncated
    if kind == 1:
        return "".join(rng.choices("abcdefghij klmnop:/[]-0123456789", k=rng.randrange(5, 60)))
    if kind == 2:
        return good.replace("/20", "/2O", 1)  # a letter O in the year
    if kind == 3:
        head, _, tail = good.partition('" ')
        return head + '" ' + "OK" + tail[3:]  # status is not a number
    if kind == 4:
        return good.replace('"', "", 2)  # the request lost its quotes
    return ""


def log_lines(
    seed: int = 1,
    start: datetime = datetime(2026, 1, 5, tzinfo=UTC),
    bad_fraction: float = 0.0,
    mean_gap: float = 0.5,
) -> Iterator[str]:
    """An endless stream of combined-log lines (no line endings)."""
    rng = Random(seed)
    urls = ZipfSampler(_urls(rng, 5_000), 1.1)
    ips = ZipfSampler(_ips(rng, 2_000), 0.9)
    users = ["-"] * 19 + ["alice"]
    methods, statuses, protocols = map(_Weighted, (_METHODS, _STATUSES, _PROTOCOLS))
    t = start
    stamp, stamp_second = format_time(t), t.replace(microsecond=0)
    batch = 10_000
    while True:
        columns = (
            urls.sample(rng, batch),
            ips.sample(rng, batch),
            methods.sample(rng, batch),
            statuses.sample(rng, batch),
            protocols.sample(rng, batch),
        )
        for path, ip, method, status, protocol in zip(*columns, strict=True):
            t += timedelta(seconds=round(rng.expovariate(1 / mean_gap), 3))
            if t - stamp_second >= _SECOND:
                stamp, stamp_second = format_time(t), t.replace(microsecond=0)
            if rng.random() < 0.002:
                path = path + '?q=%22x%22&note=\\"quoted\\"'  # Apache escapes " in %r
            if status == 304 or method == "HEAD":
                size = "-"
            else:
                size = str(200 + (hash_path(path) % 20_000) + rng.randrange(100))
            referer = rng.choice(_REFERERS)
            if referer == "https://www.example.com/" and rng.random() < 0.5:
                referer = "https://www.example.com" + rng.choice(urls.items[:50])
            line = (
                f"{ip} - {rng.choice(users)} {stamp} "
                f'"{method} {path} {protocol}" {status} {size} '
                f'"{referer}" "{rng.choice(_AGENTS)}"'
            )
            if bad_fraction and rng.random() < bad_fraction:
                line = _bad_line(rng, line)
            yield line


def hash_path(path: str) -> int:
    """A stable small hash (Python's hash() of str changes between runs)."""
    h = 0
    for c in path.encode():
        h = (h * 31 + c) & 0xFFFFFFFF
    return h


def log_chunks(lines: Iterator[str], count: int | None, per_chunk: int = 20_000) -> Iterator[bytes]:
    """Chunks of `count` lines (None: endless), each line ending in a newline."""
    done = 0
    while count is None or done < count:
        n = per_chunk if count is None else min(per_chunk, count - done)
        yield "".join(next(lines) + "\n" for _ in range(n)).encode("ascii")
        done += n


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--lines", type=int, default=None, help="lines to write (default 10000)")
    size.add_argument("--size", type=parse_size, default=None, help="bytes to write (e.g. 50MB)")
    parser.add_argument(
        "--bad-fraction",
        type=float,
        default=0.0,
        help="fraction of malformed lines, 0..1 (default 0)",
    )
    parser.add_argument(
        "--start",
        type=lambda s: datetime.fromisoformat(s).replace(tzinfo=UTC),
        default=datetime(2026, 1, 5, tzinfo=UTC),
        help="time of the first request, ISO format in UTC (default 2026-01-05)",
    )
    args = parser.parse_args(argv)
    if not 0.0 <= args.bad_fraction <= 1.0:
        parser.error("--bad-fraction must be between 0 and 1")
    if args.lines is not None and args.lines < 0:
        parser.error("--lines must not be negative")
    count = None if args.size is not None else (10_000 if args.lines is None else args.lines)
    lines = log_lines(args.seed, args.start, args.bad_fraction)
    with atomic_output(args.output) as out:
        write_limited(out, log_chunks(lines, count), args.size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
