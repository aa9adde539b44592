"""Range partitioning for a total order sort over Hadoop streaming (TeraSort's idea).

Three pieces:
- sort keys as ASCII text whose byte order is the order wanted (``text_sort_key``,
  ``number_sort_key``), since Hadoop and mrjob's one-machine runners sort map output as bytes;
- split points: n - 1 keys taken at even steps from a sorted sample (``pick_split_points``);
  a key goes to range ``bisect_right(split_points, key)``;
- partition labels: the map output key that sends range i to reducer i. Streaming jobs cannot
  plug in Hadoop's TotalOrderPartitioner, but mrjob's SORT_VALUES runs the stock
  KeyFieldBasedPartitioner on the first key field, which sends a key to reducer
  ``(hash & Integer.MAX_VALUE) % n`` with ``hash = 31 * hash + byte`` over its bytes.
  ``partition_labels(n)`` finds, for each i, a label whose hash lands on reducer i; the labels
  also sort in range order (``00002-0a``), so mrjob's inline and local runners, which sort all
  map output and cut it into consecutive part files, keep the ranges in order as well.
"""

from __future__ import annotations

import json
import struct
from typing import Any

_SIGN = 1 << 63
_MASK = (1 << 64) - 1
# the last character of a label; 31 consecutive byte values, none that JSON or TSV escapes,
# so (31 * hash + last) can reach every reducer even when n is a multiple of 31
_LAST_CHARS = [chr(c) for c in range(96, 127)]


def text_sort_key(text: str) -> str:
    """Hex of the UTF-8 bytes: byte order is code point order, shorter prefixes first."""
    return text.encode("utf-8").hex()


def number_sort_key(x: float) -> str:
    """16 hex digits whose byte order is numeric order (IEEE-754 bits, sign-flipped)."""
    bits = struct.unpack(">Q", struct.pack(">d", x + 0.0))[0]  # + 0.0 makes -0.0 into 0.0
    bits = (~bits & _MASK) if bits & _SIGN else bits | _SIGN
    return f"{bits:016x}"


def java_key_hash(data: bytes) -> int:
    """KeyFieldBasedPartitioner's hash of one key field (Java int arithmetic)."""
    h = 0
    for b in data:
        h = (31 * h + (b - 256 if b > 127 else b)) & 0xFFFFFFFF
    return h


def hadoop_partition(label: str, n: int) -> int:
    """The reducer KeyFieldBasedPartitioner (-k1,1) picks for a key field, of n."""
    return (java_key_hash(label.encode("utf-8")) & 0x7FFFFFFF) % n


def partition_labels(n: int) -> list[str]:
    """n labels in sorted order; label i goes to reducer i of n under hadoop_partition."""
    labels = []
    for i in range(n):
        for j in range(1_000_000):
            stem = f"{i:05d}-{j}"
            h = java_key_hash(stem.encode("ascii"))
            last = next((c for c in _LAST_CHARS if ((31 * h + ord(c)) & 0x7FFFFFFF) % n == i), None)
            if last is not None:
                labels.append(stem + last)
                break
        else:  # pragma: no cover - arithmetic guarantees a hit within n / 31 + 1 tries
            raise ValueError(f"no partition label for reducer {i} of {n}")
    return labels


def pick_split_points(sorted_keys: list[str], n: int) -> list[str]:
    """Up to n - 1 distinct keys at even steps through a sorted sample."""
    points: list[str] = []
    m = len(sorted_keys)
    for i in range(1, n):
        if m == 0:
            break
        key = sorted_keys[(i * m) // n]
        if not points or key > points[-1]:
            points.append(key)
    return points


class LabelKeyProtocol:
    """mrjob internal protocol: the key as plain text (a partition label), the value as JSON.

    KeyFieldBasedPartitioner hashes exactly the label's bytes (JSON would add quotes), and the
    JSON value holds no TAB, so under SORT_VALUES Hadoop sorts on the whole line.
    """

    def write(self, key: str, value: Any) -> bytes:
        return f"{key}\t{json.dumps(value, separators=(',', ':'))}".encode()

    def read(self, line: bytes) -> tuple[str, Any]:
        key, value = line.decode("utf-8").split("\t", 1)
        return key, json.loads(value)
