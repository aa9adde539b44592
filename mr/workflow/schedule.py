"""Coordinator time, as Oozie computes it: frequencies, nominal times, dataset instances.

Pure functions, no I/O; mr/workflow/coordinator.py (the model) and the coordinator runners use
them. Oozie's rules, stated once:

- **Times** are written ``2026-01-05T00:00Z`` (Oozie's UTC form; ``+0100`` offsets are read
  too). :func:`parse_time` / :func:`format_time`.
- **Frequency** (:func:`parse_frequency`): ``${coord:minutes(n)}``, ``${coord:hours(n)}``,
  ``${coord:days(n)}``, ``${coord:months(n)}``, ``${coord:endOfDays(n)}``,
  ``${coord:endOfMonths(n)}``, a bare number of minutes (``60``), or a cron expression of five
  fields (``0/10 * * * *``: minute hour day-of-month month day-of-week, read in the app's
  timezone). Days and months step the wall clock of the timezone (a day is 23 or 25 hours
  across a DST change), minutes and hours step absolute time.
- **Nominal times** (:func:`nominal_times`): start, start + f, ... while before end; an
  ``endOf...`` frequency first moves start to the next day (month) boundary.
- **Dataset instances** (:meth:`DatasetClock.instance`): the dataset's instances are
  ``initial-instance + k * frequency``. ``current(0)`` is the latest instance at or before the
  action's nominal time, ``current(-1)`` the one before; an instance before initial-instance
  does not exist (None). ``latest(n)`` is resolved by the runner at check time (it depends on
  what is present).
- **URI templates** (:func:`resolve_template`): ``${YEAR} ${MONTH} ${DAY} ${HOUR} ${MINUTE}``
  of the instance time in the dataset's timezone, zero-padded; other ``${...}`` are left for EL.
- **formatTime** (:func:`format_java`): Java SimpleDateFormat letters y M d H h m s S a E,
  ``'quoted text'``.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mr.lib.errors import UsageError

UTC = timezone.utc  # noqa: UP017 (3.10)
#: the units of an EL frequency, as Oozie names them (TimeUnit)
UNITS = ("MINUTE", "HOUR", "DAY", "MONTH")
_EL_FREQUENCY = re.compile(
    r"\$\{\s*coord:(minutes|hours|days|months|endOfDays|endOfMonths)\(\s*(\d+)\s*\)\s*\}"
)
_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?(Z|[+-]\d\d:?\d\d)")
_TEMPLATE_VARS = {"YEAR": "%Y", "MONTH": "%m", "DAY": "%d", "HOUR": "%H", "MINUTE": "%M"}


class ScheduleError(UsageError):
    """A time, frequency, timezone or pattern that cannot be read (one line)."""


def parse_time(text: str) -> datetime:
    """``2026-01-05T00:00Z`` (or ``+0100``) as an aware datetime in UTC."""
    m = _TIME.fullmatch(text.strip())
    if not m:
        raise ScheduleError(f"{text!r} is not a time like 2026-01-05T00:00Z")
    y, mo, d, h, mi, s, zone = m.groups()
    try:
        naive = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
    except ValueError as e:
        raise ScheduleError(f"{text!r}: {e}") from None
    if zone == "Z":
        return naive.replace(tzinfo=UTC)
    sign = 1 if zone[0] == "+" else -1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return (naive - sign * offset).replace(tzinfo=UTC)


def format_time(t: datetime) -> str:
    """Oozie's form of a time: ``2026-01-05T00:00Z`` (UTC, minutes)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def zone(name: str) -> ZoneInfo | timezone:
    """A timezone by its IANA name (UTC, Europe/Berlin, America/Los_Angeles)."""
    if name in ("UTC", "GMT", "Z"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"timezone {name!r} is not an IANA name like UTC or Europe/Berlin")


