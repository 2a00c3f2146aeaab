"""The monitoring page after many entries shows exactly what is stored; the plot is drawn a pass
after each entry (and when a hidden page is shown again); pyqtgraph is preloaded in the background
and the plot built ahead, before the dose, through the session screen's tick."""

from __future__ import annotations

import sys
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from companion.clock import ManualClock
from companion.roles import Actor
from companion.services import Services
from companion.services.monitoring import MonitoringState, minutes_since
from companion.storage.models import Phase
from tests.unit.services.test_dosing import checked_in_session, dose
from ui.chime import RecordingChime
from ui.context import AppContext
from ui.dose_page import DosePage
from ui.main_window import MainWindow
from ui.monitoring_page import MonitoringPage
from ui.monitoring_plot_parts import SERIES
from ui.widgets.checkpoint_form import EXTRA, CheckpointForm


def open_page(qtbot: QtBot, ctx: AppContext, sid: int) -> MonitoringPage:
    page = MonitoringPage(ctx)
    qtbot.addWidget(page)
    page.chime = RecordingChime()
    page.resize(1280, 700)
    page.load(ctx.services.sessions.get(sid))
    page.show()
    return page


def enter(qtbot: QtBot, form: CheckpointForm, systolic: int, diastolic: int, pulse: int) -> None:
    for name, value in (("systolic", systolic), ("diastolic", diastolic), ("pulse", pulse)):
        edit = form.findChild(QLineEdit, f"vitals_{name}")
        assert edit is not None
        edit.clear()
        qtbot.keyClicks(edit, str(value))
    if form.current_key() != EXTRA:
        form.moaas.setCurrentIndex(form.moaas.findData(4))
    qtbot.mouseClick(form.save, Qt.MouseButton.LeftButton)


def drawn(page: MonitoringPage, key: str) -> tuple[list[float], list[float]]:
    """What the curve holds now, without drawing a pending state first (unlike series_data)."""
    xs, ys = page.plot.curves[key].getData()
    return ([] if xs is None else [float(x) for x in xs]), (
        [] if ys is None else [float(y) for y in ys]
    )


def assert_shows(page: MonitoringPage, state: MonitoringState) -> None:
    assert state.t0 is not None
    assert page.state == state
    for s in SERIES:
        stored = [
            (minutes_since(state.t0, r.measured_at), float(v))
            for r in state.readings
            if (v := r.values.get(s.key)) is not None
        ]
        assert drawn(page, s.key) == ([x for x, _ in stored], [y for _, y in stored])
    assert set(page.alerts.cards) == {a.id for a in state.alerts}
    assert page.alerts_area.isHidden() == (not state.alerts)
    for c in state.checkpoints:
        assert page.clock_panel.chips[c.key].state == c.status
    listed = [page.observations.obs_list.item(i).text() for i in range(len(state.observations))]
    assert page.observations.obs_list.count() == len(state.observations)
    assert [t.split("   ", 1)[1] for t in listed] == [o.label for o in reversed(state.observations)]


def test_after_many_entries_the_page_shows_exactly_what_is_stored(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, services: Services, physician: Actor
) -> None:
    sid = checked_in_session(services, physician)
    dose(services, physician, sid)
    page = open_page(qtbot, ctx, sid)
    form = page.form
    t0 = clock.now()
    # Between checkpoints an extra reading, which raises alerts.
    entries = [("t5", 5, 134, 84, 80), ("t15", 15, 142, 88, 84), (EXTRA, 22, 186, 104, 90)]
    for key, minute, sys_, dia, pulse in [*entries, ("t30", 30, 150, 92, 86)]:
        clock.set(t0 + timedelta(minutes=minute))
        page.tick()
        form.select(key)
        enter(qtbot, form, sys_, dia, pulse)
        qtbot.waitUntil(lambda: page.plot.up_to_date)  # drawn on a later pass of the loop
        assert_shows(page, services.monitoring.monitoring_state(sid))
    page.tabs.setCurrentIndex(1)
    tag = page.findChild(QPushButton, "obs_tag_nausea")
    assert tag is not None
    qtbot.mouseClick(tag, Qt.MouseButton.LeftButton)
    urgent = next(i for i, c in page.alerts.cards.items() if c.alert.code == "bp_urgent")
    card = page.alerts.cards[urgent]
    qtbot.keyClicks(card.note, "re-checked, physician informed")
    qtbot.mouseClick(card.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.plot.up_to_date)

    state = services.monitoring.monitoring_state(sid)
    assert [c.key for c in state.checkpoints] == ["t5", "t15", "t30"]
    assert [r.values.systolic for r in state.readings] == [134, 142, 186, 150]
    assert urgent not in {a.id for a in state.alerts} and len(state.observations) == 1
    assert_shows(page, state)
    assert page.plot.series_data("systolic")[1] == [134.0, 142.0, 186.0, 150.0]
    items = page.plot.plots["bp"].childGroup.childItems()
    vertical = [i.value() for i in items if getattr(i, "angle", None) == 90]
    assert sorted(vertical) == [0.0, 30.0]  # the dose at T0 and the observation, once each


