-- Pig twin of mr/histogram.py --width: lo<TAB>hi<TAB>count per non-empty half-open bin
-- [lo, hi). Bins are found in mr/histogram.py's exact decimal arithmetic through STREAM
-- (mr.lib.streams bins), so 0.3 with width 0.1 lands where the MR job puts it.
-- @param VALUE_COL int: the column of the value to bin (0-based)
-- @param WIDTH number: the bin width (> 0)
-- @param ORIGIN number default 0: a bin starts here
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT, OUTPUT and PYTHON.
DEFINE find_bins `$PYTHON -m mr.lib.streams bins --format $FORMAT --col $VALUE_COL --width $WIDTH --origin $ORIGIN`;

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
bins = STREAM lines THROUGH find_bins AS (lo:double, hi:double);
by_bin = GROUP bins BY (lo, hi);
bin_counts = FOREACH by_bin GENERATE SPRINTF('%.6f', group.lo), SPRINTF('%.6f', group.hi), COUNT(bins);
STORE bin_counts INTO '$OUTPUT' USING PigStorage('\t');
