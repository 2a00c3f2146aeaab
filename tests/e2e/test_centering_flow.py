"""Through the main window: a session past check-in runs a 5-minute centering with the fake speech
engine and speaker to its end, continues to dose, and the database holds the record."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from audio.fakes import FakeSpeaker, FakeSpeechRenderer
from companion.clock import ManualClock
from companion.roles import Actor
from companion.services import Services
from companion.storage.models import AuditEvent, CenteringRecord, Phase
from tests.unit.services.test_centering import centering_session
from ui.centering_page import CenteringPage
from ui.context import AppContext
from ui.dose_page import DosePage
from ui.main_window import MainWindow


def test_a_five_minute_centering_to_the_end_then_on_to_dose(
    qtbot: QtBot, services: Services, guide: Actor, clock: ManualClock, data_dir: Path
) -> None:
    sid = centering_session(services, guide)
    ctx = AppContext(services=services, clock=clock, data_dir=data_dir, actor=guide)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    page = window.session.pages[Phase.CENTERING]
    assert isinstance(page, CenteringPage)
    speaker = FakeSpeaker()
    page.speaker = speaker
    page.setup.renderer_factory = lambda cache, voice, rate: FakeSpeechRenderer(cache, voice, rate)
    window.refresh()
    window.show()
    window.open_session(sid)
    assert window.session.stack.currentWidget() is page
    page.setup.finish_background_work()

    def click(name: str) -> None:
        button = page.findChild(QPushButton, name)
        assert button is not None and button.isEnabled(), name
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    click("centering_len_5")
    clock.advance(20)  # the guide settles the patient before pressing Start
    started = clock.now()
    click("centering_start")
    assert page.run is not None
    captions: list[str] = []
    for _ in range(300 * 4):  # the timer's job, at 4 ticks a second of clock time
        clock.advance(0.25)
        page.tick()
        text = page.run_panel.caption.text()
        if text and (not captions or captions[-1] != text):
            captions.append(text)
        if not page.live:
            break
    assert not page.live and clock.now() - started == timedelta(minutes=5)
    spoken = [c.text for c in page.run.timeline.cues if c.kind == "speech"]
    assert captions == spoken  # every line was shown while it was said
    assert speaker.names().count("play_voice") == len(spoken)
    assert "completed" in page.summary.text()

    click("centering_continue")
    assert isinstance(window.session.stack.currentWidget(), DosePage)
    assert services.sessions.get(sid).phase == Phase.DOSE
    assert window.session.steps[Phase.CENTERING].property("state") == "done"
    with services.db.transaction() as s:
        [rec] = s.scalars(select(CenteringRecord)).all()
        assert (rec.session_id, rec.mode, rec.script_id, rec.voice, rec.rate) == (
            sid, "guided", "grounding_ptsd", "fake/en", 150,
        )  # fmt: skip
        assert (rec.planned_s, rec.actual_s, rec.pauses) == (300.0, 300.0, [])
        assert (rec.completed, rec.ended_early, rec.guide_id) == (True, False, guide.id)
        assert (rec.started_at, rec.ended_at) == (started, clock.now())
        trail = [
            (e.action, e.entity)
            for e in s.scalars(select(AuditEvent).where(AuditEvent.session_id == sid))
        ]
        assert trail[-3:] == [("start", "centering"), ("finish", "centering"), ("phase", "session")]
    window.close()
