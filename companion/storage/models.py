"""The domain as SQLAlchemy 2 typed models.

Every clinical row keeps *when it was measured or happened* (`measured_at`, `administered_at`, ...)
apart from *when and by whom it was recorded* (`recorded_at`, `recorded_by_id`), because entries are
often typed a few minutes after the fact and the record must show both.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from companion.storage.types import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Role(enum.StrEnum):
    PHYSICIAN = "physician"
    GUIDE = "guide"
    STAFF = "staff"
    ADMIN = "admin"


class Indication(enum.StrEnum):
    DEPRESSION = "depression"
    TRD = "trd"
    ANXIETY = "anxiety"
    PTSD = "ptsd"
    OTHER = "other"


INDICATION_LABELS = {
    Indication.DEPRESSION: "Depression",
    Indication.TRD: "Treatment-resistant depression",
    Indication.ANXIETY: "Anxiety",
    Indication.PTSD: "PTSD",
    Indication.OTHER: "Other",
}


class Phase(enum.StrEnum):
    """The session stepper, in order."""

    CHECK_IN = "check_in"
    CENTERING = "centering"
    DOSE = "dose"
    MONITORING = "monitoring"
    DISCHARGE = "discharge"
    NOTE = "note"


PHASE_LABELS = {
    Phase.CHECK_IN: "Check-in",
    Phase.CENTERING: "Centering",
    Phase.DOSE: "Dose",
    Phase.MONITORING: "Monitoring",
    Phase.DISCHARGE: "Discharge",
    Phase.NOTE: "Reflection note",
}


class SessionStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


def _str_enum(cls: type[enum.StrEnum], length: int = 20) -> Any:
    # Stored as plain strings (no native enum), so PostgreSQL and SQLite share one schema and
    # adding a value never needs an ALTER TYPE.
    from sqlalchemy import Enum

    return Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(_str_enum(Role))
    secret_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Patient(Base):
    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(primary_key=True)
    chart_number: Mapped[str] = mapped_column(String(32), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    # Case- and accent-folded "family given chart" so search is one indexed LIKE, not Python.
    search_key: Mapped[str] = mapped_column(String(300), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    indication: Mapped[Indication] = mapped_column(_str_enum(Indication))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))

    sessions: Mapped[list[TreatmentSession]] = relationship(
        back_populates="patient", order_by="TreatmentSession.started_at"
    )

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class TreatmentSession(Base):
    __tablename__ = "treatment_session"
    __table_args__ = (
        Index("ix_session_status_started", "status", "started_at"),
        Index("ix_session_patient_started", "patient_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"))
    number_in_course: Mapped[int] = mapped_column(Integer)
    status: Mapped[SessionStatus] = mapped_column(_str_enum(SessionStatus))
    phase: Mapped[Phase] = mapped_column(_str_enum(Phase))
    started_at: Mapped[datetime]
    started_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    physician_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # T0: the injection time of the first dose. The session clock is derived from it, never counted.
    t0: Mapped[datetime | None]
    discharged_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]

    patient: Mapped[Patient] = relationship(back_populates="sessions")


class _Recorded:
    """Who recorded a row and when (as opposed to when it was measured)."""

    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class CheckIn(_Recorded, Base):
    __tablename__ = "check_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_session.id"), unique=True)
    last_food_at: Mapped[datetime | None]
    last_drink_at: Mapped[datetime | None]
    driver_name: Mapped[str | None] = mapped_column(String(120))
    driver_phone: Mapped[str | None] = mapped_column(String(40))
    medication_changes_reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    medication_flags: Mapped[list[Any]] = mapped_column(default=list)
    medication_notes: Mapped[str | None] = mapped_column(Text)
    consent_on_file: Mapped[bool] = mapped_column(Boolean, default=False)
    touch_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    no_substances_today: Mapped[bool] = mapped_column(Boolean, default=False)
    intention: Mapped[str | None] = mapped_column(Text)
    mood_pre: Mapped[int | None]
    anxiety_pre: Mapped[int | None]
    bp_gate_ack_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    bp_gate_ack_at: Mapped[datetime | None]
    bp_gate_ack_reason: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]


class ScaleResponse(_Recorded, Base):
    __tablename__ = "scale_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_session.id"), index=True)
    scale: Mapped[str] = mapped_column(String(20))
    context: Mapped[str] = mapped_column(String(20))  # "pre", "checkpoint", "post"
    items: Mapped[list[Any]]
    total: Mapped[int]
    band: Mapped[str] = mapped_column(String(60))
    measured_at: Mapped[datetime]


class VitalsReading(_Recorded, Base):
    __tablename__ = "vitals_reading"
    __table_args__ = (Index("ix_vitals_session_measured", "session_id", "measured_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_session.id"))
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoint.id"))
    context: Mapped[str] = mapped_column(
        String(20)
    )  # "baseline", "checkpoint", "extra", "discharge"
    systolic: Mapped[int | None]
    diastolic: Mapped[int | None]
    pulse: Mapped[int | None]
    spo2: Mapped[int | None]
    respiration: Mapped[int | None]
    temperature_c: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    on_oxygen: Mapped[bool] = mapped_column(Boolean, default=False)
    consciousness: Mapped[str] = mapped_column(String(1), default="A")
    news2_total: Mapped[int | None]
    flags: Mapped[list[Any]] = mapped_column(default=list)
    measured_at: Mapped[datetime]


class Dose(_Recorded, Base):
    __tablename__ = "dose"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_session.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "initial" or "top-up"
    drug: Mapped[str] = mapped_column(String(60))
    dose_mg: Mapped[float] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    mg_per_kg: Mapped[float | None] = mapped_column(Float)
    route: Mapped[str] = mapped_column(String(10))
    site: Mapped[str | None] = mapped_column(String(60))
    lot_number: Mapped[str | None] = mapped_column(String(60))
    administered_at: Mapped[datetime]
    administered_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    ceiling_warning: Mapped[str | None] = mapped_column(Text)


class CenteringRecord(_Recorded, Base):
    __tablename__ = "centering_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_session.id"), index=True)
    mode: Mapped[str] = mapped_column(String(20))  # "guided", "vr", "skipped"
    script_id: Mapped[str | None] = mapped_column(String(80))
    voice: Mapped[str | None] = mapped_column(String(120))
    rate: Mapped[int | None]
    planned_s: Mapped[float | None] = mapped_column(Float)
    actual_s: Mapped[float | None] = mapped_column(Float)
    pauses: Mapped[list[Any]] = mapped_column(default=list)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_early: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str | None] = mapped_column(Text)


class Checkpoint(_Recorded, Base):
    __tablename__ = "checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_session.id"), index=True)
    key: Mapped[str] = mapped_column(String(30))  # protocol key, e.g. "t5", "t40", "pre_discharge"
    offset_min: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(10))  # "done" or "missed"
    moaas: Mapped[int | None]
    cadss_items: Mapped[list[Any] | None]
    cadss_total: Mapped[int | None]
    nausea: Mapped[int | None]
    distress: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    missed_reason: Mapped[str | None] = mapped_column(Text)
    measured_at: Mapped[datetime]


class Observation(_Recorded, Base):
    __tablename__ = "observation"
    __table_args__ = (
        Index("ix_observation_session_at", "session_id", "observed_at"),
        # Only the few adverse rows: History's adverse-event filter reads this, not every row.
        # The WHERE must read as the query renders it (`= 1` on SQLite) for SQLite to use it.
        Index(
            "ix_observation_adverse",
            "session_id",
            sqlite_where=text("adverse_event = 1"),
            postgresql_where=text("adverse_event"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_session.id"))
    tag: Mapped[str | None] = mapped_column(String(60))
    text: Mapped[str | None] = mapped_column(Text)
    adverse_event: Mapped[bool] = mapped_column(Boolean, default=False)
    observed_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class Alert(Base):
    __tablename__ = "alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_session.id"), index=True)
    reading_id: Mapped[int | None] = mapped_column(ForeignKey("vitals_reading.id"))
    code: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text)
    escalation: Mapped[str | None] = mapped_column(Text)
    raised_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)


class DischargeAssessment(_Recorded, Base):
    __tablename__ = "discharge_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_session.id"), index=True)
    padss_vitals: Mapped[int]
    padss_activity: Mapped[int]
    padss_nausea: Mapped[int]
    padss_pain: Mapped[int]
    padss_total: Mapped[int]
    moaas: Mapped[int | None]
    dissociation_resolved: Mapped[bool] = mapped_column(Boolean)
    steady_gait: Mapped[bool] = mapped_column(Boolean)
    nausea_controlled: Mapped[bool] = mapped_column(Boolean)
    min_observation_passed: Mapped[bool] = mapped_column(Boolean)
    driver_present: Mapped[bool] = mapped_column(Boolean)
    driver_name_confirmed: Mapped[str | None] = mapped_column(String(120))
    instructions_given: Mapped[bool] = mapped_column(Boolean)
    criteria_met: Mapped[bool] = mapped_column(Boolean)
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    assessed_at: Mapped[datetime]
    discharged_at: Mapped[datetime | None]


def adverse_events_recorded(content: object) -> bool:
    """Whether note content lists an adverse event: a non-empty `adverse_events` list.

    The same rule as the 0002 migration's backfill (json_array_length(...) > 0)."""
    events = content.get("adverse_events") if isinstance(content, dict) else None
    return isinstance(events, list) and len(events) > 0


