"""Resident memory after a full scripted session, against a bare PySide6 window process.

In one child process with a ManualClock, the main window follows a whole session: check-in (the
page shown, entries through the check-in service), a short guided centering run through the
centering page (real speech cache, silent AudioPlayer, the clock advanced second by second),
the dose, six checkpoints confirmed through the monitoring form (plot updates), discharge, the
note drafted and signed, then the History screen and the session's record. RSS is read (psutil)
after a garbage collection. The floor is the bare window's RSS from the start-up runs.
"""

from __future__ import annotations

import gc
import json
from datetime import timedelta
from pathlib import Path

from bench.common import OUT, Figure, Spread, run_child

RUNS = 3


def child(args: list[str]) -> None:
    import psutil  # type: ignore[import-untyped]

    from bench.qt import open_app, pump, pump_until
    from bench.scripted import (
        CHECKPOINT_MIN,
        CHECKPOINTS,
        checked_in,
        checkpoint_values,
        discharge_and_sign,
    )
    from companion.clock import ManualClock
    from companion.storage.models import Phase
    from ui.centering_page import CenteringPage
    from ui.chime import RecordingChime
    from ui.monitoring_page import MonitoringPage
    from ui.widgets.checkpoint_form import CheckpointEntry

    work = Path(args[0])
    clock = ManualClock()
    a = open_app(work, clock)
    a.ctx.actor = a.team.guide
    s, w = a.services, a.window
    sid = checked_in(s, a.team, "M-1")
    w.open_session(sid)
    pump()
    centering = w.session.pages[Phase.CENTERING]
    assert isinstance(centering, CenteringPage)
    centering.setup.warmup.setCurrentIndex(0)
    centering.setup.finish_background_work(120)
    pump_until(centering.start_button.isEnabled, 60)
    for minutes in ("5", "10", "15"):  # the shortest preset the script can fill
        centering.setup.set_minutes(minutes)
        if pump_until(centering.start_button.isEnabled, 5):
            break
    centering.start_button.click()
    assert centering.live, "the centering run did not start"
    for _ in range(20 * 60):
        clock.advance(1)
        centering.tick()
        if not centering.live:
            break
        pump()
    centering.continue_button.click()
    pump()
    a.ctx.actor = a.team.physician
    s.dosing.record_dose(a.team.physician, sid, "ketamine", 50.0, "IM", "left deltoid",
                         "KT24117", clock.now(), a.team.physician.id)  # fmt: skip
    t0 = clock.now()
    w.open_session(sid)
    monitoring = w.session.pages[Phase.MONITORING]
    assert isinstance(monitoring, MonitoringPage)
    monitoring.chime = RecordingChime()
    for key in CHECKPOINTS:
        minute = CHECKPOINT_MIN[key]
        clock.set(t0 + timedelta(minutes=minute, seconds=20))
        monitoring.tick()
        monitoring.form.submitted.emit(CheckpointEntry(
            key, checkpoint_values(minute), t0 + timedelta(minutes=minute), moaas=5,
            cadss_items=None, nausea=0, distress=0, note=""))  # fmt: skip
        pump()
    clock.set(t0 + timedelta(minutes=80))
    monitoring.tick()
    monitoring.finish.click()
    pump()
    discharge_and_sign(s, clock, a.team, sid)
    w.open_session(sid)
    pump()
    w.show_screen("history")
    w.history.open_session_id(sid)
    pump(100)
    done = s.sessions.get(sid)
    gc.collect()
    pump(50)
    info = psutil.Process().memory_info()
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    a.close()
    print(json.dumps({"rss_mb": info.rss / 2**20, "peak_mb": peak, "status": done.status.value,
                      "phase": done.phase.value}))  # fmt: skip


def measure(bare_rss_mb: Spread, runs: int = RUNS) -> list[Figure]:
    work = OUT / "memory"
    results = [run_child("memory", str(work)) for _ in range(runs)]
    return [
        Figure(
            "memory",
            "Resident memory after a full scripted session",
            "MB",
            Spread.of([r["rss_mb"] for r in results]),
            floor=bare_rss_mb,
            floor_label="bare PySide6 window process",
            goal_value=250.0,
            notes=[
                f"{runs} fresh processes; session ended {results[0]['status']} "
                f"at {results[0]['phase']}; peak RSS median "
                f"{Spread.of([r['peak_mb'] for r in results]).median:.0f} MB"
            ],
        )
    ]
