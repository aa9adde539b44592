-- Pig twin of mr/total_order_sort.py: the records, TSV-normalized, in key order (ORDER BY:
-- Pig samples the keys and range-partitions them, so the part files are globally sorted).
-- Keys are text or, with KEY_TYPE=number, numbers; records with a NULL key or a key that is
-- not a number are dropped, like the MR job.
-- Records are parsed by mr/lib/records.py through STREAM (mr.lib.streams records).
-- Parameters: INPUT, OUTPUT, KEY_COL (default 0), KEY_TYPE (default text), FORMAT (default
-- tsv), PYTHON (set by mrkit pig run).
%default KEY_COL '0'
%default KEY_TYPE 'text'
%default FORMAT 'tsv'
DEFINE parse_records `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $KEY_COL --key-type $KEY_TYPE`
    OUTPUT (stdout USING PigStreaming('\u0001'));

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
records = STREAM lines THROUGH parse_records AS (k:chararray, row_text:chararray);
-- an empty key comes back from the stream as a null; \N is a NULL key
keyed = FILTER records BY k is null OR k != '\\N';
sortable = FOREACH keyed GENERATE
    ('$KEY_TYPE' == 'number' ? (double) k : (double) null) AS num, k, row_text;
ordered = ORDER sortable BY num, k, row_text;
out = FOREACH ordered GENERATE row_text;
STORE out INTO '$OUTPUT' USING PigStorage('\t');
