-- Hive twin of mr/inverted_index.py: term<TAB>document<TAB>count, one row per posting; a
-- document is its file basename. Words come from mr/lib/text.py through TRANSFORM.
-- No parameters; the runner sets INPUT (a directory of documents), OUTPUT and PYTHON.
DROP TABLE IF EXISTS inverted_index_lines;
CREATE TEMPORARY EXTERNAL TABLE inverted_index_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH postings AS (
  SELECT TRANSFORM (regexp_extract(INPUT__FILE__NAME, '[^/]*$', 0), line)
    USING '${hivevar:PYTHON} -m mr.lib.streams tokenize --keyed' AS (doc STRING, term STRING)
  FROM inverted_index_lines
),

final AS (
  SELECT term, doc, count(*) AS occurrences
  FROM postings
  GROUP BY term, doc
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
