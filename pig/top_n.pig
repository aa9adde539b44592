-- Pig twin of mr/top_n.py (with a group column): group<TAB>rank<TAB>value<TAB>record..., the N
-- records with the largest values per group, ranked by value descending, then the record's
-- TSV text ascending. A NULL group (\N) is a group of its own.
-- Records and numbers are parsed by mr/lib through STREAM (mr.lib.streams records).
-- @param GROUP_COL int: the group column (0-based)
-- @param VALUE_COL int: the value column (0-based)
-- @param N int default 10: how many records to keep per group
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT, OUTPUT and PYTHON.
DEFINE parse_records `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $GROUP_COL --number $VALUE_COL`
    OUTPUT (stdout USING PigStreaming('\u0001'));

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
records = STREAM lines THROUGH parse_records AS (grp:chararray, row_text:chararray, num:chararray);
numeric_records = FILTER records BY num != '\\N';
valued = FOREACH numeric_records GENERATE grp, row_text, (double) num AS x;
-- RANK numbers across groups: a record's rank in its group is its rank minus the group's first
ranked = RANK valued BY grp ASC, x DESC, row_text ASC;
ranked_by_group = GROUP ranked BY grp;
group_offsets = FOREACH ranked_by_group GENERATE group AS grp, MIN(ranked.rank_valued) AS first;
ranked_with_offsets = JOIN ranked BY grp, group_offsets BY grp;
positioned = FOREACH ranked_with_offsets GENERATE ranked::grp AS grp,
    ranked::rank_valued - group_offsets::first + 1 AS rn, ranked::x AS x,
    ranked::row_text AS row_text;
top_records = FILTER positioned BY rn <= $N;
top_rows = FOREACH top_records GENERATE grp, rn, SPRINTF('%.6f', x), row_text;
STORE top_rows INTO '$OUTPUT' USING PigStorage('\t');
