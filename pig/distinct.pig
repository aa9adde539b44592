-- Pig twin of mr/distinct.py --count: the distinct records (or combinations of COLS) and how
-- many records carried each, as a last column.
-- Records are parsed by mr/lib/records.py through STREAM (mr.lib.streams records: TSV or
-- MySQL CSV, NULL as \N); each comes back as one normalized TSV text, the distinct key.
-- @param COLS cols: the columns that make a record's distinct key (0-based, e.g. 1,2)
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT, OUTPUT and PYTHON.
DEFINE parse_records `$PYTHON -m mr.lib.streams records --format $FORMAT --cols $COLS`
    OUTPUT (stdout USING PigStreaming('\u0001'));

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
records = STREAM lines THROUGH parse_records AS (record:chararray);
by_record = GROUP records BY record;
record_counts = FOREACH by_record GENERATE group, COUNT(records);
STORE record_counts INTO '$OUTPUT' USING PigStorage('\t');
