"""Human-readable sizes; one definition so the CLI and every widget print the same numbers."""

from __future__ import annotations


def format_bytes(n: int | float) -> str:
    """Binary units (GiB), because that is what RAM and VRAM are sold and reported in."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")
