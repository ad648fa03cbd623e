"""Bytes → text for the text-like formats, and the "is this a binary?" test.

Why a decoder of our own: users' folders hold files from every decade and OS. A byte-order mark is the only
certain signal, so it wins; UTF-8 is by far the most common and strict decoding rarely accepts anything else by
accident; only then is charset-normalizer asked to guess (it is slower and can be wrong, so it goes last).
"""

from __future__ import annotations

import codecs

import charset_normalizer

BINARY_SNIFF_BYTES = 8 * 1024

# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


_LATIN_CODE_PAGES = frozenset({
    "cp1250", "cp1252", "cp1254", "cp1257", "cp775", "cp850", "cp858", "iso8859_1", "iso8859_2", "iso8859_3",
    "iso8859_4", "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "latin_1",
    "mac_latin2", "mac_roman", "mac_iceland", "mac_turkish",
})  # fmt: skip


class NotText(ValueError):
    """The bytes are not text in any encoding we can tell (a binary file, usually)."""


def decode_text(raw: bytes) -> str:
    """The text of ``raw`` with line endings normalised to ``\\n``; raises :class:`NotText` for binaries.

    Line endings are normalised here, once, so every loader counts lines the way an editor shows them.
    """
    text = _decode(raw)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _decode(raw: bytes) -> str:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise NotText(f"invalid {encoding} after its byte-order mark") from exc
    head = raw[:BINARY_SNIFF_BYTES]
    if b"\x00" in head:
        # UTF-16 without a BOM has NULs in every other byte for ASCII text; anything else with NULs is binary.
        guessed = _bomless_utf16(head)
        if guessed is None:
            raise NotText("binary file")
        try:
            return raw.decode(guessed)
        except UnicodeDecodeError as exc:
            raise NotText("binary file") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(raw).best()
    if best is None:
        raise NotText("binary file")
    if best.encoding in _LATIN_CODE_PAGES:
        # Latin-script code pages differ in a few accented letters, and charset-normalizer often picks a Baltic
        # or Central-European one for French or German text. Windows-1252 is by far the most common of them.
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return str(best)


def _bomless_utf16(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` when NULs sit (almost) only at odd/even offsets, as in mostly-ASCII UTF-16."""
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    half = len(head) // 2
    if half == 0:
        return None
    if odd >= 0.9 * half and even == 0:
        return "utf-16-le"
    if even >= 0.9 * half and odd == 0:
        return "utf-16-be"
    return None
