"""The left navigation: the app's name and one row per section, like LM Studio's or Jan's sidebar."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout

from hearth import __version__
from hearth.ui.resources import icon
from hearth.ui.widgets.labels import styled, text_label

_NAME_ROLE = Qt.ItemDataRole.UserRole
_ROW_HEIGHT = 40
_WIDTH = 216


class Sidebar(QFrame):
    """Section rows with icons; the selected row is tinted with the accent colour by the theme's QSS.

    Signals:
        sectionSelected(str): the user picked the section with this id (by mouse or keyboard).
    """

    sectionSelected = Signal(str)

    def __init__(self, parent: QFrame | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setFixedWidth(_WIDTH)
        self._icon_names: dict[str, str] = {}

        logo = QLabel()
        logo.setPixmap(icon("hearth").pixmap(28, 28))
        title = text_label("Hearth", "appTitle")
        header = QHBoxLayout()
        header.setContentsMargins(8, 0, 0, 0)
        header.setSpacing(10)
        header.addWidget(logo)
        header.addWidget(title)
        header.addStretch(1)

        self.list_widget = styled(QListWidget(), "sidebarList")
        self.list_widget.setIconSize(QSize(20, 20))
        font = self.list_widget.font()  # a touch larger than body text, scaled from the user's own size
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.list_widget.setFont(font)
        self.list_widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_widget.setCursor(Qt.CursorShape.PointingHandCursor)
        self.list_widget.currentItemChanged.connect(self._on_current_changed)

        footer = text_label(f"Runs on this computer · v{__version__}", "sidebarFooter")
        footer.setContentsMargins(10, 0, 0, 0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 18, 12, 12)
        layout.setSpacing(18)
        layout.addLayout(header)
        layout.addWidget(self.list_widget, 1)
        layout.addWidget(footer)

    def add_section(self, name: str, label: str, icon_name: str) -> None:
        item = QListWidgetItem(label)
        item.setData(_NAME_ROLE, name)
        item.setSizeHint(QSize(0, _ROW_HEIGHT))
        item.setToolTip(label)
        self._icon_names[name] = icon_name
        self.list_widget.addItem(item)
        self._paint_icon(item)

    def section_names(self) -> list[str]:
        return [self.list_widget.item(row).data(_NAME_ROLE) for row in range(self.list_widget.count())]

    def item(self, name: str) -> QListWidgetItem:
        """The row of section ``name`` (tests click on its rectangle)."""
        return self.list_widget.item(self.section_names().index(name))

    def select(self, name: str) -> None:
        """Highlight ``name`` without emitting ``sectionSelected``: the window already switched."""
        self.list_widget.blockSignals(True)
        try:
            self.list_widget.setCurrentItem(self.item(name))
        finally:
            self.list_widget.blockSignals(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            for row in range(self.list_widget.count()):
                self._paint_icon(self.list_widget.item(row))
        super().changeEvent(event)

    def _paint_icon(self, item: QListWidgetItem) -> None:
        palette = self.palette()
        normal = palette.color(QPalette.ColorRole.PlaceholderText)
        selected = palette.color(QPalette.ColorRole.Accent)
        item.setIcon(icon(self._icon_names[item.data(_NAME_ROLE)], normal, selected_color=selected))

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.sectionSelected.emit(current.data(_NAME_ROLE))
