"""Coordinator time (mr/workflow/schedule.py): each rule against values worked out by hand."""

from __future__ import annotations

import pytest

from mr.workflow.schedule import (
    UTC,
    Cron,
    DatasetClock,
    Frequency,
    ScheduleError,
    format_java,
    format_time,
    nominal_times,
    offset_time,
    parse_frequency,
    parse_time,
    resolve_template,
    zone,
)

T = parse_time


def times(freq: str, start: str, end: str, tz: str = "UTC") -> list[str]:
    return [
        format_time(t) for t in nominal_times(parse_frequency(freq), T(start), T(end), zone(tz))
    ]


def test_times_read_and_written_as_oozie_does():
    assert format_time(T("2026-01-05T00:00Z")) == "2026-01-05T00:00Z"
    assert format_time(T("2026-01-05T01:30+0100")) == "2026-01-05T00:30Z"
    for bad in ("2026-01-05", "2026-13-01T00:00Z", "yesterday", "2026-01-05T00:00"):
        with pytest.raises(ScheduleError):
            T(bad)


@pytest.mark.parametrize(
    ("text", "frequency"),
    [
        ("${coord:days(1)}", Frequency(1, "DAY")),
        ("${ coord:hours(6) }", Frequency(6, "HOUR")),
        ("${coord:minutes(15)}", Frequency(15, "MINUTE")),
        ("${coord:months(1)}", Frequency(1, "MONTH")),
        ("${coord:endOfDays(1)}", Frequency(1, "DAY", end_of=True)),
        ("60", Frequency(60, "MINUTE")),
        ("0/10  * * * *", Frequency(cron="0/10 * * * *")),
    ],
)
def test_frequencies(text, frequency):
    assert parse_frequency(text) == frequency
    assert parse_frequency(frequency.el()) == frequency


@pytest.mark.parametrize("text", ["daily", "${coord:weeks(1)}", "${coord:days(0)}", "61 * * * *",
                                  "* * * *", "a b c d e"])  # fmt: skip
def test_bad_frequencies_say_what_is_accepted(text):
    with pytest.raises(ScheduleError):
        parse_frequency(text)


def test_daily_nominal_times_stop_before_end():
    assert times("${coord:days(1)}", "2026-01-01T00:00Z", "2026-01-04T00:00Z") == [
        "2026-01-01T00:00Z",
        "2026-01-02T00:00Z",
        "2026-01-03T00:00Z",
    ]


def test_days_follow_the_wall_clock_across_a_dst_change():
    # Berlin moves from UTC+1 to UTC+2 on 2026-03-29: midnight stays midnight
    berlin = ("2026-03-27T23:00Z", "2026-03-31T00:00Z", "Europe/Berlin")
    assert times("${coord:days(1)}", *berlin) == [
        "2026-03-27T23:00Z",
        "2026-03-28T23:00Z",
        "2026-03-29T22:00Z",
        "2026-03-30T22:00Z",
    ]
    # hours are absolute
    assert times("${coord:hours(24)}", *berlin) == [
        "2026-03-27T23:00Z",
        "2026-03-28T23:00Z",
        "2026-03-29T23:00Z",
        "2026-03-30T23:00Z",
    ]


def test_months_keep_the_day_or_end_of_month():
    assert times("${coord:months(1)}", "2026-01-31T00:00Z", "2026-05-01T00:00Z") == [
        "2026-01-31T00:00Z",
        "2026-02-28T00:00Z",
        "2026-03-31T00:00Z",
        "2026-04-30T00:00Z",
    ]


def test_end_of_days_starts_at_the_next_midnight():
    assert times("${coord:endOfDays(1)}", "2026-01-01T05:00Z", "2026-01-03T01:00Z") == [
        "2026-01-02T00:00Z",
        "2026-01-03T00:00Z",
    ]


def test_cron_every_ten_minutes_and_weekdays():
    assert times("0/10 * * * *", "2026-01-01T00:05Z", "2026-01-01T00:40Z") == [
        "2026-01-01T00:10Z",
        "2026-01-01T00:20Z",
        "2026-01-01T00:30Z",
    ]
    # 2026-01-05 is a Monday; 30 2 * * 1-5 = 02:30 on weekdays
    assert times("30 2 * * 1-5", "2026-01-03T00:00Z", "2026-01-08T00:00Z") == [
        "2026-01-05T02:30Z",
        "2026-01-06T02:30Z",
        "2026-01-07T02:30Z",
    ]