@dataclass(frozen=True)
class Frequency:
    """Every ``amount`` ``unit`` (MINUTE, HOUR, DAY, MONTH), or a cron expression."""

    amount: int = 1
    unit: str = "DAY"
    end_of: bool = False  # endOfDays / endOfMonths: aligned to the unit's boundaries
    cron: str | None = None

    def __post_init__(self) -> None:
        if self.cron is None and (self.unit not in UNITS or self.amount < 1):
            raise ScheduleError(f"a frequency is a positive number of {', '.join(UNITS)}")

    def el(self) -> str:
        """The frequency as a coordinator writes it."""
        if self.cron is not None:
            return self.cron
        name = {"MINUTE": "minutes", "HOUR": "hours", "DAY": "days", "MONTH": "months"}[self.unit]
        if self.end_of:
            name = "endOf" + name.capitalize()
        return f"${{coord:{name}({self.amount})}}"

    def step(self, t: datetime, n: int, tz: ZoneInfo | timezone) -> datetime:
        """t moved by n of this frequency (days and months on tz's wall clock)."""
        if self.cron is not None:
            raise ScheduleError("a cron frequency has no fixed step (datasets need coord:...)")
        if self.unit == "MINUTE":
            return t + timedelta(minutes=self.amount * n)
        if self.unit == "HOUR":
            return t + timedelta(hours=self.amount * n)
        local = t.astimezone(tz).replace(tzinfo=None)
        if self.unit == "DAY":
            moved = local + timedelta(days=self.amount * n)
        else:
            months = local.year * 12 + local.month - 1 + self.amount * n
            year, month = divmod(months, 12)
            day = min(local.day, monthrange(year, month + 1)[1])
            moved = local.replace(year=year, month=month + 1, day=day)
        return moved.replace(tzinfo=tz).astimezone(UTC)


def parse_frequency(text: str) -> Frequency:
    """A frequency as written in a coordinator or dataset (see the module's rules)."""
    text = text.strip()
    m = _EL_FREQUENCY.fullmatch(text)
    if m:
        name, amount = m.group(1), int(m.group(2))
        unit = {"minutes": "MINUTE", "hours": "HOUR", "days": "DAY", "months": "MONTH",
                "endOfDays": "DAY", "endOfMonths": "MONTH"}[name]  # fmt: skip
        return Frequency(amount, unit, end_of=name.startswith("endOf"))
    if text.isdigit():
        return Frequency(int(text), "MINUTE")
    if len(text.split()) == 5:
        Cron(text)  # refuses what it cannot read
        return Frequency(cron=" ".join(text.split()))
    raise ScheduleError(
        f"frequency {text!r}: give ${{coord:days(1)}}, ${{coord:hours(n)}}, "
        "${coord:minutes(n)}, ${coord:months(n)}, minutes as a number, or cron (0 2 * * *)"
    )


class Cron:
    """A five-field cron expression (Oozie's Quartz subset): ``*``, lists, ranges, ``/step``."""

    LIMITS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
    NAMES = ("minute", "hour", "day of month", "month", "day of week")

    def __init__(self, text: str):
        fields = text.split()
        if len(fields) != 5:
            raise ScheduleError(f"cron {text!r}: five fields (minute hour day month weekday)")
        self.text = text
        self.sets = [
            self._field(f, lo, hi, name)
            for f, (lo, hi), name in zip(fields, self.LIMITS, self.NAMES, strict=True)
        ]
        self.sets[4] = {d % 7 for d in self.sets[4]}  # 7 is Sunday too
        self.any_day = fields[2] in ("*", "?")
        self.any_weekday = fields[4] in ("*", "?")

    def _field(self, text: str, lo: int, hi: int, name: str) -> set[int]:
        values: set[int] = set()
        for part in text.split(","):
            body, _, step_text = part.partition("/")
            try:
                step = int(step_text) if step_text else 1
                if body in ("*", "?"):
                    first, last = lo, hi
                elif "-" in body:
                    a, b = body.split("-")
                    first, last = int(a), int(b)
                else:
                    first = int(body)
                    last = hi if step_text else first
            except ValueError:
                raise ScheduleError(f"cron: cannot read the {name} field {text!r}") from None
            if not (lo <= first <= last <= hi) or step < 1:
                raise ScheduleError(f"cron: the {name} field {text!r} is outside {lo}-{hi}")
            values.update(range(first, last + 1, step))
        return values

    def matches(self, local: datetime) -> bool:
        minute, hour, day, month, weekday = self.sets
        if local.minute not in minute or local.hour not in hour or local.month not in month:
            return False
        on_day = local.day in day
        on_weekday = (local.isoweekday() % 7) in weekday
        if self.any_day or self.any_weekday:  # cron: both restrict only when both are given
            return on_day and on_weekday
        return on_day or on_weekday


def nominal_times(
    frequency: Frequency, start: datetime, end: datetime, tz: ZoneInfo | timezone
) -> Iterator[datetime]:
    """The nominal times of a coordinator's actions: from start, before end."""
    if frequency.cron is not None:
        cron = Cron(frequency.cron)
        t = start.replace(second=0, microsecond=0)
        if t < start:
            t += timedelta(minutes=1)
        while t < end:
            if cron.matches(t.astimezone(tz)):
                yield t
            t += timedelta(minutes=1)
        return
    first = start
    if frequency.end_of:
        first = _next_boundary(start, frequency.unit, tz)
    n = 0
    while (t := frequency.step(first, n, tz)) < end:
        yield t
        n += 1


