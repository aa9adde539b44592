-- Pig twin of mr/grep.py: match<TAB>count, most frequent first, then by match.
-- Every non-overlapping match of a Python regex counts once; Pig's REGEX_EXTRACT finds one, so
-- the matches come from mr.lib.streams matches (re.finditer) through STREAM.
-- Parameters: INPUT (text), OUTPUT, PATTERN (Python regex), GROUP (default 0: the whole match),
-- IGNORE_CASE (default false), PYTHON (set by mrkit pig run).
%default GROUP '0'
%default IGNORE_CASE 'false'
DEFINE find_matches `$PYTHON -m mr.lib.streams matches`;

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
asks = FOREACH lines GENERATE line, '$PATTERN', '$GROUP', '$IGNORE_CASE';
found_matches = STREAM asks THROUGH find_matches AS (found:chararray);
by_match = GROUP found_matches BY found;
counts = FOREACH by_match GENERATE group AS found, COUNT(found_matches) AS hits;
ordered = ORDER counts BY hits DESC, found;
STORE ordered INTO '$OUTPUT' USING PigStorage('\t');
