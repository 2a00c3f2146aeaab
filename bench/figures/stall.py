"""Worst event-loop stall while speech renders, checkpoints save and the plot updates; and the
stall when the dose opens the monitoring page for the first time.

In a child process, the real main window and the user's path: a checked-in session whose centering
is done is opened on the Dose page (the pages are built then — the session-open stall is not one of
these figures). Time passes before the dose: in the clinic check-in and centering take 20 minutes
and more, here `BEFORE_DOSE_S` seconds, during which the app prepares the monitoring plot ahead
(pyqtgraph imported on a background thread, the plot built a piece per clock tick); the worst stall
of that time is reported too. Then the physician records the dose through the Dose form: the
figure is the worst lateness of a 5 ms PreciseTimer probe on the GUI thread from that click until
the monitoring page is shown and painted (dose commit, phase change, page reload, first plot).

Then, the monitoring page on screen, the probe runs while (a) the real espeak renderer renders a
meditation script into a cold cache (`audio.speech.start_render`: worker process + background
thread), (b) every 250 ms a checkpoint (then extra readings) is confirmed through the page's form
signal, which saves through the service, reads the page back from the database and (c) updates
the plot with `setData`. Before each save the guide's input is simulated (a mouse move, as typing
the values would be): otherwise the idle lock would cover the window after five fake minutes and
the later saves would not be drawn at all. It stops when rendering has finished and at least the
six checkpoints are in.
"""

from __future__ import annotations

import json
import shutil
import time
from datetime import timedelta
from pathlib import Path

from bench.common import OUT, Figure, Spread, run_child

RUNS = 3
SAVE_EVERY_MS = 250
MIN_SAVES = 8
BEFORE_DOSE_S = 5.0  # a conservative stand-in for check-in and centering (20+ minutes)
AFTER_DOSE_MS = 500  # the probe watches this long after the dose click


