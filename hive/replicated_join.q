-- Hive twin of mr/replicated_join.py: key<TAB>big fields...<TAB>small fields..., a map join
-- (the small table is loaded into every mapper's memory: MAPJOIN hint, auto-convert on),
-- inner or left outer with the big table on the left.
-- Records are parsed by mr/lib/records.py through TRANSFORM (mr.lib.streams records: TSV or
-- MySQL CSV, records of another width dropped); each side is its key and its whole TSV row.
-- A NULL key matches nothing; a big record without a match (left join) gets NULL small fields.
-- @param SMALL path: the small table, a local file
-- @param JOIN_TYPE enum(inner=INNER,left=LEFT OUTER) default inner: the join type
-- @param KEY int default 0: key column of the big table (0-based)
-- @param SMALL_KEY int default 0: key column of the small table (0-based)
-- @param BIG_WIDTH int default 0: the width of a big record (0: any width)
-- @param SMALL_FIELDS int: the width of a small record
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT (the big table), OUTPUT and PYTHON.
SET hive.auto.convert.join=true;
SET hive.ignore.mapjoin.hint=false;
DROP TABLE IF EXISTS replicated_join_big;
CREATE TEMPORARY EXTERNAL TABLE replicated_join_big (line STRING)
LOCATION '${hivevar:INPUT}';
DROP TABLE IF EXISTS replicated_join_small;
CREATE TEMPORARY TABLE replicated_join_small (line STRING);
LOAD DATA LOCAL INPATH '${hivevar:SMALL}' OVERWRITE INTO TABLE replicated_join_small;

WITH big_records AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:KEY} --width ${hivevar:BIG_WIDTH}'
    AS (join_key STRING, row_text STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM replicated_join_big
),

small_records AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:SMALL_KEY} --width ${hivevar:SMALL_FIELDS}'
    AS (join_key STRING, row_text STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM replicated_join_small
),

joined AS (
  SELECT /*+ MAPJOIN(small_records) */
         big_records.join_key AS join_key, big_records.row_text AS big_row,
         small_records.row_text AS small_row
  FROM big_records
  ${hivevar:JOIN_TYPE} JOIN small_records ON big_records.join_key = small_records.join_key
),

final AS (
  SELECT join_key, big_row,
         coalesce(small_row, substr(repeat('\t\\N', ${hivevar:SMALL_FIELDS}), 2)) AS small_fields
  FROM joined
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
