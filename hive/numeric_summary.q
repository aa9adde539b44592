-- Hive twin of mr/numeric_summary.py: key<TAB>min<TAB>max<TAB>count<TAB>mean<TAB>stddev<TAB>
-- median per key (stddev: population, two-pass as the MR job; median: mean of the middle two).
-- Values whose sum or squared deviations pass the double range (about 1.8e308; 1e154 and up
-- for the deviations), or two middle values that sum past it, give Infinity here where the
-- MR job gives finite values (mr/lib/stats.py): the engines agree below that.
-- Records and numbers are parsed by mr/lib through TRANSFORM (mr.lib.streams records); NULL
-- and unparseable values are dropped; a NULL key is a key of its own.
-- @param KEY_COL int: the key column (0-based)
-- @param VALUE_COL int: the value column (0-based)
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT, OUTPUT and PYTHON.
DROP TABLE IF EXISTS numeric_summary_lines;
CREATE TEMPORARY EXTERNAL TABLE numeric_summary_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH records AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:KEY_COL} --number ${hivevar:VALUE_COL}'
    AS (summary_key STRING, row_text STRING, num STRING)
    ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM numeric_summary_lines
),

readings AS (
  SELECT summary_key, cast(num AS DOUBLE) AS reading
  FROM records
  WHERE num IS NOT NULL
),

ranked_readings AS (
  SELECT summary_key, reading,
         row_number() OVER (PARTITION BY summary_key ORDER BY reading) AS position,
         count(*) OVER (PARTITION BY summary_key) AS readings_of_key,
         avg(reading) OVER (PARTITION BY summary_key) AS key_mean
  FROM readings
),

final AS (
  SELECT summary_key,
         printf('%.6f', min(reading)) AS lowest,
         printf('%.6f', max(reading)) AS highest,
         count(*) AS readings,
         printf('%.6f', avg(reading)) AS mean,
         printf('%.6f', sqrt(sum((reading - key_mean) * (reading - key_mean)) / count(*))) AS stddev,
         printf('%.6f', avg(CASE WHEN position = floor((readings_of_key + 1) / 2)
                                   OR position = floor(readings_of_key / 2) + 1
                                 THEN reading END)) AS median
  FROM ranked_readings
  GROUP BY summary_key
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
