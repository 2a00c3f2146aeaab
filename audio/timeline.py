"""Fit a meditation script to a chosen length: script + length + measured durations -> timed cues.

The body runs from the start (after an optional warm-up); the closing part is anchored so that it
ends exactly at the chosen length. Flexible pauses absorb the difference in proportion to their
weights, each staying within its own [min, max] ("water-filling": a pause that reaches its bound is
clamped and the rest is shared among the others).

Too long: lengths beyond every flex at its maximum are refused with `TooLongError` carrying the
maximum, rather than stretching a pause past what the script's author allowed — an unexpectedly long
silence can feel like abandonment to a patient. The guide is offered only lengths in range.

The warm-up (settling silence before the first segment) counts toward the chosen length.
Cues tile [0, total] without gaps or overlaps, so the timeline is easy to check and to display.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from audio.script import Bell, FlexPause, MeditationScript, Pause, Segment, Speech

CueKind = Literal["warmup", "bell", "speech", "pause"]
_EPS = 1e-9


class LengthError(ValueError):
    """The chosen length cannot be fitted; carries the feasible range."""

    def __init__(self, message: str, minimum_s: float, maximum_s: float) -> None:
        super().__init__(message)
        self.minimum_s = minimum_s
        self.maximum_s = maximum_s


class TooShortError(LengthError):
    pass


class TooLongError(LengthError):
    pass


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    kind: CueKind
    text: str = ""  # the words, for speech cues
    bell: Bell | None = None
    flexible: bool = False
    closing: bool = False
    index: int = 0  # position in the timeline

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Timeline:
    script_name: str
    total_s: float
    cues: tuple[Cue, ...]

    def speech_texts(self) -> list[str]:
        return list(dict.fromkeys(c.text for c in self.cues if c.kind == "speech"))


def _fixed_duration(
    seg: Segment, speech: Mapping[str, float], bells: Mapping[Bell, float]
) -> float:
    if isinstance(seg, Speech):
        try:
            return speech[seg.text]
        except KeyError:
            raise KeyError(f"no measured duration for speech {seg.text[:60]!r}") from None
    if isinstance(seg, Bell):
        return bells.get(seg, 0.0)
    if isinstance(seg, Pause):
        return seg.seconds
    return seg.min_s


def _bounds(
    script: MeditationScript,
    speech: Mapping[str, float],
    bells: Mapping[Bell, float],
    warmup_s: float,
) -> tuple[float, float]:
    low = warmup_s + sum(_fixed_duration(s, speech, bells) for s in script.segments)
    spare = sum(s.max_s - s.min_s for s in script.segments if isinstance(s, FlexPause))
    return low, low + spare


def minimum_length(
    script: MeditationScript,
    speech_durations: Mapping[str, float],
    bell_durations: Mapping[Bell, float],
    warmup_s: float = 0.0,
) -> float:
    """Shortest feasible total: every flex pause at its minimum."""
    return _bounds(script, speech_durations, bell_durations, warmup_s)[0]


def maximum_length(
    script: MeditationScript,
    speech_durations: Mapping[str, float],
    bell_durations: Mapping[Bell, float],
    warmup_s: float = 0.0,
) -> float:
    """Longest feasible total: every flex pause at its maximum."""
    return _bounds(script, speech_durations, bell_durations, warmup_s)[1]


def distribute(extra: float, flexes: list[FlexPause]) -> list[float]:
    """Share `extra` seconds among flex pauses by weight, clamping each at its max (water-filling).

    Returns each pause's length. Assumes 0 <= extra <= sum(max - min).
    """
    lengths = [f.min_s for f in flexes]
    active = [i for i, f in enumerate(flexes) if f.max_s - f.min_s > _EPS]
    remaining = extra
    while active and remaining > _EPS:
        share = remaining / sum(flexes[i].weight for i in active)
        saturated = [i for i in active if share * flexes[i].weight >= flexes[i].max_s - lengths[i]]
        if not saturated:
            for i in active:
                lengths[i] += share * flexes[i].weight
            break
        # Clamp the saturated ones and redistribute what is left among the others.
        for i in saturated:
            remaining -= flexes[i].max_s - lengths[i]
            lengths[i] = flexes[i].max_s
        active = [i for i in active if i not in saturated]
    return lengths


def fit(
    script: MeditationScript,
    total_s: float,
    speech_durations: Mapping[str, float],
    bell_durations: Mapping[Bell, float],
    warmup_s: float = 0.0,
) -> Timeline:
    """Build the timeline; the last cue ends exactly at `total_s`.

    Raises TooShortError / TooLongError (with the feasible range) and KeyError when a spoken text has
    no measured duration (render it first).
    """
    if warmup_s < 0:
        raise ValueError("warm-up cannot be negative")
    low, high = _bounds(script, speech_durations, bell_durations, warmup_s)
    if total_s < low - _EPS:
        raise TooShortError(
            f"{script.title} needs at least {_mmss(low)} (asked for {_mmss(total_s)}).", low, high
        )
    if total_s > high + _EPS:
        raise TooLongError(
            f"{script.title} can last at most {_mmss(high)} (asked for {_mmss(total_s)}).",
            low,
            high,
        )
    flexes = [s for s in script.body if isinstance(s, FlexPause)]
    flex_lengths = iter(distribute(max(0.0, total_s - low), flexes))

    cues: list[Cue] = []
    t = 0.0
    if warmup_s > 0:
        cues.append(Cue(0.0, warmup_s, "warmup"))
        t = warmup_s
    for seg in script.body:
        length = (
            next(flex_lengths)
            if isinstance(seg, FlexPause)
            else _fixed_duration(seg, speech_durations, bell_durations)
        )
        cues.append(_cue(seg, t, t + length, closing=False))
        t += length
    # Closing: laid out backwards from the end so it finishes exactly at total_s.
    closing: list[Cue] = []
    end = total_s
    for seg in reversed(script.closing):
        length = _fixed_duration(seg, speech_durations, bell_durations)
        closing.append(_cue(seg, end - length, end, closing=True))
        end -= length
    # Absorb float rounding so the body meets the closing exactly, without gap, overlap or a cue
    # that ends before it starts.
    cues = [replace(c, start_s=min(c.start_s, end), end_s=min(c.end_s, end)) for c in cues]
    if cues:
        cues[-1] = replace(cues[-1], end_s=end)
    cues.extend(reversed(closing))
    # Every segment keeps its cue (even a 0 s flex), so cue i always matches its segment.
    return Timeline(script.name, total_s, tuple(replace(c, index=i) for i, c in enumerate(cues)))


def describe(timeline: Timeline) -> list[str]:
    """Human preview for the guide: one line per cue, e.g. '00:06 say: Welcome…'."""
    lines: list[str] = []
    in_closing = False
    for cue in timeline.cues:
        if cue.closing and not in_closing:
            lines.append(f"{_mmss(cue.start_s)} — closing —")
            in_closing = True
        stamp = _mmss(cue.start_s)
        if cue.kind == "speech":
            text = cue.text if len(cue.text) <= 60 else cue.text[:59].rstrip() + "…"
            lines.append(f"{stamp} say: {text}")
        elif cue.kind == "bell" and cue.bell is not None:
            lines.append(f"{stamp} bell {cue.bell.kind}{' (double)' if cue.bell.double else ''}")
        elif cue.kind == "warmup":
            lines.append(f"{stamp} settling {cue.duration_s:.0f} s")
        elif cue.duration_s > 0:
            what = "flexible pause" if cue.flexible else "pause"
            lines.append(f"{stamp} {what} {cue.duration_s:.0f} s")
    lines.append(f"{_mmss(timeline.total_s)} end")
    return lines


def _cue(seg: Segment, start: float, end: float, *, closing: bool) -> Cue:
    if isinstance(seg, Speech):
        return Cue(start, end, "speech", text=seg.text, closing=closing)
    if isinstance(seg, Bell):
        return Cue(start, end, "bell", bell=seg, closing=closing)
    return Cue(start, end, "pause", flexible=isinstance(seg, FlexPause), closing=closing)


def _mmss(seconds: float) -> str:
    whole = math.floor(seconds + 1e-6)  # like a clock: 00:04 until the 5th second has passed
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
