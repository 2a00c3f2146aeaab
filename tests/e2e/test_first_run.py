"""Through the real start-up path: first administrator, sign-in, and a second instance."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from companion.app_setup import open_services
from companion.clock import ManualClock
from companion.storage.models import Role
from ui.context import AppContext
from ui.shell import Shell
from ui.sign_in import FirstAdminDialog, SignInDialog


def answer_next_dialog(qtbot: QtBot, fill: object) -> None:
    """Fill the modal dialog that is about to open, from inside its own event loop."""

    def handle() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog)
        fill(dialog)  # type: ignore[operator]

    QTimer.singleShot(0, handle)


def test_first_start_creates_admin_then_sign_in_and_a_second_instance_sees_the_data(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("companion.services.staff.PasswordHasher", _fast_hasher)
    clock = ManualClock()
    services = open_services(tmp_path, demo=False, clock=clock)
    shell = Shell(AppContext(services=services, clock=clock, data_dir=tmp_path))
    qtbot.addWidget(shell.window)

    def fill_admin(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstAdminDialog)
        qtbot.keyClicks(dialog.display_name, "Alex Morgan")
        qtbot.keyClicks(dialog.username, "Admin")
        qtbot.keyClicks(dialog.secret, "long passphrase")
        qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)

    answer_next_dialog(qtbot, fill_admin)
    assert shell.start()
    assert shell.window.isVisible()
    assert shell.ctx.actor is not None and shell.ctx.actor.role == Role.ADMIN
    services.db.close()

    # A second instance on the same data directory signs in with the account just created.
    again = open_services(tmp_path, demo=False, clock=clock)
    shell2 = Shell(AppContext(services=again, clock=clock, data_dir=tmp_path))
    qtbot.addWidget(shell2.window)

    def fill_sign_in(dialog: QDialog) -> None:
        assert isinstance(dialog, SignInDialog)
        qtbot.keyClicks(dialog.username, "admin")
        qtbot.keyClicks(dialog.secret, "long passphrase")
        qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)

    answer_next_dialog(qtbot, fill_sign_in)
    assert shell2.start()
    assert "Alex Morgan" in shell2.window.user_label.text()
    again.db.close()


def _fast_hasher() -> object:
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
