-- Pig twin of mr/word_stats.py: statistic<TAB>value rows count, mean, median and stddev
-- (population) of word lengths; no rows when the input has no word.
-- Words and their lengths (code points) come from mr/lib/text.py through STREAM.
-- Parameters: INPUT (text), OUTPUT, PYTHON (set by mrkit pig run).
DEFINE tokenize `$PYTHON -m mr.lib.streams tokenize --lengths`;

lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
words = STREAM lines THROUGH tokenize AS (word:chararray, len:long);
lens = FOREACH words GENERATE len, len * len AS sq;
everything = GROUP lens ALL;
-- exact integer sums, as the MR job's histogram: variance = (n*sq - t*t) / n^2
totals = FOREACH everything GENERATE COUNT(lens) AS n, SUM(lens.len) AS t, SUM(lens.sq) AS sq;

-- median: the mean of the values at 1-based ranks floor((n+1)/2) and floor(n/2)+1
ordered = ORDER lens BY len;
ranked = RANK ordered;
middle = FILTER ranked BY rank_ordered == (totals.n + 1) / 2 OR rank_ordered == totals.n / 2 + 1;
middle_all = GROUP middle ALL;
median = FOREACH middle_all GENERATE (double) SUM(middle.len) / (double) COUNT(middle) AS m;

stats = FOREACH totals GENERATE FLATTEN(TOBAG(
    TOTUPLE('count', (chararray) n),
    TOTUPLE('mean', SPRINTF('%.6f', (double) t / (double) n)),
    TOTUPLE('median', SPRINTF('%.6f', median.m)),
    TOTUPLE('stddev', SPRINTF('%.6f', SQRT((double) (n * sq - t * t) / (double) (n * n))))
));
STORE stats INTO '$OUTPUT' USING PigStorage('\t');
