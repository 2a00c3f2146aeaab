"""The dose page: blockers shown and enforced, mg/kg and the ceiling warning live, the dose stored
as T0 by clicking and typing."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from companion.clock import ManualClock
from companion.roles import Actor
from companion.services import Services
from companion.storage.models import Dose, Phase
from tests.unit.services.test_dosing import checked_in_session
from ui.context import AppContext
from ui.dose_page import DosePage


def open_page(qtbot: QtBot, ctx: AppContext, sid: int) -> DosePage:
    page = DosePage(ctx)
    qtbot.addWidget(page)
    page.load(ctx.services.sessions.get(sid))
    page.show()
    return page


def test_blockers_are_listed_and_the_form_is_disabled(
    qtbot: QtBot, ctx: AppContext, services: Services, physician: Actor
) -> None:
    sid = checked_in_session(services, physician, complete=False, weight=None)
    page = open_page(qtbot, replace(ctx, actor=physician), sid)
    assert not page.blockers.isHidden()
    assert "Check-in is not complete" in page.blockers.text()
    assert "weight" in page.blockers.text()
    assert not page.form.isEnabled()


def test_a_guide_sees_why_dosing_is_not_theirs(
    qtbot: QtBot, ctx: AppContext, services: Services, guide: Actor
) -> None:
    sid = checked_in_session(services, guide)
    page = open_page(qtbot, ctx, sid)
    assert "Only a physician" in page.blockers.text() and not page.form.isEnabled()


def test_dose_with_live_mg_per_kg_and_ceiling_warning_is_stored_as_t0(
    qtbot: QtBot, ctx: AppContext, services: Services, physician: Actor, clock: ManualClock
) -> None:
    sid = checked_in_session(services, physician)  # 70 kg
    page = open_page(qtbot, replace(ctx, actor=physician), sid)
    form = page.form
    assert form.isEnabled() and page.blockers.isHidden()
    assert form.by.currentData() == physician.id
    qtbot.keyClicks(form.dose_mg, "35")
    assert form.per_kg.text() == "= 0.50 mg/kg  (70 kg)" and form.warning.isHidden()
    form.dose_mg.clear()
    qtbot.keyClicks(form.dose_mg, "80")
    assert form.per_kg.text() == "= 1.14 mg/kg  (70 kg)"
    assert not form.warning.isHidden() and "above the protocol ceiling" in form.warning.text()
    assert form.dose_mg.property("flag") == "alarming"
    qtbot.keyClicks(form.lot, "KT-24117")
    clock.advance(30)
    qtbot.keyClick(form.lot, Qt.Key.Key_Return)

    session = services.sessions.get(sid)
    assert session.t0 == clock.now() and session.phase == Phase.MONITORING
    with services.db.transaction() as s:
        stored = s.scalars(select(Dose)).one()
        assert (stored.dose_mg, stored.mg_per_kg, stored.lot_number, stored.site) == (
            80.0,
            1.14,
            "KT-24117",
            "left deltoid",
        )
        assert stored.ceiling_warning is not None
    assert form.isHidden() and "T0 — first dose: 80 mg ketamine IM" in page.done.text()


def test_bad_dose_text_is_refused_at_the_field(
    qtbot: QtBot, ctx: AppContext, services: Services, physician: Actor
) -> None:
    sid = checked_in_session(services, physician)
    page = open_page(qtbot, replace(ctx, actor=physician), sid)
    form = page.form
    qtbot.keyClicks(form.dose_mg, "35mg")
    qtbot.keyClicks(form.lot, "L1")
    qtbot.mouseClick(form.confirm, Qt.MouseButton.LeftButton)
    message = form.findChild(QLabel, "dose_dose_mg_error")
    assert message is not None and not message.isHidden() and "500 mg" in message.text()
    form.dose_mg.clear()
    qtbot.keyClicks(form.dose_mg, "35")
    form.lot.clear()
    qtbot.mouseClick(form.confirm, Qt.MouseButton.LeftButton)
    lot_error = form.findChild(QLabel, "dose_lot_number_error")
    assert lot_error is not None and "required" in lot_error.text()
    assert services.sessions.get(sid).t0 is None
