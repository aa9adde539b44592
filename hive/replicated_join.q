-- Hive twin of mr/replicated_join.py: key<TAB>big fields...<TAB>small fields..., a map join
-- (the small table is loaded into every mapper's memory: MAPJOIN hint, auto-convert on),
-- INNER or LEFT OUTER with the big table on the left.
-- Records are parsed by mr/lib/records.py through TRANSFORM (mr.lib.streams records: TSV or
-- MySQL CSV, records of another width dropped); each side is its key and its whole TSV row.
-- A NULL key matches nothing; a big record without a match (LEFT OUTER) gets NULL small fields.
-- Variables: INPUT (the big table), SMALL (the small table, a local file), OUTPUT, JOIN_TYPE
-- (INNER | LEFT OUTER), KEY, SMALL_KEY (0-based), BIG_WIDTH (0: any width), SMALL_FIELDS,
-- FORMAT (tsv|csv), PYTHON (set by mrkit hive run).
SET hive.auto.convert.join=true;
SET hive.ignore.mapjoin.hint=false;
DROP TABLE IF EXISTS replicated_join_big;
CREATE TEMPORARY EXTERNAL TABLE replicated_join_big (line STRING)
LOCATION '${hivevar:INPUT}';
DROP TABLE IF EXISTS replicated_join_small;
CREATE TEMPORARY TABLE replicated_join_small (line STRING);
LOAD DATA LOCAL INPATH '${hivevar:SMALL}' OVERWRITE INTO TABLE replicated_join_small;

WITH big AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:KEY} --width ${hivevar:BIG_WIDTH}'
    AS (k STRING, row_text STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM replicated_join_big
),
small AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:SMALL_KEY} --width ${hivevar:SMALL_FIELDS}'
    AS (k STRING, row_text STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM replicated_join_small
)
INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT /*+ MAPJOIN(s) */ b.k, b.row_text,
       coalesce(s.row_text, substr(repeat('\t\\N', ${hivevar:SMALL_FIELDS}), 2))
FROM big b ${hivevar:JOIN_TYPE} JOIN small s ON b.k = s.k;
