"""Load the TSV output of any job into an HBase table (the lookup index), in batches.

Input: TSV rows (or MySQL CSV with ``--format csv``), e.g. word_count's or inverted_index's output
    word_count:      ``the	2``           (--row-key-cols 0 --columns f:count)
    inverted_index:  ``ishmael	moby.txt	1``   (--row-key-cols 0 --columns 'p:*')
Output: table<TAB>rows loaded, one row per map task (map-only: each task writes its own share)
    ``word_count	1523``
Twins: none (HBase is the destination; Hive and Pig have their own HBase storage handlers)

Mapping. The fields named by ``--row-key-cols`` (0-based, comma-separated) are joined by
``--key-sep`` (default TAB) into the row key, after ``--key-prefix`` (default none); the
remaining fields, in order, go to the columns of ``--columns``: ``cf:q`` takes the next field as
the value of column cf:q; ``cf:*`` takes the next field as the column qualifier and the one
after it as the value (so the postings ``term	doc	count`` become row ``term``, column
``p:doc`` = count: a term's postings list is its row). Without ``--columns`` the remaining
fields go to ``f:1``, ``f:2``... (their positions).
NULL fields (``\\N``) are not stored (an absent cell is HBase's NULL). Values are stored as they
appear in the TSV. The table is created if missing, with max versions ``--max-versions``.

Idempotent: loading the same rows twice leaves the same table (same rows, same cells, one version
each with the default --max-versions 1), and a dropped Thrift connection neither loses nor
duplicates a row.
Counters (group load_hbase): rows_loaded, batches, too_few_fields (a row shorter than its
mapping), empty_key, reconnects, and RecordJob's (empty_lines, malformed, bad_utf8).
"""

from __future__ import annotations

from mr.clients.hbase import Index, TableSpec
from mr.lib.hbase_job import HBaseJob
from mr.lib.index_schema import ANY_QUALIFIER, parse_column_spec
from mr.lib.job import UsageError
from mr.lib.tsv import NULL


def map_row(
    fields: list[str | None],
    key_cols: list[int],
    columns: list[tuple[str, str]],
    key_sep: str,
    key_prefix: str = "",
) -> tuple[str, dict[str, str]] | None:
    """(row key, {column: value}) of one record, or None if it is too short for the mapping."""
    if len(fields) <= max(key_cols):
        return None
    parts = [fields[i] for i in key_cols]
    key = key_prefix + key_sep.join(p if p is not None else NULL for p in parts)
    rest = [f for i, f in enumerate(fields) if i not in set(key_cols)]
    cells: dict[str, str] = {}
    if not columns:
        for n, value in enumerate(rest, 1):
            if value is not None:
                cells[f"f:{n}"] = value
        return key, cells
    pos = 0
    for family, qualifier in columns:
        if qualifier == ANY_QUALIFIER:
            if pos + 1 >= len(rest):
                return None
            name, value = rest[pos], rest[pos + 1]
            pos += 2
            if name is None:
                continue
            qualifier = name
        else:
            if pos >= len(rest):
                return None
            value = rest[pos]
            pos += 1
        if value is not None:
            cells[f"{family}:{qualifier}"] = value
    return key, cells


class LoadHBase(HBaseJob):
    """Load TSV rows into an HBase table in batches (map-only)."""

    INDEX = Index
    TABLE_HELP = "HBase table to load into (created if missing)"
    BATCH_SIZE = 1000
    BATCH_HELP = "rows per put round trip"

    def configure_args(self):
        super().configure_args()
        self.add_columns_arg("--row-key-cols", "fields that make the row key", default="0")
        self.add_passthru_arg(
            "--key-sep", default="\t", help="joins several row key fields (default TAB)"
        )
        self.add_passthru_arg(
            "--key-prefix",
            default="",
            help="text put before every row key, e.g. a day (2026-01-05/) so that each day's "
            "rows keep their own keys",
        )
        self.add_passthru_arg(
            "--columns",
            default=None,
            help="columns for the remaining fields, in order: 'cf:q' (next field is the value) "
            "or 'cf:*' (next field is the qualifier, the one after it the value); "
            "default f:1,f:2,...",
        )
        self.add_passthru_arg(
            "--max-versions",
            type=int,
            default=1,
            help="versions kept per cell when the table is created (default 1)",
        )

    def validate_options(self):
        super().validate_options()
        o = self.options
        try:
            parse_column_spec(o.columns)
        except ValueError as e:
            raise UsageError(f"--columns: bad entry {e}; want cf:qualifier or cf:*") from None
        if any(c in o.key_prefix for c in "\t\n\r"):
            raise UsageError("--key-prefix must not hold a TAB or a line break")
        if o.max_versions < 1:
            raise UsageError(f"--max-versions must be at least 1, not {o.max_versions}")

    def families(self) -> dict[str, int]:
        names = {family for family, _ in parse_column_spec(self.options.columns)} or {"f"}
        return {name: self.options.max_versions for name in sorted(names)}

    # puts are retried after a dropped Thrift connection with the batch's own timestamp (see
    # mr/clients/hbase.py): that is why a retry neither loses nor duplicates a row
    def mapper_init(self):
        o = self.options
        self.key_cols = self.column_list("row_key_cols") or [0]  # default "0": never None
        self.columns = parse_column_spec(o.columns)
        self.index = self.open_index()
        table = self.index.ensure_table(TableSpec(o.table, self.families()))
        self.writer = table.writer(batch_size=o.batch_size)

    def mapper(self, _, line):
        fields = self.parse_fields(line)
        if fields is None:
            return
        o = self.options
        mapped = map_row(fields, self.key_cols, self.columns, o.key_sep, o.key_prefix)
        if mapped is None:
            self.count("too_few_fields")
            return
        key, cells = mapped
        if not key:
            self.count("empty_key")
            return
        self.writer.put(key, cells)
        yield from ()

    def mapper_final(self):
        self.writer.flush()
        self.index.close()
        if self.writer.written:
            self.count("rows_loaded", self.writer.written)
            self.count("batches", self.writer.batches)
        if self.index.reconnects:
            self.count("reconnects", self.index.reconnects)
        yield None, [self.options.table, self.writer.written]


if __name__ == "__main__":
    LoadHBase.run()
