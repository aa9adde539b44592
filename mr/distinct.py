"""Distinct records, or distinct combinations of chosen columns, optionally with their counts.

Input: TSV records (or MySQL CSV with ``--format csv``); columns are 0-based, like Pig's $0
    ``2026-11-01	berlin	card	42.50``   (``--cols 1,2 --count``)
Output: the distinct fields, one row each; with ``--count`` the number of input records that
carried them as a last column
    ``berlin	card	3``
Twins: hive/distinct.q, pig/distinct.pig

Without ``--cols`` a record's fields are compared whole (records with different numbers of fields
differ); with ``--cols 1,2`` the chosen columns, written in the order given. Fields compare as
parsed text: ``42.5`` and ``42.50`` differ, NULL (``\\N``) equals NULL (like SQL's DISTINCT and
GROUP BY), and CSV input (``"a",b`` and ``a,"b"`` are one record) is written as TSV.
Counters (group distinct): too_few_fields, empty_lines, malformed, bad_utf8.
"""

from mr.lib.job import MRStep, RecordJob


class Distinct(RecordJob):
    """Distinct records, or distinct combinations of chosen columns, optionally with counts."""

    def configure_args(self):
        super().configure_args()
        self.add_columns_arg("--cols", "fields to keep, in this order (default: whole records)")
        self.add_passthru_arg(
            "--count", action="store_true", help="add the number of records as a last column"
        )

    # a combiner sums the counts, so each mapper sends each distinct value once
    def steps(self):
        return [
            MRStep(
                mapper_init=self.mapper_init_columns,
                mapper=self.mapper_values,
                combiner=self.combiner_count,
                reducer=self.reducer_distinct,
            )
        ]

    def mapper_init_columns(self):
        self.cols = self.column_list("cols")

    def mapper_values(self, _, line):
        fields = self.parse_fields(line, min_fields=max(self.cols) + 1 if self.cols else 1)
        if fields is None:
            return
        yield (fields if self.cols is None else [fields[c] for c in self.cols]), 1

    def combiner_count(self, values, counts):
        yield values, sum(counts)

    def reducer_distinct(self, values, counts):
        # the fields go into the value: the TSV protocol drops a None key
        yield None, (*values, sum(counts)) if self.options.count else values


if __name__ == "__main__":
    Distinct.run()
