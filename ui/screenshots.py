"""`python main.py screenshots --out DIR`: every main screen, with demo data, rendered offscreen.

Later features register their screens in SCREENSHOTS. Each entry sets the window up and returns
the widget to grab; the data, the clock and the window size are fixed so images are reproducible.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from companion.clock import Clock, ManualClock

SHOT_TIME = datetime(2026, 11, 18, 9, 25, tzinfo=UTC)
SHOT_SIZE = (1280, 800)


def _today(window: object) -> object:
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.show_screen("today")
    return window


def _session(window: object) -> object:
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.show_screen("today")
    rows = window.today.sessions_model
    first = rows.row_at(0)
    assert first is not None
    window.open_session(first.id)
    return window


def _check_in(window: object) -> object:
    """Jonas Lindqvist's demo session (seeded at check-in, empty), filled in by the guide through
    the check-in service: baseline BP above the gate, so the physician sees the acknowledgement."""
    from datetime import timedelta

    from companion.clinical.plausibility import VitalsValues
    from companion.roles import Actor
    from companion.storage.models import Phase, Role
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    services = window.ctx.services
    row = next(r for r in services.sessions.unfinished() if r.patient_name == "Jonas Lindqvist")
    if row.phase == Phase.CHECK_IN:
        g = next(s for s in services.staff.list_staff() if s.role == Role.GUIDE)
        guide, sid, now = Actor(g.id, g.role, g.display_name), row.id, services.clock.now()
        checkin = services.checkin
        checkin.save_checklist(
            guide, sid, last_food_at=now - timedelta(hours=2, minutes=50),
            last_drink_at=now - timedelta(minutes=25), driver_name="Ingrid Lindqvist",
            driver_phone="+46 70 412 33 90", medication_changes_reviewed=True,
            medication_flags=["lamotrigine"], medication_notes="Lamotrigine 100 mg, unchanged",
            consent_on_file=True, touch_consent=True, no_substances_today=True,
        )  # fmt: skip
        values = VitalsValues(systolic=146, diastolic=88, pulse=78, spo2=98, respiration=14,
                              temperature_c=36.8, weight_kg=81.4)  # fmt: skip
        checkin.record_baseline(guide, sid, values, now - timedelta(minutes=6))
        checkin.record_ratings(guide, sid, mood=3, anxiety=6,
                               intention="To feel less alone with what happened last winter.")  # fmt: skip
        scale = checkin.state(sid).scale_id
        items = {"phq9": [2, 2, 1, 2, 1, 2, 1, 0, 0], "gad7": [2, 2, 1, 2, 1, 1, 1]}
        checkin.record_scale(guide, sid, scale, items.get(scale, [2, 1] * 10))
    window.open_session(row.id)
    window.session.show_phase(Phase.CHECK_IN)
    return window


def _history(window: object) -> object:
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.show_screen("history")
    window.history.show_lists()
    window.history.tabs.setCurrentIndex(0)
    return window


def _session_record(window: object) -> object:
    from companion.storage.models import SessionStatus
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.show_screen("history")
    history = window.history
    closed = next(
        r
        for r in (history.model.row_at(i) for i in range(history.model.rowCount()))
        if r is not None and r.status == SessionStatus.COMPLETED
    )
    history.open_session_id(closed.id)
    history.record_view.tabs.setCurrentIndex(1)  # the vitals plot and table
    return window


def _patient_course(window: object) -> object:
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.show_screen("history")
    history = window.history
    history.tabs.setCurrentIndex(1)
    rows = [history.patients_model.row_at(i) for i in range(history.patients_model.rowCount())]
    richest = max((r for r in rows if r is not None), key=lambda r: r.sessions_done)
    history.open_patient_row(rows.index(richest))
    return window


def _aside(window: object, widget: object, size: tuple[int, int] = SHOT_SIZE) -> object:
    """Show `widget` as its own window owned by `window` (deleted with it), leaving the main
    window's state (actor, screen, lock) untouched for the entries that follow."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QWidget

    assert isinstance(window, QWidget) and isinstance(widget, QWidget)
    widget.setParent(window, Qt.WindowType.Window)
    widget.resize(*size)
    widget.show()
    return widget


def _as_admin(window: object) -> object:
    from dataclasses import replace

    from companion.roles import Actor
    from companion.storage.models import Role
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    staff = window.ctx.services.staff.list_staff()
    admin = next(s for s in staff if s.role == Role.ADMIN)
    return replace(window.ctx, actor=Actor(admin.id, admin.role, admin.display_name))


