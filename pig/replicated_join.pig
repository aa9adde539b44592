-- Pig twin of mr/replicated_join.py: key<TAB>big fields...<TAB>small fields..., a fragment-
-- replicate join (USING 'replicated': the small table is held in every map task's memory),
-- inner or LEFT OUTER with the big table on the left.
-- Records are parsed by mr/lib/records.py through STREAM (mr.lib.streams records: TSV or
-- MySQL CSV, records of another width dropped); each side is its key and its whole TSV row.
-- A NULL key matches nothing; a big record without a match (LEFT OUTER) gets NULL small fields.
-- Parameters: INPUT (the big table), SMALL (the small table), OUTPUT, OUTER (default '':
-- inner; LEFT OUTER), KEY, SMALL_KEY (0-based), BIG_WIDTH (0: any width), SMALL_FIELDS,
-- FORMAT (default tsv), PYTHON (set by mrkit pig run).
%default FORMAT 'tsv'
%default OUTER ''
DEFINE big_records `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $KEY --width $BIG_WIDTH`
    OUTPUT (stdout USING PigStreaming('\u0001'));
DEFINE small_records `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $SMALL_KEY --width $SMALL_FIELDS`
    OUTPUT (stdout USING PigStreaming('\u0001'));

big_lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
small_lines = LOAD '$SMALL' USING TextLoader() AS (line:chararray);
big_raw = STREAM big_lines THROUGH big_records AS (k:chararray, row_text:chararray);
small_raw = STREAM small_lines THROUGH small_records AS (k:chararray, row_text:chararray);
-- the filter writes NULL as \N: make NULL keys real nulls, which match nothing
big = FOREACH big_raw GENERATE (k == '\\N' ? (chararray) null : k) AS k, row_text;
small = FOREACH small_raw GENERATE (k == '\\N' ? (chararray) null : k) AS k, row_text;
joined = JOIN big BY k $OUTER, small BY k USING 'replicated';
-- a missing side: n NULLs, TAB-separated (n zeros, each replaced by TAB \N)
out = FOREACH joined GENERATE
    (big::k is not null ? big::k : '\\N'),
    big::row_text,
    (small::row_text is not null ? small::row_text : SUBSTRING(REPLACE(SPRINTF(CONCAT('%0', '$SMALL_FIELDS', 'd'), 0), '0', '\t\\\\N'), 1, 1000000));
STORE out INTO '$OUTPUT' USING PigStorage('\t');
