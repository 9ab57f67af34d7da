"""`python -m mnemo` is the `mnemo` command."""

import sys

from mnemo.cli import main

sys.exit(main())
