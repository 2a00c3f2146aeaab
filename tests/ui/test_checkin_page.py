"""CheckInPage: each confirmed entry is stored at once and shown again after leaving; vitals with
flags; the scale item by item; the BP gate acknowledged by the physician only; completion."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from companion.clock import ManualClock
from companion.roles import Actor
from companion.services.sessions import SessionRow
from companion.storage.models import Alert, Indication, Phase, Role, VitalsReading
from ui.checkin_page import CheckInPage
from ui.context import AppContext


def session(ctx: AppContext, indication: Indication = Indication.DEPRESSION) -> SessionRow:
    actor = ctx.require_actor()
    p = ctx.services.patients.add_patient(
        actor, "KC-55", "Jonas", "Lindqvist", date(1984, 6, 2), indication
    )
    return ctx.services.sessions.start_session(actor, p.id)


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext) -> CheckInPage:
    widget = CheckInPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1230, 560)
    widget.load(session(ctx))
    widget.show()
    return widget


def find(page: QWidget, cls: type[QWidget], name: str) -> QWidget:
    found = page.findChild(cls, name)
    assert found is not None, name
    return found


def type_and_enter(qtbot: QtBot, page: CheckInPage, name: str, text: str) -> None:
    edit = find(page, QLineEdit, name)
    assert isinstance(edit, QLineEdit)
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def tick(qtbot: QtBot, page: CheckInPage, name: str) -> None:
    box = find(page, QCheckBox, name)
    # On the box itself: a check box spanning a wide cell does not react to clicks past its label.
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def type_vitals(qtbot: QtBot, page: CheckInPage, **values: str) -> None:
    for name, text in values.items():
        qtbot.keyClicks(find(page, QLineEdit, f"vitals_{name}"), text)
    qtbot.keyClick(find(page, QLineEdit, f"vitals_{name}"), Qt.Key.Key_Return)


def test_vitals_and_enter_store_a_baseline_and_show_its_flags(
    qtbot: QtBot, page: CheckInPage, ctx: AppContext
) -> None:
    type_vitals(
        qtbot, page, systolic="152", diastolic="94", pulse="128", spo2="97", respiration="16",
        temperature="36.9", weight="81.5",
    )  # fmt: skip
    with ctx.services.db.transaction() as s:
        [r] = s.scalars(select(VitalsReading)).all()
        assert (r.context, r.systolic, r.pulse, r.weight_kg) == ("baseline", 152, 128, 81.5)
    assert "BP 152/94" in page.baseline_stored.text()
    assert "Pulse 128 /min — high" in page.baseline_flags.text()
    assert page.baseline_flags.property("flag") in ("abnormal", "alarming")
    assert "ABOVE the gate (140/90)" in page.gate_label.text()
    assert page.gate_label.property("flag") == "alarming"
    # A guide sees the gate but cannot acknowledge it.
    assert page.gate_button.isVisibleTo(page) and not page.gate_button.isEnabled()


def test_baseline_without_weight_is_refused_with_a_message(
    qtbot: QtBot, page: CheckInPage, ctx: AppContext
) -> None:
    type_vitals(qtbot, page, systolic="120", diastolic="80", pulse="70")
    assert "Weight is required" in page.baseline_error.text()
    assert not page.baseline_error.isHidden()
    with ctx.services.db.transaction() as s:
        assert s.scalars(select(VitalsReading)).all() == []
    assert QApplication.focusWidget() is find(page, QLineEdit, "vitals_weight")


def test_scale_item_by_item_is_stored_and_item9_alerts(
    qtbot: QtBot, page: CheckInPage, ctx: AppContext
) -> None:
    form = page.scale_form
    assert form is not None and form.scale.id == "phq9"
    assert page.scale_box.title() == "PHQ-9 — for Depression"
    form.rows[0].setFocus()
    for digit in "122110001":
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, digit)
    assert form.total_label.text() == "PHQ-9 total 8 / 27 — Mild"
    state = ctx.services.checkin.state(page._sid())
    assert state.scale is not None and state.scale.items == (1, 2, 2, 1, 1, 0, 0, 0, 1)
    assert (state.scale.total, state.scale.band) == (8, "Mild")
    assert not form.safety.isHidden()
    assert not page.alerts.isHidden() and "PHQ-9 item 9" in page.alerts.text()
    with ctx.services.db.transaction() as s:
        [alert] = s.scalars(select(Alert)).all()
        assert (alert.code, alert.severity) == ("phq9_item9", "urgent")
    assert QApplication.focusWidget() is page.intention  # moved on after the last item


def test_every_entry_commits_and_comes_back_after_leaving(
    qtbot: QtBot, page: CheckInPage, ctx: AppContext, clock: ManualClock
) -> None:
    ate = (clock.now() - timedelta(hours=3, minutes=10)).astimezone().strftime("%H:%M")
    type_and_enter(qtbot, page, "checkin_last_food_at", ate)
    type_and_enter(qtbot, page, "checkin_driver_name", "Chris Lindqvist")
    type_and_enter(qtbot, page, "checkin_driver_phone", "+1 555 0142")
    type_and_enter(qtbot, page, "checkin_mood_pre", "4")
    tick(qtbot, page, "checkin_consent_on_file")
    tick(qtbot, page, "checkin_med_maois")
    page.intention.setFocus()
    page.intention.insertPlainText("To meet my sadness with more kindness.")
    find(page, QLineEdit, "checkin_driver_name").setFocus()  # leaving the field commits it
    assert "3 h 10 min ago — rule: at least 2 h: met" in page.fasting["last_food_at"].text()
    assert not page.cautions["maois"].isHidden()

    stored = ctx.services.checkin.state(page._sid())
    assert (stored.driver_name, stored.driver_phone, stored.mood_pre) == (
        "Chris Lindqvist", "+1 555 0142", 4,
    )  # fmt: skip
    assert stored.consent_on_file and stored.medication_flags == ("maois",)
    assert stored.intention == "To meet my sadness with more kindness."

    again = CheckInPage(ctx)  # a fresh page, as after a restart
    qtbot.addWidget(again)
    assert page.session is not None
    again.load(page.session)
    assert find(again, QLineEdit, "checkin_last_food_at").property("text") == ate
    assert find(again, QLineEdit, "checkin_driver_phone").property("text") == "+1 555 0142"
    assert find(again, QLineEdit, "checkin_mood_pre").property("text") == "4"
    checkbox = find(again, QCheckBox, "checkin_med_maois")
    assert isinstance(checkbox, QCheckBox) and checkbox.isChecked()
    assert again.intention.toPlainText() == "To meet my sadness with more kindness."


def test_bad_input_gets_a_message_at_the_field_and_is_not_stored(
    qtbot: QtBot, page: CheckInPage, ctx: AppContext
) -> None:
    type_and_enter(qtbot, page, "checkin_driver_phone", "call me")
    assert "6 to 20 digits" in page.messages["driver_phone"].text()
    assert page.edits["driver_phone"].property("invalid") == "true"
    type_and_enter(qtbot, page, "checkin_last_drink_at", "25:99")
    assert "0–23" in page.messages["last_drink_at"].text()
    type_and_enter(qtbot, page, "checkin_anxiety_pre", "12")
    assert "0 to 10" in page.messages["anxiety_pre"].text()
    state = ctx.services.checkin.state(page._sid())
    assert (state.driver_phone, state.last_drink_at, state.anxiety_pre) == (None, None, None)


def test_physician_acknowledges_the_bp_gate_with_a_reason(
    qtbot: QtBot, ctx: AppContext, staff_by_role: dict[Role, Actor], clock: ManualClock
) -> None:
    ctx.actor = staff_by_role[Role.PHYSICIAN]
    page = CheckInPage(ctx)
    qtbot.addWidget(page)
    row = session(ctx)
    page.load(row)
    page.show()
    type_vitals(qtbot, page, systolic="150", diastolic="96", weight="70")
    assert page.gate_button.isEnabled()
    qtbot.mouseClick(page.gate_button, Qt.MouseButton.LeftButton)  # no reason yet
    assert page.gate_message.text() == "This is required."
    qtbot.keyClicks(page.gate_reason, "Repeat reading 138/88 after rest")
    qtbot.keyClick(page.gate_reason, Qt.Key.Key_Return)
    gate = ctx.services.checkin.state(row.id).bp_gate
    assert gate.acknowledged_by == "Dr. Test Physician" and not gate.blocks_dosing
    assert gate.reason == "Repeat reading 138/88 after rest"
    assert "acknowledged by Dr. Test Physician" in page.gate_label.text()
    assert page.gate_button.isHidden()


def test_complete_shows_what_is_missing_then_advances(
    qtbot: QtBot, page: CheckInPage, ctx: AppContext, refuse_dialogs: list[str]
) -> None:
    with qtbot.assertNotEmitted(page.advance):
        qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    assert "Still needed: driver's name; driver's phone; consent on file" in page.status.text()
    assert page.status.property("flag") == "alarming" and refuse_dialogs == []
    sid = page._sid()
    actor = ctx.require_actor()
    ctx.services.checkin.save_checklist(
        actor, sid, driver_name="Chris", driver_phone="5550142", consent_on_file=True
    )
    type_vitals(qtbot, page, systolic="124", diastolic="80", weight="70")
    assert page.scale_form is not None
    for i in range(9):
        page.scale_form.answer(i, 0)
    with qtbot.waitSignal(page.advance, timeout=1000):
        qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    assert ctx.services.sessions.get(sid).phase == Phase.CENTERING
    assert not page.complete_button.isEnabled()
    assert page.complete_button.text().startswith("Check-in completed at")


def test_staff_and_closed_sessions_see_it_read_only(
    qtbot: QtBot, ctx: AppContext, staff_by_role: dict[Role, Actor]
) -> None:
    row = session(ctx)
    ctx.services.sessions.abandon(staff_by_role[Role.PHYSICIAN], row.id, "Unwell")
    page = CheckInPage(ctx)
    qtbot.addWidget(page)
    page.load(row)
    assert not page.content.isEnabled() and not page.complete_button.isEnabled()


def test_fasting_line_follows_the_clock_on_tick(
    qtbot: QtBot, page: CheckInPage, ctx: AppContext, clock: ManualClock
) -> None:
    drank = (clock.now() - timedelta(minutes=20)).astimezone().strftime("%H:%M")
    type_and_enter(qtbot, page, "checkin_last_drink_at", drank)
    assert "NOT met" in page.fasting["last_drink_at"].text()
    assert page.fasting["last_drink_at"].property("flag") == "abnormal"
    clock.advance(10 * 60)
    page.refresh_status()  # what the page's timer does every 30 s
    assert page.fasting["last_drink_at"].text().endswith("30 min: met")
    page.hide()
    assert not page._tick.isActive()
