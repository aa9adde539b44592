-- Hive twin of mr/grep.py: match<TAB>count, most frequent first, then by match.
-- Every non-overlapping match of a Python regex counts once; HiveQL has no find-all, so the
-- matches come from mr.lib.streams matches (re.finditer) through TRANSFORM.
-- Variables: INPUT (text), OUTPUT, PATTERN (Python regex), GROUP (0: the whole match),
-- IGNORE_CASE (true|false), PYTHON (set by mrkit hive run).
DROP TABLE IF EXISTS grep_lines;
CREATE TEMPORARY EXTERNAL TABLE grep_lines (line STRING)
LOCATION '${hivevar:INPUT}';

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT found, count(*) AS hits
FROM (
  SELECT TRANSFORM (line, '${hivevar:PATTERN}', '${hivevar:GROUP}', '${hivevar:IGNORE_CASE}')
    USING '${hivevar:PYTHON} -m mr.lib.streams matches' AS (found STRING)
  FROM grep_lines
) matches
GROUP BY found
ORDER BY hits DESC, found;
