"""Count how often two words occur near each other (a co-occurrence matrix).

Input: lines of text; windows never cross a line
    ``the cat sat on the mat``
Output: word<TAB>neighbor<TAB>count, one row per pair that occurs
    ``cat	sat	1``
Twins: none (no Hive or Pig script computes these pairs yet)

Pairs are ordered and symmetric: for the words w[0..n) of a line, every i and j with
0 < |i - j| <= --window (default 2) counts the pair (w[i], w[j]) once, so (cat, sat) and
(sat, cat) have equal counts; a word repeated within the window pairs with itself ("the the").
``--stripes`` computes the same rows with Lin and Dyer's stripes (one map of neighbors per
word) instead of pairs. Words are those of word_count (``--tokenizer``, mr/lib/text.py).
Counters (group cooccurrence): empty_lines, bad_utf8.
"""

from collections import Counter, defaultdict

from mr.lib.job import MRStep, TextJob, UsageError


def neighbor_pairs(words: list[str], window: int):
    """(word, neighbor) for every two positions at most `window` apart, both directions."""
    for i, w in enumerate(words):
        for j in range(max(0, i - window), min(len(words), i + window + 1)):
            if j != i:
                yield w, words[j]


class Cooccurrence(TextJob):
    """Count word pairs within a window: word, neighbor, count."""

    def configure_args(self):
        super().configure_args()
        self.add_passthru_arg(
            "--window",
            type=int,
            default=2,
            help="a neighbor is at most this many words before or after (default 2)",
        )
        self.add_passthru_arg(
            "--stripes",
            action="store_true",
            help="emit one map of neighbors per word (stripes) instead of one record per "
            "pair; the output rows are the same",
        )

    def validate_options(self):
        if self.options.window < 1:
            raise UsageError(f"--window must be at least 1, not {self.options.window}")

    def steps(self):
        if self.options.stripes:
            return [
                MRStep(
                    mapper_init=self.mapper_init,
                    mapper=self.mapper_stripes,
                    combiner=self.combiner_stripes,
                    reducer=self.reducer_stripes,
                )
            ]
        return [
            MRStep(
                mapper_init=self.mapper_init,
                mapper=self.mapper_pairs,
                combiner=self.reducer_pairs,
                reducer=self.reducer_pairs,
            )
        ]

    def mapper_init(self):
        self.words = self.tokenizer()

    def line_words(self, line):
        text = self.text_line(line)
        if text is None:
            return []
        return self.words(text)

    def mapper_pairs(self, _, line):
        pairs = Counter(neighbor_pairs(self.line_words(line), self.options.window))
        yield from pairs.items()

    def reducer_pairs(self, pair, counts):
        yield pair, sum(counts)

    def mapper_stripes(self, _, line):
        stripes = defaultdict(Counter)
        for w, u in neighbor_pairs(self.line_words(line), self.options.window):
            stripes[w][u] += 1
        for w, stripe in stripes.items():
            yield w, stripe

    def combiner_stripes(self, word, stripes):
        yield word, _merge(stripes)

    def reducer_stripes(self, word, stripes):
        for neighbor, n in _merge(stripes).items():
            yield (word, neighbor), n


def _merge(stripes) -> Counter:
    total = Counter()
    for stripe in stripes:
        total.update(stripe)
    return total


if __name__ == "__main__":
    Cooccurrence.run()
