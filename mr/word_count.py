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

from collections import Counter

from mr.lib.job import MRKitJob
from mr.lib.text import TOKENIZERS, tokenizer

# in-mapper combining keeps at most this many distinct words before flushing
FLUSH_AT = 200_000


class WordCount(MRKitJob):
    """Count how often each word occurs."""

    def configure_args(self):
        super().configure_args()
        self.add_passthru_arg(
            "--tokenizer",
            choices=TOKENIZERS,
            default="regex",
            help="regex: lowercased words of letters/digits (default); "
            "whitespace: split on space/tab/CR/LF/FF only, like Hadoop's WordCount",
        )

    def mapper_init(self):
        self.words = tokenizer(self.options.tokenizer)
        self.counts = Counter()

    def mapper(self, _, line):
        text = self.decode(line)
        if text is None:
            return
        if not text.strip():
            self.count("empty_lines")
            return
        self.counts.update(self.words(text))
        if len(self.counts) > FLUSH_AT:
            yield from self.mapper_final()

    def mapper_final(self):
        yield from self.counts.items()
        self.counts.clear()

    def combiner(self, word, counts):
        yield word, sum(counts)

    def reducer(self, word, counts):
        yield word, sum(counts)


if __name__ == "__main__":
    WordCount.run()
