"""The discharge page: facts shown, the live checklist, recording, discharging, and the
physician-only override."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from companion.roles import Actor
from companion.services import Services
from companion.storage.models import DischargeAssessment, Indication, Phase, TreatmentSession
from tests.unit.services.test_discharge import dosed_session
from ui.context import AppContext
from ui.discharge_page import DischargePage
from ui.main_window import MainWindow


def open_page(qtbot: QtBot, ctx: AppContext, sid: int) -> DischargePage:
    page = DischargePage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 900)
    page.load(ctx.services.sessions.get(sid))
    page.show()
    return page


def choose(qtbot: QtBot, combo: QComboBox, score: int) -> None:
    """Pick an item with Home and Down, as a keyboard user would."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.findData(score)):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == score


def toggle(qtbot: QtBot, box: QCheckBox) -> None:
    """Space on the focused box, as from the keyboard."""
    before = box.isChecked()
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked() is not before


def fill_ready(qtbot: QtBot, page: DischargePage) -> None:
    for key in ("padss_activity", "padss_nausea", "padss_pain"):
        choose(qtbot, page.combos[key], 2)
    for box in page.checks.values():
        if not box.isChecked():
            toggle(qtbot, box)


def state(page: DischargePage, key: str) -> str:
    return page.state_labels[key].text()


def test_facts_are_shown_and_prefilled(
    qtbot: QtBot, ctx: AppContext, guide: Actor, physician: Actor
) -> None:
    sid = dosed_session(ctx.services, guide, physician, minutes_ago=70)
    page = open_page(qtbot, ctx, sid)
    assert page.vitals_fact.text().startswith("2 — within 20 % of baseline")
    assert "BP 126/78" in page.vitals_fact.text() and "+5\u00a0%" in page.vitals_fact.text()
    assert page.moaas.currentData() == 5  # from the latest checkpoint
    assert page.driver_name.text() == "Chris Okoye"
    assert "CADSS-6: 1/24" in page.cadss_fact.text()
    assert state(page, "observation") == "✓ Met"
    assert "70 min since injection" in page.detail_labels["observation"].text()
    assert state(page, "padss") == "… To do"
    assert page.padss_total_label.text() == "PADSS —"


def test_all_met_records_and_discharges_to_the_note(
    qtbot: QtBot, ctx: AppContext, guide: Actor, physician: Actor
) -> None:
    sid = dosed_session(ctx.services, guide, physician)
    page = open_page(qtbot, ctx, sid)
    fill_ready(qtbot, page)
    assert page.padss_total_label.text() == "PADSS 8/8 — fit"
    assert all(state(page, k) == "✓ Met" for k in page.state_labels)
    assert page.state_labels["padss"].property("flag") == "ok"
    with qtbot.waitSignal(page.advance):
        qtbot.mouseClick(page.discharge_button, Qt.MouseButton.LeftButton)
    with ctx.services.db.transaction() as s:
        ts = s.get_one(TreatmentSession, sid)
        assert ts.discharged_at == ctx.clock.now() and ts.phase == Phase.NOTE
        row = s.scalars(select(DischargeAssessment)).one()
        assert row.criteria_met and row.driver_name_confirmed == "Chris Okoye"
    assert page.status.text().startswith("Discharged at")
    assert not page.discharge_button.isEnabled()


def test_live_total_and_unmet_state_in_words_and_colour(
    qtbot: QtBot, ctx: AppContext, guide: Actor, physician: Actor
) -> None:
    sid = dosed_session(ctx.services, guide, physician)
    page = open_page(qtbot, ctx, sid)
    fill_ready(qtbot, page)
    choose(qtbot, page.combos["padss_pain"], 0)
    assert page.padss_total_label.text() == "PADSS 6/8 — not fit"
    assert state(page, "padss") == "✗ Not met"
    assert page.state_labels["padss"].property("flag") == "abnormal"
    toggle(qtbot, page.checks["steady_gait"])
    assert state(page, "gait") == "✗ Not met"


