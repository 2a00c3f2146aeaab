"""Alerts: raised from every monitoring reading, kept until a clinician acknowledges them.

Rules (issue 4, CLINICAL §1 and §3):
- Every new reading is evaluated (`evaluate_reading`, protocol thresholds, the session baseline) in
  the SAME transaction that stores it, so a reading is never on record without its alerts.
- At most one *unacknowledged* alert per code at a time: a reading that still meets a code whose
  alert nobody has acknowledged yet adds nothing. Once acknowledged, the next reading that still
  meets the code raises a fresh alert — a persisting urgent BP must be seen again, not silenced by
  an earlier acknowledgement.
- A reading that no longer meets a code sets `cleared_at` on its open alerts — but only for codes
  the reading could assess (an SpO2-only reading says nothing about BP; NEWS2 needs a full set) and
  only if the reading is not older than the one that raised the alert (a late entry of an earlier
  reading must not clear a newer finding). A cleared alert still shows until acknowledged.
- Alerts raised elsewhere (check-in's "phq9_item9", with no reading) are listed and acknowledged
  here too, and are never cleared by vitals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, aliased

from companion.clinical.alerts import AlertThresholds, evaluate_reading
from companion.clinical.news2 import news2
from companion.clinical.plausibility import VitalsValues
from companion.clock import Clock
from companion.errors import NotAllowedNow
from companion.roles import Action, Actor, require
from companion.services.audit import audit
from companion.services.vitals import baseline_reading, values_of
from companion.storage.database import Database
from companion.storage.models import Alert, Staff, VitalsReading
from companion.text import clean_text

MAX_NOTE_LEN = 1000
_SEVERITY_ORDER = {"urgent": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class AlertRow:
    id: int
    session_id: int
    reading_id: int | None
    code: str
    severity: str  # "urgent", "warning", "info"
    title: str
    detail: str
    escalation: str | None
    raised_at: datetime
    reading_measured_at: datetime | None
    cleared_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    acknowledgement_note: str | None

    @property
    def needs_acknowledgement(self) -> bool:
        return self.acknowledged_at is None


def _assessed(code: str, v: VitalsValues) -> bool:
    """Could this reading have shown `code`? If not, its absence proves nothing."""
    if code in ("bp_urgent", "bp_rise"):
        return v.systolic is not None and v.diastolic is not None
    if code == "spo2_low":
        return v.spo2 is not None
    if code in ("resp_low", "resp_high"):
        return v.respiration is not None
    if code in ("pulse_high", "pulse_low"):
        return v.pulse is not None
    if code.startswith("news2_"):
        return news2(v).total is not None
    return False  # not a vitals code (e.g. a check-in alert): never cleared by a reading


def evaluate_new_reading(
    s: Session, reading: VitalsReading, thresholds: AlertThresholds, now: datetime
) -> list[Alert]:
    """Raise and clear alerts for `reading` inside the caller's transaction; returns new alerts."""
    values = values_of(reading)
    base = baseline_reading(s, reading.session_id)
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
            audit(s, now, None, "clear", "alert", alert.id, session_id=alert.session_id)
    unacknowledged = {
        alert.code
        for alert, _m in open_alerts
        if alert.acknowledged_at is None and alert.cleared_at is None
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
        audit(
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


def _rows(s: Session, where: ColumnElement[bool]) -> list[AlertRow]:
    acker = aliased(Staff)
    raised_by = aliased(VitalsReading)
    q = (
        select(Alert, acker.display_name, raised_by.measured_at)
        .outerjoin(acker, Alert.acknowledged_by_id == acker.id)
        .outerjoin(raised_by, Alert.reading_id == raised_by.id)
        .where(where)
        .order_by(Alert.raised_at, Alert.id)
    )
    rows = [alert_row(a, name, measured) for a, name, measured in s.execute(q)]
    return sorted(rows, key=lambda r: (_SEVERITY_ORDER.get(r.severity, 3), r.raised_at, r.id))


def alert_row(a: Alert, acknowledged_by: str | None, measured_at: datetime | None) -> AlertRow:
    return AlertRow(
        a.id,
        a.session_id,
        a.reading_id,
        a.code,
        a.severity,
        a.title,
        a.detail,
        a.escalation,
        a.raised_at,
        measured_at,
        a.cleared_at,
        a.acknowledged_at,
        acknowledged_by,
        a.acknowledgement_note,
    )


def active_alerts_in(s: Session, session_id: int) -> list[AlertRow]:
    """Unacknowledged alerts (cleared or not), most severe first."""
    return _rows(s, (Alert.session_id == session_id) & Alert.acknowledged_at.is_(None))


class AlertService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def active_alerts(self, session_id: int) -> list[AlertRow]:
        """Every alert of the session still waiting for a clinician, most severe first."""
        with self._db.transaction() as s:
            return active_alerts_in(s, session_id)

    def all_alerts(self, session_id: int) -> list[AlertRow]:
        with self._db.transaction() as s:
            return _rows(s, Alert.session_id == session_id)

    def acknowledge(self, actor: Actor, alert_id: int, note: str) -> AlertRow:
        """Record that `actor` has seen the alert, with an optional note (what was done)."""
        require(actor, Action.ACKNOWLEDGE_ALERT)
        text = clean_text("note", note, max_len=MAX_NOTE_LEN, required=False, multiline=True)
        now = self._clock.now()
        with self._db.transaction() as s:
            alert = s.get(Alert, alert_id)
            if alert is None:
                raise NotAllowedNow("This alert no longer exists.")
            if alert.acknowledged_at is not None:
                raise NotAllowedNow("This alert was already acknowledged.")
            alert.acknowledged_at = now
            alert.acknowledged_by_id = actor.id
            alert.acknowledgement_note = text or None
            audit(
                s,
                now,
                actor,
                "acknowledge",
                "alert",
                alert.id,
                session_id=alert.session_id,
                code=alert.code,
            )
            s.flush()
            measured = (
                s.get_one(VitalsReading, alert.reading_id).measured_at
                if alert.reading_id is not None
                else None
            )
            return alert_row(alert, actor.display_name, measured)