def child(args: list[str]) -> None:
    from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication, QWidget

    from audio.script import load_scripts, speech_texts
    from audio.speech import SpeechRenderer, start_render
    from bench.qt import StallProbe, open_app, pump, pump_until
    from bench.scripted import CHECKPOINT_MIN, CHECKPOINTS, checked_in, checkpoint_values
    from companion.clock import ManualClock
    from companion.storage.models import Phase
    from ui.centering_page import MEDITATIONS
    from ui.chime import RecordingChime
    from ui.dose_page import DosePage
    from ui.monitoring_page import MonitoringPage
    from ui.widgets.checkpoint_form import EXTRA, CheckpointEntry

    def touch(widget: QWidget) -> None:
        """What the idle lock sees of a person at the screen."""
        QApplication.sendEvent(widget, QMouseEvent(
            QEvent.Type.MouseMove, QPointF(4, 4), QPointF(4, 4), Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
        ))  # fmt: skip

    work = Path(args[0])
    clock = ManualClock()
    a = open_app(work, clock)
    a.ctx.actor = a.team.physician
    sid = checked_in(a.services, a.team, "S-1")
    a.services.centering.record_skipped(
        a.team.guide, sid, "benchmark: centering measured elsewhere"
    )
    a.services.sessions.set_phase(a.team.guide, sid, Phase.DOSE)  # as the screen does on advance
    a.window.open_session(sid)
    pump()
    dose_page = a.window.session.stack.currentWidget()
    page = a.window.session.pages[Phase.MONITORING]
    assert isinstance(dose_page, DosePage) and isinstance(page, MonitoringPage)
    page.chime = RecordingChime()  # no audio device here; the chime is not what is measured

    before = StallProbe(a.window)
    before.start()
    pump(BEFORE_DOSE_S * 1000)
    before.stop()
    prepared = page.plot.built
    form = dose_page.form
    form.dose_mg.setText("50")
    form.lot.setText("KT24117")
    form.site.setCurrentText("left deltoid")
    pump(50)
    clock.advance(2)
    probe = StallProbe(a.window)
    probe.start()
    clicked: list[float] = []

    def dose() -> None:
        begun = time.perf_counter()
        form.confirm.click()
        clicked.append((time.perf_counter() - begun) * 1000)

    QTimer.singleShot(0, dose)
    pump_until(lambda: bool(clicked), 30)
    pump(AFTER_DOSE_MS)
    probe.stop()
    assert a.window.session.stack.currentWidget() is page and page.plot.built
    first_open_ms = max(probe.lateness_ms)
    t0 = a.services.monitoring.monitoring_state(sid).t0
    assert t0 is not None
    a.ctx.actor = a.team.guide
    pump(300)

    script = next(s for s in load_scripts(MEDITATIONS) if s.name == "breath_awareness")
    cache = work / "cold-speech"
    shutil.rmtree(cache, ignore_errors=True)
    probe = StallProbe(a.window)
    saves: list[float] = []
    keys = [*CHECKPOINTS]

    def save() -> None:
        key = keys.pop(0) if keys else EXTRA
        minute = CHECKPOINT_MIN.get(key, 80 + len(saves))
        clock.set(t0 + timedelta(minutes=minute, seconds=30))
        touch(page.form)
        page.tick()
        entry = CheckpointEntry(
            key, checkpoint_values(minute), t0 + timedelta(minutes=minute),
            moaas=None if key == EXTRA else 4, cadss_items=None, nausea=0, distress=1, note="",
        )  # fmt: skip
        begun = time.perf_counter()
        page.form.submitted.emit(entry)
        saves.append((time.perf_counter() - begun) * 1000)

    saver = QTimer(a.window)
    saver.setInterval(SAVE_EVERY_MS)
    saver.timeout.connect(save)
    probe.start()
    render_started = time.perf_counter()
    task = start_render(SpeechRenderer(cache, None, 150), speech_texts(script))
    saver.start()
    pump_until(lambda: task.done and len(saves) >= MIN_SAVES, 120)
    render_s = time.perf_counter() - render_started
    saver.stop()
    probe.stop()
    rendered = len(task.result())
    stored = len(a.services.monitoring.monitoring_state(sid).readings)
    locked = a.window.idle_lock.is_locked
    a.close()
    late = sorted(probe.lateness_ms)
    print(json.dumps({
        "worst_ms": late[-1], "p99_ms": late[int(len(late) * 0.99)], "ticks": len(late),
        "saves": len(saves), "save_ms_max": max(saves), "save_ms_median": sorted(saves)[len(saves) // 2],
        "stored_readings": stored, "rendered_lines": rendered, "render_s": render_s,
        "locked": locked, "first_open_ms": first_open_ms, "dose_click_ms": clicked[0],
        "prepared_before_dose": prepared, "before_dose_worst_ms": max(before.lateness_ms),
    }))  # fmt: skip


def measure(runs: int = RUNS) -> list[Figure]:
    results = [run_child("stall", str(OUT / "stall")) for _ in range(runs)]
    shutil.rmtree(OUT / "stall", ignore_errors=True)
    worst = Spread.of([r["worst_ms"] for r in results])
    save = Spread.of([r["save_ms_max"] for r in results])
    first = Spread.of([r["first_open_ms"] for r in results])
    click = Spread.of([r["dose_click_ms"] for r in results])
    ahead = Spread.of([r["before_dose_worst_ms"] for r in results])
    prepared = sum(bool(r["prepared_before_dose"]) for r in results)
    return [
        Figure(
            "stall", "Worst event-loop stall: speech renders, checkpoints save, plot updates",
            "ms", worst, floor=Spread.of([1000 / 60]), floor_label="one frame at 60 Hz",
            goal_value=50.0,
            notes=[f"{runs} runs; 5 ms probe; per run {results[0]['saves']} saves, "
                   f"{results[0]['rendered_lines']} lines rendered cold in "
                   f"{results[0]['render_s']:.1f} s; idle lock engaged in "
                   f"{sum(bool(r['locked']) for r in results)} runs (the guide's input is simulated)",
                   f"p99 lateness median {Spread.of([r['p99_ms'] for r in results]).median:.1f} ms; "
                   f"slowest save+reload+plot median {save.median:.1f} ms"],
            extra={"runs": results},
        ),
        Figure(
            "monitoring_first_open",
            "Opening the monitoring page the first time (dose recorded → page shown)",
            "ms", first, goal_value=50.0,
            notes=["worst GUI-thread stall (5 ms probe) from the Dose click until the monitoring "
                   "page is shown and painted: dose commit, phase change, reload, first plot; "
                   f"the click handler alone median {click.median:.1f} ms",
                   f"the plot was prepared ahead in {prepared} of {runs} runs ({BEFORE_DOSE_S:g} s "
                   "after the session opened); worst stall while preparing (pyqtgraph imported in "
                   f"the background, the plot built a piece per tick) median {ahead.median:.1f} ms "
                   f"({ahead.low:.1f}–{ahead.high:.1f})"],
        ),
    ]  # fmt: skip
