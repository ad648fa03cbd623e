"""A tiny benchmark harness: repeat, take the median, print one table.

Targets live here rather than in timed tests because timings on shared 2-core machines are too noisy to fail a
build on; the table shows the measured value next to the target so a regression is seen, not hidden.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str
    target: str = ""
    note: str = ""


@dataclass
class Benchmark:
    name: str
    run: Callable[[], list[Result]]
    description: str = ""


@dataclass
class Registry:
    benchmarks: dict[str, Benchmark] = field(default_factory=dict)

    def register(
        self, name: str, description: str = ""
    ) -> Callable[[Callable[[], list[Result]]], Callable[[], list[Result]]]:
        def decorate(fn: Callable[[], list[Result]]) -> Callable[[], list[Result]]:
            self.benchmarks[name] = Benchmark(name, fn, description)
            return fn

        return decorate


REGISTRY = Registry()
benchmark = REGISTRY.register


def median_seconds(fn: Callable[[], object], repeats: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn`` over ``repeats`` runs after ``warmup`` discarded runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def format_table(results: list[Result]) -> str:
    headers = ("benchmark", "value", "target", "note")
    rows = [(r.name, f"{r.value:,.2f} {r.unit}", r.target, r.note) for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(out)
