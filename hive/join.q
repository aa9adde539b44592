-- Hive twin of mr/join.py: key<TAB>left fields...<TAB>right fields..., INNER, LEFT OUTER or
-- FULL OUTER join of the files whose basename matches LEFT (a regex) with all other files.
-- Records are parsed by mr/lib/records.py through TRANSFORM (mr.lib.streams records: TSV or
-- MySQL CSV, records of another width dropped); each side is its key and its whole TSV row.
-- A NULL key matches nothing, as in SQL; a missing side is written as NULLs, one per field.
-- Variables: INPUT (directory), OUTPUT, LEFT (regex on file names, e.g. users.*), JOIN_TYPE
-- (INNER | LEFT OUTER | FULL OUTER), LEFT_KEY, RIGHT_KEY (0-based key columns), LEFT_FIELDS,
-- RIGHT_FIELDS (record widths), FORMAT (tsv|csv), PYTHON (set by mrkit hive run).
-- a reduce-side join, like the MR job (a map join would also lose INPUT__FILE__NAME)
SET hive.auto.convert.join=false;
DROP TABLE IF EXISTS join_lines;
CREATE TEMPORARY EXTERNAL TABLE join_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH lefts AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:LEFT_KEY} --width ${hivevar:LEFT_FIELDS}'
    AS (k STRING, row_text STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM join_lines
  WHERE regexp_extract(INPUT__FILE__NAME, '[^/]*$', 0) RLIKE '^(?:${hivevar:LEFT})$'
),
rights AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:RIGHT_KEY} --width ${hivevar:RIGHT_FIELDS}'
    AS (k STRING, row_text STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM join_lines
  WHERE NOT regexp_extract(INPUT__FILE__NAME, '[^/]*$', 0) RLIKE '^(?:${hivevar:LEFT})$'
)
INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT coalesce(l.k, r.k),
       coalesce(l.row_text, substr(repeat('\t\\N', ${hivevar:LEFT_FIELDS}), 2)),
       coalesce(r.row_text, substr(repeat('\t\\N', ${hivevar:RIGHT_FIELDS}), 2))
FROM lefts l ${hivevar:JOIN_TYPE} JOIN rights r ON l.k = r.k;
