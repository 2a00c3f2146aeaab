"""Worst event-loop stall while speech renders, checkpoints save and the plot updates.

In a child process: the real main window on a dosed session, the monitoring page shown (its plot
already built). A 5 ms PreciseTimer probe runs on the GUI thread; a tick's lateness is the stall.
While it runs: (a) the real espeak renderer renders a meditation script into a cold cache
(`audio.speech.start_render`: worker process + background thread), (b) every 250 ms a checkpoint (then
extra readings) is confirmed through the page's form signal, which saves through the service,
reloads the page and (c) updates the plot with `setData`. It stops when rendering has finished and
at least the six checkpoints are in.
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


def child(args: list[str]) -> None:
    from PySide6.QtCore import QTimer

    from audio.script import load_scripts, speech_texts
    from audio.speech import SpeechRenderer, start_render
    from bench.qt import StallProbe, open_app, pump, pump_until
    from bench.scripted import CHECKPOINT_MIN, CHECKPOINTS, checked_in, checkpoint_values, dosed
    from companion.clock import ManualClock
    from companion.storage.models import Phase
    from ui.centering_page import MEDITATIONS
    from ui.chime import RecordingChime
    from ui.monitoring_page import MonitoringPage
    from ui.widgets.checkpoint_form import EXTRA, CheckpointEntry

    work = Path(args[0])
    clock = ManualClock()
    a = open_app(work, clock)
    a.ctx.actor = a.team.guide
    sid = checked_in(a.services, a.team, "S-1")
    dosed(a.services, a.team, sid)
    t0 = clock.now()
    page = a.window.session.pages[Phase.MONITORING]
    assert isinstance(page, MonitoringPage)
    page.chime = RecordingChime()  # no audio device here; the chime is not what is measured
    started = time.perf_counter()
    a.window.open_session(sid)
    pump()
    first_open_ms = (time.perf_counter() - started) * 1000  # includes building the plot
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
    a.close()
    late = sorted(probe.lateness_ms)
    print(json.dumps({
        "worst_ms": late[-1], "p99_ms": late[int(len(late) * 0.99)], "ticks": len(late),
        "saves": len(saves), "save_ms_max": max(saves), "save_ms_median": sorted(saves)[len(saves) // 2],
        "stored_readings": stored, "rendered_lines": rendered, "render_s": render_s,
        "first_open_ms": first_open_ms,
    }))  # fmt: skip


def measure(runs: int = RUNS) -> list[Figure]:
    results = [run_child("stall", str(OUT / "stall")) for _ in range(runs)]
    shutil.rmtree(OUT / "stall", ignore_errors=True)
    worst = Spread.of([r["worst_ms"] for r in results])
    save = Spread.of([r["save_ms_max"] for r in results])
    first = Spread.of([r["first_open_ms"] for r in results])
    return [
        Figure(
            "stall", "Worst event-loop stall: speech renders, checkpoints save, plot updates",
            "ms", worst, floor=Spread.of([1000 / 60]), floor_label="one frame at 60 Hz",
            goal_value=50.0,
            notes=[f"{runs} runs; 5 ms probe; per run {results[0]['saves']} saves, "
                   f"{results[0]['rendered_lines']} lines rendered cold in "
                   f"{results[0]['render_s']:.1f} s",
                   f"p99 lateness median {Spread.of([r['p99_ms'] for r in results]).median:.1f} ms; "
                   f"slowest save+reload+plot median {save.median:.1f} ms"],
            extra={"runs": results},
        ),
        Figure(
            "monitoring_first_open", "Opening the monitoring page the first time (builds the plot)",
            "ms", first, goal_value=50.0,
            notes=["a GUI-thread stall when the dose moves the session to monitoring: "
                   "pyqtgraph is imported and the plots are built"],
        ),
    ]  # fmt: skip
