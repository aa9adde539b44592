-- Pig twin of mr/grep.py: match<TAB>count, most frequent first, then by match.
-- Every non-overlapping match of a Python regex counts once; Pig's REGEX_EXTRACT finds one, so
-- the matches come from mr.lib.streams matches (re.finditer) through STREAM.
-- @param PATTERN regex: the Python regular expression to look for
-- @param GROUP int default 0: the capture group to count (0: the whole match)
-- @param IGNORE_CASE bool default false: match case-insensitively
-- The runner sets INPUT (text), OUTPUT and PYTHON.
DEFINE find_matches `$PYTHON -m mr.lib.streams matches`;

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
match_requests = FOREACH lines GENERATE line, '$PATTERN', '$GROUP', '$IGNORE_CASE';
found_matches = STREAM match_requests THROUGH find_matches AS (found:chararray);
by_match = GROUP found_matches BY found;
match_counts = FOREACH by_match GENERATE group AS found, COUNT(found_matches) AS hits;
ordered_counts = ORDER match_counts BY hits DESC, found;
STORE ordered_counts INTO '$OUTPUT' USING PigStorage('\t');
