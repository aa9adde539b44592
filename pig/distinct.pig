-- Pig twin of mr/distinct.py --count: the distinct records (or combinations of COLS) and how
-- many records carried each, as a last column.
-- Records are parsed by mr/lib/records.py through STREAM (mr.lib.streams records: TSV or
-- MySQL CSV, NULL as \N); each comes back as one normalized TSV text, the distinct key.
-- Parameters: INPUT, OUTPUT, COLS (0-based, e.g. 1,2), FORMAT (default tsv), PYTHON.
%default FORMAT 'tsv'
DEFINE parse_records `$PYTHON -m mr.lib.streams records --format $FORMAT --cols $COLS`
    OUTPUT (stdout USING PigStreaming('\u0001'));

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
records = STREAM lines THROUGH parse_records AS (record:chararray);
by_record = GROUP records BY record;
counts = FOREACH by_record GENERATE group, COUNT(records);
STORE counts INTO '$OUTPUT' USING PigStorage('\t');
