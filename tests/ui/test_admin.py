"""The Admin screen: staff accounts and the audit trail browser, through the widgets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from companion.roles import Actor
from companion.services.audit_log import PAGE_SIZE, AuditFilter
from companion.storage.models import Role
from tests.conftest import PIN
from ui.admin import AuditScreen, StaffAdminScreen
from ui.admin.audit_browser import AuditTableModel
from ui.admin.staff_admin import AddStaffDialog, ResetSecretDialog
from ui.context import AppContext
from ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def _delete_windows_afterwards(qapp: QApplication) -> Iterator[None]:
    """Delete the windows a test built once qtbot has closed them. Closed is not deleted, and
    every live widget slows each later stylesheet change (the theme test) in this process."""
    from PySide6.QtCore import QEvent

    before = set(QApplication.topLevelWidgets())
    yield
    for w in QApplication.topLevelWidgets():
        if w not in before and w.parent() is None and not w.isVisible():
            w.deleteLater()
    # deleteLater() needs the event loop, which these tests never return to.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def as_admin(ctx: AppContext, staff_by_role: dict[Role, Actor]) -> Actor:
    ctx.actor = staff_by_role[Role.ADMIN]
    return ctx.actor


def test_admin_tab_is_shown_to_administrators_only(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, staff_by_role: dict[Role, Actor]
) -> None:
    assert not window.nav_buttons["admin"].isVisible()
    window.show_screen("admin")
    assert window.current_screen() == "today"  # refused for a guide
    as_admin(ctx, staff_by_role)
    window.set_actor_label()
    assert window.nav_buttons["admin"].isVisible()
    qtbot.mouseClick(window.nav_buttons["admin"], Qt.MouseButton.LeftButton)
    assert window.current_screen() == "admin"
    assert window.admin.staff.model.rowCount() == 4
    # A guide unlocking the screen an administrator left takes the admin screen away.
    window.lock_now()
    screen = window.idle_lock.screen
    qtbot.keyClicks(screen.username, "guide.test")
    qtbot.keyClicks(screen.secret, PIN)
    qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "today"
    assert not window.nav_buttons["admin"].isVisible()


def test_add_staff_checks_the_repeat_at_its_field_then_stores(
    qtbot: QtBot, ctx: AppContext, staff_by_role: dict[Role, Actor]
) -> None:
    as_admin(ctx, staff_by_role)
    screen = StaffAdminScreen(ctx)
    qtbot.addWidget(screen)
    screen.refresh()
    qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    dialog = screen.dialog
    assert isinstance(dialog, AddStaffDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.username, "Ri.Sato")
    dialog.display_name.insert("Rié Satō")
    dialog.role.setCurrentIndex(dialog.role.findData("physician"))
    qtbot.keyClicks(dialog.secret, "8642")
    qtbot.keyClicks(dialog.repeat, "8641")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "differ" in dialog.message_for("repeat").text()
    assert dialog.repeat.property("invalid") == "true"
    assert "ri.sato" not in [s.username for s in ctx.services.staff.list_staff()]
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.repeat, "8642")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    stored = {s.username: s for s in ctx.services.staff.list_staff()}["ri.sato"]
    assert (stored.display_name, stored.role) == ("Rié Satō", Role.PHYSICIAN)
    assert screen.selected() == stored
    assert ctx.services.staff.sign_in("ri.sato", "8642").id == stored.id


def test_deactivate_reactivate_and_reset_pin_from_the_list(
    qtbot: QtBot, ctx: AppContext, staff_by_role: dict[Role, Actor]
) -> None:
    as_admin(ctx, staff_by_role)
    guide = staff_by_role[Role.GUIDE]
    screen = StaffAdminScreen(ctx)
    qtbot.addWidget(screen)
    screen.refresh()
    screen.select(guide.id)
    qtbot.mouseClick(screen.toggle_button, Qt.MouseButton.LeftButton)
    assert not {s.id: s.active for s in ctx.services.staff.list_staff()}[guide.id]
    assert screen.toggle_button.text() == "Reactivate"
    assert "deactivated" in screen.status.text()
    qtbot.mouseClick(screen.toggle_button, Qt.MouseButton.LeftButton)
    assert {s.id: s.active for s in ctx.services.staff.list_staff()}[guide.id]
    qtbot.mouseClick(screen.reset_button, Qt.MouseButton.LeftButton)
    dialog = screen.dialog
    assert isinstance(dialog, ResetSecretDialog)
    qtbot.keyClicks(dialog.secret, "12")
    qtbot.keyClicks(dialog.repeat, "12")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "at least 4" in dialog.message_for("secret").text()
    dialog.secret.setText("a new phrase")
    dialog.repeat.setText("a new phrase")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert ctx.services.staff.sign_in("guide.test", "a new phrase").id == guide.id


def test_deactivating_oneself_is_refused_with_a_message(
    qtbot: QtBot, ctx: AppContext, staff_by_role: dict[Role, Actor], refuse_dialogs: list[str]
) -> None:
    admin = as_admin(ctx, staff_by_role)
    screen = StaffAdminScreen(ctx)
    qtbot.addWidget(screen)
    screen.refresh()
    screen.select(admin.id)
    qtbot.mouseClick(screen.toggle_button, Qt.MouseButton.LeftButton)
    assert refuse_dialogs and "last active administrator" in refuse_dialogs[0]
    assert {s.id: s.active for s in ctx.services.staff.list_staff()}[admin.id]


def test_audit_model_passes_qtmodeltester(
    qtmodeltester: object, ctx: AppContext, staff_by_role: dict[Role, Actor]
) -> None:
    admin = as_admin(ctx, staff_by_role)
    model = AuditTableModel()
    model.set_rows(ctx.services.audit_log.query(admin, AuditFilter()).rows)
    assert model.rowCount() >= 4
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.set_rows(())
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_audit_browser_filters_pages_and_refuses_a_bad_session_number(
    qtbot: QtBot, ctx: AppContext, staff_by_role: dict[Role, Actor]
) -> None:
    from datetime import date

    from companion.storage.models import Indication

    admin = as_admin(ctx, staff_by_role)
    guide = staff_by_role[Role.GUIDE]
    p = ctx.services.patients.add_patient(
        guide, "KC-1", "Ana", "Silva", date(1980, 1, 1), Indication.PTSD
    )
    session = ctx.services.sessions.start_session(guide, p.id)
    for _ in range(PAGE_SIZE + 5):
        ctx.services.audit_log.record_view(admin, session.id)
    screen = AuditScreen(ctx)
    qtbot.addWidget(screen)
    screen.refresh()
    total = screen.total
    assert total >= PAGE_SIZE + 10 and screen.model.rowCount() == PAGE_SIZE
    assert screen.older_button.isEnabled() and not screen.newer_button.isEnabled()
    qtbot.mouseClick(screen.older_button, Qt.MouseButton.LeftButton)
    assert screen.model.rowCount() == total - PAGE_SIZE
    assert screen.page_label.text().startswith(f"Events {PAGE_SIZE + 1}–")

    qtbot.keyClicks(screen.session, "12a")
    qtbot.mouseClick(screen.apply_button, Qt.MouseButton.LeftButton)
    assert "digits only" in screen.message.text() and not screen.message.isHidden()
    screen.session.clear()
    qtbot.keyClicks(screen.session, str(session.id))
    screen.actor.setCurrentIndex(screen.actor.findData(guide.id))
    qtbot.keyClick(screen.session, Qt.Key.Key_Return)
    assert screen.message.isHidden()
    rows = [screen.model.row_at(i) for i in range(screen.model.rowCount())]
    assert [(r.action, r.entity) for r in rows if r] == [("create", "session")]

    screen.clear_filters()
    screen.action.setCurrentIndex(screen.action.findData("view"))
    screen.day_from.setDate(QDate(2026, 3, 2))
    screen.day_to.setDate(QDate(2026, 3, 1))
    screen.apply()
    assert "before the start" in screen.message.text()
    screen.day_to.setDate(QDate(2026, 3, 2))
    screen.apply()
    assert screen.total == PAGE_SIZE + 5
