"""The clock-driven centering run (plain Python; the UI calls `tick()` from its QTimer).

Position in the timeline = time since start − time spent paused + time skipped. It is recomputed
from the clock on every tick, never counted, so a late or missed tick only delays cues, never shifts
them. Every cue fires exactly once, in order, when the position reaches its start.

- `pause()` / `resume()`: the position stands still while paused; the speaker is paused too, so audio
  and timeline stay together. Pause intervals are recorded as (seconds since start, duration).
- `skip()`: ends the current segment now and moves straight to the next cue (e.g. cuts a long
  silence short, or a sentence the patient does not need). The current speech is cut; a ringing bell
  rings on. Later cues keep their spacing, so the run ends earlier by the skipped time. No-op on the
  last cue — use `end_gently()` to finish.
- `end_gently()`: fades out speech, rings the end bell (unless it has already rung) and finishes
  with completed=False, ended_early=True.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from audio.script import Bell
from audio.speaker import Speaker
from audio.timeline import Cue, Timeline
from companion.clock import Clock

RunState = Literal["ready", "running", "paused", "finished"]


@dataclass(frozen=True)
class RunSummary:
    planned_s: float
    actual_s: float  # start to finish on the clock, pauses included
    pauses: list[tuple[float, float]]  # (seconds since start, duration)
    completed: bool
    ended_early: bool
    skips: list[tuple[float, float]] = field(default_factory=list)  # (position, seconds skipped)


class CenteringRun:
    def __init__(
        self,
        timeline: Timeline,
        clock: Clock,
        on_cue: Callable[[Cue], None],
        on_finished: Callable[[RunSummary], None],
        speaker: Speaker | None = None,
    ) -> None:
        self.timeline = timeline
        self._clock = clock
        self._on_cue = on_cue
        self._on_finished = on_finished
        self._speaker = speaker
        self._state: RunState = "ready"
        self._started_at = 0.0
        self._paused_at: float | None = None
        self._paused_total = 0.0
        self._skipped_total = 0.0
        self._next = 0  # index of the next cue to fire
        self._pauses: list[tuple[float, float]] = []
        self._skips: list[tuple[float, float]] = []
        self._summary: RunSummary | None = None
        self._end_mono = 0.0

    @property
    def state(self) -> RunState:
        return self._state

    @property
    def summary(self) -> RunSummary | None:
        return self._summary

    def start(self) -> None:
        if self._state != "ready":
            raise RuntimeError(f"cannot start a run that is {self._state}")
        self._started_at = self._clock.monotonic()
        self._state = "running"
        self.tick()

    def tick(self) -> None:
        """Fire every cue whose start has passed; finish at the end of the timeline."""
        if self._state != "running":
            return
        position = self.elapsed_s()
        cues = self.timeline.cues
        while self._next < len(cues) and cues[self._next].start_s <= position:
            cue = cues[self._next]
            self._next += 1
            self._on_cue(cue)
            if self._state != "running":  # the callback ended or paused the run
                return
        if position >= self.timeline.total_s and self._next >= len(cues):
            self._finish(completed=True, ended_early=False)

    def pause(self) -> None:
        if self._state != "running":
            return
        self._paused_at = self._clock.monotonic()
        self._state = "paused"
        if self._speaker is not None:
            self._speaker.pause()

    def resume(self) -> None:
        if self._state != "paused" or self._paused_at is None:
            return
        now = self._clock.monotonic()
        self._pauses.append((self._paused_at - self._started_at, now - self._paused_at))
        self._paused_total += now - self._paused_at
        self._paused_at = None
        self._state = "running"
        if self._speaker is not None:
            self._speaker.resume()
        self.tick()

    def skip(self) -> bool:
        """Jump to the next cue; returns False when there is nothing to skip to."""
        if self._state != "running" or self._next >= len(self.timeline.cues):
            return False
        position = self.elapsed_s()
        gained = self.timeline.cues[self._next].start_s - position
        if gained > 0:
            self._skipped_total += gained
            self._skips.append((position, gained))
        if self._speaker is not None:
            self._speaker.stop_voice()
        self.tick()
        return True

    def end_gently(self) -> None:
        if self._state not in ("running", "paused"):
            return
        if self._state == "paused" and self._speaker is not None:
            self._speaker.resume()  # so the end bell can sound
        position = self.elapsed_s()
        if self._speaker is not None:
            self._speaker.fade_out_and_stop()
        end_bell = self._end_bell_cue()
        if end_bell is not None and end_bell.index >= self._next:  # not rung yet
            self._next = len(self.timeline.cues)
            self._on_cue(
                Cue(position, position + end_bell.duration_s, "bell", bell=end_bell.bell, index=-1)
            )
        elif end_bell is None:
            self._on_cue(Cue(position, position, "bell", bell=Bell("end"), index=-1))
        self._finish(completed=False, ended_early=True)

    def _end_bell_cue(self) -> Cue | None:
        for cue in reversed(self.timeline.cues):
            if cue.kind == "bell" and cue.bell is not None and cue.bell.kind == "end":
                return cue
        return None

    def elapsed_s(self) -> float:
        """Position in the timeline (seconds of meditation done); stands still while paused."""
        if self._state == "ready":
            return 0.0
        if self._summary is not None:
            return min(self._position(self._end_mono), self.timeline.total_s)
        now = self._paused_at if self._paused_at is not None else self._clock.monotonic()
        return min(self._position(now), self.timeline.total_s)

    def _position(self, mono: float) -> float:
        return mono - self._started_at - self._paused_total + self._skipped_total

    def remaining_s(self) -> float:
        return max(0.0, self.timeline.total_s - self.elapsed_s())

    def current_cue(self) -> Cue | None:
        """The cue most recently fired (what is happening now), if the run is live."""
        if self._state not in ("running", "paused") or self._next == 0:
            return None
        return self.timeline.cues[self._next - 1]

    def current_caption(self) -> str | None:
        """The words being spoken now, or None between sentences."""
        cue = self.current_cue()
        if cue is None or cue.kind != "speech" or self.elapsed_s() >= cue.end_s:
            return None
        return cue.text

    def _finish(self, *, completed: bool, ended_early: bool) -> None:
        now = self._clock.monotonic()
        if self._paused_at is not None:  # ended while paused: close the open pause
            self._pauses.append((self._paused_at - self._started_at, now - self._paused_at))
            self._paused_total += now - self._paused_at
            self._paused_at = None
        self._end_mono = now
        self._state = "finished"
        self._summary = RunSummary(
            planned_s=self.timeline.total_s,
            actual_s=now - self._started_at,
            pauses=list(self._pauses),
            completed=completed,
            ended_early=ended_early,
            skips=list(self._skips),
        )
        self._on_finished(self._summary)