def test_the_top_up_form_is_read_when_its_tab_is_shown_and_after_a_top_up(
    qtbot: QtBot, ctx: AppContext, services: Services, physician: Actor
) -> None:
    ctx.actor = physician
    sid = checked_in_session(services, physician)
    dose(services, physician, sid)
    page = open_page(qtbot, ctx, sid)
    assert page.top_up.by.count() == 0  # not read while its tab is not on screen
    page.tabs.setCurrentWidget(page._top_up_tab)
    assert page.top_up.by.currentData() == physician.id
    qtbot.keyClicks(page.top_up.dose_mg, "15")
    qtbot.keyClicks(page.top_up.lot, "KT24117")
    qtbot.mouseClick(page.top_up.confirm, Qt.MouseButton.LeftButton)
    doses = services.monitoring.monitoring_state(sid).doses
    assert [(d.kind, d.dose_mg) for d in doses] == [("initial", 35.0), ("top-up", 15.0)]
    assert "15" in page.doses_label.text().splitlines()[1]


def test_a_hidden_plot_draws_the_stored_state_when_shown_again(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, services: Services, physician: Actor
) -> None:
    sid = checked_in_session(services, physician)
    dose(services, physician, sid)
    page = open_page(qtbot, ctx, sid)
    qtbot.waitUntil(lambda: page.plot.up_to_date)
    assert drawn(page, "pulse") == ([], [])
    clock.advance(5 * 60)
    page.form.select(EXTRA)
    enter(qtbot, page.form, 130, 80, 77)
    page.hide()  # the update is pending while hidden: no timer runs for a hidden plot
    assert not page.plot.up_to_date and drawn(page, "pulse") == ([], [])
    page.show()
    qtbot.waitUntil(lambda: page.plot.up_to_date)
    assert drawn(page, "pulse") == ([5.0], [77.0])


def test_pyqtgraph_is_preloaded_and_the_plot_built_before_the_dose(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, services: Services, physician: Actor
) -> None:
    ctx.actor = physician
    sid = checked_in_session(services, physician)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.refresh()
    window.show()
    window.open_session(sid)
    dose_page = window.session.stack.currentWidget()
    monitoring = window.session.pages[Phase.MONITORING]
    assert isinstance(dose_page, DosePage) and isinstance(monitoring, MonitoringPage)
    monitoring.chime = RecordingChime()
    qtbot.waitUntil(monitoring.pyqtgraph_ready.done, timeout=30_000)
    assert monitoring.pyqtgraph_ready.exception() is None and "pyqtgraph" in sys.modules
    assert not monitoring.plot.built
    for _ in range(30):  # what the session screen's clock tick does, a small piece each time
        window.session.prepare_ahead()
    assert monitoring.plot.built
    assert monitoring.plot.graphics.isHidden()  # nothing to plot against before T0

    clock.advance(60)
    qtbot.keyClicks(dose_page.form.dose_mg, "35")
    qtbot.keyClicks(dose_page.form.lot, "KT24117")
    qtbot.mouseClick(dose_page.form.confirm, Qt.MouseButton.LeftButton)
    assert window.session.stack.currentWidget() is monitoring
    assert monitoring.plot.placeholder.isHidden()  # no "starts with the dose" once dosed
    qtbot.waitUntil(lambda: monitoring.plot.graphics.isVisible())
    assert monitoring.plot.up_to_date
    items = monitoring.plot.plots["bp"].childGroup.childItems()
    assert [i.value() for i in items if getattr(i, "angle", None) == 90] == [0.0]  # made ahead
    assert services.sessions.get(sid).t0 == clock.now()


def test_another_session_without_a_dose_never_shows_the_previous_curves(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, services: Services, physician: Actor
) -> None:
    first = checked_in_session(services, physician)
    dose(services, physician, first)
    page = open_page(qtbot, ctx, first)
    clock.advance(5 * 60)
    page.form.select(EXTRA)
    enter(qtbot, page.form, 130, 80, 77)
    qtbot.waitUntil(lambda: page.plot.up_to_date)
    assert page.plot.graphics.isVisible() and drawn(page, "pulse") == ([5.0], [77.0])
    second = checked_in_session(services, physician, chart="KC-2")
    page.load(services.sessions.get(second))
    assert page.plot.graphics.isHidden() and page.plot.placeholder.isVisible()
    assert "record it on the Dose page" in page.notice.text()


def test_a_theme_switch_redraws_the_plot_in_the_new_colours_with_the_same_data(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, services: Services, physician: Actor
) -> None:
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QApplication

    from ui.theme import THEMES, apply_theme

    sid = checked_in_session(services, physician)
    dose(services, physician, sid)
    page = open_page(qtbot, ctx, sid)
    clock.advance(5 * 60)
    page.form.select(EXTRA)
    enter(qtbot, page.form, 130, 80, 77)
    qtbot.waitUntil(lambda: page.plot.up_to_date)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        apply_theme(app, "light")  # e.g. the lights go up after the session
        qtbot.waitUntil(
            lambda: page.plot.curves["pulse"].opts["pen"].color() == QColor(THEMES["light"].accent)
        )
        assert drawn(page, "pulse") == ([5.0], [77.0])
        assert page.plot.graphics.backgroundBrush().color() == QColor(THEMES["light"].base)
    finally:
        apply_theme(app, "dim")
