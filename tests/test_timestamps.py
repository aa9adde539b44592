import pytest

from mr.lib.timestamps import MAX_EPOCH, MIN_EPOCH, parse_timestamp


@pytest.mark.parametrize(
    "text,seconds",
    [
        ("1704067200", 1704067200),
        (" 1704067200 ", 1704067200),
        ("1704067200.999", 1704067200),
        ("-0.5", -1),
        ("-86400", -86400),
        ("2024-01-01", 1704067200),
        ("2024-01-01T10:00", 1704103200),
        ("2024-01-01 10:00:00", 1704103200),
        ("2024-01-01T10:00:00.250Z", 1704103200),
        ("2024-01-01T12:00:00+02:00", 1704103200),
        ("2024-01-01T09:30:00-0030", 1704103200),
        ("2024-02-29T00:00:00Z", 1709164800),
        ("0001-01-01", MIN_EPOCH),
        ("9999-12-31T23:59:59Z", MAX_EPOCH),
    ],
)
def test_parse(text, seconds):
    assert parse_timestamp(text) == seconds


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "yesterday",
        "01/02/2024",
        "2024-13-01",
        "2023-02-29",
        "2024-01-01T25:00",
        "2024-01-01T10:00+25:00",
        "2024-01-01Z",
        "1e9",
        "99999999999999",
        "9" * 30 + ".5",
        "0001-01-01T00:00:00+01:00",
    ],
)
def test_not_a_timestamp(text):
    assert parse_timestamp(text) is None
