"""Build an inverted index: for each term, the documents it occurs in and how often.

Input: text files, one document per file; a document is named by the file's basename
(mr/lib/inputs.py), so ``hdfs:///corpus/moby.txt`` is ``moby.txt``
    ``moby.txt``: ``Call me Ishmael. Some years ago...``
Output: term<TAB>document<TAB>count, one row per posting (a term that occurs in a document);
sorting the rows by term, then document, gives each term's postings list in document order
    ``ishmael	moby.txt	1``
Twins: hive/inverted_index.q, pig/inverted_index.pig

Words are those of word_count (``--tokenizer``, mr/lib/text.py).
Counters (group inverted_index): empty_lines, bad_utf8, no_input_file.
"""

from collections import Counter

from mr.lib.inputs import basename, input_file_uri
from mr.lib.job import MRStep, TextJob

# in-mapper combining keeps at most this many distinct terms before flushing
FLUSH_AT = 200_000


class InvertedIndex(TextJob):
    """Build an inverted index: term, document, count."""

    def mapper_init(self):
        self.words = self.tokenizer()
        uri = input_file_uri()
        self.doc = basename(uri) if uri else None
        self.counts = Counter()

    def mapper_postings(self, _, line):
        if self.doc is None:
            self.count("no_input_file")
            return
        text = self.text_line(line)
        if text is None:
            return
        self.counts.update(self.words(text))
        if len(self.counts) > FLUSH_AT:
            yield from self.mapper_final_postings()

    def mapper_final_postings(self):
        for term, n in self.counts.items():
            yield (term, self.doc), n
        self.counts.clear()

    def reducer_postings(self, term_doc, counts):
        yield term_doc, sum(counts)

    def steps(self):
        return [
            MRStep(
                mapper_init=self.mapper_init,
                mapper=self.mapper_postings,
                mapper_final=self.mapper_final_postings,
                combiner=self.reducer_postings,
                reducer=self.reducer_postings,
            )
        ]


if __name__ == "__main__":
    InvertedIndex.run()
