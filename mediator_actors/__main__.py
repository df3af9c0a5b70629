"""``python -m mediator_actors`` is ``mediator-node``."""

import sys

from mediator_actors.cli import main

sys.exit(main())