def _admin(window: object, tab: int) -> object:
    from ui.admin import AdminScreen
    from ui.context import AppContext

    ctx = _as_admin(window)
    assert isinstance(ctx, AppContext) and ctx.actor is not None
    if tab == 1:  # a few real events, so the trail is not empty
        services = ctx.services
        services.audit_log.record_view(ctx.actor, services.sessions.all_sessions()[0].id)
        services.staff.record_lock(ctx.actor, "manual")
    screen = AdminScreen(ctx)
    screen.tabs.setCurrentIndex(tab)
    screen.refresh()
    screen.staff.view.selectRow(1)
    return _aside(window, screen)


def _staff_admin(window: object) -> object:
    return _admin(window, 0)


def _audit(window: object) -> object:
    return _admin(window, 1)


def _sign_in(window: object) -> object:
    from companion.demo_accounts import demo_sign_in_hint
    from ui.main_window import MainWindow
    from ui.sign_in import SignInDialog

    assert isinstance(window, MainWindow)
    dialog = SignInDialog(window.ctx.services, demo_sign_in_hint())
    dialog.username.setText("sam.rivera")
    return _aside(window, dialog, (520, 320))


def _lock(window: object) -> object:
    from ui.lock_screen import LockScreen
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    screen = LockScreen(window.ctx)
    screen.refresh()
    return _aside(window, screen)


class _RunClock:
    """The shot's clock, with the meditation's monotonic time moved on by `offset` seconds, so a
    run can be shown mid-way without moving the wall clock every later shot is taken at."""

    def __init__(self, clock: Clock) -> None:
        self._clock, self.offset = clock, 0.0

    def now(self) -> datetime:
        return self._clock.now()

    def monotonic(self) -> float:
        return self._clock.monotonic() + self.offset


def _centering(window: object, running: bool) -> object:
    """Zoë Dubois's demo session (seeded in centering), with the fake speech engine and a silent
    recording speaker so the shot is quick and the same every time."""
    from dataclasses import replace

    from audio.fakes import FakeSpeaker, FakeSpeechRenderer
    from companion.storage.models import Phase
    from ui.centering_page import CenteringPage
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    services = window.ctx.services
    row = next(r for r in services.sessions.unfinished() if r.patient_name == "Zoë Dubois")
    page = window.session.pages[Phase.CENTERING]
    assert isinstance(page, CenteringPage) and row.phase == Phase.CENTERING
    clock = _RunClock(window.ctx.clock)
    page.ctx = replace(window.ctx, clock=clock)
    page.speaker = FakeSpeaker()
    page.setup.renderer_factory = lambda cache, voice, rate: FakeSpeechRenderer(cache, voice, rate)
    window.open_session(row.id)
    page.setup.finish_background_work()
    if running:
        page.start()
        assert page.run is not None
        cue = next(c for c in page.run.timeline.cues if c.kind == "speech" and c.start_s > 90)
        clock.offset = cue.start_s + 1.2
        page.tick()
    _settle()
    return window


def _centering_setup(window: object) -> object:
    return _centering(window, running=False)


def _centering_running(window: object) -> object:
    return _centering(window, running=True)


def _zoe_in_progress(window: object) -> int:
    """Zoë Dubois's demo session (seeded in centering), checked in 70 minutes before the shot."""
    from datetime import timedelta

    from companion.clinical.plausibility import VitalsValues
    from companion.services.vitals import add_reading
    from companion.storage.models import CheckIn, Phase, TreatmentSession
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    services, actor = window.ctx.services, window.ctx.require_actor()
    row = next(r for r in services.sessions.unfinished() if r.patient_name == "Zoë Dubois")
    if row.phase != Phase.CENTERING:
        return row.id
    now = services.clock.now()
    with services.db.transaction() as s:
        ts = s.get_one(TreatmentSession, row.id)
        ts.started_at, ts.phase = now - timedelta(minutes=70), Phase.DOSE
        s.add(
            CheckIn(
                session_id=row.id,
                consent_on_file=True,
                no_substances_today=True,
                medication_changes_reviewed=True,
                driver_name="Luc Dubois",
                completed_at=now - timedelta(minutes=55),
                recorded_at=now,
                recorded_by_id=actor.id,
            )
        )
        base = VitalsValues(
            systolic=126,
            diastolic=80,
            pulse=74,
            spo2=98,
            respiration=14,
            temperature_c=36.7,
            weight_kg=68.4,
        )
        add_reading(
            s,
            actor=actor,
            now=now,
            session_id=row.id,
            values=base,
            measured_at=now - timedelta(minutes=62),
            context="baseline",
            session_started_at=ts.started_at,
        )
    return row.id


def _dose(window: object) -> object:
    from companion.storage.models import Phase
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.open_session(_zoe_in_progress(window))
    page = window.session.pages[Phase.DOSE]
    window.session.show_phase(Phase.DOSE)
    form = page.form  # type: ignore[attr-defined]
    form.dose_mg.setText("34")
    form.lot.setText("KT24117")
    return window


