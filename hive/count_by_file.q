-- Hive twin of mr/count_by_file.py: file<TAB>records (lines), per input file basename.
-- Variables: INPUT (a directory of files), OUTPUT.
DROP TABLE IF EXISTS count_by_file_lines;
CREATE TEMPORARY EXTERNAL TABLE count_by_file_lines (line STRING)
LOCATION '${hivevar:INPUT}';

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT regexp_extract(INPUT__FILE__NAME, '[^/]*$', 0) AS file, count(*)
FROM count_by_file_lines
GROUP BY regexp_extract(INPUT__FILE__NAME, '[^/]*$', 0);
