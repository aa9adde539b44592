"""Event timestamps as whole epoch seconds (UTC), the same in every job and engine.

Accepted, with surrounding spaces ignored:
- epoch seconds: ``1704067200``, ``-86400``, ``1704067200.75`` (a fraction is dropped, rounding
  toward the past: ``-0.5`` is ``-1``);
- ISO-8601 in extended form: ``2024-01-01``, ``2024-01-01T10:00``, ``2024-01-01 10:00:00``,
  ``2024-01-01T10:00:00.250Z``, ``2024-01-01T12:00:00+02:00`` (or ``+0200``); no offset means UTC.
Anything else (``01/02/2024``, ``2024-13-01``, milliseconds beyond year 9999) is not a timestamp.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

_EPOCH_RE = re.compile(r"[+-]?\d+(?:\.\d+)?")
_ISO_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
)
_EPOCH0 = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)
#: the years 1..9999, the range every engine's date type covers
MIN_EPOCH, MAX_EPOCH = -62135596800, 253402300799


def parse_timestamp(text: str | None) -> int | None:
    """Whole epoch seconds of an epoch-seconds or ISO-8601 timestamp, or None."""
    if text is None:
        return None
    text = text.strip()
    if len(text) > 40:  # longer than any timestamp; keeps float() finite
        return None
    seconds: int | None
    if _EPOCH_RE.fullmatch(text):
        seconds = math.floor(float(text)) if "." in text else int(text)
    else:
        seconds = _iso_seconds(text)
    if seconds is None or not MIN_EPOCH <= seconds <= MAX_EPOCH:
        return None
    return seconds


def _iso_seconds(text: str) -> int | None:
    m = _ISO_RE.fullmatch(text)
    if not m:
        return None
    year, month, day, hh, mm, ss, offset = m.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None
    shift = 0
    if offset and offset != "Z":
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours >= 24 or minutes >= 60:
            return None
        shift = (hours * 3600 + minutes * 60) * (-1 if offset[0] == "-" else 1)
    return (local - _EPOCH0) // _SECOND - shift
