-- Hive twin of mr/sessionize.py: user<TAB>session<TAB>start<TAB>end<TAB>events<TAB>duration;
-- a session ends when the next event of the user comes more than GAP_SECONDS later (lag() over
-- the user's events in time order); sessions are numbered from 1 per user.
-- Records and times (epoch seconds or ISO-8601, mr/lib/timestamps.py) are parsed by mr/lib
-- through TRANSFORM (mr.lib.streams records); NULL users and bad times are dropped.
-- @param USER_COL int default 0: the user column (0-based)
-- @param TIME_COL int default 1: the time column (0-based)
-- @param GAP_SECONDS int default 1800: the longest pause within a session, in seconds
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT, OUTPUT and PYTHON.
DROP TABLE IF EXISTS sessionize_lines;
CREATE TEMPORARY EXTERNAL TABLE sessionize_lines (line STRING)
LOCATION '${hivevar:INPUT}';

WITH records AS (
  SELECT TRANSFORM (line)
    USING '${hivevar:PYTHON} -m mr.lib.streams records --format ${hivevar:FORMAT} --epoch ${hivevar:TIME_COL} --cols ${hivevar:USER_COL},${hivevar:TIME_COL}'
    AS (user_id STRING, t BIGINT)
  FROM sessionize_lines
),

events AS (
  SELECT user_id, t
  FROM records
  WHERE user_id IS NOT NULL AND t IS NOT NULL
),

flagged AS (
  SELECT user_id, t,
         CASE WHEN t - lag(t) OVER (PARTITION BY user_id ORDER BY t) <= ${hivevar:GAP_SECONDS}
              THEN 0 ELSE 1 END AS starts
  FROM events
),

numbered AS (
  SELECT user_id, t,
         sum(starts) OVER (PARTITION BY user_id ORDER BY t, starts DESC
                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session
  FROM flagged
),

final AS (
  SELECT user_id, session, min(t) AS started, max(t) AS ended, count(*) AS events,
         max(t) - min(t) AS duration
  FROM numbered
  GROUP BY user_id, session
)

INSERT OVERWRITE DIRECTORY '${hivevar:OUTPUT}'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
SELECT * FROM final;
