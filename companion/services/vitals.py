"""Storing a vitals reading: shared by check-in (baseline), checkpoints and extra readings.

Values are validated again here (the service layer is the last line, whatever the form did);
plausible-but-abnormal values are stored with their flags and NEWS2 score, never refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.clinical.news2 import news2
from companion.clinical.plausibility import Flag, VitalsValues, flag_vitals, validate_vitals
from companion.errors import FieldError
from companion.roles import Actor
from companion.services.audit import audit
from companion.storage.models import VitalsReading

# A reading may be entered late, but not dated in the future or before the session began.
MAX_FUTURE = timedelta(minutes=1)


@dataclass(frozen=True)
class ReadingRow:
    id: int
    session_id: int
    context: str
    checkpoint_id: int | None
    values: VitalsValues
    measured_at: datetime
    news2_total: int | None
    flags: tuple[Flag, ...]


def values_of(r: VitalsReading) -> VitalsValues:
    return VitalsValues(
        systolic=r.systolic,
        diastolic=r.diastolic,
        pulse=r.pulse,
        spo2=r.spo2,
        respiration=r.respiration,
        temperature_c=r.temperature_c,
        weight_kg=r.weight_kg,
        on_oxygen=r.on_oxygen,
        consciousness=r.consciousness,
    )


def reading_row(r: VitalsReading) -> ReadingRow:
    return ReadingRow(
        r.id,
        r.session_id,
        r.context,
        r.checkpoint_id,
        values_of(r),
        r.measured_at,
        r.news2_total,
        tuple(Flag(**f) for f in r.flags),
    )


def baseline_reading(s: Session, session_id: int) -> VitalsReading | None:
    """The latest baseline (check-in) reading: a re-take replaces the earlier one for comparisons."""
    return s.scalar(
        select(VitalsReading)
        .where(VitalsReading.session_id == session_id, VitalsReading.context == "baseline")
        .order_by(VitalsReading.measured_at.desc(), VitalsReading.id.desc())
        .limit(1)
    )


def add_reading(
    s: Session,
    *,
    actor: Actor,
    now: datetime,
    session_id: int,
    values: VitalsValues,
    measured_at: datetime,
    context: str,
    session_started_at: datetime,
    checkpoint_id: int | None = None,
) -> VitalsReading:
    """Validate, flag, score and add one reading inside the caller's transaction."""
    validate_vitals(values)
    if measured_at > now + MAX_FUTURE:
        raise FieldError("measured_at", "The measurement time is in the future.")
    if measured_at < session_started_at - timedelta(hours=2):
        raise FieldError("measured_at", "The measurement time is before this session began.")
    base = baseline_reading(s, session_id)
    baseline = values_of(base) if base is not None and context != "baseline" else None
    flags = flag_vitals(values, baseline)
    reading = VitalsReading(
        session_id=session_id,
        checkpoint_id=checkpoint_id,
        context=context,
        systolic=values.systolic,
        diastolic=values.diastolic,
        pulse=values.pulse,
        spo2=values.spo2,
        respiration=values.respiration,
        temperature_c=values.temperature_c,
        weight_kg=values.weight_kg,
        on_oxygen=values.on_oxygen,
        consciousness=values.consciousness,
        news2_total=news2(values).total,
        flags=[asdict(f) for f in flags],
        measured_at=measured_at,
        recorded_at=now,
        recorded_by_id=actor.id,
    )
    s.add(reading)
    s.flush()
    audit(
        s,
        now,
        actor,
        "create",
        "vitals_reading",
        reading.id,
        session_id=session_id,
        context=context,
    )
    return reading
