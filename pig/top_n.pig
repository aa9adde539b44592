-- Pig twin of mr/top_n.py (with a group column): group<TAB>rank<TAB>value<TAB>record..., the N
-- records with the largest values per group, ranked by value descending, then the record's
-- TSV text ascending. A NULL group (\N) is a group of its own.
-- Records and numbers are parsed by mr/lib through STREAM (mr.lib.streams records).
-- Parameters: INPUT, OUTPUT, GROUP_COL, VALUE_COL (0-based), N, FORMAT (default tsv), PYTHON.
%default FORMAT 'tsv'
DEFINE parse_records `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $GROUP_COL --number $VALUE_COL`
    OUTPUT (stdout USING PigStreaming('\u0001'));

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
records = STREAM lines THROUGH parse_records AS (grp:chararray, row_text:chararray, num:chararray);
v = FOREACH (FILTER records BY num != '\\N') GENERATE grp, row_text, (double) num AS x;
-- RANK numbers across groups: a record's rank in its group is its rank minus the group's first
ranked = RANK v BY grp ASC, x DESC, row_text ASC;
firsts = FOREACH (GROUP ranked BY grp) GENERATE group AS grp, MIN(ranked.rank_v) AS first;
joined = JOIN ranked BY grp, firsts BY grp;
positioned = FOREACH joined GENERATE ranked::grp AS grp, ranked::rank_v - firsts::first + 1 AS rn,
    ranked::x AS x, ranked::row_text AS row_text;
top = FILTER positioned BY rn <= $N;
out = FOREACH top GENERATE grp, rn, SPRINTF('%.6f', x), row_text;
STORE out INTO '$OUTPUT' USING PigStorage('\t');
