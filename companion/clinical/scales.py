"""Scoring of the rating scales in CLINICAL.md §4 (definitions in `tables`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from companion.clinical.tables import (
    DEFAULT_INDICATION_SCALE,
    INDICATION_SCALE,
    PHQ9_SAFETY_ITEM,
    QIDS_DOMAINS,
    QIDS_SUICIDE_ITEM,
    RATING_MAX,
    RATING_MIN,
    SCALES,
    ScaleDef,
)
from companion.errors import FieldError

NO_BANDS = "No published bands"


@dataclass(frozen=True)
class ScaleScore:
    total: int
    band: str
    safety_alert: str | None = None
    clusters: dict[str, int] = field(default_factory=dict)


def _check_items(scale: ScaleDef, items: Sequence[int]) -> list[int]:
    if len(items) != scale.n_items:
        raise FieldError(
            scale.id, f"{scale.name} needs {scale.n_items} item scores, got {len(items)}"
        )
    checked: list[int] = []
    for number, item in enumerate(items, start=1):
        # bool is an int; a float 1.5 or a string is a caller's bug, refused all the same.
        if isinstance(item, bool) or not isinstance(item, int):
            raise FieldError(
                scale.id, f"{scale.name} item {number} must be a whole number, got {item!r}"
            )
        if not scale.item_min <= item <= scale.item_max:
            raise FieldError(
                scale.id,
                f"{scale.name} item {number} must be from {scale.item_min} to "
                f"{scale.item_max}, got {item}",
            )
        checked.append(item)
    return checked


def band_for(scale: ScaleDef, total: int) -> str:
    if not scale.bands:
        return NO_BANDS
    for band in scale.bands:
        if band.low <= total <= band.high:
            return band.label
    raise AssertionError(f"{scale.id}: no band for {total}")  # tables cover the full range


def _total(scale: ScaleDef, items: list[int]) -> int:
    if scale.id == "qids16":
        # Domain scoring: the highest item of each domain counts once (CLINICAL §4).
        return sum(max(items[i - 1] for i in domain) for domain in QIDS_DOMAINS)
    return sum(items)


def _safety_alert(scale: ScaleDef, items: list[int]) -> str | None:
    if scale.id == "phq9" and items[PHQ9_SAFETY_ITEM - 1] > 0:
        return (
            f"PHQ-9 item 9 (thoughts of being better off dead or of self-harm) scored "
            f"{items[PHQ9_SAFETY_ITEM - 1]}: the physician must assess suicide risk before dosing."
        )
    if scale.id == "qids16" and items[QIDS_SUICIDE_ITEM - 1] > 0:
        return (
            f"QIDS-SR16 item 12 (thoughts of death or suicide) scored "
            f"{items[QIDS_SUICIDE_ITEM - 1]}: the physician must assess suicide risk before dosing."
        )
    return None


def score_scale(scale_id: str, items: Sequence[int]) -> ScaleScore:
    """Total, band, safety alert and clusters; FieldError for a wrong count or item range."""
    scale = SCALES.get(scale_id)
    if scale is None:
        raise ValueError(f"unknown scale {scale_id!r}; known: {', '.join(SCALES)}")
    checked = _check_items(scale, items)
    total = _total(scale, checked)
    clusters = {name: sum(checked[first - 1 : last]) for name, first, last in scale.clusters}
    return ScaleScore(total, band_for(scale, total), _safety_alert(scale, checked), clusters)


def scale_for_indication(indication: str) -> str:
    """The check-in scale: depression/TRD → PHQ-9, anxiety → GAD-7, PTSD → PCL-5, else PHQ-9."""
    return INDICATION_SCALE.get(indication.strip().lower(), DEFAULT_INDICATION_SCALE)


def moaas_sedated(current: int, pre_dose: int | None) -> bool:
    """Any drop from the pre-dose MOAA/S level is sedation (CLINICAL §4); without a pre-dose
    rating, anything below 5 is."""
    score_scale("moaas", [current])
    reference = 5 if pre_dose is None else pre_dose
    return current < reference


def validate_rating(field_name: str, value: int | str) -> int:
    """A 0–10 rating (mood, anxiety, distress, nausea, intensity), typed or picked."""
    message = f"Must be a whole number from {RATING_MIN} to {RATING_MAX}"
    if isinstance(value, bool):
        raise FieldError(field_name, message)
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 2):
            raise FieldError(field_name, message)
        value = int(text)
    if not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
        raise FieldError(field_name, message)
    return value
