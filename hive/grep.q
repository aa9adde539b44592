-- Hive twin of mr/grep.py: match<TAB>count, most frequent first, then by match.
-- Every non-overlapping match of a Python regex counts once; HiveQL has no find-all, so the
-- matches come from mr.lib.streams matches (re.finditer) through TRANSFORM.
-- @param PATTERN regex: the Python regular expression to look for
-- @param GROUP int default 0: the capture group to count (0: the whole match)
-- @param IGNORE_CASE bool default false: match case-insensitively
-- The runner sets INPUT (text), OUTPUT and PYTHON.
-- final is ordered: keep the ORDER BY of its subquery
SET hive.remove.orderby.in.subquery=false;
DROP TABLE IF EXISTS grep_lines;
CREATE TEMPORARY EXTERNAL TABLE grep_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH matches AS (
  SELECT TRANSFORM (line, '${hivevar:PATTERN}', '${hivevar:GROUP}', '${hivevar:IGNORE_CASE}')
    USING '${hivevar:PYTHON} -m mr.lib.streams matches' AS (found STRING)
  FROM grep_lines
),

match_counts AS (
  SELECT found, count(*) AS hits
  FROM matches
  GROUP BY found
),

final AS (
  SELECT found, hits
  FROM match_counts
  ORDER BY hits DESC, found
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
