-- Pig twin of mr/word_stats.py: statistic<TAB>value rows count, mean, median and stddev
-- (population) of word lengths; no rows when the input has no word.
-- Words and their lengths (code points) come from mr/lib/text.py through STREAM.
-- No parameters; the runner sets INPUT (text), OUTPUT and PYTHON.
DEFINE tokenize `$PYTHON -m mr.lib.streams tokenize --lengths`;

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
words = STREAM lines THROUGH tokenize AS (word:chararray, len:long);
lengths = FOREACH words GENERATE len, len * len AS sq;
all_lengths = GROUP lengths ALL;
-- exact integer sums, as the MR job's histogram: variance = (n*sq - t*t) / n^2
totals = FOREACH all_lengths GENERATE COUNT(lengths) AS n, SUM(lengths.len) AS t, SUM(lengths.sq) AS sq;

-- median: the mean of the values at 1-based ranks floor((n+1)/2) and floor(n/2)+1
ordered_lengths = ORDER lengths BY len;
ranked_lengths = RANK ordered_lengths;
middle = FILTER ranked_lengths BY rank_ordered_lengths == (totals.n + 1) / 2
    OR rank_ordered_lengths == totals.n / 2 + 1;
all_middle = GROUP middle ALL;
median = FOREACH all_middle GENERATE (double) SUM(middle.len) / (double) COUNT(middle) AS m;

stats = FOREACH totals GENERATE FLATTEN(TOBAG(
    TOTUPLE('count', (chararray) n),
    TOTUPLE('mean', SPRINTF('%.6f', (double) t / (double) n)),
    TOTUPLE('median', SPRINTF('%.6f', median.m)),
    TOTUPLE('stddev', SPRINTF('%.6f', SQRT((double) (n * sq - t * t) / (double) (n * n))))
));
STORE stats INTO '$OUTPUT' USING PigStorage('\t');
