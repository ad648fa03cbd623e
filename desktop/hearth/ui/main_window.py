"""The main window: a sidebar of sections on the left, the section's page on the right."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QStackedWidget, QWidget

from hearth.core import credentials
from hearth.core.chat import ConversationStore
from hearth.core.downloads import DownloadJob, DownloadQueue, JobStatus, default_state_file
from hearth.core.engine import EngineClient
from hearth.core.hub import QuantFile
from hearth.core.library import is_embedding_model
from hearth.core.load_settings import LoadSettings
from hearth.core.settings import Settings, SettingsStore
from hearth.ui.chat.page import ChatPage
from hearth.ui.discover.page import DiscoverPage
from hearth.ui.documents.page import DocumentsPage
from hearth.ui.documents.services import DocsServices
from hearth.ui.downloads.bridge import DownloadsBridge
from hearth.ui.downloads.indicator import DownloadsIndicator
from hearth.ui.downloads.model import DownloadsModel
from hearth.ui.downloads.panel import DownloadsPanel
from hearth.ui.library.page import LibraryPage
from hearth.ui.library.services import LibraryServices
from hearth.ui.settings.page import SettingsPage
from hearth.ui.settings_events import SettingsEvents
from hearth.ui.sidebar import Sidebar
from hearth.ui.status_bar import HearthStatusBar
from hearth.ui.window_state import WindowState

DEFAULT_SIZE = (1200, 780)
MINIMUM_SIZE = (760, 520)


@dataclass(frozen=True)
class Section:
    name: str
    label: str
    icon: str


SECTIONS = tuple(Section(name, name.title(), name) for name in ("discover", "library", "chat", "documents", "settings"))
SECTION_NAMES = tuple(s.name for s in SECTIONS)


class MainWindow(QMainWindow):
    """Hosts the five section pages and remembers its size and section between runs.

    Args:
        store: the settings every page reads and the Settings page writes.
        events: the Qt face of ``store``; made here when not given (the app shares one with the theme).
        remember_layout: restore and save geometry and section in ``window.ini``; off for screenshots.
        downloads: the download queue (tests pass one on a fake Hub and shut it down themselves); by default
            the window makes one in the models folder, resumes its saved jobs and stops it on close.
        library: the Library's services (tests pass one over a prepared folder tree).
        engine, conversations: the engine client and the conversation store the Chat page uses; by default the
            window makes both (the engine process starts with the first load) and closes them on close.

    Signals:
        sectionChanged(str): the id of the section now shown.
        chatRequested(str): the user chose the model at this path to chat with (the window shows Chat).
    """

    sectionChanged = Signal(str)
    chatRequested = Signal(str)

    def __init__(
        self,
        store: SettingsStore,
        *,
        events: SettingsEvents | None = None,
        remember_layout: bool = True,
        downloads: DownloadQueue | None = None,
        library: LibraryServices | None = None,
        engine: EngineClient | None = None,
        conversations: ConversationStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Hearth")
        self.setMinimumSize(*MINIMUM_SIZE)
        self._store = store
        self.events = events if events is not None else SettingsEvents(store, self)
        self._state = WindowState(store.paths.config_dir) if remember_layout else None
        self._owns_queue = downloads is None
        self.queue = downloads if downloads is not None else _default_queue(store)
        self._library_services = library or LibraryServices.for_store(store)
        self._owns_chat = (engine is None, conversations is None)
        self.engine = engine if engine is not None else EngineClient()
        self.conversations = (
            conversations if conversations is not None else ConversationStore.in_data_dir(store.folders().data_dir)
        )
        self.docs = DocsServices(replace(store.paths, data_dir=store.folders().data_dir))
        _forget_finished(self.queue)
        self.downloads_bridge = DownloadsBridge(self.queue, self)
        self.downloads_model = DownloadsModel(self.queue.jobs(), self)
        self.downloads_model.follow(self.downloads_bridge)
        self.downloads_panel = DownloadsPanel(self.downloads_model, self.downloads_bridge)
        self.sidebar = Sidebar()
        self.stack = QStackedWidget()
        self._pages: dict[str, QWidget] = self._build_pages()
        for section in SECTIONS:
            self.sidebar.add_section(section.name, section.label, section.icon)
            self.stack.addWidget(self._pages[section.name])
        self.sidebar.sectionSelected.connect(self.show_section)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.status_bar = HearthStatusBar()
        self.setStatusBar(self.status_bar)
        self.status_bar.show_folders(store.folders())
        self.downloads_indicator = DownloadsIndicator(self.downloads_model)
        self.downloads_indicator.clicked.connect(self.show_downloads)
        self.status_bar.add_downloads(self.downloads_indicator)
        self.downloads_bridge.jobFinished.connect(self._download_finished)
        self.events.changed.connect(self._on_settings_changed)

        self._current = ""
        self._restore_layout()

    def _build_pages(self) -> dict[str, QWidget]:
        library = LibraryPage(self._store, self.events, services=self._library_services, downloads=self.downloads_panel)
        library.chatRequested.connect(self._chat_with)
        chat = ChatPage(
            self.engine, self.conversations, self._library_services, settings_for=self._load_settings, docs=self.docs
        )
        documents = DocumentsPage(
            self.docs,
            embedders=lambda: [
                (f"{m.display_name} (GGUF, from your Library)", str(m.path))
                for m in library.model.models()
                if is_embedding_model(m)
            ],
        )
        documents.collectionsChanged.connect(chat.set_collections)
        documents.set_chat_model_available(False)  # until the Library's first scan finds one
        library.controller.scanned.connect(
            lambda _n: documents.set_chat_model_available(any(m.valid for m in library.model.models()))
        )
        for page in (library, chat, documents):
            page.sectionRequested.connect(self.show_section)
        return {
            "discover": DiscoverPage(self._store, download=self.queue_download),
            "library": library,
            "chat": chat,
            "documents": documents,
            "settings": SettingsPage(self._store, self.events),
        }

    def section_names(self) -> list[str]:
        return list(SECTION_NAMES)

    def current_section(self) -> str:
        return self._current

    def page(self, name: str) -> QWidget:
        """The page widget of section ``name``."""
        return self._pages[self._check(name)]

    def show_section(self, name: str) -> None:
        """Switch to section ``name`` (one of :meth:`section_names`); ValueError for any other name."""
        self.stack.setCurrentWidget(self.page(name))
        self.sidebar.select(name)
        if name != self._current:
            self._current = name
            self.sectionChanged.emit(name)

    def library(self) -> LibraryPage:
        page = self.page("library")
        assert isinstance(page, LibraryPage)
        return page

    def chat(self) -> ChatPage:
        page = self.page("chat")
        assert isinstance(page, ChatPage)
        return page

    def documents(self) -> DocumentsPage:
        page = self.page("documents")
        assert isinstance(page, DocumentsPage)
        return page

    def queue_download(self, repo_id: str, file: QuantFile) -> DownloadJob:
        """Discover's "Download": every shard of ``file`` as one job; raises ValueError for a refused one."""
        job = self.downloads_bridge.enqueue(repo_id, file.files)
        self.downloads_panel.set_expanded(True)
        return job

    def show_downloads(self) -> None:
        """The status bar's download line was clicked: the Library, its Downloads card open."""
        self.show_section("library")
        self.downloads_panel.set_expanded(True)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._state is not None:
            self._state.save(self, self._current)
        self.events.detach()
        self.downloads_bridge.close()
        self.library().shutdown()
        self._close_chat()
        self.documents().shutdown()
        self.docs.close()
        discover = self.page("discover")
        if isinstance(discover, DiscoverPage):
            discover.shutdown()
        if self._owns_queue:  # transfers stop at their next piece; running jobs resume on the next start
            self.queue.shutdown(wait=False)
        super().closeEvent(event)

    def _close_chat(self) -> None:
        """The Chat page's writes first, then the engine process and the store the window made (once)."""
        owns_engine, owns_store = self._owns_chat
        self._owns_chat = (False, False)
        self.chat().shutdown()
        if owns_engine:
            self.engine.shutdown()
        if owns_store:
            self.conversations.close()

    def _download_finished(self, job: DownloadJob) -> None:
        if job.destinations:
            self.library().add_downloaded(str(job.destinations[0]))

    def _chat_with(self, path: str) -> None:
        self.show_section("chat")
        self.chat().open_model(path)
        self.chatRequested.emit(path)

    def _load_settings(self, _path: str, trained: int | None) -> LoadSettings:
        """The context length from Settings, capped at what the model was trained for."""
        n_ctx = self._store.settings.context_length
        return LoadSettings(n_ctx=min(n_ctx, trained) if trained else n_ctx)

    def _check(self, name: str) -> str:
        if name not in self._pages:
            raise ValueError(f"unknown section {name!r}; choose one of {', '.join(SECTION_NAMES)}")
        return name

    def _restore_layout(self) -> None:
        restored = self._state is not None and self._state.restore_geometry(self)
        if not restored:
            self._fit_default_size()
        last = self._state.last_section() if self._state is not None else None
        self.show_section(last if last in SECTION_NAMES else "discover")

    def _fit_default_size(self) -> None:
        """1200x780, or less on a small screen, centred."""
        width, height = DEFAULT_SIZE
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(width, height)
            return
        available = screen.availableGeometry()
        self.resize(min(width, int(available.width() * 0.9)), min(height, int(available.height() * 0.9)))
        frame = self.frameGeometry()
        frame.moveCenter(available.center())
        self.move(frame.topLeft())

    def _on_settings_changed(self, _settings: Settings, changed: frozenset[str]) -> None:
        if changed & {"models_dir", "data_dir"}:
            self.status_bar.show_folders(self._store.folders())
            if self._owns_queue:  # new downloads go to the new folder; running ones finish where they started
                self.queue.models_dir = self._store.folders().models_dir


def _default_queue(store: SettingsStore) -> DownloadQueue:
    """The app's queue; the token is read from the keyring on the queue's worker threads, never here."""
    return DownloadQueue(
        store.folders().models_dir,
        default_state_file(store.paths),
        max_concurrent=int(store.settings.extra.get("max_concurrent_downloads", 1)),
        token=credentials.get_token,
    )


def _forget_finished(queue: DownloadQueue) -> None:
    """Finished downloads of earlier sessions are already in the Library: the Downloads card starts without them."""
    for job in queue.jobs():
        if job.status in (JobStatus.DONE, JobStatus.CANCELLED):
            queue.remove(job.id)
