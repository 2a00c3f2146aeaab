"""Dose arithmetic and checks — CLINICAL.md §1 "Dose".

Comparisons use Decimal built from the values' shortest repr, so "70 mg for 70 kg at a 1.0 mg/kg
ceiling" is exactly at the ceiling (no warning) rather than a binary-float coin toss.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from companion.clinical.plausibility import range_message
from companion.clinical.tables import PLAUSIBLE
from companion.errors import FieldError

DOSE_MAX_MG = 500.0  # plausibility: above this is a typo (published IM range is 0.25–0.75 mg/kg)
_DOSE_TEXT = re.compile(r"[0-9]{1,4}(?:[.,][0-9]{1,2})?")


def validate_dose_mg(dose_mg: float) -> float:
    """0 < dose ≤ 500 mg, finite; FieldError otherwise."""
    if (
        isinstance(dose_mg, bool)
        or not isinstance(dose_mg, int | float)
        or not math.isfinite(dose_mg)
        or not 0 < dose_mg <= DOSE_MAX_MG
    ):
        raise FieldError("dose_mg", "Dose must be more than 0 and at most 500 mg")
    return float(dose_mg)


def parse_dose_mg(text: str) -> float:
    """A typed dose in mg ('35', '37.5', '37,5')."""
    cleaned = text.strip(" \t\r\n\u00a0") if isinstance(text, str) and len(text) <= 16 else ""
    if not _DOSE_TEXT.fullmatch(cleaned):
        raise FieldError("dose_mg", "Dose must be more than 0 and at most 500 mg")
    return validate_dose_mg(float(cleaned.replace(",", ".")))


def _validate_weight(weight_kg: float) -> float:
    r = PLAUSIBLE["weight_kg"]
    if (
        isinstance(weight_kg, bool)
        or not isinstance(weight_kg, int | float)
        or not math.isfinite(weight_kg)
        or not r.low <= weight_kg <= r.high
    ):
        raise FieldError("weight_kg", range_message("weight_kg"))
    return float(weight_kg)


def mg_per_kg(dose_mg: float, weight_kg: float) -> float:
    """Dose per kg body weight, rounded to 0.01 mg/kg for display and storage."""
    return round(validate_dose_mg(dose_mg) / _validate_weight(weight_kg), 2)


def dose_warning(total_mg: float, weight_kg: float, ceiling_mg_per_kg: float) -> str | None:
    """A warning when the total dose (initial + top-ups) is above the ceiling; None at or below."""
    validate_dose_mg(total_mg)
    _validate_weight(weight_kg)
    if not (math.isfinite(ceiling_mg_per_kg) and ceiling_mg_per_kg > 0):
        raise ValueError(f"ceiling must be a positive number, got {ceiling_mg_per_kg!r}")
    total, weight, ceiling = (
        Decimal(repr(float(x))) for x in (total_mg, weight_kg, ceiling_mg_per_kg)
    )
    if total <= ceiling * weight:
        return None
    per_kg = total / weight  # three decimals so a value just over the ceiling never reads as equal
    return (
        f"Total dose {total_mg:g} mg is {per_kg:.3f} mg/kg for {weight_kg:g} kg, above the "
        f"protocol ceiling of {ceiling_mg_per_kg:g} mg/kg. Confirm with the physician."
    )
