-- Hive twin of mr/numeric_summary.py: key<TAB>min<TAB>max<TAB>count<TAB>mean<TAB>stddev<TAB>
-- median per key (stddev: population, two-pass as the MR job; median: mean of the middle two).
-- Records and numbers are parsed by mr/lib through TRANSFORM (mr.lib.streams records); NULL
-- and unparseable values are dropped; a NULL key is a key of its own.
-- Variables: INPUT, OUTPUT, KEY_COL, VALUE_COL (0-based), FORMAT (tsv|csv), PYTHON.
DROP TABLE IF EXISTS numeric_summary_lines;
CREATE TEMPORARY EXTERNAL TABLE numeric_summary_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH v AS (
  SELECT k, cast(num AS DOUBLE) AS x
  FROM (
    SELECT TRANSFORM (line)
      USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:KEY_COL} --number ${hivevar:VALUE_COL}'
      AS (k STRING, row_text STRING, num STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
    FROM numeric_summary_lines
  ) records
  WHERE num IS NOT NULL
),
ranked AS (
  SELECT k, x,
         row_number() OVER (PARTITION BY k ORDER BY x) AS rn,
         count(*) OVER (PARTITION BY k) AS n,
         avg(x) OVER (PARTITION BY k) AS mean
  FROM v
)
INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT k, printf('%.6f', min(x)), printf('%.6f', max(x)), count(*), printf('%.6f', avg(x)),
       printf('%.6f', sqrt(sum((x - mean) * (x - mean)) / count(*))),
       printf('%.6f', avg(CASE WHEN rn = floor((n + 1) / 2) OR rn = floor(n / 2) + 1 THEN x END))
FROM ranked
GROUP BY k;
