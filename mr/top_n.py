"""The N records with the largest values of a numeric column, per group or overall.

Input: TSV records (or MySQL CSV with ``--format csv``); columns are 0-based, like Pig's $0
    ``order-04	oslo	129.00	card``   (``--group-col 1 --value-col 2 -n 2``)
Output, with --group-col: group<TAB>rank<TAB>value<TAB>record..., N rows per group at most
    ``oslo	1	129.000000	order-04	oslo	129.00	card``
Output, without --group-col: rank<TAB>value<TAB>record..., N rows at most
    ``1	129.000000	order-04	oslo	129.00	card``
Twins: hive/top_n.q, pig/top_n.pig

rank runs 1..N with no gaps or shared ranks (Hive's row_number()). Records are ordered by value
descending, then, for equal values, by the record's text ascending, where the record's text is
its fields written as one TSV row (mr/lib/tsv.py) compared by code point (= UTF-8 byte order);
so the result never depends on input order or on the number of mappers. value is the parsed
number (a float, six decimals); record is every field of the input record, as TSV (CSV input is
written as TSV). A NULL group (``\\N``) is a group of its own. Values are numbers by the one
rule of mr/lib/records.py's parse_number (a plain ASCII decimal, finite as a double: ``+7``,
``.5``, ``1e22``, ``-1.7e308``); NULL and empty values (null_values) and every other text
(bad_numbers: ``nan``, ``inf``, ``1e309``, ``1_000``, Unicode digits, ``0x10``, ``1.5d``,
`` 12 ``) are counted and skipped.
Counters (group top_n): null_values, bad_numbers, too_few_fields, empty_lines, malformed, bad_utf8.
"""

import heapq

from mr.lib.job import MRStep, RecordJob, UsageError
from mr.lib.tsv import format_row


def ranking(candidate):
    """Sort key of a [value, text, fields] candidate: value descending, then text ascending."""
    return -candidate[0], candidate[1]


class TopN(RecordJob):
    """The N records with the largest values of a numeric column, per group or overall."""

    def configure_args(self):
        super().configure_args()
        self.add_column_arg("--group-col", "field to rank within (default: one overall ranking)")
        self.add_column_arg("--value-col", "numeric field to rank by", required=True)
        self.add_passthru_arg(
            "-n",
            "--n",
            type=int,
            default=10,
            help="keep N records per group (or overall), all of them where there are fewer "
            "(default 10)",
        )

    def validate_options(self):
        opts = self.options
        if opts.n < 1:
            raise UsageError(f"-n {opts.n}: expected at least 1")

    def steps(self):
        return [
            MRStep(
                mapper=self.mapper_candidates,
                combiner=self.combiner_top_n,
                reducer=self.reducer_ranked,
            )
        ]

    def mapper_candidates(self, _, line):
        group_col, value_col = self.options.group_col, self.options.value_col
        fields = self.parse_fields(line, min_fields=max(value_col, group_col or 0) + 1)
        if fields is None:
            return
        value = self.number_field(fields, value_col)
        if value is None:
            return
        group = fields[group_col] if group_col is not None else None
        yield group, [value, format_row(*fields), fields]

    # the combiner and the reducer keep N records per group with heapq.nsmallest: memory O(N)
    def combiner_top_n(self, group, candidates):
        for candidate in heapq.nsmallest(self.options.n, candidates, key=ranking):
            yield group, candidate

    def reducer_ranked(self, group, candidates):
        top = heapq.nsmallest(self.options.n, candidates, key=ranking)
        for rank, (value, _, fields) in enumerate(top, start=1):
            row = (rank, value, *fields)
            # the group goes into the value: the TSV protocol would drop a None (NULL) key
            yield None, (group, *row) if self.options.group_col is not None else row


if __name__ == "__main__":
    TopN.run()
