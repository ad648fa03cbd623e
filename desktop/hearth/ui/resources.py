"""Icons and theme files from the ``hearth.resources`` package.

Read through :mod:`importlib.resources` so the same code finds them in a checkout, a wheel and a frozen
app. The line icons are drawn with ``currentColor``, which QIcon cannot resolve, so they are recoloured
here before rendering: one SVG per icon serves the light theme, the dark theme and the selected state.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

_PACKAGE = "hearth.resources"
_PLACEHOLDER = "currentColor"
# Rendered once per size so the icon stays sharp in a 16 px menu, a 20 px sidebar and a 64 px empty state,
# at 1x and 2x device pixel ratios.
_SIZES = (16, 20, 24, 32, 40, 48, 64, 96, 128, 256)


def read_text(name: str) -> str:
    """The text of a resource file, ``name`` relative to the resources folder (``"themes/dark.qss"``)."""
    return files(_PACKAGE).joinpath(*name.split("/")).read_text(encoding="utf-8")


def icon(name: str, color: QColor | str | None = None, *, selected_color: QColor | str | None = None) -> QIcon:
    """The icon ``icons/<name>.svg``, its ``currentColor`` painted in ``color``.

    Args:
        name: file name without folder and extension, e.g. ``"chat"``.
        color: colour for the normal state; ``None`` takes the application palette's text colour.
            Icons without ``currentColor`` (the app icon) keep their own colours.
        selected_color: colour for ``QIcon.Mode.Selected`` (a highlighted sidebar row); default ``color``.
    """
    normal = _color_name(color)
    selected = _color_name(selected_color) if selected_color is not None else normal
    return QIcon(_build_icon(name, normal, selected))


def _color_name(color: QColor | str | None) -> str:
    if color is None:
        app = QGuiApplication.instance()
        palette = QGuiApplication.palette() if app is not None else QPalette()
        return palette.color(QPalette.ColorRole.WindowText).name()
    return QColor(color).name(QColor.NameFormat.HexRgb)


@lru_cache(maxsize=128)
def _build_icon(name: str, normal: str, selected: str) -> QIcon:
    """Cached: the sidebar asks again on every palette change and SVG parsing is not free."""
    svg = read_text(f"icons/{name}.svg")
    result = QIcon()
    for mode, color in ((QIcon.Mode.Normal, normal), (QIcon.Mode.Selected, selected)):
        renderer = QSvgRenderer(QByteArray(svg.replace(_PLACEHOLDER, color).encode("utf-8")))
        if not renderer.isValid():
            raise ValueError(f"icons/{name}.svg is not a valid SVG")
        for size in _SIZES:
            result.addPixmap(_render(renderer, size), mode)
    return result


def _render(renderer: QSvgRenderer, size: int) -> QPixmap:
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap
