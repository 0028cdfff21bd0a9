"""``python -m ai_missions.cli``: the ``missions`` command line."""

import sys

from ai_missions.cli import console

sys.exit(console())
