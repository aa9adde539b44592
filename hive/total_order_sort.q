-- Hive twin of mr/total_order_sort.py: the records, TSV-normalized, in key order (ORDER BY:
-- one globally sorted output). Keys are text (UTF-8 byte order) or, with KEY_TYPE=number,
-- numbers; records with a NULL key or a key that is not a number are dropped, like the MR job.
-- Records are parsed by mr/lib/records.py through TRANSFORM (mr.lib.streams records).
-- @param KEY_COL int default 0: the sort key column (0-based)
-- @param KEY_TYPE enum(text,number) default text: sort keys as text or as numbers
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT, OUTPUT and PYTHON.
-- the sort keys are not written, so the ORDER BY sits in a subquery that must stay
SET hive.remove.orderby.in.subquery=false;
DROP TABLE IF EXISTS total_order_sort_lines;
CREATE TEMPORARY EXTERNAL TABLE total_order_sort_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH records AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:KEY_COL} --key-type ${hivevar:KEY_TYPE}'
    AS (sort_key STRING, row_text STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM total_order_sort_lines
),

keyed AS (
  SELECT row_text, sort_key,
         if('${hivevar:KEY_TYPE}' = 'number', cast(sort_key AS DOUBLE), NULL) AS numeric_key
  FROM records
  WHERE sort_key IS NOT NULL
),

sorted AS (
  SELECT row_text, numeric_key, sort_key
  FROM keyed
  ORDER BY numeric_key, sort_key, row_text
),

final AS (
  SELECT row_text
  FROM sorted
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
