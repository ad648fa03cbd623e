"""Entry point of the frozen app: the same ``main`` as the ``hearth`` console script and ``python -m hearth``."""

import sys

from hearth.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
