"""Post-Anaesthetic Discharge Scoring System, as adapted for this clinic — CLINICAL.md §5.

Adaptation (decided here, shown to staff in the discharge screen): the modified PADSS has five items
scored 0–2 (vital signs, activity/mental status, nausea/vomiting, pain, surgical bleeding) with
">= 9 of 10" meaning fit for discharge. After an IM injection there is no surgical bleeding, and
intake/output was already dropped by the modified PADSS, so the app scores FOUR items (max 8) and
uses ">= 7 of 8". That is exactly the published rule with bleeding fixed at 2 (9 − 2 = 7), and like
the original it means any single item scoring 0 (max 6) makes the patient not fit.

Vital-sign item: systolic BP and pulse compared with the pre-dose baseline, the worse of the two
counts. Edges: a change of exactly 20 % still scores 2, exactly 40 % still scores 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from companion.clinical.plausibility import VitalsValues
from companion.clinical.tables import PADSS_FIT_MIN, PADSS_ITEM_MAX, PADSS_MAX, PADSS_VITALS_BANDS
from companion.errors import FieldError


@dataclass(frozen=True)
class PadssResult:
    total: int
    max: int = PADSS_MAX
    fit: bool = False


def deviation_percent(current: int, baseline: int) -> Fraction:
    """|current − baseline| as an exact percentage of baseline (no float edge surprises)."""
    if baseline <= 0:
        raise ValueError("baseline must be positive")
    return Fraction(abs(current - baseline) * 100, baseline)


def _item_for(percent: Fraction) -> int:
    for upper, score in PADSS_VITALS_BANDS:
        if percent <= upper:
            return score
    return 0


def padss_vitals_item(current: VitalsValues, baseline: VitalsValues) -> int:
    """2 within 20 % of baseline, 1 within 20–40 %, 0 beyond 40 % (worse of systolic and pulse)."""
    scores: list[int] = []
    for name in ("systolic", "pulse"):
        now, base = current.get(name), baseline.get(name)
        if now is None or base is None:
            raise FieldError(name, f"PADSS needs {name} now and at baseline")
        scores.append(_item_for(deviation_percent(int(now), int(base))))
    return min(scores)


def padss_total(vitals: int, activity: int, nausea: int, pain: int) -> PadssResult:
    """Sum of the four adapted items (each 0–2); fit for discharge at >= 7 of 8."""
    items = {"vitals": vitals, "activity": activity, "nausea": nausea, "pain": pain}
    for name, score in items.items():
        if (
            isinstance(score, bool)
            or not isinstance(score, int)
            or not 0 <= score <= PADSS_ITEM_MAX
        ):
            raise FieldError(name, f"PADSS {name} must be 0, 1 or 2, got {score!r}")
    total = sum(items.values())
    return PadssResult(total=total, max=PADSS_MAX, fit=total >= PADSS_FIT_MIN)
