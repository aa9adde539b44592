"""Summarize a web server's access logs: hits, bytes and error rate per URL, status and hour.

Input: Apache/Nginx access log lines, common or combined format (mr/lib/access_log.py)
    ``10.0.0.7 - - [01/Jan/2024:09:15:02 +0100] "GET /cart?id=3 HTTP/1.1" 503 512 "-" "curl/8.0"``
Output: dimension<TAB>value<TAB>hits<TAB>bytes<TAB>error_rate, one row per value of each dimension
    ``url	/cart	1	512	1.000000``    (the request path, query string left out)
    ``status	503	1	512	1.000000``
    ``hour	2024-01-01T08	1	512	1.000000``   (the hour in UTC)
Twins: hive/log_report.q, pig/log_report.pig

An error is a response with status 500 or above (a server error); error_rate is errors / hits.
bytes ``-`` counts as 0. A line whose request is not ``METHOD TARGET [PROTOCOL]`` (``-``, TLS
junk) counts under url ``\\N`` (NULL) and in its status and hour.
Counters (group log_report): bad_lines (not an access log line), bad_requests, empty_lines,
bad_utf8.
"""

from mr.lib.access_log import parse_access_log
from mr.lib.job import MRKitJob, MRStep


class LogReport(MRKitJob):
    """Hits, bytes and error rate per URL, status and hour."""

    def steps(self):
        return [
            MRStep(
                mapper=self.mapper_dimensions,
                combiner=self.combiner_totals,
                reducer=self.reducer_report,
            )
        ]

    def mapper_dimensions(self, _, line):
        text = self.text_line(line)
        if text is None:
            return
        record = parse_access_log(text)
        if record is None:
            self.count("bad_lines")
            return
        if record.path is None:
            self.count("bad_requests")
        totals = (1, record.bytes, int(record.is_error))
        yield ("url", record.path), totals
        yield ("status", str(record.status)), totals
        yield ("hour", record.hour_utc), totals

    def combiner_totals(self, dimension, totals):
        yield dimension, _sum(totals)

    def reducer_report(self, dimension, totals):
        hits, nbytes, errors = _sum(totals)
        yield dimension, (hits, nbytes, errors / hits)


def _sum(totals):
    hits = nbytes = errors = 0
    for h, b, e in totals:
        hits, nbytes, errors = hits + h, nbytes + b, errors + e
    return hits, nbytes, errors


if __name__ == "__main__":
    LogReport.run()
