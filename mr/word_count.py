"""Count how often each word occurs.

Input: lines of text (any files)
    ``The quick brown fox. The end!``
Output: word<TAB>count, one row per distinct word
    ``the	2``
Twins: hive/word_count.q, pig/word_count.pig

``--tokenizer regex`` (default) lowercases and keeps letters, digits and inner apostrophes; a line
that is not UTF-8 is counted as bad_utf8 and skipped, a blank one (str.strip()) as empty_lines.

``--tokenizer whitespace`` gives the rows of Hadoop's own Java WordCount (hadoop-mapreduce-examples
``wordcount``) on any input: java.util.StringTokenizer's words (split on space, \\t, \\n, \\r
and \\f only) of each line as ``Text.toString()`` decodes it. Bytes that are not UTF-8 become
U+FFFD inside the words, as many as Java makes (mr/lib/text.py hadoop_text), and the line is
counted as bad_utf8 but kept; a line is empty (empty_lines) when it has no word; a UTF-8 byte
order mark at the start of a file is dropped, as LineRecordReader drops it (also on mrjob's
inline/local runners, which keep it in the line). Lines end at \\n, \\r\\n or a lone \\r.
Rows are written as Java writes them: the word's UTF-8 bytes, a backslash not escaped.
tests/test_wordcount_parity.py checks the rows against the Java job. The counters can differ
from Hadoop's in one case: on mrjob's own runners a line ending in several \\r (``a\\r\\r``)
reaches the job without them (mrjob strips them), so the empty lines they end are not counted.

Counters (group word_count): empty_lines, bad_utf8.
"""

# Speed (scripts/bench_word_count.py): a map task reads its input in batches of lines straight
# from stdin and writes its pairs in one buffer (run_mapper), and a reduce task sums the sorted
# ``word<TAB>count`` lines as bytes (run_reducer): mrjob's own loop calls a protocol and the
# mapper once per line and two writes per pair, which cost more than the counting. Words are
# counted in the mapper (in-mapper combining, so there is no combiner: it would sort and read
# every pair again to merge nothing) as UTF-8 bytes: whitespace tokens by bytes.split(), regex
# words by bytes.translate/split with only the odd pieces (apostrophes, non-ASCII) through the
# regex. The rows are exactly those of counting line by line (tests/test_word_count_batches.py).

import re
from collections import Counter
from itertools import islice

from mr.lib.job import TextJob
from mr.lib.records import BAD_UTF8, EMPTY_LINES
from mr.lib.text import (
    JAVA_TOKEN_BYTES_RE,
    bad_utf8_lines,
    hadoop_text,
    java_empty_lines,
    regex_words,
)

# input read and tokenized together: one decode, one lowercase and one split per block of
# whole lines instead of per line (the counts are the same; see count_blob)
BATCH_BYTES = 1 << 20
# the same, in lines, where lines come one by one (mapper(); files named on the command line)
BATCH_LINES = 8192
# in-mapper combining keeps at most this many distinct words before flushing
FLUSH_AT = 1_000_000
# a line holding only whitespace in str.strip()'s sense (the regex \s is the same predicate)
EMPTY_LINE_RE = re.compile(r"^[^\S\n]*$", re.MULTILINE)
# regex tokenizer, fast path on UTF-8 bytes: ASCII letters lowercased; ASCII digits, the
# apostrophe and every non-ASCII byte kept; every other ASCII byte (never part of a word) a space
_ASCII_WORD_BYTES = bytes(
    i if i >= 0x80 or chr(i).isalnum() or i == 0x27 else 0x20 for i in range(256)
).lower()
# U+03A3 GREEK CAPITAL SIGMA is the one letter whose lowercase depends on its neighbours
_CAPITAL_SIGMA = "\u03a3".encode()
# bytes.split() splits on Java's delimiters (space, \t, \n, \r, \f) and on \x0b, which Java's
# StringTokenizer keeps inside a word: a batch holding \x0b is split by JAVA_TOKEN_BYTES_RE
_VT = b"\x0b"


# a line's \r before its \n (mrjob strips them: line.rstrip(b"\r\n"))
_CR_AT_LINE_END = re.compile(rb"\r+(?=\n)")


def _without_cr(blob):
    """(blob, its line count) with each line's trailing \r removed, as mrjob removes them."""
    if b"\r" in blob:
        blob = _CR_AT_LINE_END.sub(b"", blob).rstrip(b"\r")
    return blob, blob.count(b"\n") + 1


