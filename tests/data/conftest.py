"""Make the package importable from a source checkout (src layout under model/) without installing it."""

import sys
from pathlib import Path

try:
    import naerhed  # noqa: F401
except ImportError:  # not installed: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "model"))
