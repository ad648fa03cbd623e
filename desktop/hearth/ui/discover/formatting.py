"""Numbers and dates as the Discover cards print them: ``1.2M`` downloads, ``7.6B`` parameters, ``3 days ago``.

Why here and not in ``core.units``: these are display choices of one page (compact counts for a dense list),
not quantities the CLI or the fit estimate share.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hearth.core.hub import QuantFile
from hearth.core.units import format_bytes

_SHARD_SUFFIX = re.compile(r"-\d+-of-\d+(?=\.gguf$)", re.IGNORECASE)


def format_count(n: int) -> str:
    """``950`` → ``"950"``, ``12_345`` → ``"12.3k"``, ``1_200_000`` → ``"1.2M"`` (one decimal under 100)."""
    for divisor, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(n) >= divisor:
            value = n / divisor
            text = f"{value:.1f}" if value < 100 else f"{value:.0f}"
            return text.removesuffix(".0") + suffix
    return str(n)


def format_params(n: int | None) -> str | None:
    """Parameter counts the way model names spell them: ``7_615_616_512`` → ``"7.6B"``, ``494M`` stays millions."""
    if not n:
        return None
    if n >= 1_000_000_000:
        value = n / 1_000_000_000
        return (f"{value:.1f}" if value < 100 else f"{value:.0f}").removesuffix(".0") + "B"
    if n >= 1_000_000:
        return f"{n / 1_000_000:.0f}M"
    return f"{n / 1_000:.0f}k" if n >= 1_000 else str(n)


def format_age(moment: datetime | None, now: datetime | None = None) -> str | None:
    """``"today"``, ``"yesterday"``, ``"5 days ago"``, ``"3 months ago"``, ``"2 years ago"``."""
    if moment is None:
        return None
    now = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    days = max(0, (now - moment).days)
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    for size, unit in ((365, "year"), (30, "month"), (7, "week"), (1, "day")):
        if days >= size:
            count = days // size
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "today"  # unreachable: days >= 1 here


def context_label(n_ctx: int) -> str:
    """``8192`` → ``"8k"``; ``131072`` → ``"128k"``; others keep their digits."""
    return f"{n_ctx // 1024}k" if n_ctx % 1024 == 0 else f"{n_ctx:,}"


def bits_text(file: QuantFile) -> str:
    """Real bits per weight when size and parameters are known, else the type's nominal figure (``≈``)."""
    if file.bits_per_weight is not None:
        return f"{file.bits_per_weight:.2f}"
    nominal = file.nominal_bits_per_weight
    return f"≈ {nominal:.2f}" if nominal is not None else "—"


def size_text(file: QuantFile) -> str:
    size = format_bytes(file.size_bytes) if file.size_bytes is not None else "Unknown"
    return f"{size} · {len(file.files)} parts" if file.is_sharded else size


def file_text(file: QuantFile) -> str:
    """The file's name without its folder; a split model is named once, with its number of files."""
    name = file.name.rsplit("/", 1)[-1]
    return f"{_SHARD_SUFFIX.sub('', name)} ({len(file.files)} files)" if file.is_sharded else name
