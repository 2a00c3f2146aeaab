"""Centering Start → first sound, speech cache warm.

In a child process: the real main window on a checked-in session, the centering page shown and its
preparation finished (voices listed, bells synthesised, every spoken line already in the cache, no
warm-up). The clock starts at the Start button's click and stops when the first `play_bell` /
`play_voice` call reaches `audio.playback.AudioPlayer` (wrapped to note the time). This includes
writing the start trace, creating the player (QtMultimedia's first use) and the first cue. Without an
audio device AudioPlayer plays silently, so the time to audible output on a real device is not seen.
Each run is a fresh process: the first meditation after the app starts is the one measured.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from bench.common import OUT, Figure, Spread, run_child

RUNS = 5


def child(args: list[str]) -> None:
    from audio.playback import AudioPlayer
    from bench.qt import open_app, pump, pump_until
    from bench.scripted import checked_in
    from companion.clock import SystemClock
    from companion.storage.models import Phase
    from ui.centering_page import CenteringPage

    work = Path(args[0])
    first: dict[str, float] = {}

    def noting(name: str) -> Any:
        original = getattr(AudioPlayer, name)

        def play(self: AudioPlayer, path: Path) -> None:
            first.setdefault("play", time.perf_counter())
            first.setdefault(name, 1.0)
            original(self, path)

        return play

    for name in ("play_bell", "play_voice"):
        setattr(AudioPlayer, name, noting(name))
    a = open_app(work, SystemClock())
    a.ctx.actor = a.team.guide
    sid = checked_in(a.services, a.team, "C-1")
    a.window.open_session(sid)
    page = a.window.session.pages[Phase.CENTERING]
    assert isinstance(page, CenteringPage)
    speech = work / "cache" / "speech"
    before = len(list(speech.glob("*.wav"))) if speech.exists() else 0
    pump()
    page.setup.warmup.setCurrentIndex(0)  # no warm-up: the start bell is the first sound
    page.setup.finish_background_work(120)
    ready = pump_until(page.start_button.isEnabled, 60)
    after = len(list(speech.glob("*.wav")))
    pump(200)
    clicked = time.perf_counter()
    page.start_button.click()
    pump_until(lambda: "play" in first, 10)
    ms = (first.get("play", float("nan")) - clicked) * 1000
    page.end_gently()
    pump(50)
    a.close()
    print(json.dumps({"ms": ms, "ready": ready, "cache_warm": after == before and before > 0,
                      "lines": after, "first": "play_bell" if "play_bell" in first else "play_voice"}))  # fmt: skip


def measure(runs: int = RUNS) -> list[Figure]:
    work = OUT / "centering"
    run_child("centering", str(work))  # fills the speech cache; not counted
    results = [run_child("centering", str(work)) for _ in range(runs)]
    warm = all(r["cache_warm"] for r in results)
    return [
        Figure(
            "centering_start",
            "Centering Start → first sound, cache warm",
            "ms",
            Spread.of([r["ms"] for r in results]),
            goal_value=300.0,
            notes=[
                f"{runs} fresh processes; first call: {results[0]['first']}; "
                f"speech cache warm in every run: {warm} ({results[0]['lines']} lines)",
                "to the play call reaching AudioPlayer (no audio device on this machine)",
            ],
        )
    ]
