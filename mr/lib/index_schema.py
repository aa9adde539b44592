"""The HBase side of mrkit: column specs (``cf:q``, ``cf:*``) and the record-pointer schema.

Column spec: a comma-separated list of ``family:qualifier`` entries, as load_hbase and hbase_join
take them in ``--columns`` (``f:count,p:*``). ``cf:*`` stands for "a qualifier taken from the
data" (load_hbase: the next field names the column); hbase_join accepts named columns only.

Record pointers: record_index writes one row per record key, in family ``r``, and
``mrkit index get`` reads it back to fetch the record with one ranged read:
``r:path`` (the file's URI), ``r:offset`` (byte offset of the record's first byte) and
``r:length`` (its length in bytes without the line ending).
"""

from __future__ import annotations

#: the qualifier of a ``cf:*`` entry: the qualifier comes from the data
ANY_QUALIFIER = "*"

#: column family of the record pointers
FAMILY = "r"
#: the URI of the file that holds the record
PATH = f"{FAMILY}:path"
#: byte offset of the record's first byte in that file
OFFSET = f"{FAMILY}:offset"
#: the record's length in bytes, without its line ending
LENGTH = f"{FAMILY}:length"


def parse_column_spec(spec: str | None) -> list[tuple[str, str]]:
    """'f:count,p:*' -> [('f', 'count'), ('p', '*')]; [] for None or ''; ValueError(entry) on
    an entry that is not family:qualifier with a family that is an identifier."""
    if not spec:
        return []
    out: list[tuple[str, str]] = []
    for entry in spec.split(","):
        family, sep, qualifier = entry.strip().partition(":")
        if not sep or not family or not qualifier or not family.isidentifier():
            raise ValueError(entry)
        out.append((family, qualifier))
    return out
