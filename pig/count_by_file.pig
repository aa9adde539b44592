-- Pig twin of mr/count_by_file.py: file<TAB>records (lines), per input file basename.
-- PigStorage's -tagFile puts each line's file name first.
-- No parameters; the runner sets INPUT (a directory of files), OUTPUT and PYTHON.
file_lines = LOAD '$INPUT' USING PigStorage('\u0001', '-tagFile') AS (file:chararray);
by_file = GROUP file_lines BY file;
file_counts = FOREACH by_file GENERATE group, COUNT_STAR(file_lines);
STORE file_counts INTO '$OUTPUT' USING PigStorage('\t');
