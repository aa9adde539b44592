-- Hive twin of mr/distinct.py --count: the distinct records (or combinations of COLS) and how
-- many records carried each, as a last column.
-- Records are parsed by mr/lib/records.py through TRANSFORM (mr.lib.streams records: TSV or
-- MySQL CSV, NULL as \N); each comes back as one normalized TSV text, the distinct key.
-- Variables: INPUT, OUTPUT, COLS (0-based, e.g. 1,2), FORMAT (tsv|csv), PYTHON (set by mrkit).
DROP TABLE IF EXISTS distinct_lines;
CREATE TEMPORARY EXTERNAL TABLE distinct_lines (line STRING)
LOCATION '${hivevar:INPUT}';

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT record, count(*)
FROM (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --cols ${hivevar:COLS}'
    AS (record STRING)
    -- one column: the whole TSV row, TABs included
    ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM distinct_lines
) records
GROUP BY record;
