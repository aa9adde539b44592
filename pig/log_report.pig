-- Pig twin of mr/log_report.py: dimension<TAB>value<TAB>hits<TAB>bytes<TAB>error_rate for the
-- dimensions url (path without query; \N for a bad request), status and hour (UTC).
-- Log lines are parsed by mr/lib/access_log.py through STREAM (mr.lib.streams access-log),
-- so Pig reads them exactly as the MR job does; unparseable lines are dropped.
-- No parameters; the runner sets INPUT (access logs), OUTPUT and PYTHON.
DEFINE parse_log `$PYTHON -m mr.lib.streams access-log`;

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
-- the filter writes a NULL path as \N, which Pig keeps as that text: it is written back as is
requests = STREAM lines THROUGH parse_log
    AS (path:chararray, status:chararray, hour:chararray, bytes:long, is_error:long);
requests_by_dimension = FOREACH requests GENERATE
    FLATTEN(TOBAG(TOTUPLE('url', path), TOTUPLE('status', status), TOTUPLE('hour', hour)))
        AS (dimension:chararray, value:chararray),
    bytes, is_error;
by_dimension = GROUP requests_by_dimension BY (dimension, value);
report = FOREACH by_dimension GENERATE
    FLATTEN(group), COUNT(requests_by_dimension), SUM(requests_by_dimension.bytes),
    SPRINTF('%.6f', (double) SUM(requests_by_dimension.is_error) / (double) COUNT(requests_by_dimension));
STORE report INTO '$OUTPUT' USING PigStorage('\t');
