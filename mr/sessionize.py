"""Split each user's events into sessions separated by idle gaps.

Input: event records in TSV (or MySQL CSV with ``--format csv``) with a user column and a time
column (``--user-col``, ``--time-col``; default 0 and 1); a time is epoch seconds or ISO-8601,
taken as whole seconds (mr/lib/timestamps.py)
    ``alice	2024-01-01T09:00:00Z	/home``
Output: user<TAB>session<TAB>start<TAB>end<TAB>events<TAB>duration, one row per session;
sessions are numbered from 1 in time order per user, start and end are epoch seconds (UTC) of
the first and last event, duration is end - start in seconds
    ``alice	1	1704099600	1704100500	4	900``
Twins: hive/sessionize.q, pig/sessionize.pig

A new session starts when an event comes more than ``--gap-seconds`` (default 1800) after the
user's previous event; events at the same second belong to one session.
Counters (group sessionize): null_users, bad_times, and those of RecordJob (empty_lines,
malformed, too_few_fields, bad_utf8).
"""

from mr.lib.job import MRStep, RecordJob, UsageError
from mr.lib.timestamps import MIN_EPOCH, parse_timestamp

# sort keys are fixed-width non-negative numbers, so byte order is time order
_SORT_OFFSET = -MIN_EPOCH
_SORT_WIDTH = 12


def sort_key(seconds: int) -> str:
    """Epoch seconds as text whose byte order is time order."""
    return str(seconds + _SORT_OFFSET).zfill(_SORT_WIDTH)


def from_sort_key(key: str) -> int:
    return int(key) - _SORT_OFFSET


class Sessionize(RecordJob):
    """Sessions per user: user, session, start, end, events, duration."""

    # a Hadoop secondary sort: the time is part of the sort key and the user alone decides the
    # reducer, so each user's times reach the reducer in order and it holds one session at most
    SORT_VALUES = True

    def configure_args(self):
        super().configure_args()
        self.add_column_arg("--user-col", "field holding the user", default=0)
        self.add_column_arg("--time-col", "field holding the event time", default=1)
        self.add_passthru_arg(
            "--gap-seconds",
            type=int,
            default=1800,
            help="a longer idle time between two events starts a new session (default 1800)",
        )

    def validate_options(self):
        o = self.options
        if o.user_col == o.time_col:
            raise UsageError("--user-col and --time-col must be different columns")
        if o.gap_seconds < 1:
            raise UsageError(f"--gap-seconds must be at least 1, not {o.gap_seconds}")

    def steps(self):
        return [MRStep(mapper=self.mapper_user_time, reducer=self.reducer_sessions)]

    def mapper_user_time(self, _, line):
        o = self.options
        fields = self.parse_fields(line, min_fields=max(o.user_col, o.time_col) + 1)
        if fields is None:
            return
        user = fields[o.user_col]
        if user is None:
            self.count("null_users")
            return
        seconds = parse_timestamp(fields[o.time_col])
        if seconds is None:
            self.count("bad_times")
            return
        yield user, sort_key(seconds)

    def reducer_sessions(self, user, sorted_times):
        gap = self.options.gap_seconds
        session, events, end = 0, 0, 0
        start: int | None = None  # None until the user's first session starts
        for key in sorted_times:
            t = from_sort_key(key)
            if start is not None and t - end > gap:
                yield user, (session, start, end, events, end - start)
                start = None
            if start is None:
                session, start, events = session + 1, t, 0
            end, events = t, events + 1
        if start is not None:
            yield user, (session, start, end, events, end - start)


if __name__ == "__main__":
    Sessionize.run()
