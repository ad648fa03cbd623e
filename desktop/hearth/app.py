"""Start-up of the desktop app: application object, logging, settings, error hook, theme, window."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from hearth import __version__
from hearth.core.logs import close_logging, configure_logging
from hearth.core.paths import AppPaths
from hearth.core.settings import Settings, SettingsStore
from hearth.ui.excepthook import ExceptionReporter
from hearth.ui.main_window import SECTION_NAMES, MainWindow
from hearth.ui.resources import icon
from hearth.ui.screenshot import save_screenshot
from hearth.ui.settings_events import SettingsEvents
from hearth.ui.theme import ThemeController

log = logging.getLogger(__name__)


def run_app(paths: AppPaths, *, screenshot: Path | None = None, section: str | None = None) -> int:
    """Run the app until its window closes, or render one screenshot and return at once.

    An existing QApplication (pytest-qt's) is reused and, when screenshotting, left running, with its
    palette and stylesheet restored.
    """
    if section is not None and section not in SECTION_NAMES:
        print(f"hearth: unknown section {section!r}; choose one of {', '.join(SECTION_NAMES)}", file=sys.stderr)
        return 2
    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed; only read on creation
    existing = QApplication.instance()
    if existing is not None and not isinstance(existing, QApplication):
        raise RuntimeError("Hearth needs a QApplication; a QCoreApplication/QGuiApplication already exists")
    app = existing or _create_application()
    saved_look = (app.palette(), app.styleSheet())
    configure_logging(paths.log_file)
    log.info("Hearth %s starting; config in %s", __version__, paths.config_dir)
    reporter = ExceptionReporter(paths.log_file)
    reporter.install()
    try:
        store = _load_settings(paths)
        theme = ThemeController(app, store.settings.theme)
        events = SettingsEvents(store)
        events.changed.connect(lambda s, changed: _follow_theme(theme, s, changed))
        window = MainWindow(store, events=events, remember_layout=screenshot is None)
        if screenshot is not None:
            return _screenshot(window, screenshot, section, app, saved_look)
        window.show()
        _quit_on_ctrl_c(app)
        return app.exec()
    finally:
        reporter.uninstall()
        close_logging()


def _create_application() -> QApplication:
    QApplication.setApplicationName("Hearth")
    QApplication.setOrganizationName("Hearth")
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName("hearth")
    app = QApplication(sys.argv[:1])  # Hearth's own options are not Qt's
    app.setWindowIcon(icon("hearth"))
    return app


def _load_settings(paths: AppPaths) -> SettingsStore:
    """Create the folders; a missing drive behind a moved folder is logged, shown later, not fatal."""
    paths.ensure()
    store = SettingsStore(paths)
    try:
        store.folders().ensure()
    except OSError as exc:
        log.warning("could not create the data folders: %s", exc)
    return store


def _follow_theme(theme: ThemeController, settings: Settings, changed: frozenset[str]) -> None:
    if "theme" in changed:
        theme.set_preference(settings.theme)


def _screenshot(
    window: MainWindow, path: Path, section: str | None, app: QApplication, saved_look: tuple[QPalette, str]
) -> int:
    """Save, then undo everything a reused application (pytest-qt's) would otherwise keep."""
    try:
        problem = save_screenshot(window, path, section)
    finally:
        window.close()
        window.events.detach()
        window.deleteLater()
        palette, style_sheet = saved_look
        app.setStyleSheet(style_sheet)
        app.setPalette(palette)
    if problem is not None:
        print(f"hearth: {problem}", file=sys.stderr)
        return 1
    log.info("screenshot saved to %s", path)
    return 0


def _quit_on_ctrl_c(app: QApplication) -> None:
    """Qt's loop keeps Python from seeing SIGINT; a 200 ms wake-up lets Ctrl+C quit cleanly."""
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(200)