def test_guide_cannot_discharge_with_unmet_criteria(
    qtbot: QtBot, ctx: AppContext, guide: Actor, physician: Actor, refuse_dialogs: list[str]
) -> None:
    sid = dosed_session(ctx.services, guide, physician)
    page = open_page(qtbot, ctx, sid)
    fill_ready(qtbot, page)
    toggle(qtbot, page.checks["steady_gait"])
    qtbot.mouseClick(page.discharge_button, Qt.MouseButton.LeftButton)
    assert refuse_dialogs and refuse_dialogs[0].startswith("Not permitted")
    assert page.override_box.isVisible()
    assert not page.reason.isEnabled()
    assert "Only a physician" in page.override_text.text()
    with ctx.services.db.transaction() as s:
        assert s.get_one(TreatmentSession, sid).discharged_at is None
        assert s.scalars(select(DischargeAssessment)).one().criteria_met is False


def test_physician_override_needs_a_reason_then_stores_it(
    qtbot: QtBot, ctx: AppContext, guide: Actor, physician: Actor
) -> None:
    ctx.actor = physician
    sid = dosed_session(ctx.services, guide, physician)
    page = open_page(qtbot, ctx, sid)
    fill_ready(qtbot, page)
    toggle(qtbot, page.checks["steady_gait"])
    qtbot.mouseClick(page.discharge_button, Qt.MouseButton.LeftButton)
    assert page.reason_msg.isVisible() and "required" in page.reason_msg.text()
    assert page.override_box.isVisible() and page.reason.isEnabled()
    page.reason.setFocus()
    qtbot.keyClicks(page.reason, "Walks with her own cane; partner drives.")
    with qtbot.waitSignal(page.advance):
        qtbot.mouseClick(page.discharge_button, Qt.MouseButton.LeftButton)
    with ctx.services.db.transaction() as s:
        rows = s.scalars(select(DischargeAssessment).order_by(DischargeAssessment.id)).all()
        assert rows[-1].override_reason == "Walks with her own cane; partner drives."
        assert rows[-1].override_by_id == physician.id
    assert "Override by Dr. Test Physician" in page.status.text()


def test_missing_choice_and_empty_driver_are_shown_at_the_field(
    qtbot: QtBot, ctx: AppContext, guide: Actor, physician: Actor
) -> None:
    sid = dosed_session(ctx.services, guide, physician)
    page = open_page(qtbot, ctx, sid)
    qtbot.mouseClick(page.record_button, Qt.MouseButton.LeftButton)
    assert "Choose a score" in page.form_msg.text()
    fill_ready(qtbot, page)
    page.driver_name.clear()
    qtbot.mouseClick(page.record_button, Qt.MouseButton.LeftButton)
    assert page.driver_msg.isVisible() and "required" in page.driver_msg.text()
    with ctx.services.db.transaction() as s:
        assert s.scalars(select(DischargeAssessment)).first() is None


def test_no_dose_shows_why_and_locks_the_form(
    qtbot: QtBot, ctx: AppContext, services: Services, guide: Actor
) -> None:
    p = services.patients.add_patient(guide, "KC-2", "A", "B", date(1980, 1, 1), Indication.PTSD)
    sid = services.sessions.start_session(guide, p.id).id
    page = open_page(qtbot, ctx, sid)
    assert "No dose recorded yet" in page.status.text()
    assert not page.discharge_button.isEnabled() and not page.record_button.isEnabled()


def test_staff_only_views(
    qtbot: QtBot,
    ctx: AppContext,
    guide: Actor,
    physician: Actor,
    staff_by_role: dict[object, Actor],
) -> None:
    from companion.storage.models import Role

    ctx.actor = staff_by_role[Role.STAFF]
    sid = dosed_session(ctx.services, guide, physician)
    page = open_page(qtbot, ctx, sid)
    assert not page.record_button.isEnabled() and not page.combos["moaas"].isEnabled()


def test_discharge_in_the_session_screen_opens_the_prefilled_note(
    qtbot: QtBot, window: MainWindow, guide: Actor, physician: Actor
) -> None:
    ctx = window.ctx
    sid = dosed_session(ctx.services, guide, physician)
    window.open_session(sid)
    page = window.session.pages[Phase.DISCHARGE]
    assert isinstance(page, DischargePage)
    assert window.session.stack.currentWidget() is page
    fill_ready(qtbot, page)
    qtbot.mouseClick(page.discharge_button, Qt.MouseButton.LeftButton)
    note_page = window.session.pages[Phase.NOTE]
    assert window.session.stack.currentWidget() is note_page
    assert window.session.session is not None and window.session.session.phase == Phase.NOTE
    note = ctx.services.notes.peek(sid)
    assert note is not None and note.content["intention"] == "To meet my sadness with kindness."
    assert window.session.steps[Phase.DISCHARGE].property("state") == "done"
