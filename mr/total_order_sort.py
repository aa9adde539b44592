"""Sort records by a key so that the part files, read in name order, are globally sorted.

Input: records in TSV (or MySQL CSV with ``--format csv``); the sort key is column ``--key-col``
(0-based, default 0), compared as text (UTF-8 byte order, which is code point order) or, with
``--numeric``, as a number
    ``42	widget	3.50``
Output: the records, unchanged apart from TSV normalization (mr/lib/tsv.py), in key order within
and across part files: part-00000 holds the smallest keys, part-00001 the next range, ...
    ``7	bolt	0.10``
Twins: hive/total_order_sort.q (ORDER BY), pig/total_order_sort.pig (ORDER BY)

With n reducers (``--partitions N`` or ``-D mapreduce.job.reduces=N``; default 1), the launcher
first runs a sampling job over the same input (a deterministic ``--sample-rate`` of the records,
default 0.01) that picks n - 1 split points, unless ``--split-points FILE`` gives them; so the
input is read twice and must be files, not stdin. Records with equal keys keep a fixed order (by
their fields). ``--print-split-points`` runs only the sampling job and prints the split points
(key<TAB>encoded key), the file format ``--split-points`` reads.
With ``--numeric`` a key is a number by the rule of mr/lib/records.py's parse_number (one
strict ASCII decimal form, finite as a double: ``1e22`` and ``-1.7e308`` sort, while ``nan``,
``inf``, ``1e309``, ``1_000``, ``0x10``, `` 12 `` are bad_numbers); a NULL key, or with
``--numeric`` a blank one, is counted as null_keys.
Counters (group total_order_sort): null_keys, bad_numbers (``--numeric``), and those of
RecordJob (empty_lines, malformed, too_few_fields, bad_utf8).
"""

import atexit
import os
import tempfile
import zlib
from bisect import bisect_right

from mr.lib import jobconf
from mr.lib.job import MRStep, RecordJob, UsageError
from mr.lib.ranges import (
    LabelKeyProtocol,
    number_sort_key,
    partition_labels,
    pick_split_points,
    text_sort_key,
)

MAX_PARTITIONS = 10_000


