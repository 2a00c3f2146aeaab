"""Reviewing past sessions: search, a session's full record, and a patient's course.

Read-only apart from the audit trail: every opening of a record (and every export) writes an audit
row in the same transaction that read it. Queries use bound parameters and load each table once per
record (no query per row). The record types live in `record_types`, the loading of one record in `record_loader`.
"""

from __future__ import annotations

import getpass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, union

from companion.clock import Clock
from companion.errors import FieldError
from companion.roles import Action, Actor, require
from companion.services.audit import audit
from companion.services.patients import PatientRow, find_patients, search_key_contains
from companion.services.record_loader import load_record, patient_view
from companion.services.record_types import (
    CoursePoint,
    HistoryRow,
    Page,
    PatientCourse,
    SessionFilters,
    SessionRecord,
)
from companion.storage.database import Database
from companion.storage.models import (
    CheckIn,
    Observation,
    Patient,
    ReflectionNote,
    ScaleResponse,
    SessionStatus,
    TreatmentSession,
)

EXPORT_FORMATS = ("pdf", "csv", "fhir")
MAX_PAGE = 500


def _has_adverse_events() -> ColumnElement[bool]:
    """The session has an observation marked adverse, or its note lists an adverse event.

    Built from the small set (a few percent of sessions), each half read through its partial
    index (ix_observation_adverse, ix_reflection_note_adverse), so the database never looks at
    every session, observation or note. `WHERE adverse_event` must render as the indexes'
    WHERE clause (`= 1` on SQLite) for them to be used; test_records.py checks the plan.
    """
    adverse_ids = union(
        select(Observation.session_id).where(Observation.adverse_event),
        select(ReflectionNote.session_id).where(ReflectionNote.has_adverse_events),
    )
    return TreatmentSession.id.in_(adverse_ids)


