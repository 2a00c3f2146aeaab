"""Loading one session's whole record into read models: one query per table, staff names
resolved in one more query, no query per row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.errors import FieldError
from companion.services.record_types import (
    AddendumView,
    AlertView,
    CenteringView,
    CheckInView,
    CheckpointView,
    DischargeView,
    DoseView,
    NoteView,
    ObservationView,
    PatientView,
    ScaleView,
    SessionRecord,
    VitalsView,
)
from companion.storage.models import (
    Alert,
    CenteringRecord,
    CheckIn,
    Checkpoint,
    DischargeAssessment,
    Dose,
    NoteAddendum,
    Observation,
    Patient,
    ReflectionNote,
    ScaleResponse,
    Staff,
    TreatmentSession,
    VitalsReading,
)

T = TypeVar("T")


def patient_view(p: Patient) -> PatientView:
    return _copy(PatientView, p)


def _copy(cls: type[T], row: Any, **computed: Any) -> T:
    """A read model from an ORM row: same-named fields copied, the rest given in `computed`.

    Lists from JSON columns become tuples so the read model is immutable throughout.
    """
    values = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in computed:
            continue
        value = getattr(row, f.name)
        values[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**values, **computed)


def _names(s: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of the staff referenced by a record, in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    q = select(Staff.id, Staff.display_name).where(Staff.id.in_(wanted))
    return {staff_id: name for staff_id, name in s.execute(q)}


def load_record(s: Session, session_id: int) -> SessionRecord:
    ts = s.get(TreatmentSession, session_id)
    if ts is None:
        raise FieldError("session", f"No session with id {session_id}.")
    patient = s.get_one(Patient, ts.patient_id)

    def rows(model: Any, *order: Any) -> list[Any]:
        q = select(model).where(model.session_id == session_id).order_by(*order, model.id)
        return list(s.scalars(q))

    checkin = s.scalar(select(CheckIn).where(CheckIn.session_id == session_id))
    scales = rows(ScaleResponse, ScaleResponse.measured_at)
    centering = rows(CenteringRecord)
    doses = rows(Dose, Dose.administered_at)
    vitals = rows(VitalsReading, VitalsReading.measured_at)
    checkpoints = rows(Checkpoint, Checkpoint.measured_at)
    observations = rows(Observation, Observation.observed_at)
    alerts = rows(Alert, Alert.raised_at)
    discharges = rows(DischargeAssessment, DischargeAssessment.assessed_at)
    note = s.scalar(select(ReflectionNote).where(ReflectionNote.session_id == session_id))
    addenda: list[NoteAddendum] = []
    if note is not None:
        q = select(NoteAddendum).where(NoteAddendum.note_id == note.id)
        addenda = list(s.scalars(q.order_by(NoteAddendum.written_at, NoteAddendum.id)))
    discharge = discharges[-1] if discharges else None  # a re-assessment supersedes
    names = _names(
        s,
        [
            ts.guide_id,
            ts.physician_id,
            checkin.bp_gate_ack_by_id if checkin else None,
            *(d.administered_by_id for d in doses),
            *(c.guide_id for c in centering),
            *(a.acknowledged_by_id for a in alerts),
            *(o.recorded_by_id for o in observations),
            *(a.author_id for a in addenda),
            *((discharge.override_by_id, discharge.recorded_by_id) if discharge else ()),
            *((note.guide_id, note.signed_by_id, note.created_by_id) if note else ()),
        ],
    )

    def name(staff_id: int | None) -> str | None:
        return names.get(staff_id) if staff_id is not None else None

    cp_offsets = {c.id: c.offset_min for c in checkpoints}
    return SessionRecord(
        id=ts.id,
        patient=patient_view(patient),
        number_in_course=ts.number_in_course,
        status=ts.status,
        phase=ts.phase,
        started_at=ts.started_at,
        t0=ts.t0,
        discharged_at=ts.discharged_at,
        ended_at=ts.ended_at,
        guide=name(ts.guide_id),
        physician=name(ts.physician_id),
        check_in=(
            _copy(CheckInView, checkin, bp_gate_ack_by=name(checkin.bp_gate_ack_by_id))
            if checkin
            else None
        ),
        scales=tuple(_copy(ScaleView, r) for r in scales),
        centering=tuple(
            _copy(CenteringView, c, pauses=len(c.pauses or []), guide=name(c.guide_id))
            for c in centering
        ),
        doses=tuple(_copy(DoseView, d, administered_by=name(d.administered_by_id)) for d in doses),
        vitals=tuple(
            _copy(
                VitalsView,
                v,
                flags=tuple(str(f) for f in v.flags or ()),
                checkpoint_offset_min=cp_offsets.get(v.checkpoint_id),
            )
            for v in vitals
        ),
        checkpoints=tuple(_copy(CheckpointView, c) for c in checkpoints),
        observations=tuple(
            _copy(ObservationView, o, recorded_by=name(o.recorded_by_id)) for o in observations
        ),
        alerts=tuple(
            _copy(AlertView, a, acknowledged_by=name(a.acknowledged_by_id)) for a in alerts
        ),
        discharge=(
            _copy(
                DischargeView,
                discharge,
                padss=(
                    discharge.padss_vitals,
                    discharge.padss_activity,
                    discharge.padss_nausea,
                    discharge.padss_pain,
                ),
                override_by=name(discharge.override_by_id),
                assessed_by=name(discharge.recorded_by_id),
            )
            if discharge
            else None
        ),
        note=(
            _copy(
                NoteView,
                note,
                content=dict(note.content or {}),
                author=name(note.created_by_id),
                guide=name(note.guide_id),
                signed_by=name(note.signed_by_id),
                addenda=tuple(
                    AddendumView(a.text, name(a.author_id) or "?", a.written_at) for a in addenda
                ),
            )
            if note
            else None
        ),
    )
