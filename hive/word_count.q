-- Hive twin of mr/word_count.py: word<TAB>count, one row per distinct word.
-- Words are mr/lib/text.py's regex tokenizer (Unicode letters/digits, inner apostrophes,
-- lowercased), run through TRANSFORM so Hive splits exactly as the MR job does.
-- Variables: INPUT (file or directory of text), OUTPUT, PYTHON (set by mrkit hive run).
DROP TABLE IF EXISTS word_count_lines;
CREATE TEMPORARY EXTERNAL TABLE word_count_lines (line STRING)
LOCATION '${hivevar:INPUT}';

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT word, count(*)
FROM (
  SELECT TRANSFORM (line) USING '${hivevar:PYTHON} -m mr.lib.streams tokenize' AS (word STRING)
  FROM word_count_lines
) words
GROUP BY word;
