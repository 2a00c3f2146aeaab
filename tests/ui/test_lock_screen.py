"""Idle lock, lock now, unlocking, and resuming unfinished sessions at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from companion.clock import ManualClock
from companion.roles import Actor
from companion.services.audit_log import AuditFilter
from companion.storage.models import Indication, Phase, Role, TreatmentSession
from tests.conftest import PIN
from ui.context import AppContext
from ui.dialogs import AddPatientDialog
from ui.main_window import MainWindow
from ui.shell import Shell


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


def start(ctx: AppContext, guide: Actor, chart: str = "KC-7") -> int:
    p = ctx.services.patients.add_patient(
        guide, chart, "Mei", "Nakamura", date(1990, 2, 3), Indication.ANXIETY
    )
    return ctx.services.sessions.start_session(guide, p.id).id


def set_t0(ctx: AppContext, session_id: int, minutes_ago: float, phase: Phase) -> None:
    with ctx.services.db.transaction() as s:
        s.execute(
            update(TreatmentSession)
            .where(TreatmentSession.id == session_id)
            .values(t0=ctx.clock.now() - timedelta(minutes=minutes_ago), phase=phase)
        )


def visible_text(window: MainWindow) -> str:
    parts = [w.text() for w in window.findChildren(QLabel) if w.isVisibleTo(window)]
    parts += [w.text() for w in window.findChildren(QLineEdit) if w.isVisibleTo(window)]
    return "\n".join(parts)


def unlock(qtbot: QtBot, window: MainWindow, user: str, pin: str) -> None:
    screen = window.idle_lock.screen
    screen.username.clear()
    qtbot.keyClicks(screen.username, user)
    qtbot.keyClicks(screen.secret, pin)
    qtbot.keyClick(screen.secret, Qt.Key.Key_Return)


def test_idle_time_locks_and_hides_every_patient_detail_but_keeps_the_clock(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, guide: Actor, clock: ManualClock
) -> None:
    sid = start(ctx, guide)
    window.open_session(sid)
    set_t0(ctx, sid, 6, Phase.MONITORING)
    assert "Mei Nakamura" in visible_text(window)
    clock.advance(10 * 60 - 1)
    window.idle_lock.tick()
    assert not window.idle_lock.is_locked
    clock.advance(1)
    window.idle_lock.tick()
    assert window.idle_lock.is_locked
    text = visible_text(window)
    assert "Mei" not in text and "Nakamura" not in text and "KC-7" not in text
    assert "Screen locked" in text
    screen = window.idle_lock.screen
    clock_label = screen.findChild(QLabel, "lock_clock_0")
    assert clock_label is not None and clock_label.text() == "16:00"  # 6 min + 10 idle
    checkpoint = screen.findChild(QLabel, "lock_checkpoint_0")
    assert checkpoint is not None
    assert "OVERDUE" in checkpoint.text() and checkpoint.property("flag") == "alarming"
    clock.advance(30)
    window.idle_lock.tick()
    assert clock_label.text() == "16:30"  # computed from stored T0 on each tick
    [event] = ctx.services.audit_log.query(
        ctx.services.staff.sign_in("admin", PIN), AuditFilter(action="lock")
    ).rows
    assert event.detail == '{"reason": "idle"}' and event.actor_id == guide.id


def test_input_anywhere_postpones_the_lock(
    qtbot: QtBot, window: MainWindow, clock: ManualClock
) -> None:
    clock.advance(9 * 60)
    qtbot.keyClick(window.today.search, Qt.Key.Key_A)
    clock.advance(9 * 60)
    window.idle_lock.tick()
    assert not window.idle_lock.is_locked
    clock.advance(60)
    window.idle_lock.tick()
    assert window.idle_lock.is_locked


def test_ctrl_l_and_the_lock_button_lock_at_once(qtbot: QtBot, window: MainWindow) -> None:
    central = window.centralWidget()
    assert central is not None
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.idle_lock.is_locked and not central.isVisible()
    unlock(qtbot, window, "guide.test", PIN)
    assert not window.idle_lock.is_locked and central.isVisible()
    qtbot.mouseClick(window.lock_button, Qt.MouseButton.LeftButton)
    assert window.idle_lock.is_locked


def test_only_a_clinician_or_whoever_locked_can_unlock_and_becomes_the_actor(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, staff_by_role: dict[Role, Actor]
) -> None:
    window.lock_now()
    screen = window.idle_lock.screen
    unlock(qtbot, window, "staff.test", PIN)
    assert window.idle_lock.is_locked and "cannot unlock" in screen.message.text()
    unlock(qtbot, window, "dr.test", "0000")
    assert window.idle_lock.is_locked and "wrong PIN" in screen.message.text()
    assert screen.secret.text() == ""
    unlock(qtbot, window, "dr.test", PIN)
    assert not window.idle_lock.is_locked
    assert ctx.actor == staff_by_role[Role.PHYSICIAN]
    assert "Dr. Test Physician" in window.user_label.text()


def test_lockout_rules_apply_at_the_lock_screen(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    window.lock_now()
    for _ in range(5):
        unlock(qtbot, window, "dr.test", "0000")
    unlock(qtbot, window, "dr.test", PIN)
    assert window.idle_lock.is_locked
    assert "locked after 5 failed attempts" in window.idle_lock.screen.message.text()


def test_locking_closes_open_dialogs_that_show_patient_data(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, guide: Actor
) -> None:
    dialog = AddPatientDialog(ctx.services, guide, window.today)
    dialog.open()
    dialog.given.insert("Zoë")
    assert dialog.isVisible()
    window.lock_now()
    assert not dialog.isVisible()
    assert ctx.services.patients.find("") == []


def test_the_lock_timer_runs_only_while_the_window_is_shown(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert window.idle_lock.timer.isActive()
    window.hide()
    assert not window.idle_lock.timer.isActive()


def test_unfinished_sessions_are_offered_and_resume_in_their_phase_with_the_right_clock(
    qtbot: QtBot, ctx: AppContext, guide: Actor, clock: ManualClock
) -> None:
    first = start(ctx, guide, "KC-1")
    second = start(ctx, guide, "KC-2")
    set_t0(ctx, second, 25, Phase.MONITORING)
    clock.advance(3600)  # the app was down for an hour
    shell = Shell(ctx)
    qtbot.addWidget(shell.window)
    shell.window.refresh()
    shell.window.show()
    dialog = shell.offer_resume()
    assert dialog is not None and dialog.isVisible()
    assert dialog.model.rowCount() == 2
    assert dialog.model.row_at(0) is not None and dialog.model.row_at(0).id == first  # type: ignore[union-attr]
    elapsed = dialog.model.index(1, 4).data()
    assert elapsed == "1:25:00 since injection"
    dialog.view.selectRow(1)
    qtbot.mouseClick(dialog.resume_button, Qt.MouseButton.LeftButton)
    window = shell.window
    assert window.current_screen() == "session"
    assert window.session.session is not None and window.session.session.id == second
    assert window.session.session.phase == Phase.MONITORING
    assert window.session.clock_label.text() == "1:25:00"


def test_resumption_is_not_offered_to_review_staff_or_when_nothing_is_open(
    qtbot: QtBot, ctx: AppContext, guide: Actor, staff_by_role: dict[Role, Actor]
) -> None:
    shell = Shell(ctx)
    qtbot.addWidget(shell.window)
    assert shell.offer_resume() is None
    start(ctx, guide)
    ctx.actor = staff_by_role[Role.STAFF]
    assert shell.offer_resume() is None
