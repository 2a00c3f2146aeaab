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
from datetime import UTC, datetime

from sqlalchemy import Select, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session, aliased

from companion.clinical.alerts import AlertThresholds, evaluate_reading
from companion.clinical.news2 import news2
from companion.clinical.plausibility import VitalsValues
from companion.clock import Clock
from companion.errors import NotAllowedNow
from companion.roles import Action, Actor, require
from companion.services.audit import audit
from companion.services.vitals import ReadingRow
from companion.storage.database import Database, Executor
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


# Statements are built once at import: building a select() with aliased() joins costs more than
# running it (issue 7, the checkpoint commit), and the compiled form is cached by SQLAlchemy.
_RAISED_BY = aliased(VitalsReading, name="raised_by")
_ACKER = aliased(Staff, name="acker")
_ROWS = (
    select(Alert, _ACKER.display_name, _RAISED_BY.measured_at)
    .outerjoin(_ACKER, Alert.acknowledged_by_id == _ACKER.id)
    .outerjoin(_RAISED_BY, Alert.reading_id == _RAISED_BY.id)
    .order_by(Alert.raised_at, Alert.id)
)
_ALL = _ROWS.where(Alert.session_id == bindparam("sid"))
_ACTIVE = _ALL.where(Alert.acknowledged_at.is_(None))

# Every reading is evaluated in the transaction that stores it, so these are Core statements on
# the table: a few columns are needed, and the ORM's per-statement work and unit of work would
# cost several times what SQLite does (issue 7). New alerts are returned as the values stored.
_ALERTS: Table = Alert.__table__  # type: ignore[assignment]
_RAISED = VitalsReading.__table__.alias("raised_by")
_OPEN = (
    select(
        _ALERTS.c.id,
        _ALERTS.c.code,
        _ALERTS.c.reading_id,
        _ALERTS.c.acknowledged_at,
        _RAISED.c.measured_at,
    )
    .select_from(_ALERTS.outerjoin(_RAISED, _ALERTS.c.reading_id == _RAISED.c.id))
    .where(_ALERTS.c.session_id == bindparam("sid"), _ALERTS.c.cleared_at.is_(None))
)
_CLEAR = (
    update(_ALERTS)
    .where(_ALERTS.c.id == bindparam("alert_id"))
    .values(cleared_at=bindparam("cleared", type_=_ALERTS.c.cleared_at.type))
)
_RAISE = insert(_ALERTS).returning(_ALERTS.c.id)


def evaluate_new_reading(
    s: Executor,
    reading: ReadingRow,
    baseline: VitalsValues | None,
    thresholds: AlertThresholds,
    now: datetime,
) -> list[AlertRow]:
    """Raise and clear alerts for the stored `reading` inside the caller's transaction.

    `baseline` is the session's latest baseline values, read once by the caller for both the
    reading's flags and these rules. Returns the new alerts as `active_alerts_in` would list them
    (most severe first), without reading them back.
    """
    values = reading.values
    findings = evaluate_reading(values, baseline, thresholds)
    found = {f.code for f in findings}
    unacknowledged: set[str] = set()
    for alert_id, code, reading_id, acknowledged_at, raised_measured_at in s.execute(
        _OPEN, {"sid": reading.session_id}
    ).all():
        if (
            reading_id is not None
            and code not in found
            and _assessed(code, values)
            and (raised_measured_at is None or reading.measured_at >= raised_measured_at)
        ):
            s.execute(_CLEAR, {"alert_id": alert_id, "cleared": now})
            audit(s, now, None, "clear", "alert", alert_id, session_id=reading.session_id)
        elif acknowledged_at is None:
            unacknowledged.add(code)
    # The new rows as they would be read back: times in UTC, nobody has acknowledged them yet.
    raised, measured = now.astimezone(UTC), reading.measured_at.astimezone(UTC)
    created: list[AlertRow] = []
    for f in findings:
        if f.code in unacknowledged:
            continue
        alert_id = s.execute(
            _RAISE,
            {
                "session_id": reading.session_id,
                "reading_id": reading.id,
                "code": f.code,
                "severity": f.severity,
                "title": f.title,
                "detail": f.detail,
                "escalation": f.escalation,
                "raised_at": now,
            },
        ).scalar_one()
        audit(
            s,
            now,
            None,
            "raise",
            "alert",
            alert_id,
            session_id=reading.session_id,
            code=f.code,
            reading_id=reading.id,
        )
        created.append(
            AlertRow(
                id=alert_id,
                session_id=reading.session_id,
                reading_id=reading.id,
                code=f.code,
                severity=f.severity,
                title=f.title,
                detail=f.detail,
                escalation=f.escalation,
                raised_at=raised,
                reading_measured_at=measured,
                cleared_at=None,
                acknowledged_at=None,
                acknowledged_by=None,
                acknowledgement_note=None,
            )
        )
    return _by_severity(created)


def _by_severity(rows: list[AlertRow]) -> list[AlertRow]:
    return sorted(rows, key=lambda r: (_SEVERITY_ORDER.get(r.severity, 3), r.raised_at, r.id))


def _rows(s: Session, statement: Select[Alert, str, datetime], sid: int) -> list[AlertRow]:
    rows = [
        alert_row(a, name, measured) for a, name, measured in s.execute(statement, {"sid": sid})
    ]
    return _by_severity(rows)


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
    return _rows(s, _ACTIVE, session_id)


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
            return _rows(s, _ALL, session_id)

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
