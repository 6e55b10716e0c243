"""``python -m zoo`` is the ``zoo`` command."""

import sys

from zoo.cli.main import main

sys.exit(main())
