"""Render the app icon (resources/icons/hearth.svg) into the per-OS icon files the installers use.

Writes into packaging/icons/:
  hearth.ico       Windows, 16-256 px (the exe, the installer, the Start-menu entry)
  hearth.icns      macOS, 16-1024 px (the .app bundle)
  hearth-256.png,  Linux (hicolor 256x256, the AppImage icon)
  hearth-512.png

Every size is rendered from the SVG by Qt instead of scaled down from one large bitmap, so the small sizes stay
sharp. Both containers hold PNG images, which Windows (Vista and later) and macOS (10.7 and later) read; they are
written here directly, because Pillow's ICNS writer leaves out the 16 and 32 px images. The outputs are committed,
so building an installer never runs this script; run it again after changing the SVG:

    .venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "hearth.svg"
OUT = ROOT / "packaging" / "icons"

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, with their pixel sizes (the "@2x" types are for Retina screens).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),  # 16@2x
    (b"icp6", 64),
    (b"ic12", 64),  # 32@2x
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),  # 128@2x
    (b"ic09", 512),
    (b"ic14", 512),  # 256@2x
    (b"ic10", 1024),  # 512@2x
)
PNG_SIZES = (256, 512)


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    """Render the SVG into a transparent size x size image; returns it PNG-encoded."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG"):
        raise RuntimeError(f"Qt could not encode the {size} px icon as PNG")
    buffer.close()
    return data.data()


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file with one PNG image per size (ICONDIR, then one 16-byte ICONDIRENTRY each, then the data)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = [], []
    for size in sizes:
        blob = pngs[size]
        side = 0 if size >= 256 else size  # 0 means 256
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return header + b"".join(entries) + b"".join(blobs)


def icns_bytes(elements: list[tuple[bytes, bytes]]) -> bytes:
    """An ICNS file: the magic and total length, then (type, length including this 8-byte header, data) each."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in elements)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def make_icons(svg: Path, out: Path) -> list[Path]:
    """Write the .ico, .icns and PNG files into ``out``; returns the paths written."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"cannot read {svg} as SVG")
    all_sizes = {*ICO_SIZES, *PNG_SIZES, *(size for _, size in ICNS_TYPES)}
    pngs = {size: render_png(renderer, size) for size in sorted(all_sizes)}
    outputs = {out / f"hearth-{size}.png": pngs[size] for size in PNG_SIZES}
    outputs[out / "hearth.ico"] = ico_bytes({size: pngs[size] for size in ICO_SIZES})
    outputs[out / "hearth.icns"] = icns_bytes([(kind, pngs[size]) for kind, size in ICNS_TYPES])
    out.mkdir(parents=True, exist_ok=True)
    for path, data in outputs.items():
        path.write_bytes(data)
    return list(outputs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the Hearth icon into .ico, .icns and PNG files.")
    parser.add_argument("--svg", type=Path, default=SVG, help="source SVG (default: resources/icons/hearth.svg)")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default: packaging/icons)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication.instance() or QGuiApplication([])
    for path in make_icons(args.svg, args.out):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
