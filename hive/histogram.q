-- Hive twin of mr/histogram.py --width: lo<TAB>hi<TAB>count per non-empty half-open bin
-- [lo, hi). Bins are found in mr/histogram.py's exact decimal arithmetic through TRANSFORM
-- (mr.lib.streams bins), so 0.3 with width 0.1 lands where the MR job puts it.
-- Variables: INPUT, OUTPUT, VALUE_COL (0-based), WIDTH, ORIGIN, FORMAT (tsv|csv), PYTHON.
DROP TABLE IF EXISTS histogram_lines;
CREATE TEMPORARY EXTERNAL TABLE histogram_lines (line STRING)
LOCATION '${hivevar:INPUT}';

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT printf('%.6f', lo), printf('%.6f', hi), count(*)
FROM (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams bins --format ${hivevar:FORMAT} --col ${hivevar:VALUE_COL} --width ${hivevar:WIDTH} --origin ${hivevar:ORIGIN}'
    AS (lo DOUBLE, hi DOUBLE)
  FROM histogram_lines
) bins
GROUP BY lo, hi;