def _monitoring(window: object) -> object:
    from datetime import timedelta

    from companion.clinical.plausibility import VitalsValues
    from companion.storage.models import Phase, Role
    from ui.chime import RecordingChime
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    sid = _zoe_in_progress(window)
    services, physician = window.ctx.services, window.ctx.require_actor()
    guide = next(s for s in services.staff.list_staff() if s.role == Role.GUIDE)
    from companion.roles import Actor

    by = Actor(guide.id, guide.role, guide.display_name)
    now = services.clock.now()
    t0 = now - timedelta(minutes=43)
    services.dosing.record_dose(
        physician, sid, "ketamine", 34, "IM", "left deltoid", "KT24117", t0, physician.id
    )
    vitals = {5: (130, 82, 78, 98, 14), 15: (141, 88, 84, 97, 15), 30: (152, 94, 88, 97, 15)}
    for minute, (sys_, dia, pulse, spo2, rr) in vitals.items():
        values = VitalsValues(systolic=sys_, diastolic=dia, pulse=pulse, spo2=spo2, respiration=rr)
        services.monitoring.record_checkpoint(
            by,
            sid,
            f"t{minute}",
            values,
            t0 + timedelta(minutes=minute),
            5 if minute == 5 else 4,
            [1, 2, 1, 2, 0, 1] if minute == 30 else None,
            0,
            2,
            "",
        )
    for minute, tag, text in (
        (8, "eye mask off", None),
        (21, "verbal processing", None),
        (33, "nausea", "mild, settled with ginger"),
    ):
        services.monitoring.add_observation(by, sid, tag, text, t0 + timedelta(minutes=minute))
    high = VitalsValues(systolic=184, diastolic=104, pulse=96, spo2=96, respiration=16)
    services.monitoring.record_extra_reading(by, sid, high, t0 + timedelta(minutes=38))
    page = window.session.pages[Phase.MONITORING]
    page.chime = RecordingChime()  # type: ignore[attr-defined]
    window.open_session(sid)
    return window


def _recovering(window: object) -> int:
    """Priya Raman, dosed 96 min before the shot with checkpoints and observations (ORM: the
    earlier phases are other screens' work), now at discharge."""
    from datetime import timedelta

    from companion.storage.models import (
        CenteringRecord,
        CheckIn,
        Checkpoint,
        Dose,
        Observation,
        Phase,
        Role,
        SessionStatus,
        TreatmentSession,
        VitalsReading,
    )
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    services = window.ctx.services
    patient = services.patients.find("Raman")[0]
    open_ = [r for r in services.sessions.unfinished() if r.patient_id == patient.id]
    if open_:
        return open_[0].id
    staff = {s.role: s for s in services.staff.list_staff()}
    guide, doctor = staff[Role.GUIDE].id, staff[Role.PHYSICIAN].id
    now = services.clock.now()
    t0 = now - timedelta(minutes=96)
    rec = {"recorded_at": t0, "recorded_by_id": guide}
    with services.db.transaction() as s:
        number = 1 + sum(1 for x in services.sessions.for_patient(patient.id))
        ts = TreatmentSession(
            patient_id=patient.id, number_in_course=number, status=SessionStatus.IN_PROGRESS,
            phase=Phase.DISCHARGE, started_at=t0 - timedelta(minutes=45), started_by_id=guide,
            guide_id=guide, physician_id=doctor, t0=t0,
        )  # fmt: skip
        s.add(ts)
        s.flush()
        s.add(CheckIn(session_id=ts.id, driver_name="Arjun Raman", driver_phone="+1 555 0142",
                      intention="To feel safe in my body again.", **rec))  # fmt: skip
        s.add(CenteringRecord(session_id=ts.id, mode="guided", script_id="body_scan",
                              planned_s=600.0, actual_s=571.0, completed=True,
                              started_at=t0 - timedelta(minutes=22), guide_id=guide, **rec))  # fmt: skip
        s.add(Dose(session_id=ts.id, kind="initial", drug="ketamine", dose_mg=40.0, weight_kg=61.2,
                   mg_per_kg=0.65, route="IM", site="right deltoid", lot_number="KT24117",
                   administered_at=t0, administered_by_id=doctor, **rec))  # fmt: skip
        readings = [("baseline", -30, 122, 78, 70), ("checkpoint", 5, 131, 83, 77),
                    ("checkpoint", 15, 139, 87, 82), ("checkpoint", 30, 146, 90, 86),
                    ("checkpoint", 40, 149, 91, 84), ("checkpoint", 60, 136, 85, 78),
                    ("discharge", 94, 127, 80, 74)]  # fmt: skip
        for context, minute, sys_, dia, pulse in readings:
            at = t0 + timedelta(minutes=minute)
            cp_id = None
            if context == "checkpoint":
                cp = Checkpoint(session_id=ts.id, key=f"t{minute}", offset_min=float(minute),
                                status="done", moaas=5 if minute in (5, 60) else 4,
                                cadss_total={30: 9, 40: 6, 60: 1}.get(minute),
                                nausea=2 if minute == 30 else 0, distress=1, measured_at=at, **rec)  # fmt: skip
                s.add(cp)
                s.flush()
                cp_id = cp.id
            s.add(VitalsReading(session_id=ts.id, checkpoint_id=cp_id, context=context,
                                systolic=sys_, diastolic=dia, pulse=pulse, spo2=97, respiration=14,
                                measured_at=at, flags=[], **rec))  # fmt: skip
        for minute, tag, text, adverse in [
            (9, "eye mask off", None, False), (24, "tearful", "grief about her father", False),
            (31, "vomiting", "once; settled with ondansetron 4 mg", True),
        ]:  # fmt: skip
            s.add(Observation(session_id=ts.id, tag=tag, text=text, adverse_event=adverse,
                              observed_at=t0 + timedelta(minutes=minute), **rec))  # fmt: skip
        return ts.id


