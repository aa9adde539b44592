-- Hive twin of mr/total_order_sort.py: the records, TSV-normalized, in key order (ORDER BY:
-- one globally sorted output). Keys are text (UTF-8 byte order) or, with KEY_TYPE=number,
-- numbers; records with a NULL key or a key that is not a number are dropped, like the MR job.
-- Records are parsed by mr/lib/records.py through TRANSFORM (mr.lib.streams records).
-- Variables: INPUT, OUTPUT, KEY_COL (0-based), KEY_TYPE (text|number), FORMAT (tsv|csv),
-- PYTHON (set by mrkit hive run).
-- the sort keys are not written, so the ORDER BY sits in a subquery that must stay
SET hive.remove.orderby.in.subquery=false;
DROP TABLE IF EXISTS total_order_sort_lines;
CREATE TEMPORARY EXTERNAL TABLE total_order_sort_lines (line STRING)
LOCATION '${hivevar:INPUT}';

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT row_text
FROM (
SELECT row_text, if('${hivevar:KEY_TYPE}' = 'number', cast(k AS DOUBLE), NULL) AS num, k
FROM (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:KEY_COL} --key-type ${hivevar:KEY_TYPE}'
    AS (k STRING, row_text STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM total_order_sort_lines
) records
WHERE k IS NOT NULL
ORDER BY num, k, row_text
) ordered;
