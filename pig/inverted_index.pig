-- Pig twin of mr/inverted_index.py: term<TAB>document<TAB>count, one row per posting; a
-- document is its file basename (-tagFile). Words come from mr/lib/text.py through STREAM.
-- No parameters; the runner sets INPUT (a directory of documents), OUTPUT and PYTHON.
DEFINE tokenize `$PYTHON -m mr.lib.streams tokenize --keyed`;

document_lines = LOAD '$INPUT' USING PigStorage('\u0001', '-tagFile') AS (doc:chararray, line:chararray);
postings = STREAM document_lines THROUGH tokenize AS (doc:chararray, term:chararray);
by_posting = GROUP postings BY (term, doc);
posting_counts = FOREACH by_posting GENERATE FLATTEN(group), COUNT(postings);
STORE posting_counts INTO '$OUTPUT' USING PigStorage('\t');
