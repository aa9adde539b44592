"""Count the values of a numeric column per bin: fixed-width bins or explicit edges.

Input: TSV records (or MySQL CSV with ``--format csv``); the column is 0-based, like Pig's $0
    ``order-17	berlin	42.50``   (``--value-col 2 --width 10``)
Output: lo<TAB>hi<TAB>count, one row per non-empty bin; every bin is half-open, [lo, hi)
    ``40.000000	50.000000	3``
Twins: hive/histogram.q, pig/histogram.pig

``--width W [--origin O]`` (O defaults to 0): bin k holds lo <= x < hi with lo = O + k*W,
hi = lo + W, for every integer k (negative too), so no value is out of range.
``--edges e0,e1,...,en`` (strictly increasing, at least two): bin i holds e(i) <= x < e(i+1);
values below e0 are counted as below_range, values at or above en as above_range, not written.
Bins are found in exact decimal arithmetic on the numbers' text (0.3 with width 0.1 falls in
[0.3, 0.4), where binary floats would put it in [0.2, 0.3)); lo and hi are written as floats,
``\\N`` for a bound past the double range (1.7e308 with --width 1e308: hi is 2e308; the Pig twin
writes its null as an empty field there, so the engines differ in that one case).
Empty bins have no row. Values are numbers by the one rule of mr/lib/records.py's parse_number
(a plain ASCII decimal, finite as a double; any such value bins exactly, 1.7e308 with width
1e-300 too); NULL and empty values (null_values) and every other text (bad_numbers: ``nan``,
``inf``, ``1e309``, ``1_000``, Unicode digits, ``0x10``, ``1.5d``, `` 12 ``) are counted and
skipped. --width, --origin and --edges follow the same rule (spaces around edges allowed).
Counters (group histogram): null_values, bad_numbers, below_range, above_range, too_few_fields,
empty_lines, malformed, bad_utf8.
"""

from mr.lib.bins import edge_bin, fixed_bin, fixed_bounds, parse_edges
from mr.lib.job import MRStep, RecordJob, UsageError
from mr.lib.stats import parse_decimal


class Histogram(RecordJob):
    """Count the values of a numeric column per bin."""

    def configure_args(self):
        super().configure_args()
        self.add_column_arg("--value-col", "numeric field to bin", required=True)
        self.add_passthru_arg("--width", help="fixed bin width W > 0 (or use --edges)")
        self.add_passthru_arg("--origin", help="with --width: a bin starts here (default 0)")
        self.add_passthru_arg(
            "--edges", help="explicit increasing bin edges e0,e1,...: bins [e(i), e(i+1))"
        )

    def validate_options(self):
        opts = self.options
        if (opts.width is None) == (opts.edges is None):
            raise UsageError("give exactly one of --width and --edges")
        if opts.edges is not None:
            if opts.origin is not None:
                raise UsageError("--origin goes with --width, not --edges")
            try:
                parse_edges(opts.edges)
            except ValueError as e:
                raise UsageError(str(e)) from None
            return
        width = parse_decimal(opts.width)
        # 1e-400 is a positive Decimal but 0.0 as a double: refused like 0
        if width is None or width <= 0 or float(width) == 0:
            raise UsageError(f"--width {opts.width!r}: expected a number > 0")
        if opts.origin is not None and parse_decimal(opts.origin) is None:
            raise UsageError(f"--origin {opts.origin!r}: expected a number")

    def steps(self):
        return [
            MRStep(
                mapper_init=self.init_bins,
                mapper=self.mapper_bin,
                combiner=self.reducer_count,
                reducer_init=self.init_bins,
                reducer=self.reducer_count_with_bounds,
            )
        ]

    def init_bins(self):
        opts = self.options
        self.edges = parse_edges(opts.edges) if opts.edges is not None else None
        if self.edges is None:
            self.width = parse_decimal(opts.width)
            self.origin = parse_decimal(opts.origin or "0")

    def mapper_bin(self, _, line):
        fields = self.parse_fields(line, min_fields=self.options.value_col + 1)
        if fields is None:
            return
        value = self.number_field(fields, self.options.value_col, parse_decimal)
        if value is None:
            return
        if self.edges is None:
            yield fixed_bin(value, self.origin, self.width), 1
            return
        i = edge_bin(value, self.edges)
        if i < 0:
            self.count("below_range")
        elif i >= len(self.edges) - 1:
            self.count("above_range")
        else:
            yield i, 1

    def reducer_count(self, bin_index, counts):
        yield bin_index, sum(counts)

    def reducer_count_with_bounds(self, bin_index, counts):
        if self.edges is not None:
            lo, hi = self.edges[bin_index], self.edges[bin_index + 1]
        else:
            lo, hi = fixed_bounds(bin_index, self.origin, self.width)
        yield None, (float(lo), float(hi), sum(counts))


if __name__ == "__main__":
    Histogram.run()
