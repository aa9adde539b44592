"""Per key: min, max, count, mean, standard deviation and median of a numeric column.

Input: TSV records (or MySQL CSV with ``--format csv``); columns are 0-based, like Pig's $0
    ``2026-11-01	berlin	12.5``   (``--key-col 1 --value-col 2``)
Output: key<TAB>min<TAB>max<TAB>count<TAB>mean<TAB>stddev<TAB>median, one row per key
    ``berlin	3.000000	12.500000	4	7.250000	3.400368	6.750000``
Twins: hive/numeric_summary.q, pig/numeric_summary.pig

count is an integer; every other statistic is a float (six decimals, mr/lib/tsv.py). stddev is the
population standard deviation (Hive's stddev_pop); median is the middle value, or the mean of the
two middle values for an even count. A NULL key (``\\N``) is a key of its own, written ``\\N``.
Values are numbers by the one rule of mr/lib/records.py's parse_number: the whole field is a
plain ASCII decimal (``12``, ``-3.5``, ``+7``, ``.5``, ``1e22``) whose double is finite. NULL and
empty values (null_values) and every other text (bad_numbers: ``nan``, ``inf``, ``1e309``,
``1_000``, Unicode digits, ``0x10``, ``1.5d``, `` 12 ``) are counted and skipped; a key whose
values are all skipped gets no row. Any finite double, up to 1.7e308, is summarized without
overflow (the statistics of finite values are finite); the Hive and Pig twins sum in plain
doubles and write Infinity where a sum or squared deviation passes 1.8e308.

Memory: the median is exact, so each reducer call holds all values of its key in a list (about
32 bytes a value in CPython): tens of millions of values per key fit, a heavily skewed key may not.
Counters (group numeric_summary): null_values, bad_numbers, too_few_fields, empty_lines,
malformed, bad_utf8.
"""

from mr.lib.job import MRStep, RecordJob
from mr.lib.stats import mean_stddev, median_sorted


class NumericSummary(RecordJob):
    """Per key: min, max, count, mean, standard deviation and median of a numeric column."""

    def configure_args(self):
        super().configure_args()
        self.add_column_arg("--key-col", "field to summarize per value of", required=True)
        self.add_column_arg("--value-col", "numeric field to summarize", required=True)

    def steps(self):
        return [MRStep(mapper=self.mapper_key_values, reducer=self.reducer_summary)]

    def mapper_key_values(self, _, line):
        key_col, value_col = self.options.key_col, self.options.value_col
        fields = self.parse_fields(line, min_fields=max(key_col, value_col) + 1)
        if fields is None:
            return
        value = self.number_field(fields, value_col)
        if value is None:
            return
        yield fields[key_col], value

    def reducer_summary(self, key, values):
        ordered = sorted(values)
        mean, stddev = mean_stddev(ordered)
        # the key goes into the value: the TSV protocol would drop a None (NULL) key
        yield (
            None,
            (key, ordered[0], ordered[-1], len(ordered), mean, stddev, median_sorted(ordered)),
        )


if __name__ == "__main__":
    NumericSummary.run()
