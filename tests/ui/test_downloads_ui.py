"""Downloads through the real queue and a fake Hub, seen in the main window: Discover's Download button, the
Library's Downloads card (progress, pause, resume, cancel, retry), the status-bar line, and the finished model
appearing in the Library without a rescan."""

from __future__ import annotations

from downloads_fixtures import FILE, REPO, WAIT_MS, hub, offline_client, quant_file, queue, window
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hearth.core.downloads import DownloadQueue, JobStatus, part_path
from hearth.testing.fake_hub import FakeHub
from hearth.ui.discover.page import DiscoverPage
from hearth.ui.library.library_model import LibraryRole
from hearth.ui.main_window import MainWindow

__all__ = ["hub", "offline_client", "queue", "window"]


def start_from_discover(window: MainWindow, hub: FakeHub) -> str:
    discover = window.page("discover")
    assert isinstance(discover, DiscoverPage)
    discover.repo_view.downloadRequested.emit(REPO, quant_file(hub))  # the repo page's Download button
    [job] = window.queue.jobs()
    return job.id


def status(window: MainWindow, job_id: str) -> JobStatus | None:
    row = window.downloads_model.row_of(job_id)
    return None if row is None else window.downloads_model.job(row).status


def library_paths(window: MainWindow) -> list[str]:
    model = window.library().model
    return [model.index(r).data(LibraryRole.Path) for r in range(model.rowCount())]


def test_download_progress_pause_resume_and_arrival_in_the_library(
    qtbot: QtBot, window: MainWindow, hub: FakeHub, queue: DownloadQueue
) -> None:
    hub.throttle(f"*/{FILE}", bytes_per_second=200_000, chunk_size=16 * 1024)
    job_id = start_from_discover(window, hub)
    destination = queue.get(job_id).destinations[0]
    model = window.downloads_model
    qtbot.waitUntil(lambda: model.rowCount() == 1 and (model.job(0).fraction or 0) > 0.05, timeout=WAIT_MS)
    row = window.downloads_panel.row(job_id)
    assert row.name_label.text() == FILE
    assert REPO in row.detail_label.text() and " of " in row.detail_label.text()
    assert row.progress.fraction() and row.progress.fraction() > 0
    assert row.buttons["pause"].isVisibleTo(row) and not row.buttons["resume"].isVisibleTo(row)
    assert window.downloads_indicator.accessibleName().startswith("Downloading 1 file · ")
    assert window.downloads_indicator.text().endswith("%")

    row.buttons["pause"].click()
    qtbot.waitUntil(lambda: status(window, job_id) is JobStatus.PAUSED, timeout=WAIT_MS)
    assert part_path(destination).exists()
    assert row.status_label.text() == "Paused" and row.buttons["resume"].isVisibleTo(row)
    assert window.downloads_indicator.text() == "1 download paused"

    hub.clear_faults()
    row.buttons["resume"].click()
    qtbot.waitUntil(lambda: status(window, job_id) is JobStatus.DONE, timeout=WAIT_MS)
    assert destination.is_file() and not part_path(destination).exists()
    qtbot.waitUntil(lambda: str(destination) in library_paths(window), timeout=WAIT_MS)
    library = window.library()
    index = library.model.index(library.model.row_of(destination))
    assert index.data(LibraryRole.Valid) and index.data(LibraryRole.OriginLabel) == "Hearth"
    assert index.data(LibraryRole.Subtitle) == REPO
    qtbot.waitUntil(lambda: index.data(LibraryRole.Fit) is not None, timeout=WAIT_MS)
    assert "Verified" in row.status_label.text() and row.buttons["clear"].isVisibleTo(row)
    assert not window.downloads_indicator.isVisibleTo(window)

    window.downloads_panel.clear_button.click()
    assert model.rowCount() == 0 and not window.downloads_panel.isVisibleTo(window)


def test_cancel_removes_the_part_and_the_row(
    qtbot: QtBot, window: MainWindow, hub: FakeHub, queue: DownloadQueue
) -> None:
    hub.throttle(f"*/{FILE}", bytes_per_second=100_000, chunk_size=16 * 1024)
    job_id = start_from_discover(window, hub)
    part = part_path(queue.get(job_id).destinations[0])
    qtbot.waitUntil(lambda: part.exists() and part.stat().st_size > 0, timeout=WAIT_MS)
    window.downloads_panel.row(job_id).buttons["cancel"].click()
    qtbot.waitUntil(lambda: window.downloads_model.rowCount() == 0, timeout=WAIT_MS)
    assert not part.exists()
    assert queue.jobs() == []
    assert not window.downloads_panel.isVisibleTo(window)


def test_a_failed_download_shows_why_and_retries(
    qtbot: QtBot, window: MainWindow, hub: FakeHub, queue: DownloadQueue
) -> None:
    hub.fail(f"*/resolve/*/{FILE}", 500)
    job_id = start_from_discover(window, hub)
    qtbot.waitUntil(lambda: status(window, job_id) is JobStatus.FAILED, timeout=WAIT_MS)
    row = window.downloads_panel.row(job_id)
    assert row.error_label.isVisibleTo(row) and row.error_label.text().startswith("Failed: ")
    assert row.buttons["retry"].isVisibleTo(row) and not row.buttons["pause"].isVisibleTo(row)
    assert window.downloads_indicator.text() == "1 download failed"

    hub.clear_faults()
    row.buttons["retry"].click()
    qtbot.waitUntil(lambda: status(window, job_id) is JobStatus.DONE, timeout=WAIT_MS)
    assert not row.error_label.isVisibleTo(row)


def test_status_line_leads_to_the_library(qtbot: QtBot, window: MainWindow, hub: FakeHub) -> None:
    hub.throttle(f"*/{FILE}", bytes_per_second=100_000, chunk_size=16 * 1024)
    job_id = start_from_discover(window, hub)
    qtbot.waitUntil(window.downloads_indicator.isVisible, timeout=WAIT_MS)
    window.downloads_panel.set_expanded(False)
    qtbot.mouseClick(window.downloads_indicator, Qt.MouseButton.LeftButton)
    assert window.current_section() == "library" and window.downloads_panel.is_expanded()
    window.downloads_bridge.pause(job_id)
    qtbot.waitUntil(lambda: status(window, job_id) is JobStatus.PAUSED, timeout=WAIT_MS)
