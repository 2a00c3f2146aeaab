"""The monitoring page: clock and checkpoint states from the fake clock, checkpoints stored and
plotted, alerts raised and acknowledged, observations, all through the widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from companion.clock import ManualClock
from companion.roles import Actor
from companion.services import Services
from companion.storage.models import Alert, ReflectionNote
from tests.unit.services.test_dosing import checked_in_session, dose
from ui.chime import RecordingChime
from ui.context import AppContext
from ui.monitoring_page import MonitoringPage
from ui.widgets.checkpoint_form import EXTRA, CheckpointForm


def open_page(qtbot: QtBot, ctx: AppContext, sid: int) -> MonitoringPage:
    page = MonitoringPage(ctx)
    qtbot.addWidget(page)
    page.chime = RecordingChime()
    page.resize(1280, 700)
    page.load(ctx.services.sessions.get(sid))
    page.show()
    return page


def type_vitals(qtbot: QtBot, form: CheckpointForm, **values: int) -> None:
    for name, value in values.items():
        edit = form.findChild(QLineEdit, f"vitals_{name}")
        assert edit is not None
        edit.clear()
        qtbot.keyClicks(edit, str(value))


def fill_checkpoint(
    qtbot: QtBot, form: CheckpointForm, systolic: int, diastolic: int, moaas: int = 5
) -> None:
    type_vitals(qtbot, form, systolic=systolic, diastolic=diastolic, pulse=78, spo2=97)
    form.moaas.setCurrentIndex(form.moaas.findData(moaas))


@pytest.fixture
def dosed(services: Services, physician: Actor) -> int:
    sid = checked_in_session(services, physician)  # baseline 128/82, 70 kg
    dose(services, physician, sid)
    return sid


def chip_state(page: MonitoringPage, key: str) -> tuple[str, str]:
    chip = page.clock_panel.chips[key]
    return chip.state, str(chip.property("flag"))


def test_clock_and_checkpoint_states_advance_with_the_fake_clock(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, dosed: int
) -> None:
    page = open_page(qtbot, ctx, dosed)
    chime = page.chime
    assert isinstance(chime, RecordingChime)
    assert page.clock_panel.elapsed.text() == "00:00"
    assert page.clock_panel.countdown.text() == "in 05:00"
    assert chip_state(page, "t5") == ("upcoming", "")
    clock.advance(5 * 60)
    page.tick()
    assert page.clock_panel.elapsed.text() == "05:00"
    assert chip_state(page, "t5") == ("due", "abnormal")
    assert "DUE" in page.clock_panel.countdown.text()
    assert chime.rings == [False]
    clock.advance(5 * 60 + 1)
    page.tick()
    page.tick()
    assert chip_state(page, "t5") == ("overdue", "alarming")
    assert "LATE" in page.clock_panel.chips["t5"].text()
    assert chime.rings == [False, True]  # once when due, once when overdue, never repeated
    assert chip_state(page, "t15") == ("upcoming", "")
    assert page.form.current_key() == "t5"  # the form offers the late checkpoint first


def test_confirmed_checkpoint_is_stored_and_plotted_from_the_stored_readings(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, services: Services, dosed: int
) -> None:
    clock.advance(5 * 60)
    page = open_page(qtbot, ctx, dosed)
    form = page.form
    assert form.current_key() == "t5"
    fill_checkpoint(qtbot, form, 142, 88, moaas=4)
    for box, value in zip(form.cadss, (1, 0, 2, 0, 1, 0), strict=True):
        box.setValue(value)
    assert form.cadss_total.text() == "total 4 / 24"
    form.nausea.setCurrentIndex(form.nausea.findData(1))
    qtbot.keyClicks(form.note, "drowsy, comfortable")
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)

    state = services.monitoring.monitoring_state(dosed)
    [cp] = state.checkpoints
    assert (cp.key, cp.moaas, cp.cadss_total, cp.nausea, cp.note) == (
        "t5",
        4,
        4,
        1,
        "drowsy, comfortable",
    )
    [reading] = state.readings
    assert reading.checkpoint_id == cp.id and reading.values.systolic == 142
    assert state.t0 is not None
    stored_minutes = [(r.measured_at - state.t0).total_seconds() / 60 for r in state.readings]
    for key in ("systolic", "diastolic", "pulse", "spo2"):
        xs, ys = page.plot.series_data(key)
        assert xs == stored_minutes == [5.0]
        assert ys == [float(r.values.get(key) or 0) for r in state.readings]
    assert chip_state(page, "t5") == ("done", "")
    assert form.moaas.currentIndex() == 0 and form.note.text() == ""  # ready for the next one
    assert "5 min checkpoint saved" in page.saved.text()


def test_bad_input_is_refused_at_the_field_and_nothing_is_stored(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, services: Services, dosed: int
) -> None:
    clock.advance(5 * 60)
    page = open_page(qtbot, ctx, dosed)
    form = page.form
    fill_checkpoint(qtbot, form, 999, 88)
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
    message = form.findChild(QLabel, "vitals_systolic_error")
    assert message is not None and not message.isHidden() and "50 to 300" in message.text()
    type_vitals(qtbot, form, systolic=140)
    form.moaas.setCurrentIndex(0)
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
    assert not form.errors["moaas"].isHidden()
    form.moaas.setCurrentIndex(form.moaas.findData(5))
    form.cadss[0].setValue(2)  # one item of six: refused, not half-stored
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)
    assert "all six" in form.errors["cadss6"].text()
    assert services.monitoring.monitoring_state(dosed).checkpoints == ()


def test_high_bp_raises_the_alert_and_acknowledging_stores_who_and_when(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, services: Services, guide: Actor, dosed: int
) -> None:
    clock.advance(36 * 60)
    page = open_page(qtbot, ctx, dosed)
    form = page.form
    form.select(EXTRA)
    assert form.save.text() == "Save extra reading" and form.moaas.isHidden()
    type_vitals(qtbot, form, systolic=186, diastolic=104)
    edit = form.findChild(QLineEdit, "vitals_diastolic")
    assert edit is not None
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # keyboard-first: Enter saves

    assert not page.alerts_area.isHidden()
    cards = page.alerts.cards
    assert len(cards) == 2
    titles = [c.findChild(QLabel, f"alert_{i}_title").text() for i, c in cards.items()]  # type: ignore[union-attr]
    assert any("Urgent blood pressure 186/104" in t for t in titles)
    severity = next(iter(cards.values())).findChild(QLabel)
    assert severity is not None and severity.text() == "URGENT"
    assert "chest pain" in page.alerts.escalations[0].text()
    urgent_id = next(i for i, c in cards.items() if c.alert.code == "bp_urgent")
    clock.advance(60)
    card = cards[urgent_id]
    qtbot.keyClicks(card.note, "re-check in 5 min, physician informed")
    qtbot.mouseClick(card.button, Qt.MouseButton.LeftButton)

    with services.db.transaction() as s:
        stored = s.get_one(Alert, urgent_id)
        assert stored.acknowledged_by_id == guide.id
        assert stored.acknowledged_at == clock.now()
        assert stored.acknowledgement_note == "re-check in 5 min, physician informed"
    assert list(page.alerts.cards) != [urgent_id] and urgent_id not in page.alerts.cards
    assert len(page.alerts.cards) == 1


def test_quick_tags_typed_observations_and_edits_until_the_note_is_signed(
    qtbot: QtBot,
    ctx: AppContext,
    clock: ManualClock,
    services: Services,
    physician: Actor,
    dosed: int,
    refuse_dialogs: list[str],
) -> None:
    clock.advance(12 * 60)
    page = open_page(qtbot, ctx, dosed)
    page.tabs.setCurrentIndex(1)
    tag = page.findChild(QPushButton, "obs_tag_nausea")
    assert tag is not None
    qtbot.mouseClick(tag, Qt.MouseButton.LeftButton)
    obs = page.observations
    obs.obs_text.insert("Tearful, holding the blanket")  # non-ASCII-safe input path
    qtbot.mouseClick(obs.obs_adverse, Qt.MouseButton.LeftButton)
    qtbot.keyClick(obs.obs_text, Qt.Key.Key_Return)
    state = services.monitoring.monitoring_state(dosed)
    assert [(o.tag, o.text, o.adverse_event) for o in state.observations] == [
        ("nausea", None, False),
        (None, "Tearful, holding the blanket", True),
    ]
    item = obs.obs_list.item(0)  # newest first
    assert item.text().startswith("+12 min") and "adverse event" in item.text()
    obs.obs_list.setCurrentRow(0)
    assert obs.obs_edit.text() == "Tearful, holding the blanket"
    obs.obs_edit.clear()
    qtbot.keyClicks(obs.obs_edit, "Tearful, then calm")
    qtbot.mouseClick(obs.obs_edit_save, Qt.MouseButton.LeftButton)
    assert services.monitoring.monitoring_state(dosed).observations[1].text == "Tearful, then calm"
    assert "(edited)" in obs.obs_list.item(0).text()

    now = clock.now()
    with services.db.transaction() as s:
        s.add(
            ReflectionNote(
                session_id=dosed,
                content={},
                status="signed",
                created_at=now,
                created_by_id=physician.id,
                updated_at=now,
                updated_by_id=physician.id,
                signed_at=now,
                signed_by_id=physician.id,
            )
        )
    obs.obs_list.setCurrentRow(0)
    obs.obs_edit.setText("changed after signing")
    obs.save_edit()  # the button is disabled after reload; the service refuses regardless
    assert refuse_dialogs and "signed" in refuse_dialogs[0]
    page.reload()
    assert not obs.obs_edit_save.isEnabled()


def test_missed_checkpoint_needs_a_reason(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, services: Services, dosed: int
) -> None:
    clock.advance(11 * 60)
    page = open_page(qtbot, ctx, dosed)
    form = page.form
    assert form.current_key() == "t5"
    qtbot.mouseClick(form.missed_button, Qt.MouseButton.LeftButton)
    assert "required" in form.errors["checkpoint"].text()
    qtbot.keyClicks(form.missed_reason, "asleep, breathing comfortably; not woken")
    qtbot.mouseClick(form.missed_button, Qt.MouseButton.LeftButton)
    assert services.monitoring.monitoring_state(dosed).missed == {
        "t5": "asleep, breathing comfortably; not woken"
    }
    assert chip_state(page, "t5") == ("missed", "")
    assert "asleep" in page.clock_panel.chips["t5"].toolTip()


def test_before_the_dose_the_page_says_so_and_the_timer_stops_when_hidden(
    qtbot: QtBot, ctx: AppContext, services: Services, guide: Actor
) -> None:
    sid = checked_in_session(services, guide)
    page = open_page(qtbot, ctx, sid)
    assert "record it on the Dose page" in page.notice.text() and not page.tabs.isEnabled()
    assert not page.plot.built  # built ahead only by the session screen's tick, or with a T0
    assert page._timer.isActive()
    page.hide()
    assert not page._timer.isActive()


def test_widgets_have_stable_names(qtbot: QtBot, ctx: AppContext, dosed: int) -> None:
    page = open_page(qtbot, ctx, dosed)
    for name in ("checkpoint_key", "checkpoint_moaas", "checkpoint_nausea", "obs_text", "topup_mg"):
        widget = page.findChild(QWidget, name)
        assert widget is not None and widget.accessibleName()
