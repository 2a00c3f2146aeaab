"""Vital-sign parsing, plausibility checks (reject) and flags (store and flag).

CLINICAL.md §2: a value outside the plausibility range is a typo and is refused at the field with a
message saying what is allowed; a plausible value outside normal is stored and flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from companion.clinical.tables import (
    ACVPU,
    ACVPU_LABELS,
    FLAG_BANDS,
    PLAUSIBLE,
    PlausibleRange,
    Severity,
)
from companion.errors import FieldError

__all__ = [
    "FieldError",
    "Flag",
    "VitalsValues",
    "flag_vitals",
    "parse_temperature",
    "parse_vital",
    "range_message",
    "validate_vitals",
]

# Only ASCII digits: int() would also accept "１２０" or "١٢٠", which nobody types on purpose.
_WHOLE = re.compile(r"[0-9]{1,4}")
_DECIMAL = re.compile(r"[0-9]{1,4}(?:[.,][0-9]{1,3})?")
# Ordinary whitespace around a value (a pasted "120\n") is harmless; anything else is refused.
_TRIM = " \t\r\n\u00a0"
_MAX_LEN = 16


@dataclass(frozen=True)
class VitalsValues:
    """One set of vitals; any may be missing (a checkpoint may record a partial set), but systolic
    and diastolic come together. Temperature in °C, weight in kg."""

    systolic: int | None = None
    diastolic: int | None = None
    pulse: int | None = None
    spo2: int | None = None
    respiration: int | None = None
    temperature_c: float | None = None
    weight_kg: float | None = None
    on_oxygen: bool = False
    consciousness: str = "A"  # ACVPU

    def get(self, field: str) -> int | float | None:
        value = getattr(self, field)
        assert value is None or isinstance(value, int | float)
        return value


@dataclass(frozen=True)
class Flag:
    field: str
    severity: Literal["abnormal", "alarming"]
    text: str  # "Pulse 128 /min — high"
    word: str = ""  # short label beside the field: "high", "very low"


def _fmt(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def range_message(field: str) -> str:
    """What is allowed in a field, e.g. 'Systolic must be a whole number from 50 to 300 mmHg'."""
    r = PLAUSIBLE[field]
    if field == "temperature_c":
        return (
            f"Temperature must be from {_fmt(r.low, 1)} to {_fmt(r.high, 1)} °C "
            f"({_fmt(_c_to_f(r.low), 1)} to {_fmt(_c_to_f(r.high), 1)} °F)"
        )
    kind = "a whole number" if r.decimals == 0 else "a number"
    return f"{r.label} must be {kind} from {_fmt(r.low, r.decimals)} to {_fmt(r.high, r.decimals)} {r.unit}"


def _c_to_f(c: float) -> float:
    return float((Decimal(str(c)) * 9 / 5 + 32).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _clean(field: str, text: str) -> str:
    if not isinstance(text, str) or len(text) > _MAX_LEN:
        raise FieldError(field, range_message(field))
    return text.strip(_TRIM)


def _parse_decimal(field: str, text: str) -> Decimal:
    """A plain decimal with '.' or ',' (decimal comma); never NaN, inf or exponents."""
    cleaned = _clean(field, text)
    if not _DECIMAL.fullmatch(cleaned):
        raise FieldError(field, range_message(field))
    return Decimal(cleaned.replace(",", "."))


def _check_range(field: str, value: float, r: PlausibleRange) -> None:
    if not r.low <= value <= r.high:
        raise FieldError(field, range_message(field))


def parse_vital(field: str, text: str) -> int | float:
    """Parse one typed vital: whole numbers for BP, pulse, SpO2 and respiration; temperature (°C)
    and weight rounded half-up to one decimal. Raises FieldError saying what is allowed."""
    r = PLAUSIBLE.get(field)
    if r is None:
        raise ValueError(f"unknown vital field {field!r}")
    if r.decimals == 0:
        cleaned = _clean(field, text)
        if not _WHOLE.fullmatch(cleaned):
            raise FieldError(field, range_message(field))
        whole = int(cleaned)
        _check_range(field, whole, r)
        return whole
    number = float(_parse_decimal(field, text).quantize(Decimal("0.1"), ROUND_HALF_UP))
    _check_range(field, number, r)
    return number


def parse_temperature(text: str, unit: Literal["C", "F"]) -> float:
    """Parse a temperature typed in °C or °F; returns °C rounded to 0.1, range-checked in °C."""
    field = "temperature_c"
    if unit not in ("C", "F"):
        raise ValueError(f"unit must be 'C' or 'F', got {unit!r}")
    raw = _parse_decimal(field, text)
    celsius = (raw - 32) * 5 / 9 if unit == "F" else raw
    value = float(celsius.quantize(Decimal("0.1"), ROUND_HALF_UP))
    _check_range(field, value, PLAUSIBLE[field])
    return value


def validate_vitals(v: VitalsValues) -> None:
    """Check a whole set: each value in range, BP pair both-or-neither with diastolic below
    systolic, a known ACVPU level and at least one value. Raises FieldError for the first problem."""
    for name, r in PLAUSIBLE.items():
        value = v.get(name)
        if value is None:
            continue
        # bool is an int subclass; a float in a whole-number field would be stored as-is.
        if isinstance(value, bool) or (r.decimals == 0 and not isinstance(value, int)):
            raise FieldError(name, range_message(name))
        if value != value:  # NaN
            raise FieldError(name, range_message(name))
        _check_range(name, value, r)
    if (v.systolic is None) != (v.diastolic is None):
        missing = "diastolic" if v.diastolic is None else "systolic"
        raise FieldError(missing, "Enter both systolic and diastolic, or neither")
    if v.systolic is not None and v.diastolic is not None and v.diastolic >= v.systolic:
        raise FieldError("diastolic", "Diastolic must be below systolic")
    if v.consciousness not in ACVPU:
        raise FieldError("consciousness", "Consciousness must be one of A, C, V, P, U (ACVPU)")
    if not isinstance(v.on_oxygen, bool):
        raise FieldError("on_oxygen", "On oxygen must be yes or no")
    measured = [f.name for f in fields(v) if f.name in PLAUSIBLE and v.get(f.name) is not None]
    if not measured:
        raise FieldError("vitals", "Enter at least one vital sign")


def _band(field: str, value: float) -> tuple[Severity, str]:
    rounded = round(value, 1)
    for upper, severity, word in FLAG_BANDS[field]:
        if rounded <= upper:
            return severity, word
    raise AssertionError("bands end at infinity")  # pragma: no cover


def flag_vitals(v: VitalsValues, baseline: VitalsValues | None = None) -> list[Flag]:
    """Flags for plausible-but-abnormal values (tables.FLAG_BANDS). With a baseline, the flag text
    also gives the baseline and the change, so the reader sees the trend without looking it up.
    Rise-over-baseline *alerts* (configurable thresholds) belong to alerts.evaluate_reading."""
    flags: list[Flag] = []
    for name in FLAG_BANDS:
        value = v.get(name)
        if value is None:
            continue
        severity, word = _band(name, value)
        if severity != "abnormal" and severity != "alarming":
            continue
        r = PLAUSIBLE[name]
        text = f"{r.label} {_fmt(value, r.decimals)} {r.unit} — {word}"
        base = baseline.get(name) if baseline is not None else None
        if base is not None:
            delta = value - base
            text += f" (baseline {_fmt(base, r.decimals)}, {delta:+.{r.decimals}f})"
        flags.append(Flag(name, severity, text, word))
    if v.on_oxygen:
        flags.append(Flag("on_oxygen", "abnormal", "On supplemental oxygen", "on oxygen"))
    if v.consciousness != "A":
        label = ACVPU_LABELS.get(v.consciousness, v.consciousness)
        flags.append(Flag("consciousness", "alarming", f"Consciousness: {label}", label.lower()))
    return flags
