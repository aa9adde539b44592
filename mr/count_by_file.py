"""Count the records (lines) of each input file.

Input: any text files; every line is a record, empty or not (as Hive's count(*) counts rows)
    ``access-2024-01-01.log``: ``10.0.0.1 - - [01/Jan/2024:00:00:01 +0000] "GET / HTTP/1.1" 200 5``
Output: file<TAB>records, one row per input file that has at least one line; a file is named by
its basename (mr/lib/inputs.py), so two files with one name in different directories add up
    ``access-2024-01-01.log	1532``
Twins: hive/count_by_file.q, pig/count_by_file.pig

Counters (group count_by_file): no_input_file (a map task that was not told its file).
"""

from collections import Counter

from mr.lib.inputs import basename, input_file_uri
from mr.lib.job import MRKitJob


class CountByFile(MRKitJob):
    """Count the records (lines) of each input file."""

    def mapper_init(self):
        uri = input_file_uri()
        self.file = basename(uri) if uri else None
        self.records = Counter()

    def mapper(self, _, line):
        if self.file is None:
            self.count("no_input_file")
            return
        self.records[self.file] += 1

    def mapper_final(self):
        yield from self.records.items()

    def combiner(self, file, counts):
        yield file, sum(counts)

    def reducer(self, file, counts):
        yield file, sum(counts)


if __name__ == "__main__":
    CountByFile.run()
