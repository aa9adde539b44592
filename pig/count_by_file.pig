-- Pig twin of mr/count_by_file.py: file<TAB>records (lines), per input file basename.
-- PigStorage's -tagFile puts each line's file name first.
-- Parameters: INPUT (a directory of files), OUTPUT.
lines = LOAD '$INPUT' USING PigStorage('\u0001', '-tagFile') AS (file:chararray);
by_file = GROUP lines BY file;
counts = FOREACH by_file GENERATE group, COUNT_STAR(lines);
STORE counts INTO '$OUTPUT' USING PigStorage('\t');