class TotalOrderSort(RecordJob):
    """Sort records by a key across ordered part files."""

    INTERNAL_PROTOCOL = LabelKeyProtocol
    # each range's records reach its reducer sorted by (encoded key, fields)
    SORT_VALUES = True

    def configure_args(self):
        super().configure_args()
        self.add_column_arg("--key-col", "field to sort by", default=0)
        self.add_passthru_arg(
            "--numeric", action="store_true", help="compare keys as numbers (default: as text)"
        )
        self.add_passthru_arg(
            "--partitions",
            type=int,
            help=f"number of reducers, one key range each (sets {jobconf.JOB_REDUCES}; default: "
            f"{jobconf.JOB_REDUCES} from -D, else 1)",
        )
        self.add_passthru_arg(
            "--sample-rate",
            type=float,
            default=0.01,
            help="share of the records the sampling job reads to pick split points (default 0.01)",
        )
        self.add_passthru_arg(
            "--print-split-points",
            action="store_true",
            help="only sample the input and print the split points",
        )
        self.add_file_arg(
            "--split-points",
            metavar="FILE",
            help="split points as --print-split-points prints them (default: sample the input)",
        )

    def validate_options(self):
        o = self.options
        if not 0 < o.sample_rate <= 1:
            raise UsageError(f"--sample-rate must be above 0 and at most 1, not {o.sample_rate}")
        if not 1 <= self.partitions() <= MAX_PARTITIONS:
            raise UsageError(f"--partitions must be 1 to {MAX_PARTITIONS}, not {self.partitions()}")
        if not o.args or "-" in o.args:
            raise UsageError("input paths are required (the input is read twice, not stdin)")

    def partitions(self) -> int:
        """The number of reducers (launcher side)."""
        if self.options.partitions is not None:
            return self.options.partitions
        try:
            return int((self.options.jobconf or {}).get(jobconf.JOB_REDUCES, 1))
        except ValueError:
            raise UsageError(f"-D {jobconf.JOB_REDUCES} must be a number") from None

    def jobconf(self):
        conf = super().jobconf()
        if self.options.partitions is not None:
            conf[jobconf.JOB_REDUCES] = str(self.options.partitions)
        return conf

    # TeraSort's plan on Hadoop streaming (mr/lib/ranges.py): the split points are shipped to
    # every mapper of the sort job; the mappers label each record with its key range, Hadoop's
    # KeyFieldBasedPartitioner sends range i to reducer i, and the records reach each reducer
    # sorted by key.
    def steps(self):
        if self.options.print_split_points:
            return [MRStep(mapper=self.mapper_sample, reducer=self.reducer_split_points)]
        return [
            MRStep(
                mapper_init=self.mapper_init_ranges,
                mapper=self.mapper_label_range,
                reducer=self.reducer_records,
            )
        ]

    # -- launcher: sample first, then sort -----------------------------------------------------

    def make_runner(self):
        o = self.options
        if not o.print_split_points and o.split_points is None and self.partitions() > 1:
            path = self._sample_split_points()
            # tasks get their options from the command line: add the file there
            self._cl_args = [*self._cl_args, "--split-points", path]
            o.split_points = path
        return super().make_runner()

    def _sample_split_points(self) -> str:
        sampler = type(self)([*self._cl_args, "--print-split-points"])
        sampler.options.output_dir = None  # a temporary directory of its runner
        with sampler.make_runner() as runner:
            runner.run()
            data = b"".join(runner.cat_output())
        fd, path = tempfile.mkstemp(prefix="split-points-", suffix=".tsv")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        atexit.register(os.remove, path)
        return path

    # -- tasks ---------------------------------------------------------------------------------

    def record_key(self, line):
        """(sort key, fields) of a record, or None after counting why."""
        fields = self.parse_fields(line, min_fields=self.options.key_col + 1)
        if fields is None:
            return None
        key = fields[self.options.key_col]
        if not self.options.numeric:
            if key is None:
                self.count("null_keys")
                return None
            return text_sort_key(key), fields
        number = self.number_field(fields, self.options.key_col, null_counter="null_keys")
        if number is None:
            return None
        return number_sort_key(number), fields

    def mapper_sample(self, _, line):
        if zlib.crc32(line) >= self.options.sample_rate * 2**32:
            return
        keyed = self.record_key(line)
        if keyed is not None:
            sort_key, fields = keyed
            yield "sample", (sort_key, fields[self.options.key_col])

    def reducer_split_points(self, _, samples):
        n = int(jobconf.get(jobconf.JOB_REDUCES, "1") or "1")
        keys = dict(samples)  # encoded key -> key as written
        for point in pick_split_points(sorted(keys), n):
            yield None, (keys[point], point)

    def mapper_init_ranges(self):
        self.split_points = []
        if self.options.split_points:
            with open(self.options.split_points, encoding="utf-8") as f:
                self.split_points = sorted(line.rstrip("\n").rsplit("\t", 1)[-1] for line in f)
        n = int(jobconf.get(jobconf.JOB_REDUCES, "1") or "1")
        self.labels = partition_labels(n)

    def mapper_label_range(self, _, line):
        keyed = self.record_key(line)
        if keyed is None:
            return
        sort_key, fields = keyed
        # more split points than reducers (a mismatched file) still keeps ranges in order
        rank = min(bisect_right(self.split_points, sort_key), len(self.labels) - 1)
        yield self.labels[rank], (sort_key, fields)

    def reducer_records(self, _, keyed_records):
        for _, fields in keyed_records:
            yield None, fields


if __name__ == "__main__":
    TotalOrderSort.run()
