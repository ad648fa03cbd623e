"""PyInstaller runtime hook: programs Hearth starts get the user's library path, not the bundle's.

On Linux the bootloader points ``LD_LIBRARY_PATH`` at the bundle (saving the user's value in
``LD_LIBRARY_PATH_ORIG``). This process has already loaded its libraries, so the variable only matters to child
processes: "Open file" (xdg-open and the viewer it starts) must not load the bundle's Qt or libstdc++. Hearth's
own engine process is the bundle's executable again, whose bootloader sets the variable afresh.
"""

import os
import sys

if sys.platform.startswith("linux") and getattr(sys, "frozen", False):
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is not None:
        os.environ["LD_LIBRARY_PATH"] = original
    else:
        os.environ.pop("LD_LIBRARY_PATH", None)
