-- Hive twin of mr/word_stats.py: statistic<TAB>value rows count, mean, median and stddev
-- (population) of word lengths; no rows when the input has no word.
-- Words and their lengths (code points) come from mr/lib/text.py through TRANSFORM.
-- Variables: INPUT (text), OUTPUT, PYTHON (set by mrkit hive run).
DROP TABLE IF EXISTS word_stats_lines;
CREATE TEMPORARY EXTERNAL TABLE word_stats_lines (line STRING)
LOCATION '${hivevar:INPUT}';

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT s.statistic, s.value
FROM (
  -- exact integer sums, as in the MR job: variance = (n*sq - t*t) / n^2
  SELECT count(*) AS n, sum(len) AS t, sum(len * len) AS sq, percentile(len, 0.5) AS median
  FROM (
    SELECT TRANSFORM (line) USING '${hivevar:PYTHON} -m mr.lib.streams tokenize --lengths'
      AS (word STRING, len BIGINT)
    FROM word_stats_lines
  ) words
) totals
LATERAL VIEW inline(array(
  named_struct('statistic', 'count', 'value', cast(n AS STRING)),
  named_struct('statistic', 'mean', 'value', printf('%.6f', t / n)),
  named_struct('statistic', 'median', 'value', printf('%.6f', median)),
  named_struct('statistic', 'stddev', 'value', printf('%.6f', sqrt((n * sq - t * t) / (n * n))))
)) s
WHERE n > 0;
