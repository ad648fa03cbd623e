"""The committed icon files (packaging/icons/) are well-formed, and make_icons.py still makes them."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path
from types import ModuleType

import pytest
from packaging_fixtures import PACKAGING, REPO

ICONS = PACKAGING / "icons"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
ICNS_TYPES = {
    b"icp4": 16,
    b"icp5": 32,
    b"ic11": 32,
    b"icp6": 64,
    b"ic12": 64,
    b"ic07": 128,
    b"ic08": 256,
    b"ic13": 256,
    b"ic09": 512,
    b"ic14": 512,
    b"ic10": 1024,
}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, which must come first."""
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def ico_images(data: bytes) -> dict[int, bytes]:
    """Side length -> image data for each ICONDIRENTRY of an ICO file."""
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1), "not an icon (ICO) file"
    images = {}
    for i in range(count):
        width, height, _colors, _reserved, planes, bits, size, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i : 22 + 16 * i]
        )
        assert (width, planes, bits) == (height, 1, 32)
        assert offset + size <= len(data)
        images[width or 256] = data[offset : offset + size]
    return images


def icns_elements(data: bytes) -> dict[bytes, bytes]:
    """Element type -> data for each element of an ICNS file."""
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    elements, offset = {}, 8
    while offset < len(data):
        kind, length = struct.unpack(">4sI", data[offset : offset + 8])
        assert length >= 8 and offset + length <= len(data), kind
        assert kind not in elements, f"duplicate {kind!r}"
        elements[kind] = data[offset + 8 : offset + length]
        offset += length
    return elements


def check_ico(data: bytes) -> None:
    images = ico_images(data)
    assert sorted(images) == ICO_SIZES
    for side, image in images.items():
        assert png_size(image) == (side, side)


def check_icns(data: bytes) -> None:
    elements = icns_elements(data)
    assert set(elements) == set(ICNS_TYPES)
    for kind, image in elements.items():
        assert png_size(image) == (ICNS_TYPES[kind], ICNS_TYPES[kind]), kind


def test_committed_ico_has_every_windows_size() -> None:
    check_ico((ICONS / "hearth.ico").read_bytes())


def test_committed_icns_has_every_macos_size() -> None:
    check_icns((ICONS / "hearth.icns").read_bytes())


@pytest.mark.parametrize("side", [256, 512])
def test_committed_pngs(side: int) -> None:
    assert png_size((ICONS / f"hearth-{side}.png").read_bytes()) == (side, side)


def load_make_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_icons", PACKAGING / "make_icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_icons_renders_the_same_set_from_the_svg(qapp: object, tmp_path: Path) -> None:
    make_icons = load_make_icons()
    written = make_icons.make_icons(REPO / "resources" / "icons" / "hearth.svg", tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in ICONS.iterdir())
    check_ico((tmp_path / "hearth.ico").read_bytes())
    check_icns((tmp_path / "hearth.icns").read_bytes())
    # Opaque in the middle (the flame), transparent in the corner (outside the rounded square).
    from PySide6.QtGui import QImage

    image = QImage(str(tmp_path / "hearth-256.png"))
    assert image.pixelColor(128, 150).alpha() == 255
    assert image.pixelColor(1, 1).alpha() == 0


@pytest.mark.qt_log_ignore("Cannot read file")
def test_make_icons_rejects_a_file_that_is_not_svg(qapp: object, tmp_path: Path) -> None:
    not_svg = tmp_path / "icon.svg"
    not_svg.write_text("not an svg")
    with pytest.raises(ValueError, match="cannot read"):
        load_make_icons().make_icons(not_svg, tmp_path / "out")