def _adverse_flag_default(context: DefaultExecutionContext) -> bool:
    # A Core INSERT that leaves the flag out (bench/generate.py) still gets it from the content.
    params: dict[str, Any] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return adverse_events_recorded(params.get("content"))


class ReflectionNote(Base):
    __tablename__ = "reflection_note"
    __table_args__ = (
        Index(
            "ix_reflection_note_adverse",
            "session_id",
            sqlite_where=text("has_adverse_events = 1"),
            postgresql_where=text("has_adverse_events"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_session.id"), unique=True)
    content: Mapped[dict[str, Any]]
    # Derived from `content` whenever it is assigned (below), never set on its own: an indexed
    # flag, so History's adverse-event filter does not parse every note's JSON.
    has_adverse_events: Mapped[bool] = mapped_column(
        Boolean, default=_adverse_flag_default, server_default=false()
    )
    status: Mapped[str] = mapped_column(String(10))  # "draft" or "signed"; signed rows are locked
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    content_sha256: Mapped[str | None] = mapped_column(String(64))

    @validates("content")
    def _content_set(self, _key: str, content: dict[str, Any]) -> dict[str, Any]:
        # Every ORM writer (the note service, the demo seeder, test factories) keeps the flag
        # and the content in one row, so they cannot disagree.
        self.has_adverse_events = adverse_events_recorded(content)
        return content


class NoteAddendum(Base):
    __tablename__ = "note_addendum"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("reflection_note.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    written_at: Mapped[datetime]


class AuditEvent(Base):
    """Append-only: the database refuses UPDATE and DELETE on this table (see the migration)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    session_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
