"""Run the benchmarks named on the command line (all by default) and print one table."""

from __future__ import annotations

import argparse
import sys

from bench import bench_foundation, bench_gguf, bundle, chat, docs, download, fit_accuracy  # noqa: F401 - they register their benchmarks
from bench.harness import REGISTRY, Result, format_table


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(REGISTRY.benchmarks)}")
    args = parser.parse_args()
    unknown = set(args.names) - REGISTRY.benchmarks.keys()
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    results: list[Result] = []
    for name, bench in REGISTRY.benchmarks.items():
        if args.names and name not in args.names:
            continue
        print(f"running {name}…", file=sys.stderr, flush=True)
        results += bench.run()
    print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
