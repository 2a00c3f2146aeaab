"""Storing a vitals reading: shared by check-in (baseline), checkpoints and extra readings.

Values are validated again here (the service layer is the last line, whatever the form did);
plausible-but-abnormal values are stored with their flags and NEWS2 score, never refused.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, ScalarSelect, Select, Table, bindparam, insert, select
from sqlalchemy.orm import Session

from companion.clinical.news2 import news2
from companion.clinical.plausibility import Flag, VitalsValues, flag_vitals, validate_vitals
from companion.errors import FieldError
from companion.roles import Actor
from companion.services.audit import audit
from companion.storage.database import Executor
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


# Every monitoring reading is compared with the baseline and stored, so these statements are Core
# on the table and built once: building a select() costs more than SQLite running it, and the ORM's
# per-statement work and unit of work would cost several times the statement (issue 7). A stored
# reading is returned as a ReadingRow of the values just stored.
_TABLE: Table = VitalsReading.__table__  # type: ignore[assignment]
_INSERT = insert(_TABLE).returning(_TABLE.c.id)
# Flat copies: dataclasses.asdict deep-copies every field, which cost more than the INSERT.
_VALUE_FIELDS = tuple(f.name for f in fields(VitalsValues))
_FLAG_FIELDS = tuple(f.name for f in fields(Flag))


def latest_baseline_id(session_id: ColumnElement[int]) -> ScalarSelect[int]:
    """The session's latest baseline (check-in) reading: a re-take replaces the earlier one."""
    return (
        select(_TABLE.c.id)
        .where(_TABLE.c.session_id == session_id, _TABLE.c.context == "baseline")
        .order_by(_TABLE.c.measured_at.desc(), _TABLE.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def with_baseline(query: Select[Any], sessions: Table) -> Select[Any]:
    """`query` on the `sessions` table, plus the session's baseline values as columns labelled
    "baseline_<field>" (read by `baseline_of`): a caller that reads the session anyway needs no
    second round trip."""
    base = _TABLE.alias("baseline")
    on = base.c.id == latest_baseline_id(sessions.c.id)
    columns = [base.c.id.label("baseline_id")]
    columns += [base.c[name].label(f"baseline_{name}") for name in _VALUE_FIELDS]
    return query.outerjoin_from(sessions, base, on).add_columns(*columns)


def baseline_of(row: Row[Any]) -> VitalsValues | None:
    """The baseline values in a row of a `with_baseline` query; None if there is no baseline."""
    m = row._mapping
    if m["baseline_id"] is None:
        return None
    return VitalsValues(**{name: m[f"baseline_{name}"] for name in _VALUE_FIELDS})


_BASELINE = select(VitalsReading).where(VitalsReading.id == latest_baseline_id(bindparam("sid")))
_BASELINE_VALUES = select(*(_TABLE.c[name] for name in _VALUE_FIELDS)).where(
    _TABLE.c.id == latest_baseline_id(bindparam("sid"))
)


def baseline_reading(s: Session, session_id: int) -> VitalsReading | None:
    """The latest baseline (check-in) reading: a re-take replaces the earlier one for comparisons."""
    return s.scalar(_BASELINE, {"sid": session_id})


def baseline_values(s: Executor, session_id: int) -> VitalsValues | None:
    """The values of `baseline_reading`, for comparing a new reading against."""
    row = s.execute(_BASELINE_VALUES, {"sid": session_id}).first()
    return VitalsValues(**row._mapping) if row is not None else None


class _Lookup(enum.Enum):
    BASELINE = enum.auto()


# add_reading's default: look the baseline up. A caller that already has it passes it instead.
LOOKUP = _Lookup.BASELINE


def add_reading(
    s: Executor,
    *,
    actor: Actor,
    now: datetime,
    session_id: int,
    values: VitalsValues,
    measured_at: datetime,
    context: str,
    session_started_at: datetime,
    checkpoint_id: int | None = None,
    baseline: VitalsValues | _Lookup | None = LOOKUP,
) -> ReadingRow:
    """Validate, flag, score and store one reading (with its audit row) in the caller's
    transaction; returns it as stored.

    `baseline` is the session's baseline values if the caller has already read them in this
    transaction (monitoring also needs them for the alert rules); by default they are looked up.
    A baseline reading itself is never compared with a baseline.
    """
    validate_vitals(values)
    if measured_at > now + MAX_FUTURE:
        raise FieldError("measured_at", "The measurement time is in the future.")
    if measured_at < session_started_at - timedelta(hours=2):
        raise FieldError("measured_at", "The measurement time is before this session began.")
    if context == "baseline":
        baseline = None
    elif baseline is LOOKUP:
        baseline = baseline_values(s, session_id)
    flags = tuple(flag_vitals(values, baseline))
    news2_total = news2(values).total
    reading_id = s.execute(
        _INSERT,
        {
            "session_id": session_id,
            "checkpoint_id": checkpoint_id,
            "context": context,
            **{name: getattr(values, name) for name in _VALUE_FIELDS},
            "news2_total": news2_total,
            "flags": [{name: getattr(f, name) for name in _FLAG_FIELDS} for f in flags],
            "measured_at": measured_at,
            "recorded_at": now,
            "recorded_by_id": actor.id,
        },
    ).scalar_one()
    audit(
        s,
        now,
        actor,
        "create",
        "vitals_reading",
        reading_id,
        session_id=session_id,
        context=context,
    )
    return ReadingRow(
        id=reading_id,
        session_id=session_id,
        context=context,
        checkpoint_id=checkpoint_id,
        values=values,
        measured_at=measured_at,
        news2_total=news2_total,
        flags=flags,
    )
