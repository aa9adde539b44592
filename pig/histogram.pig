-- Pig twin of mr/histogram.py --width: lo<TAB>hi<TAB>count per non-empty half-open bin
-- [lo, hi). Bins are found in mr/histogram.py's exact decimal arithmetic through STREAM
-- (mr.lib.streams bins), so 0.3 with width 0.1 lands where the MR job puts it.
-- Parameters: INPUT, OUTPUT, VALUE_COL (0-based), WIDTH, ORIGIN (default 0), FORMAT (default
-- tsv), PYTHON (set by mrkit pig run).
%default ORIGIN '0'
%default FORMAT 'tsv'
DEFINE find_bins `$PYTHON -m mr.lib.streams bins --format $FORMAT --col $VALUE_COL --width $WIDTH --origin $ORIGIN`;

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
bins = STREAM lines THROUGH find_bins AS (lo:double, hi:double);
by_bin = GROUP bins BY (lo, hi);
counts = FOREACH by_bin GENERATE SPRINTF('%.6f', group.lo), SPRINTF('%.6f', group.hi), COUNT(bins);
STORE counts INTO '$OUTPUT' USING PigStorage('\t');
