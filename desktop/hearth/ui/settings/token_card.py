"""The "Hugging Face token" card: paste a token for gated or private models; it goes to the OS keyring only.

Why every keyring call runs on a worker: a locked keyring (GNOME Keyring, KWallet) may pop up its own unlock
dialog and block until the user answers, which must never freeze Hearth's window. The token is never logged
and never shown again once saved: the field is a password field and is cleared after saving.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from hearth.core import credentials
from hearth.core.credentials import CredentialsUnavailable
from hearth.ui.settings.sections import card
from hearth.ui.widgets.labels import text_label
from hearth.ui.workers import TaskHandle, run_in_thread

HINT = (
    "Needed only for gated models (after accepting their licence on the Hub) and private ones. Create a "
    "read-only token at huggingface.co/settings/tokens."
)
STORED = "A token is stored in the OS keyring."
NONE = "No token saved. Public models download without one."


@dataclass(frozen=True)
class Keyring:
    """The three keyring calls, injectable so tests can count them; the defaults are :mod:`credentials`'."""

    get: Callable[[], str | None] = credentials.get_token
    set: Callable[[str], None] = credentials.set_token
    clear: Callable[[], None] = credentials.clear_token


def keyring_problem() -> str | None:
    """Why no keyring can be used here (``keyring`` fell back to its "fail" backend), or None."""
    import keyring
    import keyring.backends.fail

    if isinstance(keyring.get_keyring(), keyring.backends.fail.Keyring):
        return (
            "No keyring available on this system: install and unlock a Secret Service keyring (GNOME Keyring or "
            "KWallet) to save a token. Public models work without one."
        )
    return None


class TokenCard(QWidget):
    """Password field, Save and Remove, and one line saying where the token is (or why it cannot be kept)."""

    def __init__(self, keyring: Keyring | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._keyring = keyring or Keyring()
        self._tasks: list[TaskHandle[object]] = []
        self._checked = False
        self._usable: bool = True
        self.save_button: QPushButton = QPushButton("Save")
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText("hf_…")
        self.field.setAccessibleName("Hugging Face token")
        self.field.setMinimumWidth(320)
        self.field.textChanged.connect(lambda text: self.save_button.setEnabled(self._usable and bool(text.strip())))
        self.field.returnPressed.connect(self.save)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.remove)
        self.status_label = text_label("Checking the keyring…", "mutedLabel", wrap=True, selectable=True)
        self._usable = True
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.field, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.remove_button)
        content = QVBoxLayout()
        content.addLayout(row)
        content.addWidget(self.status_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(card("Hugging Face token", content, HINT))

    # --- public ---------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Ask the keyring (on a worker) whether a token is stored."""

        def check() -> tuple[bool, str | None]:
            problem = keyring_problem()
            return (False, problem) if problem else (self._keyring.get() is not None, None)

        self._start(check, self._show_state)

    def save(self) -> None:
        token = self.field.text()
        if not token.strip():
            return
        self._busy(True)
        self._start(lambda: self._keyring.set(token), lambda _: self._saved(), self._failed)

    def remove(self) -> None:
        self._busy(True)
        self._start(self._keyring.clear, lambda _: self._show_state((False, None)), self._failed)

    def wait(self, timeout: float = 10.0) -> bool:
        """Join every worker started (tests)."""
        return all(task.wait(timeout) for task in self._tasks)

    # --- internals ------------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._checked:  # only once the Settings page is opened: no keyring prompt at start-up
            self._checked = True
            self.refresh()

    def _start(
        self,
        fn: Callable[[], object],
        done: Callable[[object], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        task = run_in_thread(fn, done, failed or self._failed, context=self, name="keyring")
        self._tasks = [t for t in self._tasks if t.running()] + [task]

    def _saved(self) -> None:
        self.field.clear()
        self._show_state((True, None))

    def _show_state(self, state: object) -> None:
        stored, problem = cast("tuple[bool, str | None]", state)
        self._usable = problem is None  # no keyring: nothing to type a token into
        self._busy(False)
        self.remove_button.setEnabled(bool(stored))
        self.status_label.setText(problem or (STORED if stored else NONE))

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        if isinstance(error, CredentialsUnavailable):
            text = f"No keyring available on this system: {error}"
        elif isinstance(error, ValueError):
            text = f"Not saved: {error}."
        else:  # never include a token: keyring errors may quote it
            text = f"The keyring failed ({type(error).__name__}); the token was not changed."
        self.status_label.setText(text)

    def _busy(self, busy: bool) -> None:
        self.field.setEnabled(not busy and self._usable)
        self.save_button.setEnabled(not busy and self._usable and bool(self.field.text().strip()))
        if busy:
            self.remove_button.setEnabled(False)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)
