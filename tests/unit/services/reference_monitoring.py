"""The ORM implementation of the checkpoint save before issue 7, kept as the reference the fast
Core version is compared with (test_reading_reference.py). Same statements in the same order, so
the same ids; the old `audit()` added an ORM row, flushed with the next statement."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from companion.clinical.alerts import AlertThresholds, evaluate_reading
from companion.clinical.news2 import news2
from companion.clinical.plausibility import VitalsValues, flag_vitals, validate_vitals
from companion.clinical.scales import score_scale
from companion.roles import Actor
from companion.services.alerts import AlertRow, _assessed, alert_row
from companion.services.monitoring import CheckpointResult, ReadingResult, checkpoint_row
from companion.services.vitals import reading_row, values_of
from companion.storage.models import Alert, AuditEvent, Checkpoint, Staff, VitalsReading

_SEVERITY_ORDER = {"urgent": 0, "warning": 1, "info": 2}


def ref_audit(
    s: Session,
    at: datetime,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    session_id: int | None = None,
    **detail: Any,
) -> None:
    s.add(
        AuditEvent(
            at=at,
            actor_id=actor.id if actor else None,
            action=action,
            entity=entity,
            entity_id=entity_id,
            session_id=session_id,
            detail=detail,
        )
    )


def ref_baseline(s: Session, session_id: int) -> VitalsReading | None:
    return s.scalar(
        select(VitalsReading)
        .where(VitalsReading.session_id == session_id, VitalsReading.context == "baseline")
        .order_by(VitalsReading.measured_at.desc(), VitalsReading.id.desc())
        .limit(1)
    )


def ref_add_reading(
    s: Session,
    actor: Actor,
    now: datetime,
    session_id: int,
    values: VitalsValues,
    measured_at: datetime,
    context: str,
    checkpoint_id: int | None,
) -> VitalsReading:
    validate_vitals(values)
    base = ref_baseline(s, session_id)
    baseline = values_of(base) if base is not None and context != "baseline" else None
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
        flags=[asdict(f) for f in flag_vitals(values, baseline)],
        measured_at=measured_at,
        recorded_at=now,
        recorded_by_id=actor.id,
    )
    s.add(reading)
    s.flush()
    ref_audit(
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


def ref_evaluate(
    s: Session, reading: VitalsReading, thresholds: AlertThresholds, now: datetime
) -> list[Alert]:
    values = values_of(reading)
    base = ref_baseline(s, reading.session_id)
    baseline = values_of(base) if base is not None and base.id != reading.id else None
    findings = evaluate_reading(values, baseline, thresholds)
    found = {f.code for f in findings}
    raised_by = aliased(VitalsReading)
    open_alerts = s.execute(
        select(Alert, raised_by.measured_at)
        .outerjoin(raised_by, Alert.reading_id == raised_by.id)
        .where(Alert.session_id == reading.session_id, Alert.cleared_at.is_(None))
    ).all()
    for alert, raised_measured_at in open_alerts:
        if (
            alert.reading_id is not None
            and alert.code not in found
            and _assessed(alert.code, values)
            and (raised_measured_at is None or reading.measured_at >= raised_measured_at)
        ):
            alert.cleared_at = now
            ref_audit(s, now, None, "clear", "alert", alert.id, session_id=alert.session_id)
    unacknowledged = {
        a.code for a, _m in open_alerts if a.acknowledged_at is None and a.cleared_at is None
    }
    created: list[Alert] = []
    for f in findings:
        if f.code in unacknowledged:
            continue
        alert = Alert(
            session_id=reading.session_id,
            reading_id=reading.id,
            code=f.code,
            severity=f.severity,
            title=f.title,
            detail=f.detail,
            escalation=f.escalation,
            raised_at=now,
        )
        s.add(alert)
        created.append(alert)
    s.flush()
    for alert in created:
        ref_audit(
            s,
            now,
            None,
            "raise",
            "alert",
            alert.id,
            session_id=alert.session_id,
            code=alert.code,
            reading_id=reading.id,
        )
    return created


def ref_active_alerts(s: Session, session_id: int) -> list[AlertRow]:
    acker, raised_by = aliased(Staff), aliased(VitalsReading)
    q = (
        select(Alert, acker.display_name, raised_by.measured_at)
        .outerjoin(acker, Alert.acknowledged_by_id == acker.id)
        .outerjoin(raised_by, Alert.reading_id == raised_by.id)
        .where(Alert.session_id == session_id, Alert.acknowledged_at.is_(None))
        .order_by(Alert.raised_at, Alert.id)
    )
    rows = [alert_row(a, name, measured) for a, name, measured in s.execute(q)]
    return sorted(rows, key=lambda r: (_SEVERITY_ORDER.get(r.severity, 3), r.raised_at, r.id))


def ref_reading(
    s: Session,
    actor: Actor,
    now: datetime,
    sid: int,
    values: VitalsValues,
    measured_at: datetime,
    context: str,
    checkpoint_id: int | None,
    thresholds: AlertThresholds,
) -> ReadingResult:
    reading = ref_add_reading(s, actor, now, sid, values, measured_at, context, checkpoint_id)
    ids = {a.id for a in ref_evaluate(s, reading, thresholds, now)}
    new = tuple(a for a in ref_active_alerts(s, sid) if a.id in ids)
    return ReadingResult(reading_row(reading), new)


def ref_checkpoint(
    s: Session,
    actor: Actor,
    now: datetime,
    sid: int,
    key: str,
    offset_min: float | None,
    values: VitalsValues | None,
    measured_at: datetime,
    moaas: int,
    cadss: list[int] | None,
    nausea: int | None,
    distress: int | None,
    note: str,
    thresholds: AlertThresholds,
) -> CheckpointResult:
    cp = Checkpoint(
        session_id=sid,
        key=key,
        offset_min=offset_min,
        status="done",
        moaas=moaas,
        cadss_items=cadss,
        cadss_total=score_scale("cadss6", cadss).total if cadss else None,
        nausea=nausea,
        distress=distress,
        note=note or None,
        measured_at=measured_at,
        recorded_at=now,
        recorded_by_id=actor.id,
    )
    s.add(cp)
    s.flush()
    ref_audit(s, now, actor, "create", "checkpoint", cp.id, session_id=sid, key=key)
    if values is None:
        return CheckpointResult(checkpoint_row(cp), None, ())
    r = ref_reading(s, actor, now, sid, values, measured_at, "checkpoint", cp.id, thresholds)
    return CheckpointResult(checkpoint_row(cp), r.reading, r.new_alerts)
