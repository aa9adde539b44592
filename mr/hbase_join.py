"""Enrich each input record with columns looked up in HBase by one of its fields: inner or left.

Input: TSV records (or MySQL CSV with ``--format csv``) whose ``--key-col`` field is a row key of
``--table``, e.g. words to enrich with their counts from a table loaded by load_hbase
    ``the	DT``             (--key-col 0 --table word_count --columns f:count)
Output: the record's fields, then the values of ``--columns`` in their order
    ``the	DT	2``
``--join-type left`` also keeps records whose key is not in the table, with NULLs (``\\N``) for the
columns; ``--join-type inner`` (default) drops them. A column the row lacks is NULL either way.
Twins: none (the lookup side lives in HBase)

Map-only: one part file per map task.
Counters (group hbase_join): matched, missing_keys (records whose key is not in the table),
null_keys, lookups (round trips), too_few_fields, and RecordJob's.
"""

from __future__ import annotations

from mr.clients.hbase import Index
from mr.lib.hbase_job import HBaseJob
from mr.lib.index_schema import ANY_QUALIFIER, parse_column_spec
from mr.lib.job import UsageError

JOIN_TYPES = ("inner", "left")


class HBaseJoin(HBaseJob):
    """Append HBase columns to each record, looked up by a key field in batches."""

    INDEX = Index
    TABLE_HELP = "HBase table to look keys up in"
    BATCH_SIZE = 500
    BATCH_HELP = "records buffered per multi-row lookup"

    def configure_args(self):
        super().configure_args()
        self.add_column_arg("--key-col", "field holding the row key to look up", default=0)
        self.add_passthru_arg(
            "--columns",
            help="columns to append, comma-separated family:qualifier (e.g. f:count,f:doc)",
        )
        self.add_passthru_arg(
            "--join-type",
            choices=JOIN_TYPES,
            default="inner",
            help="inner: drop records without a row (default); left: keep them with NULLs",
        )

    def validate_options(self):
        super().validate_options()
        o = self.options
        if not o.columns:
            raise UsageError("--columns is required (e.g. --columns f:count)")
        try:
            columns = parse_column_spec(o.columns)
        except ValueError as e:
            raise UsageError(f"--columns: bad entry {e}; want family:qualifier") from None
        if any(q == ANY_QUALIFIER for _, q in columns):
            raise UsageError("--columns: name each column (family:qualifier), not family:*")

    def mapper_init(self):
        o = self.options
        self.columns = [f"{f}:{q}" for f, q in parse_column_spec(o.columns)]
        self.index = self.open_index()
        self.table = self.index.table(o.table)
        self.buffer: list[list[str | None]] = []

    # Lookups are batched: each map task buffers --batch-size records and fetches their distinct
    # keys with one multi-row get (one round trip per batch, not per record), retried after a
    # dropped Thrift connection (mr/clients/hbase.py).
    def mapper(self, _, line):
        fields = self.parse_fields(line, min_fields=self.options.key_col + 1)
        if fields is None:
            return
        self.buffer.append(fields)
        if len(self.buffer) >= self.options.batch_size:
            yield from self.join_buffer()

    def join_buffer(self):
        """Look the buffered records' keys up in one round trip; yield the joined rows."""
        records, self.buffer = self.buffer, []
        col = self.options.key_col
        keys = [r[col] for r in records if r[col] is not None]
        found = {}
        if keys:
            found = self.table.rows(keys, columns=self.columns, chunk=len(keys))
            self.count("lookups")
        left = self.options.join_type == "left"
        for record in records:
            key = record[col]
            if key is None:
                self.count("null_keys")
                row = None
            else:
                row = found.get(key)
            if row is None:
                if key is not None:
                    self.count("missing_keys")
                if left:
                    yield None, [*record, *[None] * len(self.columns)]
                continue
            self.count("matched")
            yield None, [*record, *[row.get(c) for c in self.columns]]

    def mapper_final(self):
        if self.buffer:
            yield from self.join_buffer()
        self.index.close()


if __name__ == "__main__":
    HBaseJoin.run()
