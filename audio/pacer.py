"""Breathing pacer maths: which phase of the breath we are in, and how big the circle is.

Pure functions of elapsed time, so the widget repaints from the clock and never drifts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Phase = Literal["inhale", "hold-in", "exhale", "hold-out"]
LABELS: dict[Phase, str] = {
    "inhale": "Breathe in",
    "hold-in": "Hold",
    "exhale": "Breathe out",
    "hold-out": "Hold",
}
MIN_PHASE_S = 1.0
MAX_PHASE_S = 20.0


@dataclass(frozen=True)
class BreathPattern:
    name: str
    inhale_s: float
    hold_in_s: float
    exhale_s: float
    hold_out_s: float

    def __post_init__(self) -> None:
        for label, value, may_be_zero in (
            ("inhale", self.inhale_s, False),
            ("hold after inhale", self.hold_in_s, True),
            ("exhale", self.exhale_s, False),
            ("hold after exhale", self.hold_out_s, True),
        ):
            if may_be_zero and value == 0:
                continue
            if not (math.isfinite(value) and MIN_PHASE_S <= value <= MAX_PHASE_S):
                allowed = "0 or " if may_be_zero else ""
                raise ValueError(
                    f"{label} must be {allowed}{MIN_PHASE_S:g}–{MAX_PHASE_S:g} seconds (got {value:g})"
                )

    @property
    def cycle_s(self) -> float:
        return self.inhale_s + self.hold_in_s + self.exhale_s + self.hold_out_s

    @property
    def breaths_per_minute(self) -> float:
        return 60.0 / self.cycle_s

    def phases(self) -> list[tuple[Phase, float]]:
        all_phases: list[tuple[Phase, float]] = [
            ("inhale", self.inhale_s),
            ("hold-in", self.hold_in_s),
            ("exhale", self.exhale_s),
            ("hold-out", self.hold_out_s),
        ]
        return [(phase, length) for phase, length in all_phases if length > 0]


RESONANCE = BreathPattern("Resonance (6 per minute)", 5.0, 0.0, 5.0, 0.0)
BOX = BreathPattern("Box (4-4-4-4)", 4.0, 4.0, 4.0, 4.0)
FOUR_SEVEN_EIGHT = BreathPattern("4-7-8", 4.0, 7.0, 8.0, 0.0)
PATTERNS = (RESONANCE, BOX, FOUR_SEVEN_EIGHT)


def custom(inhale_s: float, hold_in_s: float, exhale_s: float, hold_out_s: float) -> BreathPattern:
    """A guide-defined pattern; raises ValueError naming the phase that is out of range."""
    return BreathPattern("Custom", inhale_s, hold_in_s, exhale_s, hold_out_s)


@dataclass(frozen=True)
class PacerState:
    phase: Phase
    phase_progress: float  # 0..1 through the current phase
    size: float  # 0 (empty lungs) .. 1 (full), eased
    label: str
    seconds_left: float  # in this phase


def ease_in_out(x: float) -> float:
    """Cosine ease: slow at the turns of the breath, like real breathing."""
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, x)))


def pacer_state(pattern: BreathPattern, elapsed_s: float) -> PacerState:
    t = max(0.0, elapsed_s) % pattern.cycle_s
    phases = pattern.phases()
    phase, length = phases[-1]
    progress = 1.0  # float rounding at the very end of the cycle lands here
    for candidate, candidate_length in phases:
        if t < candidate_length:
            phase, length, progress = candidate, candidate_length, t / candidate_length
            break
        t -= candidate_length
    size = {
        "inhale": ease_in_out(progress),
        "hold-in": 1.0,
        "exhale": 1.0 - ease_in_out(progress),
        "hold-out": 0.0,
    }[phase]
    return PacerState(phase, progress, size, LABELS[phase], length * (1.0 - progress))
