-- Hive twin of mr/top_n.py (with a group column): group<TAB>rank<TAB>value<TAB>record..., the N
-- records with the largest values per group; rank is row_number() over value descending, then
-- the record's TSV text ascending. A NULL group is a group of its own.
-- Records and numbers are parsed by mr/lib through TRANSFORM (mr.lib.streams records).
-- Variables: INPUT, OUTPUT, GROUP_COL, VALUE_COL (0-based), N, FORMAT (tsv|csv), PYTHON.
DROP TABLE IF EXISTS top_n_lines;
CREATE TEMPORARY EXTERNAL TABLE top_n_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH v AS (
  SELECT k AS grp, row_text, cast(num AS DOUBLE) AS x
  FROM (
    SELECT TRANSFORM (line)
      USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:GROUP_COL} --number ${hivevar:VALUE_COL}'
      AS (k STRING, row_text STRING, num STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
    FROM top_n_lines
  ) records
  WHERE num IS NOT NULL
),
ranked AS (
  SELECT grp, row_text, x, row_number() OVER (PARTITION BY grp ORDER BY x DESC, row_text) AS rn
  FROM v
)
INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT grp, rn, printf('%.6f', x), row_text
FROM ranked
WHERE rn <= ${hivevar:N};
