"""``python -m mcusim.cli``: the ``mcusim`` command (L6)."""

import sys

from mcusim.cli import main

sys.exit(main())
