"""``run_app(..., screenshot=...)`` renders a real window to a PNG inside an existing QApplication."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from hearth.app import run_app
from hearth.core.paths import AppPaths


def test_screenshot_of_a_section_is_written(qapp: QApplication, hearth_paths: AppPaths, tmp_path: Path) -> None:
    style_sheet = qapp.styleSheet()
    png = tmp_path / "shots" / "library.png"
    assert run_app(hearth_paths, screenshot=png, section="library") == 0
    image = QImage(str(png))
    assert not image.isNull()
    assert image.width() > 0 and image.height() > 0
    assert qapp.styleSheet() == style_sheet  # the test application is left as it was
    assert hearth_paths.log_file.is_file()
    assert not (hearth_paths.config_dir / "window.ini").exists()  # screenshots do not move the user's window


def test_unknown_section_is_refused(hearth_paths: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_app(hearth_paths, screenshot=tmp_path / "x.png", section="models") == 2
    assert "unknown section 'models'" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_unwritable_target_is_reported(
    qapp: QApplication, hearth_paths: AppPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    assert run_app(hearth_paths, screenshot=blocker / "shot.png") == 1
    assert "hearth: cannot" in capsys.readouterr().err