def _next_boundary(t: datetime, unit: str, tz: ZoneInfo | timezone) -> datetime:
    local = t.astimezone(tz).replace(tzinfo=None)
    if unit == "DAY":
        floor = local.replace(hour=0, minute=0, second=0, microsecond=0)
        step = timedelta(days=1)
        edge = floor if floor == local else floor + step
    else:
        floor = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        if floor == local:
            edge = floor
        else:
            year, month = divmod(floor.year * 12 + floor.month, 12)
            edge = floor.replace(year=year, month=month + 1)
    return edge.replace(tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class DatasetClock:
    """A dataset in times: its instances, their URIs, the flag that marks one done."""

    name: str
    frequency: Frequency
    initial_instance: datetime
    uri_template: str
    timezone: str = "UTC"
    #: the file whose presence marks an instance complete; "" = the directory itself
    done_flag: str = "_SUCCESS"

    def instance(self, nominal: datetime, n: int) -> datetime | None:
        """current(n) for an action at nominal: None when it falls before initial-instance."""
        tz = zone(self.timezone)
        if nominal < self.initial_instance:
            return None
        # the latest k with initial + k*f <= nominal (a walk in big strides, then exact)
        k = _count_steps(self.frequency, self.initial_instance, nominal, tz)
        t = self.frequency.step(self.initial_instance, k + n, tz)
        return t if t >= self.initial_instance else None

    def uri(self, t: datetime) -> str:
        return resolve_template(self.uri_template, t, zone(self.timezone))


def _count_steps(f: Frequency, initial: datetime, t: datetime, tz: ZoneInfo | timezone) -> int:
    """The largest k with initial + k*f <= t (t >= initial)."""
    seconds = {"MINUTE": 60, "HOUR": 3600, "DAY": 86400, "MONTH": 28 * 86400}[f.unit] * f.amount
    k = max(int((t - initial).total_seconds() // seconds) - 1, 0)
    while f.step(initial, k + 1, tz) <= t:
        k += 1
    while k > 0 and f.step(initial, k, tz) > t:
        k -= 1
    return k


def resolve_template(template: str, t: datetime, tz: ZoneInfo | timezone) -> str:
    """A URI template with ${YEAR} ... ${MINUTE} of t (in tz); other ${...} kept."""
    local = t.astimezone(tz)

    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        return local.strftime(_TEMPLATE_VARS[name]) if name in _TEMPLATE_VARS else m.group(0)

    return re.sub(r"\$\{\s*(\w+)\s*\}", value, template)


_JAVA_LETTERS = re.compile(r"'[^']*'|(\w)\1*")


def format_java(t: datetime, pattern: str, tz: ZoneInfo | timezone = UTC) -> str:
    """t formatted by a Java SimpleDateFormat pattern (``yyyy-MM-dd``, ``yyyyMMddHH``)."""
    local = t.astimezone(tz)
    out: list[str] = []
    pos = 0
    for m in _JAVA_LETTERS.finditer(pattern):
        out.append(pattern[pos : m.start()])
        pos = m.end()
        run = m.group(0)
        if run.startswith("'"):
            out.append(run[1:-1] or "'")
            continue
        out.append(_java_field(local, run[0], len(run), pattern))
    out.append(pattern[pos:])
    return "".join(out)


def _java_field(t: datetime, letter: str, width: int, pattern: str) -> str:
    numbers = {"y": t.year, "M": t.month, "d": t.day, "H": t.hour, "m": t.minute,
               "s": t.second, "S": t.microsecond // 1000, "h": (t.hour % 12) or 12}  # fmt: skip
    if letter == "y" and width == 2:
        return f"{t.year % 100:02d}"
    if letter == "M" and width >= 3:
        return t.strftime("%B" if width >= 4 else "%b")
    if letter == "E":
        return t.strftime("%A" if width >= 4 else "%a")
    if letter == "a":
        return "AM" if t.hour < 12 else "PM"
    if letter in numbers:
        return str(numbers[letter]).zfill(width)
    raise ScheduleError(f"formatTime pattern {pattern!r}: the letter {letter!r} is not supported")


def offset_time(t: datetime, n: int, unit: str, tz: ZoneInfo | timezone = UTC) -> datetime:
    """coord:dateOffset: t moved by n units (MINUTE, HOUR, DAY, MONTH, YEAR)."""
    unit = unit.upper()
    if unit == "YEAR":
        return Frequency(12, "MONTH").step(t, n, tz)
    if unit not in UNITS:
        raise ScheduleError(f"dateOffset unit {unit!r}: MINUTE, HOUR, DAY, MONTH or YEAR")
    return Frequency(1, unit).step(t, n, tz)
