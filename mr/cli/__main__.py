"""``python -m mr.cli``: the `mrkit` command."""

import sys

from mr.cli import main

sys.exit(main())
