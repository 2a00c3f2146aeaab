"""A guide's check-in through the main window: add the patient, start the session, fill in every
section with the keyboard and mouse, complete, and find it all in the database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from companion.clock import ManualClock
from companion.roles import Actor
from companion.services import Services
from companion.storage.models import (
    AuditEvent,
    CheckIn,
    Phase,
    ScaleResponse,
    TreatmentSession,
    VitalsReading,
)
from ui.checkin_page import CheckInPage
from ui.context import AppContext
from ui.dialogs import AddPatientDialog
from ui.main_window import MainWindow


def child(root: QWidget, cls: type[QWidget], name: str) -> QWidget:
    found = root.findChild(cls, name)
    assert found is not None, name
    return found


def enter(qtbot: QtBot, root: QWidget, name: str, text: str) -> None:
    edit = child(root, QLineEdit, name)
    edit.setFocus()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def tick(qtbot: QtBot, root: QWidget, name: str) -> None:
    box = child(root, QCheckBox, name)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def test_guide_checks_a_new_patient_in_and_moves_on_to_centering(
    qtbot: QtBot, services: Services, guide: Actor, clock: ManualClock, data_dir: Path
) -> None:
    ctx = AppContext(services=services, clock=clock, data_dir=data_dir, actor=guide)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.refresh()
    window.show_screen("today")
    window.show()

    def fill_patient() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AddPatientDialog)
        qtbot.keyClicks(dialog.chart, "KC-301")
        qtbot.keyClicks(dialog.given, "Jonas")
        qtbot.keyClicks(dialog.family, "Lindqvist")
        qtbot.keyClick(dialog.family, Qt.Key.Key_Return)

    QTimer.singleShot(0, fill_patient)
    qtbot.mouseClick(window.today.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.today.start_button, Qt.MouseButton.LeftButton)
    window.activateWindow()  # back from the modal dialog: keyboard focus needs the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    assert window.current_screen() == "session"
    page = window.session.pages[Phase.CHECK_IN]
    assert isinstance(page, CheckInPage)
    assert window.session.stack.currentWidget() is page

    local_now = clock.now().astimezone()
    enter(qtbot, page, "checkin_last_food_at", (local_now - timedelta(hours=4)).strftime("%H:%M"))
    enter(qtbot, page, "checkin_last_drink_at", (local_now - timedelta(hours=1)).strftime("%H:%M"))
    enter(qtbot, page, "checkin_driver_name", "Chris Lindqvist")
    enter(qtbot, page, "checkin_driver_phone", "+46 70 123 45 67")
    for name in (
        "checkin_medication_changes_reviewed",
        "checkin_med_lamotrigine",
        "checkin_consent_on_file",
        "checkin_touch_consent",
        "checkin_no_substances_today",
    ):
        tick(qtbot, page, name)
    for field, value in dict(systolic="132", diastolic="84", pulse="74", spo2="98",
                             respiration="14", temperature="36.8", weight="78.2").items():  # fmt: skip
        qtbot.keyClicks(child(page, QLineEdit, f"vitals_{field}"), value)
    qtbot.keyClick(child(page, QLineEdit, "vitals_weight"), Qt.Key.Key_Return)
    enter(qtbot, page, "checkin_mood_pre", "3")
    enter(qtbot, page, "checkin_anxiety_pre", "6")
    assert page.scale_form is not None
    page.scale_form.rows[0].setFocus()
    for digit in "221211100":
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, digit)
    assert QApplication.focusWidget() is page.intention
    qtbot.keyClicks(page.intention, "To feel safe in my body again.")
    assert "Lamotrigine" in page.status.text()  # a warning for the physician, not a blocker

    with qtbot.waitSignal(page.advance, timeout=2000):
        qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)

    with ctx.services.db.transaction() as s:
        [ts] = s.scalars(select(TreatmentSession)).all()
        assert (ts.phase, ts.number_in_course, ts.patient.full_name) == (
            Phase.CENTERING, 1, "Jonas Lindqvist",
        )  # fmt: skip
        [ci] = s.scalars(select(CheckIn)).all()
        assert ci.last_food_at == clock.now().replace(second=0) - timedelta(hours=4)
        assert (ci.driver_name, ci.driver_phone) == ("Chris Lindqvist", "+46 70 123 45 67")
        assert ci.medication_changes_reviewed and ci.medication_flags == ["lamotrigine"]
        assert ci.consent_on_file and ci.touch_consent and ci.no_substances_today
        assert (ci.mood_pre, ci.anxiety_pre) == (3, 6)
        assert ci.intention == "To feel safe in my body again."  # committed on leaving the field
        assert ci.completed_at == clock.now() and ci.recorded_by_id == guide.id
        [v] = s.scalars(select(VitalsReading)).all()
        assert (v.context, v.systolic, v.diastolic, v.weight_kg, v.news2_total) == (
            "baseline", 132, 84, 78.2, 0,
        )  # fmt: skip
        [sr] = s.scalars(select(ScaleResponse)).all()
        assert (sr.scale, sr.context, sr.total, sr.band) == ("phq9", "pre", 10, "Moderate")
        actions = [(e.action, e.entity) for e in s.scalars(select(AuditEvent))]
        assert ("complete", "check_in") in actions and ("phase", "session") in actions
    assert window.session.steps[Phase.CHECK_IN].property("state") == "done"
    assert window.session.stack.currentWidget() is not page
