-- Hive twin of mr/word_stats.py: statistic<TAB>value rows count, mean, median and stddev
-- (population) of word lengths; no rows when the input has no word.
-- Words and their lengths (code points) come from mr/lib/text.py through TRANSFORM.
-- No parameters; the runner sets INPUT (text), OUTPUT and PYTHON.
DROP TABLE IF EXISTS word_stats_lines;
CREATE TEMPORARY EXTERNAL TABLE word_stats_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH words AS (
  SELECT TRANSFORM (line) USING '${hivevar:PYTHON} -m mr.lib.streams tokenize --lengths'
    AS (word STRING, word_length BIGINT)
  FROM word_stats_lines
),

-- exact integer sums, as in the MR job: variance = (n*sq - t*t) / n^2
length_totals AS (
  SELECT count(*) AS n, sum(word_length) AS t, sum(word_length * word_length) AS sq,
         percentile(word_length, 0.5) AS median
  FROM words
),

final AS (
  SELECT stats.statistic, stats.value
  FROM length_totals
  LATERAL VIEW inline(array(
    named_struct('statistic', 'count', 'value', cast(n AS STRING)),
    named_struct('statistic', 'mean', 'value', printf('%.6f', t / n)),
    named_struct('statistic', 'median', 'value', printf('%.6f', median)),
    named_struct('statistic', 'stddev', 'value',
                 printf('%.6f', sqrt((n * sq - t * t) / (n * n))))
  )) stats
  WHERE n > 0
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
