-- Pig twin of mr/total_order_sort.py: the records, TSV-normalized, in key order (ORDER BY:
-- Pig samples the keys and range-partitions them, so the part files are globally sorted).
-- Keys are text or, with KEY_TYPE=number, numbers; records with a NULL key or a key that is
-- not a number are dropped, like the MR job.
-- Records are parsed by mr/lib/records.py through STREAM (mr.lib.streams records).
-- @param KEY_COL int default 0: the sort key column (0-based)
-- @param KEY_TYPE enum(text,number) default text: sort keys as text or as numbers
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT, OUTPUT and PYTHON.
DEFINE parse_records `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $KEY_COL --key-type $KEY_TYPE`
    OUTPUT (stdout USING PigStreaming('\u0001'));

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
records = STREAM lines THROUGH parse_records AS (k:chararray, row_text:chararray);
-- an empty key comes back from the stream as a null; \N is a NULL key
keyed = FILTER records BY k is null OR k != '\\N';
sortable = FOREACH keyed GENERATE
    ('$KEY_TYPE' == 'number' ? (double) k : (double) null) AS num, k, row_text;
sorted_records = ORDER sortable BY num, k, row_text;
sorted_rows = FOREACH sorted_records GENERATE row_text;
STORE sorted_rows INTO '$OUTPUT' USING PigStorage('\t');
