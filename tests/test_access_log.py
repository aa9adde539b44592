from datetime import datetime, timedelta

import pytest

from mr.lib.access_log import UTC, parse_access_log, parse_log_time, split_request

COMBINED = (
    '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?a=1 HTTP/1.0" 200 2326 '
    '"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"'
)


def test_combined():
    r = parse_access_log(COMBINED)
    assert r.host == "127.0.0.1" and r.ident is None and r.user == "frank"
    assert r.time == datetime(2000, 10, 10, 20, 55, 36, tzinfo=UTC)
    assert r.time.utcoffset() == timedelta(hours=-7)
    assert (r.method, r.target, r.protocol) == ("GET", "/apache_pb.gif?a=1", "HTTP/1.0")
    assert r.path == "/apache_pb.gif"
    assert (r.status, r.bytes) == (200, 2326)
    assert r.referer == "http://www.example.com/start.html"
    assert r.user_agent == "Mozilla/4.08 [en] (Win98; I ;Nav)"
    assert r.hour_utc == "2000-10-10T20"


def test_common_format_has_no_referer_or_agent():
    r = parse_access_log('10.1.1.1 - - [01/Jan/2024:00:00:00 +0000] "HEAD / HTTP/1.1" 304 -\n')
    assert (r.method, r.path, r.status, r.bytes) == ("HEAD", "/", 304, 0)
    assert r.referer is None and r.user_agent is None


def test_ipv6_host_and_nginx_extra_field():
    r = parse_access_log(
        '2001:db8::1 - - [05/Mar/2024:23:59:59 +0130] "PUT /x HTTP/2.0" 201 5 "-" "curl" "1.2.3.4"'
    )
    assert r.host == "2001:db8::1" and r.referer is None and r.user_agent == "curl"
    assert r.hour_utc == "2024-03-05T22"


def test_escaped_quotes_in_request_and_agent():
    r = parse_access_log(
        r'1.2.3.4 - - [01/Feb/2024:10:00:00 +0000] "GET /q?s=\"x y\" HTTP/1.1" 500 1 '
        r'"-" "bot \"b\" \\ 1"'
    )
    assert r.target == '/q?s="x y"' and r.path == "/q"
    assert r.user_agent == 'bot "b" \\ 1'


@pytest.mark.parametrize(
    "request_line",
    ["-", r"\x16\x03\x01", "", "get / HTTP/1.1", "GET"],
)
def test_odd_request_line_still_parses(request_line):
    r = parse_access_log(f'1.2.3.4 - - [01/Feb/2024:10:00:00 +0000] "{request_line}" 400 0')
    assert r is not None and r.status == 400
    assert r.method is None and r.path is None


@pytest.mark.parametrize(
    "line",
    [
        "",
        "not a log line",
        '1.2.3.4 - - [01/Feb/2024:10:00:00 +0000] "GET / HTTP/1.1" 2000 1',
        '1.2.3.4 - - [01/Feb/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 12k',
        '1.2.3.4 - - [01/Feb/2024:10:00:00 +0000] "GET / HTTP/1.1 200 1',
        '1.2.3.4 - - [31/Feb/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 1',
        '1.2.3.4 - - [01/Foo/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 1',
        '1.2.3.4 - - [2024-02-01T10:00:00Z] "GET / HTTP/1.1" 200 1',
        '1.2.3.4 - - [01/Feb/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "only-referer"',
    ],
)
def test_unparseable(line):
    assert parse_access_log(line) is None


def test_http09_request_and_path_with_space():
    assert split_request("GET /old") == ("GET", "/old", None)
    assert split_request("GET /a b HTTP/1.1") == ("GET", "/a b", "HTTP/1.1")


def test_parse_log_time_month_names_are_not_locale_bound():
    assert parse_log_time("01/dec/2023:00:00:00 +0000") == datetime(2023, 12, 1, tzinfo=UTC)
