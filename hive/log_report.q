-- Hive twin of mr/log_report.py: dimension<TAB>value<TAB>hits<TAB>bytes<TAB>error_rate for the
-- dimensions url (path without query; NULL for a bad request), status and hour (UTC).
-- Log lines are parsed by mr/lib/access_log.py through TRANSFORM (mr.lib.streams access-log),
-- so Hive reads them exactly as the MR job does; unparseable lines are dropped.
-- No parameters; the runner sets INPUT (access logs), OUTPUT and PYTHON.
DROP TABLE IF EXISTS log_report_lines;
CREATE TEMPORARY EXTERNAL TABLE log_report_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH requests AS (
  SELECT TRANSFORM (line) USING '${hivevar:PYTHON} -m mr.lib.streams access-log'
    AS (path STRING, status STRING, hour STRING, bytes BIGINT, is_error INT)
  FROM log_report_lines
),

requests_by_dimension AS (
  SELECT dimensions.dimension, dimensions.value, bytes, is_error
  FROM requests
  LATERAL VIEW inline(array(
    named_struct('dimension', 'url', 'value', path),
    named_struct('dimension', 'status', 'value', status),
    named_struct('dimension', 'hour', 'value', hour)
  )) dimensions
),

final AS (
  SELECT dimension, value, count(*) AS hits, sum(bytes) AS total_bytes,
         printf('%.6f', sum(is_error) / count(*)) AS error_rate
  FROM requests_by_dimension
  GROUP BY dimension, value
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
