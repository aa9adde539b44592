-- Hive twin of mr/histogram.py --width: lo<TAB>hi<TAB>count per non-empty half-open bin
-- [lo, hi). Bins are found in mr/histogram.py's exact decimal arithmetic through TRANSFORM
-- (mr.lib.streams bins), so 0.3 with width 0.1 lands where the MR job puts it.
-- @param VALUE_COL int: the column of the value to bin (0-based)
-- @param WIDTH number: the bin width (> 0)
-- @param ORIGIN number default 0: a bin starts here
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT, OUTPUT and PYTHON.
DROP TABLE IF EXISTS histogram_lines;
CREATE TEMPORARY EXTERNAL TABLE histogram_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH bins AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams bins --format ${hivevar:FORMAT} --col ${hivevar:VALUE_COL} --width ${hivevar:WIDTH} --origin ${hivevar:ORIGIN}'
    AS (lo DOUBLE, hi DOUBLE)
  FROM histogram_lines
),

bin_counts AS (
  SELECT lo, hi, count(*) AS entries
  FROM bins
  GROUP BY lo, hi
),

final AS (
  SELECT printf('%.6f', lo) AS lo, printf('%.6f', hi) AS hi, entries
  FROM bin_counts
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
