"""Models split into shards (``name-00001-of-00003.gguf``): recognise the names, group them, merge their headers.

Why it matters: llama.cpp's ``gguf-split`` puts the metadata in the first shard but spreads the tensors over
all of them, so a memory estimate from shard 1 alone would see a third of the weights. Every shard's tensor
infos count; the merged header tags each tensor with the shard that holds it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from hearth.core.gguf_types import GGUFHeader, InvalidGGUF

# llama.cpp writes "%s-%05d-of-%05d.gguf" (llama_split_path); other widths are accepted when reading.
_SHARD_NAME = re.compile(r"^(?P<base>.+)-(?P<index>\d{1,6})-of-(?P<count>\d{1,6})\.gguf$", re.IGNORECASE)


class ShardName(NamedTuple):
    """The parts of a shard's file name: ``part`` (from 1, as in the name) of ``parts``.

    A tuple, so ``base, index, count = parse_shard_name(name)`` works; the fields are not called
    ``index``/``count`` because those are tuple methods.
    """

    base: str
    part: int
    parts: int


def parse_shard_name(filename: str) -> ShardName | None:
    """``("dir/model", 2, 3)`` for ``dir/model-00002-of-00003.gguf``; ``None`` for a name that is no shard."""
    match = _SHARD_NAME.match(filename)
    if match is None:
        return None
    index, count = int(match["index"]), int(match["count"])
    if not 1 <= index <= count:
        return None
    return ShardName(match["base"], index, count)


def shard_filename(base: str, index: int, count: int) -> str:
    """The name llama.cpp gives shard ``index`` (from 1) of ``count``."""
    return f"{base}-{index:05d}-of-{count:05d}.gguf"


def sibling_shard_names(filename: str) -> list[str]:
    """Every shard name of the set ``filename`` belongs to, in order, spelled like it (digits, case);
    ``[filename]`` for a file that is no shard."""
    match = _SHARD_NAME.match(filename)
    if match is None or parse_shard_name(filename) is None:
        return [filename]
    width, count = len(match["index"]), int(match["count"])
    head = filename[: match.start("index")]
    tail = filename[match.end("index") :]
    return [f"{head}{i:0{width}d}{tail}" for i in range(1, count + 1)]


class IncompleteShards(InvalidGGUF):
    """Some shards of a split model are missing (not downloaded yet, or deleted); ``missing`` are their names."""

    def __init__(self, message: str, missing: Sequence[str]) -> None:
        super().__init__(message)
        self.missing = tuple(missing)


@dataclasses.dataclass(frozen=True)
class ShardGroup:
    """One model as it appears in a list of file names: a single file, or the shards present of a split one.

    ``base`` is the name without the shard suffix (or without ``.gguf`` for a single file); ``files`` are
    the names present, ordered by their shard number ``indexes``.
    """

    base: str
    count: int
    files: tuple[str, ...]
    indexes: tuple[int, ...]

    @property
    def is_sharded(self) -> bool:
        return self.count > 1

    @property
    def missing(self) -> tuple[int, ...]:
        """Shard numbers (from 1) not present."""
        present = set(self.indexes)
        return tuple(i for i in range(1, self.count + 1) if i not in present)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def first(self) -> str:
        """The file llama.cpp is pointed at (shard 1 when present)."""
        return self.files[0]


def group_shards(filenames: Iterable[str]) -> list[ShardGroup]:
    """Group file names into models: shards of one split model together, every other name alone.

    Shards group by base name *and* count (``-of-00002`` and ``-of-00003`` are two different uploads); a
    repeated name is counted once. Groups are sorted by base name, case-insensitively.
    """
    split: dict[tuple[str, int], dict[int, str]] = {}
    single: dict[str, str] = {}
    for filename in filenames:
        shard = parse_shard_name(filename)
        if shard is None:
            single.setdefault(filename, filename)
        else:
            split.setdefault((shard.base, shard.parts), {}).setdefault(shard.part, filename)
    groups = [
        ShardGroup(base, count, tuple(parts[i] for i in sorted(parts)), tuple(sorted(parts)))
        for (base, count), parts in split.items()
    ]
    groups += [ShardGroup(_strip_gguf(name), 1, (name,), (1,)) for name in single]
    return sorted(groups, key=lambda g: (g.base.lower(), g.count, g.files))


def _strip_gguf(name: str) -> str:
    return name[:-5] if name.lower().endswith(".gguf") else name


def _display(header: GGUFHeader) -> str:
    return header.source.replace("\\", "/").rsplit("/", 1)[-1] or "a shard"


def merge_shard_headers(headers: Sequence[GGUFHeader]) -> GGUFHeader:
    """One header for a split model: metadata from the first shard, tensors from every shard.

    Shards are put in ``split.no`` order when they all carry it (llama.cpp's gguf-split writes it), otherwise
    kept in the given order. Raises :class:`InvalidGGUF` when the set is inconsistent: a ``split.count`` or
    ``split.tensors.count`` that disagrees with the files, a shard number twice, a tensor in two shards.
    """
    if not headers:
        raise ValueError("merge_shard_headers needs at least one header")
    ordered = list(headers)
    numbers = [n for h in ordered if isinstance(n := h.metadata.get("split.no"), int)]
    if len(numbers) == len(ordered):
        if sorted(numbers) != list(range(len(ordered))):
            raise InvalidGGUF(
                f"{_display(ordered[0])}: the shards are numbered {sorted(numbers)}, expected 0 to {len(ordered) - 1}"
            )
        ordered = [h for _, h in sorted(zip(numbers, ordered, strict=True), key=lambda pair: pair[0])]
    first = ordered[0]
    for header in ordered:
        count = header.metadata.get("split.count")
        if count is not None and count != len(ordered):
            raise InvalidGGUF(f"{_display(header)} says the model has {count} shards, but {len(ordered)} were given")
    tensors = []
    seen: dict[str, str] = {}
    for index, header in enumerate(ordered):
        for tensor in header.tensors:
            if tensor.name in seen:
                raise InvalidGGUF(f"tensor {tensor.name!r} is in both {seen[tensor.name]} and {_display(header)}")
            seen[tensor.name] = _display(header)
            tensors.append(dataclasses.replace(tensor, shard=index))
    expected = first.metadata.get("split.tensors.count")
    if isinstance(expected, int) and expected != len(tensors):
        raise InvalidGGUF(
            f"{_display(first)} says the model has {expected} tensors, but its shards hold {len(tensors)}"
        )
    sizes = [h.file_size for h in ordered]
    return dataclasses.replace(
        first,
        tensors=tuple(tensors),
        file_size=None if any(s is None for s in sizes) else sum(s for s in sizes if s is not None),
        shards=tuple(h.source for h in ordered),
    )
