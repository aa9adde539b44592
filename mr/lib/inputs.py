"""Which input file a map task reads, the same way on inline, local and hadoop runners.

Every runner puts the task's input split in the job configuration as
``mapreduce.map.input.file`` (a URI: ``file:///data/a.txt``, ``hdfs://nn:8020/data/a.txt``).
Input files are named by their basename (``a.txt``), so the name does not depend on where the
files live.
"""

from __future__ import annotations

from mr.lib import jobconf
from mr.lib.uris import basename, path_matches, uri_path

__all__ = ["basename", "input_file_uri", "path_matches", "uri_path"]


def input_file_uri() -> str | None:
    """The URI of the file this map task reads, or None (not in a map task)."""
    return jobconf.get(jobconf.MAP_INPUT_FILE) or None
