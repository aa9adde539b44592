-- Pig twin of mr/sessionize.py: user<TAB>session<TAB>start<TAB>end<TAB>events<TAB>duration;
-- a session starts at an event whose previous event of the user (if any) is more than
-- GAP_SECONDS earlier; an event's session number is the count of session starts up to it.
-- Pig Latin has no lag(): previous times and session numbers come from self-joins per user
-- over the distinct (user, second) pairs, quadratic in one user's distinct seconds.
-- Records and times (epoch seconds or ISO-8601, mr/lib/timestamps.py) are parsed by mr/lib
-- through STREAM (mr.lib.streams records); NULL users and bad times are dropped.
-- @param USER_COL int default 0: the user column (0-based)
-- @param TIME_COL int default 1: the time column (0-based)
-- @param GAP_SECONDS int default 1800: the longest pause within a session, in seconds
-- @param FORMAT enum(tsv,csv) default tsv: the record format
-- The runner sets INPUT, OUTPUT and PYTHON.
DEFINE parse_records `$PYTHON -m mr.lib.streams records --format $FORMAT --epoch $TIME_COL --cols $USER_COL,$TIME_COL`;

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
records = STREAM lines THROUGH parse_records AS (user_id:chararray, t:chararray);
valid_records = FILTER records BY user_id != '\\N' AND t != '\\N';
events = FOREACH valid_records GENERATE user_id, (long) t AS t;
events_by_second = GROUP events BY (user_id, t);
seconds = FOREACH events_by_second GENERATE FLATTEN(group) AS (user_id, t), COUNT(events) AS n;
other_seconds = FOREACH seconds GENERATE user_id AS o_user, t AS o_t;

second_pairs = JOIN seconds BY user_id, other_seconds BY o_user;
earlier = FILTER second_pairs BY o_t < t;
earlier_by_second = GROUP earlier BY (user_id, t);
previous = FOREACH earlier_by_second GENERATE FLATTEN(group) AS (user_id, t), MAX(earlier.o_t) AS prev;
with_previous = JOIN seconds BY (user_id, t) LEFT OUTER, previous BY (user_id, t);
session_starts = FILTER with_previous BY previous::prev is null
    OR seconds::t - previous::prev > $GAP_SECONDS;
starts = FOREACH session_starts GENERATE seconds::user_id AS s_user, seconds::t AS s_t;

start_pairs = JOIN seconds BY user_id, starts BY s_user;
started = FILTER start_pairs BY s_t <= t;
started_by_second = GROUP started BY (user_id, t, n);
numbered = FOREACH started_by_second GENERATE FLATTEN(group) AS (user_id, t, n), COUNT(started) AS session;
numbered_by_session = GROUP numbered BY (user_id, session);
sessions = FOREACH numbered_by_session GENERATE
    FLATTEN(group) AS (user_id, session),
    MIN(numbered.t) AS first, MAX(numbered.t) AS last, SUM(numbered.n) AS events;
session_rows = FOREACH sessions GENERATE user_id, session, first, last, events, last - first;
STORE session_rows INTO '$OUTPUT' USING PigStorage('\t');
