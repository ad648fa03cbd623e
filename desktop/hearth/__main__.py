"""``python -m hearth`` and the ``hearth`` console script."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

# Must match hearth.core.engine.client.WORKER_FLAG; kept literal so starting the engine imports nothing else first.
ENGINE_WORKER_FLAG = "--hearth-engine-worker"


def _give_windowed_app_streams() -> None:
    """A windowed Windows build (no console) starts with ``sys.stdout``/``sys.stderr`` set to None; printing or
    logging would then raise. Output goes nowhere instead (``hearth-cli.exe`` is the one with a console)."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115, PTH123 - lives with the app


def main(argv: Sequence[str] | None = None) -> int:
    _give_windowed_app_streams()
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == [ENGINE_WORKER_FLAG]:  # a frozen app starts its inference engine by running itself
        from hearth.core.engine import worker

        worker.main()
        return 0
    from hearth.cli.main import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
