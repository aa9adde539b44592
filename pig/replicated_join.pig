-- Pig twin of mr/replicated_join.py: key<TAB>big fields...<TAB>small fields..., a fragment-
-- replicate join (USING 'replicated': the small table is held in every map task's memory),
-- inner or left outer with the big table on the left.
-- Records are parsed by mr/lib/records.py through STREAM (mr.lib.streams records: TSV or
-- MySQL CSV, records of another width dropped); each side is its key and its whole TSV row.
-- A NULL key matches nothing; a big record without a match (left join) gets NULL small fields.
-- @param SMALL path: the small table, a local file
-- @param JOIN_TYPE enum(inner,left) default inner: the join type
-- @param KEY int default 0: key column of the big table (0-based)
-- @param SMALL_KEY int default 0: key column of the small table (0-based)
-- @param BIG_WIDTH int default 0: the width of a big record (0: any width)
-- @param SMALL_FIELDS int: the width of a small record
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT (the big table), OUTPUT and PYTHON.
DEFINE parse_big `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $KEY --width $BIG_WIDTH`
    OUTPUT (stdout USING PigStreaming('\u0001'));
DEFINE parse_small `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $SMALL_KEY --width $SMALL_FIELDS`
    OUTPUT (stdout USING PigStreaming('\u0001'));

big_lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
small_lines = LOAD '$SMALL' USING TextLoader() AS (line:chararray);
big_parsed = STREAM big_lines THROUGH parse_big AS (k:chararray, row_text:chararray);
small_parsed = STREAM small_lines THROUGH parse_small AS (k:chararray, row_text:chararray);
-- the filter writes NULL as \N: make NULL keys real nulls, which match nothing
big_records = FOREACH big_parsed GENERATE (k == '\\N' ? (chararray) null : k) AS k, row_text;
small_records = FOREACH small_parsed GENERATE (k == '\\N' ? (chararray) null : k) AS k, row_text;
-- a left outer join, then the rows of the join type: JOIN_TYPE is a word the runner checked,
-- compared here as a quoted literal (an unmatched big record has a null small row_text)
all_pairs = JOIN big_records BY k LEFT OUTER, small_records BY k USING 'replicated';
joined = FILTER all_pairs BY small_records::row_text is not null OR '$JOIN_TYPE' == 'left';
-- a missing side: n NULLs, TAB-separated (n zeros, each replaced by TAB \N)
joined_rows = FOREACH joined GENERATE
    (big_records::k is not null ? big_records::k : '\\N'),
    big_records::row_text,
    (small_records::row_text is not null ? small_records::row_text : SUBSTRING(REPLACE(SPRINTF(CONCAT('%0', '$SMALL_FIELDS', 'd'), 0), '0', '\t\\\\N'), 1, 1000000));
STORE joined_rows INTO '$OUTPUT' USING PigStorage('\t');
