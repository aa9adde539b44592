-- Pig twin of mr/join.py: key<TAB>left fields...<TAB>right fields..., an inner, left outer or
-- full outer join of the files whose basename matches LEFT (a regex) with all other files.
-- Records are parsed by mr/lib/records.py through STREAM (mr.lib.streams records: TSV or
-- MySQL CSV, records of another width dropped); each side is its key and its whole TSV row.
-- A NULL key matches nothing, as in SQL; a missing side is written as NULLs, one per field.
-- @param LEFT regex: the left table's file names (basename, whole match), e.g. users.*
-- @param JOIN_TYPE enum(inner,left,full) default inner: the join type
-- @param LEFT_KEY int default 0: key column of the left table (0-based)
-- @param RIGHT_KEY int default 0: key column of the right table (0-based)
-- @param LEFT_FIELDS int: the width of a left record
-- @param RIGHT_FIELDS int: the width of a right record
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT (a directory), OUTPUT and PYTHON.
DEFINE parse_left `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $LEFT_KEY --width $LEFT_FIELDS`
    OUTPUT (stdout USING PigStreaming('\u0001'));
DEFINE parse_right `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $RIGHT_KEY --width $RIGHT_FIELDS`
    OUTPUT (stdout USING PigStreaming('\u0001'));

file_lines = LOAD '$INPUT' USING PigStorage('\u0001', '-tagFile') AS (file:chararray, line:chararray);
left_file_lines = FILTER file_lines BY file MATCHES '$LEFT';
right_file_lines = FILTER file_lines BY NOT (file MATCHES '$LEFT');
left_lines = FOREACH left_file_lines GENERATE line;
right_lines = FOREACH right_file_lines GENERATE line;
left_parsed = STREAM left_lines THROUGH parse_left AS (k:chararray, row_text:chararray);
right_parsed = STREAM right_lines THROUGH parse_right AS (k:chararray, row_text:chararray);
-- the filter writes NULL as \N: make NULL keys real nulls, which match nothing
left_records = FOREACH left_parsed GENERATE (k == '\\N' ? (chararray) null : k) AS k, row_text;
right_records = FOREACH right_parsed GENERATE (k == '\\N' ? (chararray) null : k) AS k, row_text;
-- one full outer join, then the rows of the join type: JOIN_TYPE is a word the runner checked,
-- compared here as a quoted literal (a side is missing where its row_text is null)
all_pairs = JOIN left_records BY k FULL OUTER, right_records BY k;
joined = FILTER all_pairs BY
    (left_records::row_text is not null OR '$JOIN_TYPE' == 'full')
    AND (right_records::row_text is not null OR '$JOIN_TYPE' != 'inner');
-- a missing side: n NULLs, TAB-separated (n zeros, each replaced by TAB \N)
joined_rows = FOREACH joined GENERATE
    (left_records::k is not null ? left_records::k : (right_records::k is not null ? right_records::k : '\\N')),
    (left_records::row_text is not null ? left_records::row_text : SUBSTRING(REPLACE(SPRINTF(CONCAT('%0', '$LEFT_FIELDS', 'd'), 0), '0', '\t\\\\N'), 1, 1000000)),
    (right_records::row_text is not null ? right_records::row_text : SUBSTRING(REPLACE(SPRINTF(CONCAT('%0', '$RIGHT_FIELDS', 'd'), 0), '0', '\t\\\\N'), 1, 1000000));
STORE joined_rows INTO '$OUTPUT' USING PigStorage('\t');
