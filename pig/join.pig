-- Pig twin of mr/join.py: key<TAB>left fields...<TAB>right fields..., inner, LEFT OUTER or
-- FULL OUTER join of the files whose basename matches LEFT (a regex) with all other files.
-- Records are parsed by mr/lib/records.py through STREAM (mr.lib.streams records: TSV or
-- MySQL CSV, records of another width dropped); each side is its key and its whole TSV row.
-- A NULL key matches nothing, as in SQL; a missing side is written as NULLs, one per field.
-- Parameters: INPUT (directory), OUTPUT, LEFT (regex on file names, e.g. users.*), OUTER
-- ('' for inner, LEFT OUTER, FULL OUTER), LEFT_KEY, RIGHT_KEY (0-based key columns),
-- LEFT_FIELDS, RIGHT_FIELDS (record widths), FORMAT (default tsv), PYTHON (set by mrkit).
%default FORMAT 'tsv'
%default OUTER ''
DEFINE left_records `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $LEFT_KEY --width $LEFT_FIELDS`
    OUTPUT (stdout USING PigStreaming('\u0001'));
DEFINE right_records `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $RIGHT_KEY --width $RIGHT_FIELDS`
    OUTPUT (stdout USING PigStreaming('\u0001'));

lines = LOAD '$INPUT' USING PigStorage('\u0001', '-tagFile') AS (file:chararray, line:chararray);
left_lines = FILTER lines BY file MATCHES '$LEFT';
right_lines = FILTER lines BY NOT (file MATCHES '$LEFT');
left_raw = STREAM (FOREACH left_lines GENERATE line) THROUGH left_records
    AS (k:chararray, row_text:chararray);
right_raw = STREAM (FOREACH right_lines GENERATE line) THROUGH right_records
    AS (k:chararray, row_text:chararray);
-- the filter writes NULL as \N: make NULL keys real nulls, which match nothing
lefts = FOREACH left_raw GENERATE (k == '\\N' ? (chararray) null : k) AS k, row_text;
rights = FOREACH right_raw GENERATE (k == '\\N' ? (chararray) null : k) AS k, row_text;
-- a missing side: n NULLs, TAB-separated (n zeros, each replaced by TAB \N)
joined = JOIN lefts BY k $OUTER, rights BY k;
out = FOREACH joined GENERATE
    (lefts::k is not null ? lefts::k : (rights::k is not null ? rights::k : '\\N')),
    (lefts::row_text is not null ? lefts::row_text : SUBSTRING(REPLACE(SPRINTF(CONCAT('%0', '$LEFT_FIELDS', 'd'), 0), '0', '\t\\\\N'), 1, 1000000)),
    (rights::row_text is not null ? rights::row_text : SUBSTRING(REPLACE(SPRINTF(CONCAT('%0', '$RIGHT_FIELDS', 'd'), 0), '0', '\t\\\\N'), 1, 1000000));
STORE out INTO '$OUTPUT' USING PigStorage('\t');