def _discharge(window: object) -> object:
    from companion.storage.models import Phase
    from ui.discharge_page import DischargePage
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.open_session(_recovering(window))
    page = window.session.pages[Phase.DISCHARGE]
    assert isinstance(page, DischargePage)
    for key, value in {"padss_activity": 2, "padss_nausea": 2, "padss_pain": 1}.items():
        page.combos[key].setCurrentIndex(page.combos[key].findData(value))
    for key in ("dissociation_resolved", "steady_gait", "nausea_controlled", "driver_present"):
        page.checks[key].setChecked(True)
    _settle()
    return window


def _note(window: object) -> object:
    from companion.roles import Actor
    from companion.services.discharge import AssessmentEntry
    from companion.storage.models import Role
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    services, sid = window.ctx.services, _recovering(window)
    g = next(s for s in services.staff.list_staff() if s.role == Role.GUIDE)
    guide = Actor(g.id, g.role, g.display_name)
    if services.notes.peek(sid) is None:
        entry = AssessmentEntry(5, 2, 2, 1, True, True, True, True, "Arjun Raman", True)
        services.discharge.assess(guide, sid, entry)
        services.discharge.discharge(guide, sid)
        services.notes.draft(guide, sid)
        services.notes.save_draft(guide, sid, {
            "experience": "Felt held by the music; a long stretch of quiet with her father's "
            "voice, then warmth spreading through the chest.",
            "themes": ["grief", "body", "connection"], "intensity": 7,
            "tone": "tender, then peaceful", "mood_post": 6, "anxiety_post": 3,
            "challenges": "Nausea at about 30 min; reassured, ondansetron given, settled.",
        })  # fmt: skip
    window.open_session(sid)
    _settle()
    return window


def _settle() -> None:
    """Let nested layouts (scroll areas re-sizing to new content) finish before the grab."""
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.processEvents()


SCREENSHOTS: list[tuple[str, Callable[[object], object]]] = [
    ("today", _today),
    ("session", _session),
    ("check_in", _check_in),
    ("history", _history),
    ("session_record", _session_record),
    ("patient_course", _patient_course),
    ("staff_admin", _staff_admin),
    ("audit", _audit),
    ("sign_in", _sign_in),
    ("lock", _lock),
    ("centering_setup", _centering_setup),
    ("centering_running", _centering_running),
    ("dose", _dose),
    ("monitoring", _monitoring),
    ("discharge", _discharge),
    ("note", _note),
]


def write_screenshots(out: Path, theme: str = "dim") -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QWidget

    from companion.app_setup import open_services
    from companion.roles import Actor
    from companion.storage.models import Role
    from ui.context import AppContext
    from ui.main_window import MainWindow
    from ui.theme import apply_theme

    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    apply_theme(app, theme)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="companion-shots-") as tmp:
        clock = ManualClock(SHOT_TIME)
        services = open_services(Path(tmp), demo=True, clock=clock)
        try:
            physician = next(s for s in services.staff.list_staff() if s.role == Role.PHYSICIAN)
            ctx = AppContext(services=services, clock=clock, data_dir=Path(tmp), demo=True)
            ctx.actor = Actor(physician.id, physician.role, physician.display_name)
            window = MainWindow(ctx)
            window.resize(*SHOT_SIZE)
            window.refresh()
            window.show()
            for name, prepare in SCREENSHOTS:
                target = prepare(window)
                assert isinstance(target, QWidget)
                app.processEvents()
                path = out / f"{name}.png"
                if not target.grab().save(str(path)):
                    raise OSError(f"could not write {path}")
                written.append(path)
            window.close()
            window.deleteLater()
            app.processEvents()
        finally:
            services.db.close()
    return written
