-- Pig twin of mr/numeric_summary.py: key<TAB>min<TAB>max<TAB>count<TAB>mean<TAB>stddev<TAB>
-- median per key (stddev: population, two-pass as the MR job; median: mean of the middle two,
-- halved before adding so that 1.7e308 stays finite; the same double outside the subnormals).
-- Values whose sum or squared deviations pass the double range (about 1.8e308; 1e154 and up
-- for the deviations) give Infinity in mean and stddev here, finite values in the MR job.
-- Records and numbers are parsed by mr/lib through STREAM (mr.lib.streams records); NULL and
-- unparseable values are dropped; a NULL key (\N) is a key of its own.
-- @param KEY_COL int: the key column (0-based)
-- @param VALUE_COL int: the value column (0-based)
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT, OUTPUT and PYTHON.
DEFINE parse_records `$PYTHON -m mr.lib.streams records --format $FORMAT --key-col $KEY_COL --number $VALUE_COL`
    OUTPUT (stdout USING PigStreaming('\u0001'));

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
records = STREAM lines THROUGH parse_records AS (k:chararray, row_text:chararray, num:chararray);
numeric_records = FILTER records BY num != '\\N';
readings = FOREACH numeric_records GENERATE k, (double) num AS x;
readings_by_key = GROUP readings BY k;
key_totals = FOREACH readings_by_key GENERATE group AS k, COUNT(readings) AS n,
    AVG(readings.x) AS mean, MIN(readings.x) AS lo, MAX(readings.x) AS hi;
-- median: rank the values of each key (RANK counts across keys; subtract the key's offset)
ranked = RANK readings BY k, x;
ranked_by_key = GROUP ranked BY k;
key_offsets = FOREACH ranked_by_key GENERATE group AS k, MIN(ranked.rank_readings) AS first;
ranked_with_totals = JOIN ranked BY k, key_offsets BY k, key_totals BY k;
positions = FOREACH ranked_with_totals GENERATE ranked::k AS k, ranked::x AS x,
    ranked::rank_readings - key_offsets::first + 1 AS pos, key_totals::n AS n,
    key_totals::mean AS mean;
lower_half = FILTER positions BY pos <= (n + 1) / 2;
lower_half_by_key = GROUP lower_half BY k;
lower_middles = FOREACH lower_half_by_key GENERATE group AS k, MAX(lower_half.x) AS m;
upper_half = FILTER positions BY pos <= n / 2 + 1;
upper_half_by_key = GROUP upper_half BY k;
upper_middles = FOREACH upper_half_by_key GENERATE group AS k, MAX(upper_half.x) AS m;
squares = FOREACH positions GENERATE k, (x - mean) * (x - mean) AS sq;
squares_by_key = GROUP squares BY k;
spreads = FOREACH squares_by_key GENERATE group AS k, SUM(squares.sq) AS ss;
key_stats = JOIN key_totals BY k, lower_middles BY k, upper_middles BY k, spreads BY k;
summaries = FOREACH key_stats GENERATE key_totals::k, SPRINTF('%.6f', key_totals::lo),
    SPRINTF('%.6f', key_totals::hi), key_totals::n, SPRINTF('%.6f', key_totals::mean),
    SPRINTF('%.6f', SQRT(spreads::ss / (double) key_totals::n)),
    SPRINTF('%.6f', lower_middles::m / 2.0 + upper_middles::m / 2.0);
STORE summaries INTO '$OUTPUT' USING PigStorage('\t');
