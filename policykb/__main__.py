"""`python -m policykb`: the same command as the `policykb` console script."""

import sys

from policykb.cli import main

sys.exit(main())