class RecordService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # ---- search ---------------------------------------------------------------------------

    def search_patients(self, text: str = "", limit: int = 200) -> list[PatientRow]:
        """Patients whose name or chart number contains `text`, case- and accent-insensitive."""
        with self._db.transaction() as s:
            return find_patients(s, text, min(limit, MAX_PAGE))

    def search_sessions(
        self, filters: SessionFilters, offset: int = 0, limit: int = 100
    ) -> Page[HistoryRow]:
        """One page of matching sessions, newest first."""
        if offset < 0:
            raise FieldError("offset", "Must not be negative.")
        limit = max(1, min(limit, MAX_PAGE))
        q = (
            select(TreatmentSession, Patient, ReflectionNote.status, _has_adverse_events())
            .join(Patient, Patient.id == TreatmentSession.patient_id)
            .outerjoin(ReflectionNote, ReflectionNote.session_id == TreatmentSession.id)
        )
        q = q.where(*_conditions(filters)).order_by(
            TreatmentSession.started_at.desc(), TreatmentSession.id.desc()
        )
        with self._db.transaction() as s:
            rows = s.execute(q.offset(offset).limit(limit + 1)).all()
        items = tuple(
            HistoryRow(
                id=ts.id,
                patient_id=p.id,
                chart_number=p.chart_number,
                patient_name=p.full_name,
                indication=p.indication,
                number_in_course=ts.number_in_course,
                status=ts.status,
                phase=ts.phase,
                started_at=ts.started_at,
                note_status=note_status,
                adverse_events=bool(adverse),
            )
            for ts, p, note_status, adverse in rows[:limit]
        )
        return Page(items, offset, has_more=len(rows) > limit)

    def count_sessions(self, filters: SessionFilters) -> int:
        q = (
            select(func.count(TreatmentSession.id))
            .join(Patient, Patient.id == TreatmentSession.patient_id)
            .outerjoin(ReflectionNote, ReflectionNote.session_id == TreatmentSession.id)
        )
        with self._db.transaction() as s:
            return int(s.scalar(q.where(*_conditions(filters))) or 0)

    def latest_session_id(self, status: SessionStatus = SessionStatus.COMPLETED) -> int | None:
        q = (
            select(TreatmentSession.id)
            .where(TreatmentSession.status == status)
            .order_by(TreatmentSession.started_at.desc(), TreatmentSession.id.desc())
            .limit(1)
        )
        with self._db.transaction() as s:
            return s.scalar(q)

    # ---- one session ----------------------------------------------------------------------

    def session_record(self, actor: Actor, session_id: int) -> SessionRecord:
        """A session's full record for reading; the opening is audited."""
        require(actor, Action.VIEW_RECORDS)
        with self._db.transaction() as s:
            record = load_record(s, session_id)
            audit(s, self._clock.now(), actor, "view", "session", session_id, session_id=session_id)
        return record

    def record_for_export(self, actor: Actor, session_id: int, fmt: str) -> SessionRecord:
        """The record about to leave the app as a file; audited as an export in `fmt`."""
        require(actor, Action.EXPORT)
        return self._export(actor, session_id, fmt, via="app")

    def record_for_command_line_export(self, session_id: int, fmt: str) -> SessionRecord:
        """For `main.py export`: nobody is signed in, so the audit row names the OS account.

        Whoever can run the command can already read the database file; the audit trail still
        shows that the record left the app, when, and in which format.
        """
        return self._export(None, session_id, fmt, via="command line", os_user=_os_user())

    def _export(
        self, actor: Actor | None, session_id: int, fmt: str, **detail: str
    ) -> SessionRecord:
        if fmt not in EXPORT_FORMATS:
            raise FieldError("format", f"Choose one of: {', '.join(EXPORT_FORMATS)}.")
        with self._db.transaction() as s:
            record = load_record(s, session_id)
            audit(
                s,
                self._clock.now(),
                actor,
                "export",
                "session",
                session_id,
                session_id=session_id,
                format=fmt,
                **detail,
            )
        return record

    # ---- a patient's course ---------------------------------------------------------------

    def patient_course(self, actor: Actor, patient_id: int) -> PatientCourse:
        """Sessions over time with outcome scores and pre/post ratings; the opening is audited."""
        require(actor, Action.VIEW_RECORDS)
        with self._db.transaction() as s:
            patient = s.get(Patient, patient_id)
            if patient is None:
                raise FieldError("patient", f"No patient with id {patient_id}.")
            sessions = s.scalars(
                select(TreatmentSession)
                .where(TreatmentSession.patient_id == patient_id)
                .order_by(TreatmentSession.started_at, TreatmentSession.id)
            ).all()
            ids = [ts.id for ts in sessions]
            scores: dict[int, dict[str, int]] = {i: {} for i in ids}
            for r in s.scalars(
                select(ScaleResponse)
                .where(ScaleResponse.session_id.in_(ids), ScaleResponse.context == "pre")
                .order_by(ScaleResponse.measured_at)
            ):
                scores[r.session_id][r.scale] = r.total  # a later entry supersedes an earlier
            checkins = {
                c.session_id: c
                for c in s.scalars(select(CheckIn).where(CheckIn.session_id.in_(ids)))
            }
            notes = {
                n.session_id: n.content
                for n in s.scalars(select(ReflectionNote).where(ReflectionNote.session_id.in_(ids)))
            }
            audit(s, self._clock.now(), actor, "view", "patient", patient_id)
            points = tuple(
                CoursePoint(
                    session_id=ts.id,
                    number_in_course=ts.number_in_course,
                    started_at=ts.started_at,
                    status=ts.status,
                    scores=scores[ts.id],
                    mood_pre=checkins[ts.id].mood_pre if ts.id in checkins else None,
                    anxiety_pre=checkins[ts.id].anxiety_pre if ts.id in checkins else None,
                    mood_post=_rating(notes.get(ts.id), "mood_post"),
                    anxiety_post=_rating(notes.get(ts.id), "anxiety_post"),
                )
                for ts in sessions
            )
            return PatientCourse(
                patient=patient_view(patient),
                points=points,
                completed_treatments=sum(
                    1 for ts in sessions if ts.status == SessionStatus.COMPLETED
                ),
            )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers) and no USER variable
        return "unknown"


def _rating(content: dict[str, Any] | None, key: str) -> int | None:
    value = (content or {}).get(key)
    # Only a real 0–10 integer counts; a malformed draft value is left out rather than plotted.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10:
        return value
    return None


def _conditions(f: SessionFilters) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    by_text = search_key_contains(f.patient_text)
    if by_text is not None:
        out.append(by_text)
    if f.since is not None:
        out.append(TreatmentSession.started_at >= f.since)
    if f.until is not None:
        out.append(TreatmentSession.started_at < f.until)
    if f.indication is not None:
        out.append(Patient.indication == f.indication)
    if f.adverse_events_only:
        out.append(_has_adverse_events())
    if f.unsigned_only:
        # Sessions that still need a signature: not abandoned, and no note or a draft.
        out.append(TreatmentSession.status != SessionStatus.ABANDONED)
        out.append(or_(ReflectionNote.id.is_(None), ReflectionNote.status != "signed"))
    return out
