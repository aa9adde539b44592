"""Pure helpers shared by the jobs: tokenizers, record parsers, TSV formatting, the base job."""
