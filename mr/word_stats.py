"""Mean, median and standard deviation of word lengths.

Hadoop's examples wordmean, wordmedian and wordstandarddeviation in one job.

Input: lines of text (any files; not-UTF-8 lines are counted as bad_utf8 and skipped)
    ``The quick brown fox``
Output: four rows statistic<TAB>value, or no rows at all when the input holds no word
    ``count	4``      number of words (integer)
    ``mean	4.000000``  mean word length
    ``median	4.000000``  median word length: the middle one for an odd count, the mean of the
                           two middle ones for an even count (so a float even when odd)
    ``stddev	1.000000``  population standard deviation, sqrt(mean(len^2) - mean^2), like
                           Hadoop's WordStandardDeviation
Twins: hive/word_stats.q, pig/word_stats.pig

Words come from the same tokenizers as word_count (``--tokenizer regex|whitespace``,
mr/lib/text.py); a word's length is its number of Unicode code points. The statistics are
computed exactly from integer sums.
Counters (group word_stats): empty_lines, bad_utf8.
"""

from collections import Counter

from mr.lib.job import TextJob
from mr.lib.stats import histogram_stats, merge_histograms

STATISTICS = ("count", "mean", "median", "stddev")


# The job sums a histogram length -> count (in the mapper, the combiner and one reducer), so
# memory is bounded by the number of distinct lengths, not of words.


class WordStats(TextJob):
    """Mean, median and standard deviation of word lengths."""

    def mapper_init(self):
        self.words = self.tokenizer()
        self.lengths = Counter()

    def mapper(self, _, line):
        text = self.text_line(line)
        if text is None:
            return
        self.lengths.update(len(w) for w in self.words(text))

    def mapper_final(self):
        if self.lengths:
            yield None, sorted(self.lengths.items())

    def combiner(self, _, histograms):
        yield None, sorted(merge_histograms(histograms).items())

    def reducer(self, _, histograms):
        stats = histogram_stats(merge_histograms(histograms))
        if stats is None:
            return
        for name in STATISTICS:
            yield name, stats[name]


if __name__ == "__main__":
    WordStats.run()
