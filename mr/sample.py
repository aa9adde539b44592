"""A seeded, reproducible sample of records: a fraction of them, or N per key.

Input: TSV records (or MySQL CSV with ``--format csv``); columns are 0-based, like Pig's $0
    ``order-04	oslo	129.00	card``
Output: the chosen records, as TSV (CSV input is written as TSV), unchanged otherwise
    ``order-04	oslo	129.00	card``
Twins: none (not written yet: Hive's TABLESAMPLE and Pig's SAMPLE draw at random, so a twin
would have to compute this job's seeded hash)

Every record gets a hash: the hex MD5 of the UTF-8 text ``<seed><TAB><record>``, where record is
its fields written as one TSV row (mr/lib/tsv.py; for TSV input without backslashes, the line).
The choice depends only on the seed and the records, never on the number of mappers, the order
of the input or the runner:
- ``--fraction F``: a record is kept when its first 13 hex digits over 2^52 are < F (a Bernoulli
  draw: about F of the records, not exactly); map-only;
- ``-n N [--key-col K]``: per value of column K (overall without it; NULL is a key of its own),
  the N records with the smallest (hash, record) are kept: exactly N for a key with at least N
  records, all of them for a key with fewer; a record that occurs twice is two records.
Counters (group sample): kept, too_few_fields, empty_lines, malformed, bad_utf8.
"""

import heapq

from mr.lib.job import MRStep, RecordJob, UsageError
from mr.lib.stats import sample_hash, unit_interval
from mr.lib.tsv import format_row


class Sample(RecordJob):
    """A seeded, reproducible sample of records: a fraction of them, or N per key."""

    def configure_args(self):
        super().configure_args()
        self.add_passthru_arg(
            "--fraction", type=float, help="keep each record with this probability, 0..1"
        )
        self.add_passthru_arg(
            "-n",
            "--n",
            type=int,
            help="keep N records per key (or overall), all of them where there are fewer",
        )
        self.add_column_arg("--key-col", "field to sample per value of (with -n; default: overall)")
        self.add_passthru_arg(
            "--seed",
            type=int,
            default=0,
            help="seed of the hash (default 0): same seed, same sample",
        )

    def validate_options(self):
        opts = self.options
        if (opts.fraction is None) == (opts.n is None):
            raise UsageError("give exactly one of --fraction and -n")
        if opts.fraction is not None and not 0 <= opts.fraction <= 1:
            raise UsageError(f"--fraction {opts.fraction}: expected a number from 0 to 1")
        if opts.n is not None and opts.n < 1:
            raise UsageError(f"-n {opts.n}: expected at least 1")
        if opts.key_col is not None and opts.n is None:
            raise UsageError("--key-col goes with -n, not --fraction")

    def steps(self):
        if self.options.fraction is not None:
            return [MRStep(mapper=self.mapper_bernoulli)]
        return [
            MRStep(
                mapper=self.mapper_hashed,
                combiner=self.combiner_smallest_hashes,
                reducer=self.reducer_smallest_hashes,
            )
        ]

    def hashed(self, line):
        """(fields, record text, hash) of an input line, or None for a bad record."""
        key_col = self.options.key_col
        fields = self.parse_fields(line, min_fields=1 if key_col is None else key_col + 1)
        if fields is None:
            return None
        text = format_row(*fields)
        return fields, text, sample_hash(self.options.seed, text)

    def mapper_bernoulli(self, _, line):
        record = self.hashed(line)
        if record and unit_interval(record[2]) < self.options.fraction:
            self.count("kept")
            yield None, record[0]

    def mapper_hashed(self, _, line):
        record = self.hashed(line)
        if record:
            fields, text, digest = record
            key = None if self.options.key_col is None else fields[self.options.key_col]
            yield key, [digest, text, fields]

    # combiner and reducer keep N candidates per key: memory O(N)
    def combiner_smallest_hashes(self, key, candidates):
        for candidate in heapq.nsmallest(self.options.n, candidates, key=_by_hash):
            yield key, candidate

    def reducer_smallest_hashes(self, key, candidates):
        for _, _, fields in heapq.nsmallest(self.options.n, candidates, key=_by_hash):
            self.count("kept")
            yield None, fields


def _by_hash(candidate):
    return candidate[0], candidate[1]


if __name__ == "__main__":
    Sample.run()
