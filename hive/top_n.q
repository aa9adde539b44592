-- Hive twin of mr/top_n.py (with a group column): group<TAB>rank<TAB>value<TAB>record..., the N
-- records with the largest values per group; rank is row_number() over value descending, then
-- the record's TSV text ascending. A NULL group is a group of its own.
-- Records and numbers are parsed by mr/lib through TRANSFORM (mr.lib.streams records).
-- @param GROUP_COL int: the group column (0-based)
-- @param VALUE_COL int: the value column (0-based)
-- @param N int default 10: how many records to keep per group
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT, OUTPUT and PYTHON.
DROP TABLE IF EXISTS top_n_lines;
CREATE TEMPORARY EXTERNAL TABLE top_n_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH records AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --key-col ${hivevar:GROUP_COL} --number ${hivevar:VALUE_COL}'
    AS (grp STRING, row_text STRING, num STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
  FROM top_n_lines
),

valued AS (
  SELECT grp, row_text, cast(num AS DOUBLE) AS amount
  FROM records
  WHERE num IS NOT NULL
),

ranked AS (
  SELECT grp, row_text, amount,
         row_number() OVER (PARTITION BY grp ORDER BY amount DESC, row_text) AS position
  FROM valued
),

final AS (
  SELECT grp, position, printf('%.6f', amount) AS amount, row_text
  FROM ranked
  WHERE position <= ${hivevar:N}
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
