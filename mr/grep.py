"""Count the matches of a regular expression, most frequent first (Hadoop's grep example).

Input: lines of text (any files; not-UTF-8 lines are counted as bad_utf8 and skipped)
    ``GET /index.html 200``
Output: match<TAB>count, one row per distinct match, ordered by count descending, then by match
ascending (code point order), in a single sorted output
    ``200	41``
With ``--lines``: the matching input lines, unchanged (map-only, no sort)
    ``GET /index.html 200``
Twins: hive/grep.q, pig/grep.pig

Every non-overlapping match in a line counts once (``re.finditer``, as Hadoop's RegexMapper
loops over ``Matcher.find()``). ``--group N`` counts what group N captured instead of the whole
match; a match where that group took no part is counted as group_unmatched, an empty match or
group as empty_matches, and neither is written. Patterns are Python ``re`` syntax (for the simple
patterns the twins need it agrees with Java's regex).
Counters (group grep): bad_utf8, matching_lines, empty_matches, group_unmatched.
"""

import re

from mr.lib import jobconf
from mr.lib.job import BytesValueProtocol, MRKitJob, MRStep, UsageError

# counts are written into the sort key as COUNT_DIGITS digits of (COUNT_CEILING - count)
COUNT_DIGITS = 20
COUNT_CEILING = 10**COUNT_DIGITS - 1


class Grep(MRKitJob):
    """Count the matches of a regular expression, most frequent first."""

    def configure_args(self):
        super().configure_args()
        self.add_passthru_arg("--pattern", help="regular expression to look for (required)")
        self.add_passthru_arg(
            "--group", type=int, default=0, help="count this capture group (default 0: the match)"
        )
        self.add_passthru_arg("--ignore-case", action="store_true", help="match case-insensitively")
        self.add_passthru_arg(
            "--lines",
            action="store_true",
            help="only write the lines that match, unchanged (map-only; no counting)",
        )

    def validate_options(self):
        if not self.options.pattern:
            raise UsageError("--pattern is required")
        try:
            regex = self.compile_pattern()
        except re.error as e:
            raise UsageError(f"--pattern {self.options.pattern!r} is not a valid regex: {e}")
        if not 0 <= self.options.group <= regex.groups:
            raise UsageError(
                f"--group {self.options.group} is out of range: the pattern has "
                f"{regex.groups} group(s)"
            )

    def compile_pattern(self):
        return re.compile(self.options.pattern, re.IGNORECASE if self.options.ignore_case else 0)

    def output_protocol(self):
        return BytesValueProtocol() if self.options.lines else super().output_protocol()

    # (1) count matches, with a combiner; (2) sort by count: the mapper keys each row by its
    # inverted, zero-padded count so the shuffle orders them, and one reducer writes them;
    # matches sharing a count are sorted in that reducer's memory
    def steps(self):
        if self.options.lines:
            return [MRStep(mapper_init=self.mapper_init_regex, mapper=self.mapper_matching_lines)]
        return [
            MRStep(
                mapper_init=self.mapper_init_regex,
                mapper=self.mapper_matches,
                combiner=self.reducer_sum,
                reducer=self.reducer_sum,
            ),
            MRStep(
                mapper=self.mapper_key_by_count,
                reducer=self.reducer_ordered,
                jobconf={jobconf.JOB_REDUCES: "1"},
            ),
        ]

    def mapper_init_regex(self):
        self.regex = self.compile_pattern()

    def mapper_matching_lines(self, _, line):
        text = self.decode(line)
        if text is not None and self.regex.search(text):
            self.count("matching_lines")
            yield None, line

    def mapper_matches(self, _, line):
        text = self.decode(line)
        if text is None:
            return
        matched = False
        for m in self.regex.finditer(text):
            matched = True
            found = m.group(self.options.group)
            if found is None:
                self.count("group_unmatched")
            elif not found:
                self.count("empty_matches")
            else:
                yield found, 1
        if matched:
            self.count("matching_lines")

    def reducer_sum(self, match, counts):
        yield match, sum(counts)

    def mapper_key_by_count(self, match, count):
        yield f"{COUNT_CEILING - count:0{COUNT_DIGITS}d}", match

    def reducer_ordered(self, inverted_count, matches):
        count = COUNT_CEILING - int(inverted_count)
        for match in sorted(matches):
            yield match, count


if __name__ == "__main__":
    Grep.run()
