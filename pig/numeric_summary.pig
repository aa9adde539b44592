-- Pig twin of mr/numeric_summary.py: key<TAB>min<TAB>max<TAB>count<TAB>mean<TAB>stddev<TAB>
-- median per key (stddev: population, two-pass as the MR job; median: mean of the middle two).
-- Records and numbers are parsed by mr/lib through STREAM (mr.lib.streams records); NULL and
-- unparseable values are dropped; a NULL key (\N) is a key of its own.
-- Parameters: INPUT, OUTPUT, KEY_COL, VALUE_COL (0-based), FORMAT (default tsv), PYTHON.
%default FORMAT 'tsv'
DEFINE parse_records `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $KEY_COL --number $VALUE_COL`
    OUTPUT (stdout USING PigStreaming('\u0001'));

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
records = STREAM lines THROUGH parse_records AS (k:chararray, row_text:chararray, num:chararray);
v = FOREACH (FILTER records BY num != '\\N') GENERATE k, (double) num AS x;
by_key = GROUP v BY k;
firsts = FOREACH by_key GENERATE group AS k, COUNT(v) AS n, AVG(v.x) AS mean,
    MIN(v.x) AS lo, MAX(v.x) AS hi;
-- median: rank the values of each key (RANK counts across keys; subtract the key's offset)
ranked = RANK v BY k, x;
offsets_g = GROUP ranked BY k;
offsets = FOREACH offsets_g GENERATE group AS k, MIN(ranked.rank_v) AS first;
with_n = JOIN ranked BY k, offsets BY k, firsts BY k;
positions = FOREACH with_n GENERATE ranked::k AS k, ranked::x AS x,
    ranked::rank_v - offsets::first + 1 AS pos, firsts::n AS n, firsts::mean AS mean;
middle = FILTER positions BY pos <= (n + 1) / 2;
lower = FOREACH (GROUP middle BY k) GENERATE group AS k, MAX(middle.x) AS m;
upper_set = FILTER positions BY pos <= n / 2 + 1;
upper = FOREACH (GROUP upper_set BY k) GENERATE group AS k, MAX(upper_set.x) AS m;
squares = FOREACH positions GENERATE k, (x - mean) * (x - mean) AS sq;
spread = FOREACH (GROUP squares BY k) GENERATE group AS k, SUM(squares.sq) AS ss;
all_stats = JOIN firsts BY k, lower BY k, upper BY k, spread BY k;
out = FOREACH all_stats GENERATE firsts::k, SPRINTF('%.6f', firsts::lo), SPRINTF('%.6f', firsts::hi),
    firsts::n, SPRINTF('%.6f', firsts::mean), SPRINTF('%.6f', SQRT(spread::ss / (double) firsts::n)),
    SPRINTF('%.6f', (lower::m + upper::m) / 2.0);
STORE out INTO '$OUTPUT' USING PigStorage('\t');
