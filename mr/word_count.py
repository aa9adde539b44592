"""Count how often each word occurs.

Input: lines of text (any files; not-UTF-8 lines are counted as bad_utf8 and skipped)
    ``The quick brown fox. The end!``
Output: word<TAB>count, one row per distinct word
    ``the	2``
Twins: hive/word_count.q, pig/word_count.pig

``--tokenizer regex`` (default) lowercases and keeps letters, digits and inner apostrophes;
``--tokenizer whitespace`` is Hadoop WordCount's StringTokenizer (see mr/lib/text.py).
Counters (group word_count): empty_lines, bad_utf8.
"""

# Speed (scripts/bench_word_count.py): mappers count batches of lines at once with in-mapper
# combining; the default tokenizer splits UTF-8 bytes with bytes.translate/split and sends only
# the odd pieces (apostrophes, non-ASCII) through the regex; pairs travel between tasks as plain
# ``word<TAB>count`` lines. The rows are exactly those of counting line by line.

import re
from collections import Counter

from mr.lib.job import TextJob
from mr.lib.text import regex_words

# lines tokenized together: one decode, one lowercase and one findall per batch instead of per
# line (the counts are the same; see count_batch)
BATCH_LINES = 4096
# in-mapper combining keeps at most this many distinct words before flushing
FLUSH_AT = 200_000
# a line holding only whitespace in str.strip()'s sense (the regex \s is the same predicate)
EMPTY_LINE_RE = re.compile(r"^[^\S\n]*$", re.MULTILINE)
# regex tokenizer, fast path on UTF-8 bytes: ASCII letters lowercased; ASCII digits, the
# apostrophe and every non-ASCII byte kept; every other ASCII byte (never part of a word) a space
_ASCII_WORD_BYTES = bytes(
    i if i >= 0x80 or chr(i).isalnum() or i == 0x27 else 0x20 for i in range(256)
).lower()
# U+03A3 GREEK CAPITAL SIGMA is the one letter whose lowercase depends on its neighbours
_CAPITAL_SIGMA = "\u03a3".encode()


class WordCountProtocol:
    """Internal (mapper -> combiner -> reducer) lines ``word<TAB>count``.

    Neither tokenizer ever puts a TAB or a newline in a word, so nothing needs quoting; this
    skips the two json.loads/json.dumps per pair of mrjob's default JSON protocol.
    """

    @staticmethod
    def read(line: bytes) -> tuple[str, int]:
        word, count = line.split(b"\t")
        return word.decode("utf-8"), int(count)

    @staticmethod
    def write(word: str, count: int) -> bytes:
        return b"%s\t%d" % (word.encode("utf-8"), count)


class WordCount(TextJob):
    """Count how often each word occurs."""

    INTERNAL_PROTOCOL = WordCountProtocol

    def mapper_init(self):
        self.words = self.tokenizer()
        self.counts = Counter()
        self.byte_counts = Counter()  # regex tokenizer's fast path: see count_regex_bytes
        self.batch = []
        self.empty_lines = 0

    def mapper(self, _, line):
        # buffer the line; a full batch is counted at once (returns pairs only on a flush)
        self.batch.append(line)
        if len(self.batch) >= BATCH_LINES:
            return self.count_batch()
        return None

    def count_batch(self):
        """Count the buffered lines; return the pairs to emit if the counts had to be flushed."""
        lines, self.batch = self.batch, []
        blob = b"\n".join(lines)
        try:
            # one decode for all; a line that is not UTF-8 sends the batch line by line
            text = blob.decode("utf-8") if blob.count(b"\n") == len(lines) - 1 else None
        except UnicodeDecodeError:
            text = None
        if text is None:
            for line in lines:
                one = self.decode(line)
                if one is not None:
                    self.empty_lines += 1 if not one.strip() else 0
                    self.counts.update(self.words(one))
        else:
            # words never span the joining newlines: both tokenizers split on them
            self.empty_lines += len(EMPTY_LINE_RE.findall(text))
            if self.words is regex_words and _CAPITAL_SIGMA not in blob:
                self.byte_counts.update(blob.translate(_ASCII_WORD_BYTES).split())
            else:
                self.counts.update(self.words(text))
        if len(self.counts) + len(self.byte_counts) > FLUSH_AT:
            return self.flush()
        return None

    def flush(self):
        """The (word, count) pairs counted so far; the counts start again from zero."""
        self.count_regex_bytes()
        pairs = list(self.counts.items())
        self.counts.clear()
        return pairs

    def count_regex_bytes(self):
        """Move the fast path's counts into self.counts as regex_words() would have counted.

        The fast path splits the UTF-8 text at ASCII bytes that no word can contain, so each
        piece holds whole words: a piece of ASCII letters and digits is one lowercased word; any
        other piece (an apostrophe, a non-ASCII letter or separator) is decoded and run through
        regex_words(), once per distinct piece.
        """
        counts = self.counts
        for piece, n in self.byte_counts.items():
            if piece.isalnum():
                counts[piece.decode("ascii")] += n
            else:
                for word in regex_words(piece.decode("utf-8")):
                    counts[word] += n
        self.byte_counts.clear()

    def mapper_final(self):
        if self.batch:
            yield from self.count_batch() or ()
        if self.empty_lines:
            self.count("empty_lines", self.empty_lines)
        yield from self.flush()

    def combiner(self, word, counts):
        yield word, sum(counts)

    def reducer(self, word, counts):
        yield word, sum(counts)


if __name__ == "__main__":
    WordCount.run()
