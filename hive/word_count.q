-- Hive twin of mr/word_count.py: word<TAB>count, one row per distinct word.
-- Words are mr/lib/text.py's regex tokenizer (Unicode letters/digits, inner apostrophes,
-- lowercased), run through TRANSFORM so Hive splits exactly as the MR job does.
-- No parameters; the runner sets INPUT (file or directory of text), OUTPUT and PYTHON.
DROP TABLE IF EXISTS word_count_lines;
CREATE TEMPORARY EXTERNAL TABLE word_count_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH words AS (
  SELECT TRANSFORM (line) USING '${hivevar:PYTHON} -m mr.lib.streams tokenize' AS (word STRING)
  FROM word_count_lines
),

final AS (
  SELECT word, count(*) AS occurrences
  FROM words
  GROUP BY word
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
