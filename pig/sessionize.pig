-- Pig twin of mr/sessionize.py: user<TAB>session<TAB>start<TAB>end<TAB>events<TAB>duration;
-- a session starts at an event whose previous event of the user (if any) is more than
-- GAP_SECONDS earlier; an event's session number is the count of session starts up to it.
-- Pig Latin has no lag(): previous times and session numbers come from self-joins per user
-- over the distinct (user, second) pairs, quadratic in one user's distinct seconds.
-- Records and times (epoch seconds or ISO-8601, mr/lib/timestamps.py) are parsed by mr/lib
-- through STREAM (mr.lib.streams records); NULL users and bad times are dropped.
-- Parameters: INPUT, OUTPUT, USER_COL (default 0), TIME_COL (default 1), GAP_SECONDS (default
-- 1800), FORMAT (default tsv), PYTHON (set by mrkit pig run).
%default USER_COL '0'
%default TIME_COL '1'
%default GAP_SECONDS '1800'
%default FORMAT 'tsv'
DEFINE parse_records `$PYTHON -m mr.lib.streams records --format $FORMAT --epoch $TIME_COL --cols $USER_COL,$TIME_COL`;

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
records = STREAM lines THROUGH parse_records AS (user_id:chararray, t:chararray);
events = FOREACH (FILTER records BY user_id != '\\N' AND t != '\\N')
    GENERATE user_id, (long) t AS t;
seconds = FOREACH (GROUP events BY (user_id, t))
    GENERATE FLATTEN(group) AS (user_id, t), COUNT(events) AS n;
others = FOREACH seconds GENERATE user_id AS o_user, t AS o_t;

pairs = JOIN seconds BY user_id, others BY o_user;
earlier = FILTER pairs BY o_t < t;
previous = FOREACH (GROUP earlier BY (user_id, t))
    GENERATE FLATTEN(group) AS (user_id, t), MAX(earlier.o_t) AS prev;
with_prev = JOIN seconds BY (user_id, t) LEFT OUTER, previous BY (user_id, t);
starts = FOREACH (FILTER with_prev BY previous::prev is null
                  OR seconds::t - previous::prev > $GAP_SECONDS)
    GENERATE seconds::user_id AS s_user, seconds::t AS s_t;

start_pairs = JOIN seconds BY user_id, starts BY s_user;
started = FILTER start_pairs BY s_t <= t;
numbered = FOREACH (GROUP started BY (user_id, t, n))
    GENERATE FLATTEN(group) AS (user_id, t, n), COUNT(started) AS session;
sessions = FOREACH (GROUP numbered BY (user_id, session)) GENERATE
    FLATTEN(group) AS (user_id, session),
    MIN(numbered.t) AS first, MAX(numbered.t) AS last, SUM(numbered.n) AS events;
out = FOREACH sessions GENERATE user_id, session, first, last, events, last - first;
STORE out INTO '$OUTPUT' USING PigStorage('\t');
