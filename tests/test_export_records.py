"""mr/clients/mysql_export.py without a server: which files, which records, which fields."""

from __future__ import annotations

import bz2
import gzip
import zlib

import pytest

from mr.clients.mysql_export import Source, decode_row, lines, records, sources
from mr.lib.errors import UsageError
from mr.lib.sqlvalues import BadValue, Column


def source(data: bytes, name: str = "part-00000") -> Source:
    # two chunks that cut a line (and a UTF-8 character) in the middle
    return Source(name, lambda: iter([data[:5], data[5:]]))


def test_lines_across_chunks():
    assert list(lines(iter([b"ab\ncd", b"e\n", b"f"]))) == [b"ab", b"cde", b"f"]
    assert list(lines(iter([b"a\n\n"]))) == [b"a", b""]


def test_tsv_records_unescape_and_number_lines():
    data = "1\ta\\tb\\nc\t\\N\r\n2\t😀\t\\\\N\n\xff\n".encode()
    data = data.replace("\xff".encode(), b"\xff")
    assert list(records(source(data), "tsv")) == [
        (1, ["1", "a\tb\nc", None]),
        (2, ["2", "😀", "\\N"]),
        (3, "not UTF-8 (byte 1)"),
    ]


def test_csv_records_go_on_past_an_escaped_line_break():
    data = b'1,"two\\\nlines",\\N\n2,"a ""q"" \\, b",x\n3,"open\n'
    assert list(records(source(data), "csv")) == [
        (1, ["1", "two\nlines", None]),
        (3, ["2", 'a "q" , b', "x"]),
        (4, "not a MySQL CSV record"),
    ]


def test_decode_row_counts_fields():
    cols = [Column("id", "int"), Column("w", "varchar", char_length=3)]
    assert decode_row(["1", "abc"], cols) == (1, "abc")
    with pytest.raises(BadValue, match=r"1 fields, expected 2 \(id,w\)"):
        decode_row(["1"], cols)


def test_sources_of_a_job_output_directory(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("part-00001", "part-00000", "_SUCCESS", ".part-00000.crc", "_logs"):
        (out / name).write_text("")
    assert [s.name for s in sources(str(out))] == [str(out / "part-00000"), str(out / "part-00001")]
    assert [s.name for s in sources(f"file://{out}/part-00001")] == [str(out / "part-00001")]
    (out / "sub").mkdir()
    with pytest.raises(UsageError, match="is a directory"):
        sources(str(out))
    (out / "sub").rmdir()
    (out / "part-00002.snappy").write_text("")
    with pytest.raises(UsageError, match="not snappy"):
        sources(str(out))


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [
        (".gz", lambda b: gzip.compress(b[:7]) + gzip.compress(b[7:])),  # two gzip members
        (".bz2", lambda b: bz2.compress(b[:9]) + bz2.compress(b[9:])),
        (".deflate", zlib.compress),
        ("", lambda b: b),
    ],
)
def test_compressed_part_files(suffix, compress):
    data = b"".join(f"{i}\tword {i}\n".encode() for i in range(1000))
    packed = compress(data)
    chunks = Source(f"part-00000{suffix}", lambda: iter([packed[:10], packed[10:]]))
    got = list(records(chunks, "tsv"))
    assert len(got) == 1000 and got[-1] == (1000, ["999", "word 999"])
