"""Starting, listing and moving treatment sessions through their phases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from companion.clock import Clock
from companion.errors import NotAllowedNow
from companion.roles import Action, Actor, require
from companion.services.audit import audit
from companion.storage.database import Database
from companion.storage.models import (
    Indication,
    Patient,
    Phase,
    SessionStatus,
    TreatmentSession,
)
from companion.text import clean_text


@dataclass(frozen=True)
class SessionRow:
    id: int
    patient_id: int
    chart_number: str
    patient_name: str
    indication: Indication
    number_in_course: int
    status: SessionStatus
    phase: Phase
    started_at: datetime
    t0: datetime | None


def _row(ts: TreatmentSession, p: Patient) -> SessionRow:
    return SessionRow(
        ts.id,
        p.id,
        p.chart_number,
        p.full_name,
        p.indication,
        ts.number_in_course,
        ts.status,
        ts.phase,
        ts.started_at,
        ts.t0,
    )


class SessionService:
    def __init__(
        self, db: Database, clock: Clock, protocol_check: Callable[[], object] | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        self._protocol_check = protocol_check

    def start_session(self, actor: Actor, patient_id: int) -> SessionRow:
        """Open a new session at check-in; its number in the patient's course is computed."""
        require(actor, Action.START_SESSION)
        if self._protocol_check is not None:
            self._protocol_check()
        now = self._clock.now()
        with self._db.transaction() as s:
            patient = s.get_one(Patient, patient_id)
            open_id = s.scalar(
                select(TreatmentSession.id).where(
                    TreatmentSession.patient_id == patient_id,
                    TreatmentSession.status == SessionStatus.IN_PROGRESS,
                )
            )
            if open_id is not None:
                raise NotAllowedNow(
                    f"{patient.full_name} already has a session in progress (#{open_id}); "
                    "resume it from Today."
                )
            ts = TreatmentSession(
                patient_id=patient_id,
                number_in_course=_next_number(s, patient_id),
                status=SessionStatus.IN_PROGRESS,
                phase=Phase.CHECK_IN,
                started_at=now,
                started_by_id=actor.id,
                guide_id=actor.id if actor.role.value == "guide" else None,
                physician_id=actor.id if actor.role.value == "physician" else None,
            )
            s.add(ts)
            s.flush()
            audit(s, now, actor, "create", "session", ts.id, session_id=ts.id)
            return _row(ts, patient)

    def get(self, session_id: int) -> SessionRow:
        with self._db.transaction() as s:
            ts = s.get_one(TreatmentSession, session_id)
            return _row(ts, ts.patient)

    def set_phase(self, actor: Actor, session_id: int, phase: Phase) -> SessionRow:
        require(actor, Action.VIEW_RECORDS)
        with self._db.transaction() as s:
            ts = s.get_one(TreatmentSession, session_id)
            if ts.status != SessionStatus.IN_PROGRESS:
                raise NotAllowedNow("This session is closed.")
            if ts.phase != phase:
                audit(
                    s,
                    self._clock.now(),
                    actor,
                    "phase",
                    "session",
                    ts.id,
                    session_id=ts.id,
                    old=ts.phase.value,
                    new=phase.value,
                )
                ts.phase = phase
            return _row(ts, ts.patient)

    def abandon(self, actor: Actor, session_id: int, reason: str) -> SessionRow:
        """Close a session that will not continue (e.g. patient unfit to dose); needs a reason."""
        require(actor, Action.ABANDON_SESSION)
        reason = clean_text("reason", reason, max_len=2000, required=True, multiline=True)
        now = self._clock.now()
        with self._db.transaction() as s:
            ts = s.get_one(TreatmentSession, session_id)
            if ts.status != SessionStatus.IN_PROGRESS:
                raise NotAllowedNow("This session is already closed.")
            ts.status = SessionStatus.ABANDONED
            ts.ended_at = now
            audit(s, now, actor, "abandon", "session", ts.id, session_id=ts.id, reason=reason)
            return _row(ts, ts.patient)

    def unfinished(self) -> list[SessionRow]:
        """Sessions still in progress, oldest first: offered for resumption at start-up."""
        with self._db.transaction() as s:
            q = (
                select(TreatmentSession, Patient)
                .join(Patient)
                .where(TreatmentSession.status == SessionStatus.IN_PROGRESS)
                .order_by(TreatmentSession.started_at)
            )
            return [_row(ts, p) for ts, p in s.execute(q)]

    def for_day(self, day: date, tz_offset: timedelta = timedelta(0)) -> list[SessionRow]:
        """The day's sessions plus any still in progress, in-progress ones first."""
        start = datetime.combine(day, time.min, tzinfo=self._clock.now().tzinfo) - tz_offset
        end = start + timedelta(days=1)
        in_progress_first = case((TreatmentSession.status == SessionStatus.IN_PROGRESS, 0), else_=1)
        q = (
            select(TreatmentSession, Patient)
            .join(Patient)
            .where(
                (TreatmentSession.status == SessionStatus.IN_PROGRESS)
                | ((TreatmentSession.started_at >= start) & (TreatmentSession.started_at < end))
            )
            .order_by(in_progress_first, TreatmentSession.started_at.desc())
        )
        with self._db.transaction() as s:
            return [_row(ts, p) for ts, p in s.execute(q)]

    def all_sessions(self) -> list[SessionRow]:
        with self._db.transaction() as s:
            q = (
                select(TreatmentSession, Patient)
                .join(Patient)
                .order_by(TreatmentSession.started_at, TreatmentSession.id)
            )
            return [_row(ts, p) for ts, p in s.execute(q)]

    def for_patient(self, patient_id: int) -> list[SessionRow]:
        with self._db.transaction() as s:
            q = (
                select(TreatmentSession, Patient)
                .join(Patient)
                .where(TreatmentSession.patient_id == patient_id)
                .order_by(TreatmentSession.started_at.desc())
            )
            return [_row(ts, p) for ts, p in s.execute(q)]


def _next_number(s: Session, patient_id: int) -> int:
    # Abandoned sessions (never dosed) do not count as treatments in the course.
    done = s.scalar(
        select(func.count(TreatmentSession.id)).where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.status != SessionStatus.ABANDONED,
        )
    )
    return int(done or 0) + 1
