"""Index the records of files (in HDFS or local): key -> (file, byte offset, length) in HBase.

Input: record files (TSV, or MySQL CSV with ``--format csv``), one record per line, uncompressed
    ``/data/users.tsv``: ``42	Grace	US``     (``--key-col 0``)
Output: file URI<TAB>records indexed, one row per input file; the index itself goes to HBase:
row ``42``, columns ``r:path`` = ``hdfs:///data/users.tsv``, ``r:offset`` = byte offset of the
record's first byte, ``r:length`` = its length in bytes without the line ending
    ``hdfs:///data/users.tsv	1000``
Twins: none (HBase is the destination)

``mrkit index get TABLE KEY`` then reads exactly that record back with one ranged read (WebHDFS
for ``hdfs://`` files, a seek for local ones), without scanning the file.

Each input file is read whole by one map task. Lines end in ``\\n`` (a ``\\r`` before it is
left out of the length, as it is not part of the record).
Keys are meant to be unique; a key seen twice in one file keeps its last record and is counted
(duplicate_keys); across files the last file written wins.
Counters (group record_index): records, duplicate_keys, empty_lines, malformed, too_few_fields,
bad_utf8, empty_key.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

from mr.clients.hbase import Index, TableSpec
from mr.lib.hbase_job import HBaseJob
from mr.lib.index_schema import FAMILY, LENGTH, OFFSET, PATH
from mr.lib.job import MRStep, UsageError
from mr.lib.records import BadLine, CutRecords, record_fields


def _ignore(counter: str) -> None:
    pass


def record_spans(
    f: Iterable[bytes], key_col: int, fmt: str, count: Callable[[str], None] = _ignore
) -> Iterator[tuple[str, int, int]]:
    """(key, offset, length) of each record of the binary file f; bad lines are count()ed."""
    offset = 0
    cut = CutRecords(fmt)
    for raw in f:
        start, offset = offset, offset + len(raw)
        line = raw[:-1] if raw.endswith(b"\n") else raw
        if line.endswith(b"\r"):
            line = line[:-1]
        fields = record_fields(line, fmt, min_fields=key_col + 1, cut=cut)
        if isinstance(fields, BadLine):
            count(fields.counter)
            continue
        key = fields[key_col]
        if not key:
            count("empty_key")
            continue
        yield key, start, len(line)


class RecordIndex(HBaseJob):
    """Index each record's byte position in its file, by a key field, into HBase."""

    INDEX = Index
    TABLE_HELP = "HBase table for the index (created if missing)"
    BATCH_SIZE = 1000
    BATCH_HELP = "rows per put round trip"

    def configure_args(self):
        super().configure_args()
        self.add_column_arg("--key-col", "field holding the record's key", default=0)

    def validate_options(self):
        super().validate_options()
        o = self.options
        for path in self._input_paths():
            if path.endswith((".gz", ".bz2", ".zst", ".snappy", ".lz4", ".deflate")):
                raise UsageError(f"{path}: compressed input has no byte offsets to index")
        # the index stores each file's path: make local ones absolute so that a later
        # `mrkit index get` finds them from any directory
        o.args = [os.path.abspath(p) if p != "-" and "://" not in p else p for p in o.args or []]

    # Why mapper_raw: mrjob hands a mapper lines without their byte offsets (Hadoop streaming's
    # TextInputFormat key is dropped), and a file split between tasks would need its split's
    # start. So each map task gets one whole input file (mrjob's raw-file mapper: a local copy
    # and its URI), reads it in binary and counts bytes itself; offsets are then exact in the
    # original file.
    def steps(self):
        return [MRStep(mapper_raw=self.mapper_raw_index)]

    def mapper_raw_index(self, local_path, uri):
        o = self.options
        index = self.open_index()
        table = index.ensure_table(TableSpec(o.table, {FAMILY: 1}))
        seen: set[str] = set()
        records = 0
        with table.writer(batch_size=o.batch_size) as writer, open(local_path, "rb") as f:
            for key, offset, length in record_spans(f, o.key_col, o.format, self.count):
                if key in seen:
                    self.count("duplicate_keys")
                seen.add(key)
                writer.put(key, {PATH: uri, OFFSET: str(offset), LENGTH: str(length)})
                records += 1
        index.close()
        self.count("records", records)
        yield None, [uri, records]


if __name__ == "__main__":
    RecordIndex.run()
