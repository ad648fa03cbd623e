"""``python -m hearth`` and the ``hearth`` console script."""

from __future__ import annotations

import sys
from collections.abc import Sequence

# Must match hearth.core.engine.client.WORKER_FLAG; kept literal so starting the engine imports nothing else first.
ENGINE_WORKER_FLAG = "--hearth-engine-worker"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == [ENGINE_WORKER_FLAG]:  # a frozen app starts its inference engine by running itself
        from hearth.core.engine import worker

        worker.main()
        return 0
    from hearth.cli.main import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
