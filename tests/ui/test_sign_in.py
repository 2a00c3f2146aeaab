"""The first window is usable while the record opens: typing, an early confirm, a failure."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from companion.app_setup import open_services
from companion.clock import ManualClock
from companion.roles import Actor
from companion.services import Services
from companion.storage.errors import DatabaseCorrupt
from companion.storage.models import Role
from ui.sign_in import OPENING_POLL_MS, FirstAdminDialog, SignInDialog

PIN = "1357"


def _pending(qtbot: QtBot, dialog: QDialog) -> None:
    qtbot.addWidget(dialog)
    dialog.show()


@pytest.fixture
def sam(services: Services, admin: Actor) -> None:
    services.staff.add_staff(admin, "sam", "Sam Rivera", Role.GUIDE, PIN)


def _sign_in_while_opening(qtbot: QtBot, *keys: str) -> tuple[SignInDialog, Future[Services]]:
    """A sign-in window on a record still opening, with user name [, PIN and Return] typed."""
    opening: Future[Services] = Future()
    dialog = SignInDialog(opening)
    _pending(qtbot, dialog)
    for field, text in zip((dialog.username, dialog.secret), keys, strict=False):
        qtbot.keyClicks(field, text)
    if len(keys) > 1:
        qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)
    return dialog, opening


def test_typing_and_confirming_before_the_record_is_open_signs_in_once_it_opens(
    qtbot: QtBot, services: Services, sam: None
) -> None:
    dialog, opening = _sign_in_while_opening(qtbot, "sam", PIN)
    assert not dialog.opened and dialog.actor is None
    assert dialog.status.isVisible() and "Opening the clinic record" in dialog.status.text()
    assert dialog.result() != QDialog.DialogCode.Accepted

    opening.set_result(services)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=2000)
    assert dialog.actor is not None and dialog.actor.display_name == "Sam Rivera"
    assert not dialog.status.isVisible()


def test_a_wrong_pin_typed_early_is_refused_at_the_field_once_the_record_opens(
    qtbot: QtBot, services: Services, sam: None
) -> None:
    dialog, opening = _sign_in_while_opening(qtbot, "sam", "0000")
    opening.set_result(services)
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=2000)
    assert dialog.actor is None and dialog.secret.text() == ""
    assert dialog.result() != QDialog.DialogCode.Accepted
    dialog.reject()


def test_nothing_is_confirmed_until_asked_even_when_the_record_opens(
    qtbot: QtBot, services: Services, sam: None
) -> None:
    dialog, opening = _sign_in_while_opening(qtbot, "sam")
    opening.set_result(services)
    qtbot.waitUntil(lambda: dialog.opened, timeout=2000)
    qtbot.wait(3 * OPENING_POLL_MS)
    assert dialog.actor is None and dialog.isVisible() and not dialog.status.isVisible()
    dialog.reject()


def test_a_record_that_cannot_be_opened_closes_the_dialog_with_the_reason(qtbot: QtBot) -> None:
    opening: Future[Services] = Future()
    dialog = FirstAdminDialog(opening)
    _pending(qtbot, dialog)
    qtbot.keyClicks(dialog.display_name, "Alex Morgan")
    fault = DatabaseCorrupt("damaged", "restore a backup")
    opening.set_exception(fault)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Rejected and dialog.isHidden())
    assert dialog.failure is fault and dialog.actor is None


def test_the_first_administrator_can_be_created_before_the_record_is_open(
    qtbot: QtBot, tmp_path: Path, clock: ManualClock
) -> None:
    opening: Future[Services] = Future()
    dialog = FirstAdminDialog(opening)
    _pending(qtbot, dialog)
    qtbot.keyClicks(dialog.display_name, "Alex Morgan")
    qtbot.keyClicks(dialog.username, "alex")
    qtbot.keyClicks(dialog.secret, "a long passphrase")
    qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)
    fresh = open_services(tmp_path, demo=False, clock=clock)
    opening.set_result(fresh)
    qtbot.waitUntil(lambda: dialog.actor is not None, timeout=5000)
    assert dialog.actor is not None and dialog.actor.role == Role.ADMIN
    assert fresh.staff.has_staff()
    fresh.db.close()
