-- Hive twin of mr/log_report.py: dimension<TAB>value<TAB>hits<TAB>bytes<TAB>error_rate for the
-- dimensions url (path without query; NULL for a bad request), status and hour (UTC).
-- Log lines are parsed by mr/lib/access_log.py through TRANSFORM (mr.lib.streams access-log),
-- so Hive reads them exactly as the MR job does; unparseable lines are dropped.
-- Variables: INPUT (access logs), OUTPUT, PYTHON (set by mrkit hive run).
DROP TABLE IF EXISTS log_report_lines;
CREATE TEMPORARY EXTERNAL TABLE log_report_lines (line STRING)
LOCATION '${hivevar:INPUT}';

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT d.dimension, d.value, count(*), sum(bytes), printf('%.6f', sum(is_error) / count(*))
FROM (
  SELECT TRANSFORM (line) USING '${hivevar:PYTHON} -m mr.lib.streams access-log'
    AS (path STRING, status STRING, hour STRING, bytes BIGINT, is_error INT)
  FROM log_report_lines
) hits
LATERAL VIEW inline(array(
  named_struct('dimension', 'url', 'value', path),
  named_struct('dimension', 'status', 'value', status),
  named_struct('dimension', 'hour', 'value', hour)
)) d
GROUP BY d.dimension, d.value;
