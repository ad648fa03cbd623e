"""The Settings page: every choice is saved the moment it is made, through ``SettingsStore.update``.

A rejected value shows its message beside the widget and leaves both the stored settings and the user's
typing alone, so the user can correct it instead of starting over.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox, QLabel, QScrollArea, QSpinBox, QVBoxLayout, QWidget

from hearth.core.paths import platform_paths
from hearth.core.settings import Settings, SettingsStore
from hearth.ui.settings.diagnostics_card import DiagnosticsCard
from hearth.ui.settings.folder_field import FolderField, check_folder
from hearth.ui.settings.hardware_card import HardwareCard
from hearth.ui.settings.sections import card, labeled_row
from hearth.ui.settings.token_card import TokenCard
from hearth.ui.settings_events import SettingsEvents
from hearth.ui.widgets.labels import error_label, show_message, styled, text_label
from hearth.ui.widgets.page_header import PageHeader

_MAX_WIDTH = 900
CONTEXT_HINT = "How much text a model reads at once. Longer contexts need more memory."
THEME_CHOICES = (("system", "Same as the system"), ("light", "Light"), ("dark", "Dark"))
FOLDER_FIELDS = (
    ("models_dir", "Models folder", "Where downloaded models are kept. Models take 1 to 50 GB each."),
    ("data_dir", "Data folder", "Conversations, document indexes and logs. Models go here too unless moved."),
    ("cache_dir", "Cache folder", "Files Hearth can rebuild, such as model headers read from the Hub."),
)


class SettingsPage(QWidget):
    """Theme, folders and the default context length, each saved as soon as it changes."""

    def __init__(self, store: SettingsStore, events: SettingsEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.theme_error = error_label()
        self.theme_combo = QComboBox()
        for value, label in THEME_CHOICES:
            self.theme_combo.addItem(label, value)
        self.theme_combo.setMinimumWidth(220)
        self.theme_combo.currentIndexChanged.connect(self._on_theme_chosen)

        self.context_error = error_label()
        self.context_spin = QSpinBox()
        self.context_spin.setRange(256, 1_048_576)
        self.context_spin.setSingleStep(1024)
        self.context_spin.setSuffix(" tokens")
        self.context_spin.setGroupSeparatorShown(True)
        self.context_spin.setMinimumWidth(220)
        self.context_spin.setKeyboardTracking(False)  # save 8192, not 8, 81, 819 on the way
        self.context_spin.valueChanged.connect(self._on_context_changed)

        self.folder_fields: dict[str, FolderField] = {}
        for name, title, hint in FOLDER_FIELDS:
            field = FolderField(title, hint)
            field.submitted.connect(lambda text, name=name: self._submit_folder(name, text))
            self.folder_fields[name] = field
        self.hardware = HardwareCard(store)
        self.diagnostics = DiagnosticsCard(store.paths)

        self._show(store.settings, frozenset(f.name for f in fields(Settings)))
        events.changed.connect(self._show)
        self._build_layout(store)

    def _build_layout(self, store: SettingsStore) -> None:
        appearance = QVBoxLayout()
        appearance.addLayout(labeled_row("Theme", self.theme_combo))
        appearance.addWidget(self.theme_error)
        models = QVBoxLayout()
        models.addLayout(labeled_row("Default context length", self.context_spin))
        models.addWidget(text_label(CONTEXT_HINT, "fieldHint", wrap=True))
        models.addWidget(self.context_error)
        folders = QVBoxLayout()
        folders.setSpacing(14)
        for field in self.folder_fields.values():
            folders.addWidget(field)

        body = styled(QWidget(), "pageScrollBody")
        column = QVBoxLayout(body)
        column.setContentsMargins(36, 28, 36, 28)
        column.setSpacing(16)
        column.addWidget(PageHeader("Settings", "Saved as soon as you change them."))
        if store.paths != platform_paths():
            column.addWidget(_portable_notice(store.paths.config_dir.parent))
        column.addWidget(card("Appearance", appearance))
        column.addWidget(card("Models", models))
        column.addWidget(card("Folders", folders, "Changing a folder does not move what is already in the old one."))
        column.addWidget(self.hardware)
        column.addWidget(TokenCard())
        column.addWidget(self.diagnostics)
        column.addStretch(1)
        body.setMaximumWidth(_MAX_WIDTH)
        scroll = styled(QScrollArea(), "pageScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def _on_theme_chosen(self, _index: int) -> None:
        self._apply(self.theme_error, theme=self.theme_combo.currentData())

    def _on_context_changed(self, value: int) -> None:
        self._apply(self.context_error, context_length=value)

    def _submit_folder(self, name: str, text: str) -> None:
        field = self.folder_fields[name]
        try:
            value = check_folder(text)
        except ValueError as exc:
            field.show_error(str(exc))
            return
        self._apply(field.error_label, **{name: value})

    def _apply(self, error_label: QLabel, **changes: Any) -> None:
        """Save through the store; on ValueError the store is unchanged and the message stays visible."""
        try:
            self._store.update(**changes)
        except ValueError as exc:
            show_message(error_label, str(exc))
            return
        show_message(error_label, None)

    def _show(self, settings: Settings, changed: frozenset[str]) -> None:
        """Refresh only what changed, so a pending invalid entry in another field is not wiped."""
        if "theme" in changed:
            with QSignalBlocker(self.theme_combo):
                self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(settings.theme)))
        if "context_length" in changed:
            with QSignalBlocker(self.context_spin):
                self.context_spin.setValue(settings.context_length)
        for name, field in self.folder_fields.items():
            if name in changed:
                field.set_value(getattr(settings, name))
        for name, default in _default_folders(self._store).items():
            self.folder_fields[name].set_default(default)


def _default_folders(store: SettingsStore) -> dict[str, Path]:
    """What each folder is when left empty; mirrors ``SettingsStore.folders``."""
    return {
        "models_dir": store.folders().data_dir / "models",
        "data_dir": store.paths.data_dir,
        "cache_dir": store.paths.cache_dir,
    }


def _portable_notice(home: Path) -> QLabel:
    return text_label(
        f"Portable mode: settings, models and logs are kept under {home} because HEARTH_HOME or --home is set.",
        "noticeBanner",
        wrap=True,
        selectable=True,
    )