def test_cron_day_of_month_or_weekday_when_both_are_given():
    cron = Cron("0 0 1 * 0")  # the 1st, or a Sunday
    assert cron.matches(T("2026-02-01T00:00Z"))  # a Sunday and the 1st
    assert cron.matches(T("2026-01-04T00:00Z"))  # a Sunday
    assert cron.matches(T("2026-01-01T00:00Z"))  # a Thursday, the 1st
    assert not cron.matches(T("2026-01-02T00:00Z"))


HOURLY = DatasetClock(
    "logs", Frequency(1, "HOUR"), T("2026-01-01T01:00Z"), "/logs/${YEAR}/${MONTH}/${DAY}/${HOUR}"
)
DAILY = DatasetClock(
    "days", Frequency(1, "DAY"), T("2026-01-01T00:00Z"), "${nameNode}/d/${YEAR}${MONTH}${DAY}"
)


@pytest.mark.parametrize(
    ("dataset", "nominal", "n", "instance"),
    [
        (DAILY, "2026-01-05T00:00Z", 0, "2026-01-05T00:00Z"),
        (DAILY, "2026-01-05T13:00Z", 0, "2026-01-05T00:00Z"),  # the latest at or before
        (DAILY, "2026-01-05T00:00Z", -1, "2026-01-04T00:00Z"),
        (DAILY, "2026-01-05T00:00Z", 1, "2026-01-06T00:00Z"),
        (DAILY, "2026-01-01T00:00Z", -1, None),  # before initial-instance
        (DAILY, "2025-12-31T00:00Z", 0, None),
        (HOURLY, "2026-01-02T00:00Z", -23, "2026-01-01T01:00Z"),
        (HOURLY, "2026-01-02T00:00Z", -24, None),
        (HOURLY, "2026-03-02T00:30Z", 0, "2026-03-02T00:00Z"),
    ],
)
def test_current_n(dataset, nominal, n, instance):
    found = dataset.instance(T(nominal), n)
    assert (format_time(found) if found else None) == instance


def test_uri_templates_are_zero_padded_and_keep_other_parameters():
    assert DAILY.uri(T("2026-01-05T00:00Z")) == "${nameNode}/d/20260105"
    assert HOURLY.uri(T("2026-01-05T07:00Z")) == "/logs/2026/01/05/07"
    late = T("2026-01-05T23:30Z")
    assert resolve_template("${YEAR}-${MONTH}-${DAY}T${HOUR}", late, zone("Europe/Berlin")) == (
        "2026-01-06T00"
    )


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("yyyy-MM-dd", "2026-01-05"),
        ("yyyyMMddHH", "2026010507"),
        ("yy/M/d H:mm:ss", "26/1/5 7:04:09"),
        ("'day' yyyy-MM-dd'T'HH", "day 2026-01-05T07"),
        ("EEE, MMM d h a", "Mon, Jan 5 7 AM"),
        ("''yyyy''", "'2026'"),
    ],
)
def test_format_time_as_java_does(pattern, text):
    assert format_java(T("2026-01-05T07:04:09Z"), pattern) == text


def test_format_time_refuses_letters_it_does_not_know():
    with pytest.raises(ScheduleError, match="letter 'Q'"):
        format_java(T("2026-01-05T07:04Z"), "yyyy-QQ")


def test_date_offsets():
    t = T("2026-01-31T00:00Z")
    assert format_time(offset_time(t, -1, "DAY")) == "2026-01-30T00:00Z"
    assert format_time(offset_time(t, 1, "month")) == "2026-02-28T00:00Z"
    assert format_time(offset_time(t, 1, "YEAR")) == "2027-01-31T00:00Z"
    assert format_time(offset_time(t, 90, "MINUTE")) == "2026-01-31T01:30Z"
    with pytest.raises(ScheduleError):
        offset_time(t, 1, "WEEK")


def test_unknown_timezone():
    with pytest.raises(ScheduleError, match="IANA"):
        zone("Mars/Olympus")
    assert zone("UTC") is UTC
