-- Hive twin of mr/join.py: key<TAB>left fields...<TAB>right fields..., an inner, left outer or
-- full outer join of the files whose basename matches LEFT (a regex) with all other files.
-- Records are parsed by mr/lib/records.py through TRANSFORM (mr.lib.streams records: TSV or
-- MySQL CSV, records of another width dropped); each side is its key and its whole TSV row.
-- A NULL key matches nothing, as in SQL; a missing side is written as NULLs, one per field.
-- @param LEFT regex: the left table's file names (basename, whole match), e.g. users.*
-- @param JOIN_TYPE enum(inner=INNER,left=LEFT OUTER,full=FULL OUTER) default inner: the join type
-- @param LEFT_KEY int default 0: key column of the left table (0-based)
-- @param RIGHT_KEY int default 0: key column of the right table (0-based)
-- @param LEFT_FIELDS int: the width of a left record
-- @param RIGHT_FIELDS int: the width of a right record
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT (a directory), OUTPUT and PYTHON.
-- a reduce-side join, like the MR job (a map join would also lose INPUT__FILE__NAME)
SET hive.auto.convert.join=false;
DROP TABLE IF EXISTS join_lines;
CREATE TEMPORARY EXTERNAL TABLE join_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH left_records AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:LEFT_KEY} --width ${hivevar:LEFT_FIELDS}'
    AS (join_key STRING, row_text STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM join_lines
  WHERE regexp_extract(INPUT__FILE__NAME, '[^/]*$', 0) RLIKE '^(?:${hivevar:LEFT})$'
),

right_records AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:RIGHT_KEY} --width ${hivevar:RIGHT_FIELDS}'
    AS (join_key STRING, row_text STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM join_lines
  WHERE NOT regexp_extract(INPUT__FILE__NAME, '[^/]*$', 0) RLIKE '^(?:${hivevar:LEFT})$'
),

joined AS (
  SELECT left_records.join_key AS left_key, left_records.row_text AS left_row,
         right_records.join_key AS right_key, right_records.row_text AS right_row
  FROM left_records
  ${hivevar:JOIN_TYPE} JOIN right_records ON left_records.join_key = right_records.join_key
),

final AS (
  SELECT coalesce(left_key, right_key) AS join_key,
         coalesce(left_row, substr(repeat('\t\\N', ${hivevar:LEFT_FIELDS}), 2)) AS left_fields,
         coalesce(right_row, substr(repeat('\t\\N', ${hivevar:RIGHT_FIELDS}), 2)) AS right_fields
  FROM joined
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
