"""``python -m zzeval``: the command line (:mod:`zzeval.cli`)."""

import sys

from zzeval.cli import main

sys.exit(main())
