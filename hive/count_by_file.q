-- Hive twin of mr/count_by_file.py: file<TAB>records (lines), per input file basename.
-- No parameters; the runner sets INPUT (a directory of files), OUTPUT and PYTHON.
DROP TABLE IF EXISTS count_by_file_lines;
CREATE TEMPORARY EXTERNAL TABLE count_by_file_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH file_lines AS (
  SELECT regexp_extract(INPUT__FILE__NAME, '[^/]*$', 0) AS file
  FROM count_by_file_lines
),

final AS (
  SELECT file, count(*) AS records
  FROM file_lines
  GROUP BY file
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
