"""Join a big table with a small one in the mappers (replicated, map-side join): inner or left.

Input: the big table as the job's input, the small table as ``--small FILE``, a copy of which
goes to every map task and is held in memory there; TSV (or MySQL CSV with ``--format csv``)
    big, orders.tsv (``--key-col 1``):         ``1003	3	25.50``
    small, users.tsv (``--small-key-col 0``):  ``3	Grace	US``
Output: key<TAB>big fields...<TAB>small fields..., every field of both records (key columns
included); ``--join-type left`` keeps big records without a match, with NULLs (``\\N``) for the
small table's ``--small-fields`` fields
    ``3	1003	3	25.50	3	Grace	US``
Twins: hive/replicated_join.q (a MAPJOIN hint), pig/replicated_join.pig (USING 'replicated')

The rows are those of ``join --left BIG --join-type inner|left`` with the big table on the left.
Keys are compared as text; a NULL key matches nothing. There is no reduce phase: one part file
per map task. ``--fields``/``--small-fields``, when given, skip records of another width.
Counters (group replicated_join): wrong_width; small_bad_records (bad or wrong-width lines of
the small table, counted by map task 0 only); those of RecordJob (empty_lines, malformed,
too_few_fields, bad_utf8).
"""

from collections import defaultdict

from mr.lib import jobconf
from mr.lib.job import MRStep, RecordJob, UsageError
from mr.lib.records import BadLine, record_fields

JOIN_TYPES = ("inner", "left")


class ReplicatedJoin(RecordJob):
    """Map-side join with a small table held in memory: key, big fields, small fields."""

    def configure_args(self):
        super().configure_args()
        self.add_file_arg(
            "--small", metavar="FILE", help="the small table, shipped to every mapper; required"
        )
        self.add_passthru_arg(
            "--join-type",
            choices=JOIN_TYPES,
            default="inner",
            help="inner (default) or left: also keep big records without a match",
        )
        self.add_column_arg("--key-col", "big table's key field", default=0)
        self.add_column_arg("--small-key-col", "small table's key field", default=0)
        self.add_passthru_arg("--fields", type=int, help="number of fields of a big record")
        self.add_passthru_arg(
            "--small-fields",
            type=int,
            help="number of fields of a small record (needed by --join-type left)",
        )

    def validate_options(self):
        o = self.options
        if not o.small:
            raise UsageError("--small FILE is required (the table every mapper holds)")
        for opt, key, width in (
            ("", o.key_col, o.fields),
            ("small-", o.small_key_col, o.small_fields),
        ):
            if width is not None and width <= key:
                raise UsageError(f"--{opt}fields {width} leaves out key column {key}")
        if o.join_type == "left" and o.small_fields is None:
            raise UsageError("a left join needs --small-fields (the small table's width)")

    def _input_paths(self):
        # the small table must exist too
        return [*super()._input_paths(), self.options.small]

    def steps(self):
        return [MRStep(mapper_init=self.mapper_init_load_small, mapper=self.mapper_join)]

    def mapper_init_load_small(self):
        o = self.options
        self.small = defaultdict(list)
        bad = 0
        with open(o.small, "rb") as f:
            for raw in f:
                fields = _small_record(raw, o.format, o.small_key_col, o.small_fields)
                if fields is None:
                    bad += 1
                elif fields[o.small_key_col] is not None:
                    self.small[fields[o.small_key_col]].append(fields)
        # every map task reads the whole small table: only the first one counts its bad lines
        if bad and jobconf.get(jobconf.TASK_PARTITION, "0") == "0":
            self.count("small_bad_records", bad)

    def mapper_join(self, _, line):
        o = self.options
        fields = self.parse_fields(line, min_fields=o.key_col + 1)
        if fields is None:
            return
        if o.fields is not None and len(fields) != o.fields:
            self.count("wrong_width")
            return
        key = fields[o.key_col]
        matches = self.small.get(key, []) if key is not None else []
        for small in matches:
            yield None, [key, *fields, *small]
        if not matches and o.join_type == "left":
            yield None, [key, *fields, *[None] * o.small_fields]


def _small_record(raw: bytes, fmt: str, key: int, width: int | None) -> list | None:
    """Fields of a small-table line, or None if it is unusable (a blank line included)."""
    fields = record_fields(raw, fmt, min_fields=key + 1)
    if isinstance(fields, BadLine) or (width is not None and len(fields) != width):
        return None
    return fields


if __name__ == "__main__":
    ReplicatedJoin.run()
