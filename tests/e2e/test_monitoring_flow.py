"""Through the main window: dose, six checkpoints and observations; then a second app instance on
the same database file resumes the session with the right elapsed time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from companion.clock import ManualClock
from companion.roles import Actor
from companion.services import Services
from companion.storage.database import open_database
from companion.storage.models import Phase
from tests.conftest import FAST_HASHER
from tests.unit.services.test_dosing import checked_in_session
from ui.chime import RecordingChime
from ui.context import AppContext
from ui.dose_page import DosePage
from ui.main_window import MainWindow
from ui.monitoring_page import MonitoringPage

# (minutes after T0, systolic, diastolic, pulse, MOAA/S); pre-discharge last.
CHECKPOINTS = [
    ("t5", 5, 134, 84, 80, 5),
    ("t15", 15, 142, 88, 84, 4),
    ("t30", 30, 150, 92, 86, 4),
    ("t40", 40, 148, 90, 84, 4),
    ("t60", 60, 136, 84, 78, 5),
    ("pre_discharge", 75, 128, 80, 74, 5),
]


def window_for(qtbot: QtBot, ctx: AppContext) -> tuple[MainWindow, MonitoringPage]:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    monitoring = window.session.pages[Phase.MONITORING]
    assert isinstance(monitoring, MonitoringPage)
    monitoring.chime = RecordingChime()
    window.refresh()
    window.show()
    return window, monitoring


def test_dose_six_checkpoints_observations_then_a_second_instance_resumes(
    qtbot: QtBot,
    services: Services,
    physician: Actor,
    clock: ManualClock,
    data_dir: Path,
) -> None:
    sid = checked_in_session(services, physician)
    ctx = AppContext(services=services, clock=clock, data_dir=data_dir, actor=physician)
    window, monitoring = window_for(qtbot, ctx)
    window.open_session(sid)
    dose_page = window.session.stack.currentWidget()
    assert isinstance(dose_page, DosePage)
    clock.advance(120)
    qtbot.keyClicks(dose_page.form.dose_mg, "35")
    qtbot.keyClicks(dose_page.form.lot, "KT24117")
    qtbot.mouseClick(dose_page.form.confirm, Qt.MouseButton.LeftButton)
    t0 = clock.now()
    assert window.session.stack.currentWidget() is monitoring
    assert window.session.session is not None and window.session.session.phase == Phase.MONITORING

    form = monitoring.form
    for key, minute, sys_, dia, pulse, moaas in CHECKPOINTS:
        clock.set(t0 + timedelta(minutes=minute))
        monitoring.tick()
        assert form.current_key() == key
        for name, value in (("systolic", sys_), ("diastolic", dia), ("pulse", pulse)):
            edit = form.findChild(QLineEdit, f"vitals_{name}")
            assert edit is not None
            qtbot.keyClicks(edit, str(value))
        form.moaas.setCurrentIndex(form.moaas.findData(moaas))
        qtbot.keyClick(form.note, Qt.Key.Key_Return)
        assert monitoring.clock_panel.chips[key].state == "done"
        if minute == 15:
            monitoring.tabs.setCurrentIndex(1)
            tag = monitoring.findChild(QPushButton, "obs_tag_verbal_processing")
            assert tag is not None
            qtbot.mouseClick(tag, Qt.MouseButton.LeftButton)
            qtbot.keyClicks(monitoring.obs_text, "Asked for the music to be softer")
            qtbot.keyClick(monitoring.obs_text, Qt.Key.Key_Return)
            monitoring.tabs.setCurrentIndex(0)

    state = services.monitoring.monitoring_state(sid)
    assert [c.key for c in state.checkpoints] == [c[0] for c in CHECKPOINTS]
    assert [r.values.systolic for r in state.readings] == [c[2] for c in CHECKPOINTS]
    assert [o.minutes_since_t0 for o in state.observations] == [15.0, 15.0]
    assert monitoring.clock_panel.next_label.text() == "All checkpoints recorded"
    assert monitoring.plot.series_data("systolic")[1] == [float(c[2]) for c in CHECKPOINTS]
    assert monitoring.finish.isEnabled()
    window.close()
    services.db.close()

    # A second instance (e.g. after a crash): new database handle, new services, same file.
    later = ManualClock(t0 + timedelta(minutes=83, seconds=20))
    db2 = open_database(data_dir, later.now())
    try:
        services2 = Services.create(db2, later, hasher=FAST_HASHER)
        ctx2 = AppContext(services=services2, clock=later, data_dir=data_dir, actor=physician)
        window2, monitoring2 = window_for(qtbot, ctx2)
        [unfinished] = services2.sessions.unfinished()
        assert unfinished.id == sid and unfinished.t0 == t0
        window2.open_session(sid)
        assert window2.session.stack.currentWidget() is monitoring2
        assert monitoring2.clock_panel.elapsed.text() == "1:23:20"
        assert window2.session.clock_label.text() == "1:23:20"
        assert [c.state for c in monitoring2.clock_panel.chips.values()] == ["done"] * 6
        assert monitoring2.plot.series_data("pulse")[1] == [float(c[4]) for c in CHECKPOINTS]
        window2.close()
    finally:
        db2.close()
