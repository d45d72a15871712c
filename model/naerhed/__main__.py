"""`python -m naerhed`: the command line."""

import sys

from naerhed.cli import main

if __name__ == "__main__":
    sys.exit(main())
