"""Join a big table with a small one in the mappers (replicated, map-side join): inner or left.

Input: the big table as the job's input, the small table as ``--small FILE``, a copy of which
goes to every map task and is held in memory there; TSV (or MySQL CSV with ``--format csv``)
    big, orders.tsv (``--key 1``):         ``1003	3	25.50``
    small, users.tsv (``--small-key 0``):  ``3	Grace	US``
Output: key<TAB>big fields...<TAB>small fields..., every field of both records (key columns
included); ``--type left`` keeps big records without a match, with NULLs (``\\N``) for the
small table's ``--small-fields`` fields
    ``3	1003	3	25.50	3	Grace	US``
Twins: hive/replicated_join.q (a MAPJOIN hint), pig/replicated_join.pig (USING 'replicated')

The rows are those of ``join --left BIG --type inner|left`` with the big table on the left.
Keys are compared as text; a NULL key matches nothing. There is no reduce phase: one part file
per map task. ``--fields``/``--small-fields``, when given, skip records of another width.
Counters (group replicated_join): wrong_width; small_bad_records (bad or wrong-width lines of
the small table, counted by map task 0 only); those of RecordJob (empty_lines, malformed,
too_few_fields, bad_utf8).
"""

from collections import defaultdict

from mrjob.compat import jobconf_from_env
from mrjob.step import MRStep

from mr.lib.job import RecordJob, UsageError
from mr.lib.records import parse_record

JOIN_TYPES = ("inner", "left")


class ReplicatedJoin(RecordJob):
    """Map-side join with a small table held in memory: key, big fields, small fields."""

    def configure_args(self):
        super().configure_args()
        self.add_file_arg(
            "--small", metavar="FILE", help="the small table, shipped to every mapper; required"
        )
        self.add_passthru_arg("--type", choices=JOIN_TYPES, default="inner", help="join type")
        self.add_passthru_arg(
            "--key", type=int, default=0, help="key column of the big table, 0-based"
        )
        self.add_passthru_arg(
            "--small-key", type=int, default=0, help="key column of the small table, 0-based"
        )
        self.add_passthru_arg("--fields", type=int, help="number of fields of a big record")
        self.add_passthru_arg(
            "--small-fields",
            type=int,
            help="number of fields of a small record (needed by --type left)",
        )

    def validate_options(self):
        o = self.options
        if not o.small:
            raise UsageError("--small FILE is required (the table every mapper holds)")
        self.check_columns("key", "small_key")
        for opt, key, width in (
            ("", o.key, o.fields),
            ("small-", o.small_key, o.small_fields),
        ):
            if width is not None and width <= key:
                raise UsageError(f"--{opt}fields {width} leaves out key column {key}")
        if o.type == "left" and o.small_fields is None:
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
                fields = _small_record(raw, o.format, o.small_key, o.small_fields)
                if fields is None:
                    bad += 1
                elif fields[o.small_key] is not None:
                    self.small[fields[o.small_key]].append(fields)
        if bad and jobconf_from_env("mapreduce.task.partition", "0") == "0":
            self.count("small_bad_records", bad)

    def mapper_join(self, _, line):
        o = self.options
        fields = self.parse_fields(line, min_fields=o.key + 1)
        if fields is None:
            return
        if o.fields is not None and len(fields) != o.fields:
            self.count("wrong_width")
            return
        key = fields[o.key]
        matches = self.small.get(key, []) if key is not None else []
        for small in matches:
            yield None, [key, *fields, *small]
        if not matches and o.type == "left":
            yield None, [key, *fields, *[None] * o.small_fields]


def _small_record(raw: bytes, fmt: str, key: int, width: int | None) -> list | None:
    """Fields of a small-table line, or None if it is unusable (a blank line included)."""
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return None
    if not text.strip():
        return None
    fields = parse_record(text, fmt)
    if fields is None or len(fields) <= key or (width is not None and len(fields) != width):
        return None
    return fields


if __name__ == "__main__":
    ReplicatedJoin.run()
