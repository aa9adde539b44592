-- Pig twin of mr/word_count.py: word<TAB>count, one row per distinct word.
-- Words are mr/lib/text.py's regex tokenizer (Unicode letters/digits, inner apostrophes,
-- lowercased), run through STREAM so Pig splits exactly as the MR job does.
-- No parameters; the runner sets INPUT (file or directory of text), OUTPUT and PYTHON.
DEFINE tokenize `$PYTHON -m mr.lib.streams tokenize`;

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
words = STREAM lines THROUGH tokenize AS (word:chararray);
by_word = GROUP words BY word;
word_counts = FOREACH by_word GENERATE group, COUNT(words);
STORE word_counts INTO '$OUTPUT' USING PigStorage('\t');
