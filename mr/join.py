"""Join two tables on a key column (reduce-side join): inner, left, right or full outer.

Input: two tables in TSV (or MySQL CSV with ``--format csv``); the files whose name matches
``--left PATTERN`` are the left table, all other files the right one
    users.tsv (left, key column 0):   ``3	Grace	US``
    orders.tsv (right, key column 1): ``1003	3	25.50``
Output: key<TAB>left fields...<TAB>right fields..., every field of both records (key columns
included); the side a row lacks (outer joins) is written as NULLs (``\\N``), one per field
    ``3	3	Grace	US	1003	3	25.50``
    ``7	\\N	\\N	\\N	1009	7	3.00``   (``--join-type right``/``full``: an unknown user)
Twins: hive/join.q, pig/join.pig

Keys are compared as text (``01`` is not ``1``); a NULL key matches nothing, as in SQL, and its
record appears only in the outer joins that keep its side. Each key's left records are held in
memory, so put the smaller table on the left. Outer joins need the width of the side they pad
with NULLs: ``--left-fields`` for right/full joins, ``--right-fields`` for left/full joins. When a
width is given, records of another width are counted and skipped.
Counters (group join): left_wrong_width, right_wrong_width, no_input_file, and those of
RecordJob (empty_lines, malformed, too_few_fields, bad_utf8).
"""

from mr.lib.inputs import input_file_uri, path_matches
from mr.lib.job import MRStep, RecordJob, UsageError

JOIN_TYPES = ("inner", "left", "right", "full")
LEFT, RIGHT = 0, 1


class Join(RecordJob):
    """Join two tables on a key column: key, left fields, right fields."""

    # values sort after the key, so each key's left records (tag 0) reach the reducer first:
    # they are buffered while its right records stream past
    SORT_VALUES = True

    def configure_args(self):
        super().configure_args()
        self.add_passthru_arg(
            "--left",
            metavar="PATTERN",
            help="files of the left table: a glob matched against the file name, or against "
            "the whole path if it has a '/' (e.g. 'users*.tsv', '*/users/*'); required",
        )
        self.add_passthru_arg(
            "--join-type",
            choices=JOIN_TYPES,
            default="inner",
            help="inner (default), left, right or full (outer)",
        )
        self.add_column_arg("--left-key-col", "left table's key field", default=0)
        self.add_column_arg("--right-key-col", "right table's key field", default=0)
        self.add_passthru_arg(
            "--left-fields",
            type=int,
            help="number of fields of a left record (needed by right and full joins)",
        )
        self.add_passthru_arg(
            "--right-fields",
            type=int,
            help="number of fields of a right record (needed by left and full joins)",
        )

    def validate_options(self):
        o = self.options
        if not o.left:
            raise UsageError("--left PATTERN is required (which input files are the left table)")
        for side in ("left", "right"):
            key, width = getattr(o, f"{side}_key_col"), getattr(o, f"{side}_fields")
            if width is not None and width <= key:
                raise UsageError(f"--{side}-fields {width} leaves out key column {key}")
        if o.join_type in ("right", "full") and o.left_fields is None:
            raise UsageError(f"a {o.join_type} join needs --left-fields (the left table's width)")
        if o.join_type in ("left", "full") and o.right_fields is None:
            raise UsageError(f"a {o.join_type} join needs --right-fields (the right table's width)")

    def steps(self):
        return [
            MRStep(
                mapper_init=self.mapper_init_side,
                mapper=self.mapper_tag_side,
                reducer=self.reducer_join,
            )
        ]

    def mapper_init_side(self):
        uri = input_file_uri()
        self.side = None
        if uri is not None:
            self.side = LEFT if path_matches(uri, self.options.left) else RIGHT
        name = "left" if self.side == LEFT else "right"
        self.key_col = getattr(self.options, f"{name}_key_col")
        self.width = getattr(self.options, f"{name}_fields")
        self.wrong_width = f"{name}_wrong_width"

    def mapper_tag_side(self, _, line):
        if self.side is None:
            self.count("no_input_file")
            return
        fields = self.parse_fields(line, min_fields=self.key_col + 1)
        if fields is None:
            return
        if self.width is not None and len(fields) != self.width:
            self.count(self.wrong_width)
            return
        yield fields[self.key_col], (self.side, fields)

    def reducer_join(self, key, tagged):
        # the row's first field is the key; a None output key would be left out of the row
        o = self.options
        keep_left, keep_right = o.join_type in ("left", "full"), o.join_type in ("right", "full")
        left_rows, matched = [], False
        for side, fields in tagged:
            if side == LEFT:
                left_rows.append(fields)
            elif key is not None and left_rows:
                matched = True
                for left in left_rows:
                    yield None, [key, *left, *fields]
            elif keep_right:
                yield None, [key, *[None] * o.left_fields, *fields]
        if keep_left and not matched:
            for left in left_rows:
                yield None, [key, *left, *[None] * o.right_fields]


if __name__ == "__main__":
    Join.run()
