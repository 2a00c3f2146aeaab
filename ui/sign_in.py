"""The first window: signing in, or creating the administrator on a new installation.

Both are usable the moment they appear, while the clinic record is still opening on a background
thread (SQLAlchemy, integrity check, migrations: about a second on a large record). Typing never
waits; confirming before the record is open waits for it and then signs in. This module imports
nothing that loads the ORM, so the window can be shown first.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from companion.errors import FieldError
from ui.actions import ActionFailed, attempt
from ui.forms import FieldMessage, named

if TYPE_CHECKING:
    from companion.roles import Actor
    from companion.services import Services

OPENING_POLL_MS = 25


class _OpeningDialog(QDialog):
    """A dialog whose confirm needs the services, which may still be opening."""

    def __init__(self, services: Services | Future[Services], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.actor: Actor | None = None
        # The opening's exception when the record could not be opened: the dialog then closes
        # (rejected) and the caller shows what is wrong.
        self.failure: BaseException | None = None
        self._services: Services | None = None
        self._opening: Future[Services] | None = None
        self._confirm_when_open = False
        self.status = QLabel("")
        self.status.setObjectName("opening_status")
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        self.status.hide()
        self._poll = QTimer(self)
        self._poll.setInterval(OPENING_POLL_MS)
        self._poll.timeout.connect(self._check_opening)
        if isinstance(services, Future):
            self._opening = services
            self._poll.start()
        else:
            self._services = services

    @property
    def opened(self) -> bool:
        return self._services is not None

    def _check_opening(self) -> None:
        assert self._opening is not None
        if not self._opening.done():
            return
        self._poll.stop()
        failure = self._opening.exception()
        if failure is not None:
            self.failure = failure
            self.reject()
            return
        self._services = self._opening.result()
        self.status.hide()
        if self._confirm_when_open:
            self._confirm()

    def _confirm(self) -> None:
        if self._services is None:
            self._confirm_when_open = True
            self.status.setText("Opening the clinic record… you will go on as soon as it is open.")
            self.status.show()
            return
        self._confirm_with(self._services)

    def _confirm_with(self, services: Services) -> None:
        raise NotImplementedError

    def done(self, result: int) -> None:
        self._poll.stop()
        super().done(result)


def _buttons(label: str, object_name: str, on_accept: Callable[[], None]) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(label)
    ok.setObjectName(object_name)
    ok.setProperty("primary", True)
    buttons.accepted.connect(on_accept)
    return buttons


class SignInDialog(_OpeningDialog):
    """Sign-in with user name and PIN; `actor` is set after accept()."""

    def __init__(
        self,
        services: Services | Future[Services],
        hint: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, parent)
        self.setWindowTitle("Sign in — Session Companion")
        self.setObjectName("sign_in_dialog")
        title = QLabel("Session Companion")
        title.setProperty("role", "title")
        self.username = named(QLineEdit(), "sign_in_username", "User name")
        self.secret = named(QLineEdit(), "sign_in_secret", "PIN or passphrase")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = FieldMessage("sign_in_error")
        form = QFormLayout()
        form.addRow("User name", self.username)
        form.addRow("PIN", self.secret)
        layout = QVBoxLayout(self)
        layout.addWidget(title, alignment=Qt.AlignmentFlag.AlignHCenter)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setProperty("role", "muted")
            hint_label.setWordWrap(True)
            layout.addWidget(hint_label)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.status)
        layout.addWidget(_buttons("Sign in", "sign_in_confirm", self._confirm))
        self.setMinimumWidth(420)
        self.username.setFocus()

    def _confirm_with(self, services: Services) -> None:
        from companion.services.staff import SignInRefused  # loaded with the services

        try:
            self.actor = attempt(
                self,
                "sign in",
                lambda: services.staff.sign_in(self.username.text(), self.secret.text()),
            )
        except SignInRefused as exc:
            self.message.show_message(str(exc), self.secret)
            self.secret.clear()
            self.secret.setFocus()
            return
        except ActionFailed:
            return
        self.accept()


class FirstAdminDialog(_OpeningDialog):
    """First start of a new installation: create the administrator account."""

    def __init__(
        self, services: Services | Future[Services], parent: QWidget | None = None
    ) -> None:
        super().__init__(services, parent)
        self.setWindowTitle("Set up Session Companion")
        self.setObjectName("first_admin_dialog")
        intro = QLabel(
            "This is a new installation. Create the administrator account; the administrator "
            "then adds physicians, guides and staff."
        )
        intro.setWordWrap(True)
        self.display_name = named(QLineEdit(), "admin_display_name", "Full name")
        self.username = named(QLineEdit(), "admin_username", "User name")
        self.secret = named(QLineEdit(), "admin_secret", "Passphrase")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = FieldMessage("admin_error")
        form = QFormLayout()
        form.addRow("Full name", self.display_name)
        form.addRow("User name", self.username)
        form.addRow("Passphrase", self.secret)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.status)
        layout.addWidget(_buttons("Create administrator", "admin_confirm", self._confirm))
        self.setMinimumWidth(460)

    def _confirm_with(self, services: Services) -> None:
        try:
            self.actor = attempt(
                self,
                "create administrator",
                lambda: services.staff.create_first_admin(
                    self.username.text(), self.display_name.text(), self.secret.text()
                ),
            )
        except FieldError as exc:
            self.message.show_message(exc.message)
            return
        except ActionFailed:
            return
        self.accept()
