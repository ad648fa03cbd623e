"""Entry point of the frozen app: the same ``main`` as the ``hearth`` console script and ``python -m hearth``."""

import multiprocessing
import sys

from hearth.__main__ import main

if __name__ == "__main__":
    # Indexing reads long PDFs in worker processes ("spawn"): in a frozen app they start as this executable, and
    # this call turns such a start into the worker instead of a second app.
    multiprocessing.freeze_support()
    sys.exit(main())
