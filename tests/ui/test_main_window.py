"""The main window: navigation, adding a patient, starting a session, theme and permissions."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from companion.clock import ManualClock
from companion.roles import Actor
from companion.storage.models import Phase, Role, SessionStatus
from ui.context import AppContext
from ui.dialogs import AddPatientDialog
from ui.main_window import MainWindow


def fill_patient(qtbot: QtBot, dialog: AddPatientDialog, chart: str) -> None:
    qtbot.keyClicks(dialog.chart, chart)
    dialog.given.insert("Zoë")  # QTest can only type ASCII keys; insert() is what a paste does
    qtbot.keyClicks(dialog.family, "Dubois")


def test_navigation_buttons_and_shortcuts_switch_screens(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.mouseClick(window.nav_buttons["history"], Qt.MouseButton.LeftButton)
    assert window.current_screen() == "history"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen() == "today"
    assert window.nav_buttons["today"].isChecked()


def test_add_patient_dialog_commits_and_refuses_bad_input_at_the_field(
    qtbot: QtBot, ctx: AppContext, guide: Actor
) -> None:
    dialog = AddPatientDialog(ctx.services, guide)
    qtbot.addWidget(dialog)
    fill_patient(qtbot, dialog, "KC 12!")
    ok = dialog.findChild(QPushButton, "patient_add_confirm")
    assert ok is not None
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    message = dialog.findChild(QLabel, "patient_chart_number_error")
    assert message is not None and not message.isHidden()
    assert "letters, digits" in message.text()
    assert ctx.services.patients.find("") == []
    dialog.chart.clear()
    qtbot.keyClicks(dialog.chart, "kc-12")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    [stored] = ctx.services.patients.find("zoe")
    assert (stored.chart_number, stored.family_name) == ("KC-12", "Dubois")


def test_start_session_from_today_opens_it_and_lists_it_first(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, guide: Actor
) -> None:
    from datetime import date

    from companion.storage.models import Indication

    ctx.services.patients.add_patient(
        guide, "KC-7", "Mei", "Nakamura", date(1990, 2, 3), Indication.ANXIETY
    )
    window.today.refresh()
    window.today.patients_view.selectRow(0)
    qtbot.mouseClick(window.today.start_button, Qt.MouseButton.LeftButton)
    assert window.current_screen() == "session"
    assert window.session.patient_label.text() == "Mei Nakamura"
    assert "session #1" in window.session.detail_label.text()
    [row] = ctx.services.sessions.unfinished()
    assert (row.phase, row.status) == (Phase.CHECK_IN, SessionStatus.IN_PROGRESS)
    window.show_screen("today")
    assert window.today.sessions_model.row_at(0) == row


def test_session_clock_follows_the_injected_clock_without_sleeping(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, guide: Actor, clock: ManualClock
) -> None:
    from datetime import date

    from companion.storage.models import Indication

    p = ctx.services.patients.add_patient(
        guide, "KC-8", "Luis", "Castillo", date(1975, 1, 1), Indication.PTSD
    )
    row = ctx.services.sessions.start_session(guide, p.id)
    window.open_session(row.id)
    clock.advance(125)
    window.session.update_clock()
    assert window.session.clock_label.text() == "02:05"


def test_staff_role_cannot_add_patients_or_start_sessions(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, staff_by_role: dict[Role, Actor]
) -> None:
    ctx.actor = staff_by_role[Role.STAFF]
    window.set_actor_label()
    assert not window.today.add_button.isEnabled()
    assert not window.today.start_button.isEnabled()
    assert "staff" in window.user_label.text()


def test_theme_toggle_switches_palette(qtbot: QtBot, window: MainWindow) -> None:
    from ui.theme import DIM, LIGHT, apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, "dim")
    assert app.palette().window().color().name() == DIM.window
    window.toggle_theme()
    assert app.palette().window().color().name() == LIGHT.window
    window.toggle_theme()
    assert app.property("companion_theme") == "dim"


def test_every_input_has_an_object_name_and_accessible_name(window: MainWindow) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLineEdit, QTableView

    for cls in (QLineEdit, QAbstractButton, QTableView):
        for widget in window.findChildren(cls):
            if not widget.isVisibleTo(window) or widget.objectName().startswith("qt_"):
                continue
            assert widget.objectName(), f"{cls.__name__} without objectName: {widget}"
            assert widget.accessibleName() or widget.text() if hasattr(widget, "text") else True


def test_session_screen_timer_stops_when_hidden(qtbot: QtBot, window: MainWindow) -> None:
    window.show_screen("session")
    timer = window.session.findChild(QTimer)
    assert timer is not None and timer.isActive()
    window.show_screen("today")
    assert not timer.isActive()
