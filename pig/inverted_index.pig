-- Pig twin of mr/inverted_index.py: term<TAB>document<TAB>count, one row per posting; a
-- document is its file basename (-tagFile). Words come from mr/lib/text.py through STREAM.
-- Parameters: INPUT (a directory of documents), OUTPUT, PYTHON (set by mrkit pig run).
DEFINE tokenize `$PYTHON -m mr.lib.streams tokenize --keyed`;

lines = LOAD '$INPUT' USING PigStorage('\u0001', '-tagFile') AS (doc:chararray, line:chararray);
postings = STREAM lines THROUGH tokenize AS (doc:chararray, term:chararray);
by_posting = GROUP postings BY (term, doc);
counts = FOREACH by_posting GENERATE FLATTEN(group), COUNT(postings);
STORE counts INTO '$OUTPUT' USING PigStorage('\t');