class WordCountProtocol:
    """Internal (mapper -> reducer) lines ``word<TAB>count``.

    Neither tokenizer ever puts a TAB or a newline in a word, so nothing needs quoting; this
    skips the two json.loads/json.dumps per pair of mrjob's default JSON protocol. Words are
    written from str or from UTF-8 bytes (the mapper counts bytes) and read back as str.
    """

    @staticmethod
    def read(line: bytes) -> tuple[str, int]:
        word, count = line.split(b"\t")
        return word.decode("utf-8"), int(count)

    @staticmethod
    def write(word: str | bytes, count: int) -> bytes:
        return b"%s\t%d" % (word if isinstance(word, bytes) else word.encode("utf-8"), count)


class WordCountOutputProtocol(WordCountProtocol):
    """Output rows ``word<TAB>count``, the word's UTF-8 bytes as they are, as Java's WordCount
    writes them (TextOutputFormat). No word holds a TAB, newline or CR, the only characters the
    TSV rules (mr/lib/tsv.py) would escape besides the backslash, which a whitespace word can
    hold (``C:\\dir``, ``\\N``): escaping it would make the row differ from Hadoop's."""


class WordCount(TextJob):
    """Count how often each word occurs."""

    INTERNAL_PROTOCOL = WordCountProtocol
    OUTPUT_PROTOCOL = WordCountOutputProtocol

    def mapper_init(self):
        self.words = self.tokenizer()
        self.java = self.options.tokenizer == "whitespace"
        self.counts = Counter()  # words (UTF-8 bytes) -> count
        self.byte_counts = Counter()  # pieces of the fast paths: see count_byte_words
        self.batch = []
        self.empty_lines = 0
        self.bad_lines = 0

    def run_mapper(self, step_num=0):
        """Map a whole task: input read in blocks of whole lines, each block counted at once,
        pairs written in one buffer per flush (mrjob's loop calls mapper() and the protocol once
        per line)."""
        self.mapper_init()
        for blob, nlines in self.line_blocks():
            self.write_pairs(self.count_blob(blob, nlines))
        self.write_pairs(self.finish())

    def line_blocks(self):
        """(lines joined by \\n, how many) for the task's input, each line as mrjob hands it to
        a mapper: without its line ending and any \\r before it."""
        if self.options.args:  # files named on the command line (run by hand): mrjob reads them
            lines = self._read_input()
            while chunk := list(islice(lines, BATCH_LINES)):
                blob = b"\n".join(line.rstrip(b"\r\n") for line in chunk)
                yield blob, len(chunk)
            return
        read, pieces = self.stdin.read, []  # the lines' bytes read since the last line end
        while data := read(BATCH_BYTES):
            cut = data.rfind(b"\n")
            if cut < 0:  # no line ends in this block (a long line: joined once, at its end)
                pieces.append(data)
                continue
            pieces.append(data[:cut])
            yield _without_cr(b"".join(pieces))
            pieces = [data[cut + 1 :]]
        if rest := b"".join(pieces):  # a last line without a line ending
            yield _without_cr(rest)

    def write_pairs(self, pairs):
        if pairs:
            self.stdout.write(b"".join([b"%s\t%d\n" % pair for pair in pairs]))

    def mapper(self, _, line):
        # the mapper of runners that call it line by line (Spark): buffer the line; a full
        # batch is counted at once (returns pairs only on a flush)
        self.batch.append(line)
        if len(self.batch) >= BATCH_LINES:
            return self.count_batch()
        return None

    def count_batch(self):
        """Count the buffered lines; return the pairs to emit if the counts had to be flushed."""
        lines, self.batch = self.batch, []
        return self.count_blob(b"\n".join(lines), len(lines))

    def count_blob(self, blob, nlines):
        """Count `nlines` lines joined by \n (no line holds a \n: mrjob splits on it, so the
        joined lines count as the lines they were); return the pairs to emit if the counts
        had to be flushed."""
        if self.java:
            self.count_java_blob(blob)
        else:
            self.count_regex_blob(blob, nlines)
        if len(self.counts) + len(self.byte_counts) > FLUSH_AT:
            return self.flush()
        return None

    def count_regex_blob(self, blob, nlines):
        try:
            # one decode for all; a line that is not UTF-8 sends the batch line by line
            text = blob.decode("utf-8") if blob.count(b"\n") == nlines - 1 else None
        except UnicodeDecodeError:
            text = None
        if text is None:
            for line in blob.split(b"\n"):
                one = self.decode(line)
                if one is not None:
                    self.empty_lines += 1 if not one.strip() else 0
                    self.count_words(self.words(one))
        else:
            # words never span the joining newlines: both tokenizers split on them
            self.empty_lines += len(EMPTY_LINE_RE.findall(text))
            if _CAPITAL_SIGMA not in blob:
                self.byte_counts.update(blob.translate(_ASCII_WORD_BYTES).split())
            else:
                self.count_words(self.words(text))

    def count_words(self, words):
        self.counts.update(word.encode("utf-8") for word in words)

    def count_java_blob(self, blob):
        """--tokenizer whitespace: the tokens of the UTF-8 bytes.

        The delimiters are ASCII and the decoder never replaces an ASCII byte, so the tokens of
        the bytes are those of the decoded line; each distinct token is decoded once, at the
        flush (count_byte_words).
        """
        if self._bom_unchecked:
            blob = self.hadoop_bytes(blob)
        self.empty_lines += java_empty_lines(blob)
        if not blob.isascii():
            self.bad_lines += bad_utf8_lines(blob)
        self.byte_counts.update(
            blob.split() if _VT not in blob else JAVA_TOKEN_BYTES_RE.findall(blob)
        )

    def flush(self):
        """The (word, count) pairs counted so far, words as UTF-8 bytes; the counts start
        again from zero."""
        self.count_byte_words()
        pairs = list(self.counts.items())
        self.counts.clear()
        return pairs

    def count_byte_words(self):
        """Move the fast paths' counts of UTF-8 pieces into self.counts, by word.

        --tokenizer whitespace: each piece is a word, decoded as Hadoop's Text decodes it (two
        pieces can make one word: an invalid byte and U+FFFD's own bytes both decode to U+FFFD);
        an ASCII piece is its own UTF-8.

        --tokenizer regex: the fast path splits the UTF-8 text at ASCII bytes that no word can
        contain, so each piece holds whole words: a piece of ASCII letters and digits is one
        lowercased word; any other piece (an apostrophe, a non-ASCII letter or separator) is
        decoded and run through regex_words(), once per distinct piece.
        """
        pieces, counts = self.byte_counts, self.counts
        plain = bytes.isascii if self.java else bytes.isalnum
        for piece in [p for p in pieces if not plain(p)]:
            n = pieces.pop(piece)
            if self.java:
                counts[hadoop_text(piece).encode("utf-8")] += n
            else:
                for word in regex_words(piece.decode("utf-8")):
                    counts[word.encode("utf-8")] += n
        # the plain pieces are most words: the few others join them
        for word, n in counts.items():
            pieces[word] = pieces.get(word, 0) + n
        counts.clear()
        self.counts, self.byte_counts = pieces, counts

    def mapper_final(self):
        yield from self.finish()

    def finish(self):
        """The last pairs of the task (its counters are written too)."""
        pairs = self.count_batch() or [] if self.batch else []
        if self.empty_lines:
            self.count(EMPTY_LINES, self.empty_lines)
        if self.bad_lines:
            self.count(BAD_UTF8, self.bad_lines)
        return pairs + self.flush()

    def run_reducer(self, step_num=0):
        """Reduce a whole task: sum the counts of each run of equal words in the sorted
        ``word<TAB>count`` lines, as bytes, and write the rows in one buffer per batch."""
        word, total, rows = None, 0, []
        for line in self._read_input():
            key, _, count = line.rstrip(b"\r\n").rpartition(b"\t")
            if key == word:
                total += int(count)
                continue
            if word is not None:
                rows.append(b"%s\t%d\n" % (word, total))
                if len(rows) >= BATCH_LINES:
                    self.stdout.write(b"".join(rows))
                    rows = []
            word, total = key, int(count)
        if word is not None:
            rows.append(b"%s\t%d\n" % (word, total))
        self.stdout.write(b"".join(rows))

    def reducer(self, word, counts):
        # the reducer of runners that call it per key (Spark); streaming runs run_reducer
        yield word, sum(counts)


if __name__ == "__main__":
    WordCount.run()
