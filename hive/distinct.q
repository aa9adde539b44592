-- Hive twin of mr/distinct.py --count: the distinct records (or combinations of COLS) and how
-- many records carried each, as a last column.
-- Records are parsed by mr/lib/records.py through TRANSFORM (mr.lib.streams records: TSV or
-- MySQL CSV, NULL as \N); each comes back as one normalized TSV text, the distinct key.
-- @param COLS cols: the columns that make a record's distinct key (0-based, e.g. 1,2)
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT, OUTPUT and PYTHON.
DROP TABLE IF EXISTS distinct_lines;
CREATE TEMPORARY EXTERNAL TABLE distinct_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH records AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --cols ${hivevar:COLS}'
    AS (record STRING)
    -- one column: the whole TSV row, TABs included
    ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM distinct_lines
),

final AS (
  SELECT record, count(*) AS occurrences
  FROM records
  GROUP BY record
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
