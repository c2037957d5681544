"""Allow ``python -m sandbox.engine train SPEC.json``."""

import sys

from .cli import main

sys.exit(main())
