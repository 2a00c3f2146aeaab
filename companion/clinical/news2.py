"""NEWS2 (Royal College of Physicians, 2017), Scale 1 only — CLINICAL.md §3.

Source acknowledged as RCP asks: Royal College of Physicians. National Early Warning Score (NEWS) 2.
London: RCP, 2017. Band tables are in `companion.clinical.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from companion.clinical.plausibility import VitalsValues
from companion.clinical.tables import (
    NEWS2_BANDS,
    NEWS2_HIGH_MIN,
    NEWS2_MEDIUM_MIN,
    NEWS2_NOT_ALERT_SCORE,
    NEWS2_OXYGEN_SCORE,
    NEWS2_REQUIRED,
)

Response = Literal["routine", "low", "low-medium", "medium", "high"]


@dataclass(frozen=True)
class News2Result:
    """Per-parameter scores for what was measured; `total` and `response` only for a full set."""

    parts: dict[str, int]
    total: int | None
    missing: tuple[str, ...]
    any_single_three: bool
    response: Response | None

    @property
    def partial_total(self) -> int:
        """Sum of the measured parts: a lower bound on the true total when some are missing."""
        return sum(self.parts.values())


def band_score(parameter: str, value: float) -> int:
    """The NEWS2 score of one measured parameter (temperature compared at 0.1 °C)."""
    rounded = round(value, 1)
    for upper, score in NEWS2_BANDS[parameter]:
        if rounded <= upper:
            return score
    raise AssertionError("bands end at infinity")  # pragma: no cover


def response_for(total: int, any_single_three: bool) -> Response:
    """CLINICAL §3: 0 routine; 1–4 low; a single 3 (below 5) low–medium; 5–6 medium; ≥ 7 high."""
    if total >= NEWS2_HIGH_MIN:
        return "high"
    if total >= NEWS2_MEDIUM_MIN:
        return "medium"
    if any_single_three:
        return "low-medium"
    return "low" if total > 0 else "routine"


def news2(v: VitalsValues) -> News2Result:
    parts: dict[str, int] = {}
    for parameter in NEWS2_BANDS:
        value = v.get(parameter)
        if value is not None:
            parts[parameter] = band_score(parameter, value)
    parts["on_oxygen"] = NEWS2_OXYGEN_SCORE if v.on_oxygen else 0
    # Anything other than Alert (including an unknown code) scores 3: the safe side.
    parts["consciousness"] = 0 if v.consciousness == "A" else NEWS2_NOT_ALERT_SCORE
    missing = tuple(p for p in NEWS2_REQUIRED if v.get(p) is None)
    single_three = any(score == 3 for score in parts.values())
    if missing:
        return News2Result(parts, None, missing, single_three, None)
    total = sum(parts.values())
    return News2Result(parts, total, (), single_three, response_for(total, single_three))
