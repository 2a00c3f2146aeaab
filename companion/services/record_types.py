"""Read models for review and export: frozen dataclasses, never ORM objects.

A `SessionRecord` is everything a session holds, with staff ids already resolved to names, so the
record view, the PDF, the CSV and the FHIR bundle are all built from the same tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from companion.storage.models import Indication, Phase, SessionStatus

T = TypeVar("T")


@dataclass(frozen=True)
class SessionFilters:
    """History search. `since`/`until` bound the start time (until is exclusive)."""

    patient_text: str = ""
    since: datetime | None = None
    until: datetime | None = None
    indication: Indication | None = None
    adverse_events_only: bool = False
    unsigned_only: bool = False


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: tuple[T, ...]
    offset: int
    has_more: bool


@dataclass(frozen=True)
class HistoryRow:
    id: int
    patient_id: int
    chart_number: str
    patient_name: str
    indication: Indication
    number_in_course: int
    status: SessionStatus
    phase: Phase
    started_at: datetime
    note_status: str | None  # "draft", "signed" or None (no note yet)
    adverse_events: bool


@dataclass(frozen=True)
class PatientView:
    id: int
    chart_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    indication: Indication

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class CheckInView:
    last_food_at: datetime | None
    last_drink_at: datetime | None
    driver_name: str | None
    driver_phone: str | None
    medication_changes_reviewed: bool
    medication_flags: tuple[str, ...]
    medication_notes: str | None
    consent_on_file: bool
    touch_consent: bool
    no_substances_today: bool
    intention: str | None
    mood_pre: int | None
    anxiety_pre: int | None
    bp_gate_ack_by: str | None
    bp_gate_ack_at: datetime | None
    bp_gate_ack_reason: str | None
    completed_at: datetime | None


@dataclass(frozen=True)
class ScaleView:
    scale: str
    context: str
    items: tuple[Any, ...]
    total: int
    band: str
    measured_at: datetime


@dataclass(frozen=True)
class CenteringView:
    mode: str
    script_id: str | None
    voice: str | None
    planned_s: float | None
    actual_s: float | None
    pauses: int
    completed: bool
    ended_early: bool
    started_at: datetime | None
    ended_at: datetime | None
    guide: str | None
    note: str | None


@dataclass(frozen=True)
class DoseView:
    kind: str
    drug: str
    dose_mg: float
    weight_kg: float | None
    mg_per_kg: float | None
    route: str
    site: str | None
    lot_number: str | None
    administered_at: datetime
    administered_by: str | None
    ceiling_warning: str | None


@dataclass(frozen=True)
class VitalsView:
    id: int
    context: str
    measured_at: datetime
    systolic: int | None
    diastolic: int | None
    pulse: int | None
    spo2: int | None
    respiration: int | None
    temperature_c: float | None
    weight_kg: float | None
    on_oxygen: bool
    consciousness: str
    news2_total: int | None
    flags: tuple[str, ...]
    checkpoint_offset_min: float | None


@dataclass(frozen=True)
class CheckpointView:
    id: int
    key: str
    offset_min: float | None
    status: str
    moaas: int | None
    cadss_total: int | None
    nausea: int | None
    distress: int | None
    note: str | None
    missed_reason: str | None
    measured_at: datetime


@dataclass(frozen=True)
class ObservationView:
    id: int
    tag: str | None
    text: str | None
    adverse_event: bool
    observed_at: datetime
    recorded_by: str | None


@dataclass(frozen=True)
class AlertView:
    code: str
    severity: str
    title: str
    detail: str
    escalation: str | None
    raised_at: datetime
    cleared_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    acknowledgement_note: str | None


@dataclass(frozen=True)
class DischargeView:
    padss: tuple[int, int, int, int]  # vitals, activity, nausea, pain
    padss_total: int
    moaas: int | None
    dissociation_resolved: bool
    steady_gait: bool
    nausea_controlled: bool
    min_observation_passed: bool
    driver_present: bool
    driver_name_confirmed: str | None
    instructions_given: bool
    criteria_met: bool
    override_reason: str | None
    override_by: str | None
    assessed_at: datetime
    discharged_at: datetime | None
    assessed_by: str | None


@dataclass(frozen=True)
class AddendumView:
    text: str
    author: str
    written_at: datetime


@dataclass(frozen=True)
class NoteView:
    status: str
    # The note's structured content (CLINICAL.md §6), a copy of the stored JSON object.
    content: dict[str, Any]
    created_at: datetime
    author: str | None
    updated_at: datetime
    guide: str | None
    signed_at: datetime | None
    signed_by: str | None
    content_sha256: str | None
    addenda: tuple[AddendumView, ...]


@dataclass(frozen=True)
class SessionRecord:
    id: int
    patient: PatientView
    number_in_course: int
    status: SessionStatus
    phase: Phase
    started_at: datetime
    t0: datetime | None
    discharged_at: datetime | None
    ended_at: datetime | None
    guide: str | None
    physician: str | None
    check_in: CheckInView | None
    scales: tuple[ScaleView, ...]
    centering: tuple[CenteringView, ...]
    doses: tuple[DoseView, ...]
    vitals: tuple[VitalsView, ...]
    checkpoints: tuple[CheckpointView, ...]
    observations: tuple[ObservationView, ...]
    alerts: tuple[AlertView, ...]
    discharge: DischargeView | None
    note: NoteView | None

    def minutes_since_t0(self, at: datetime) -> float | None:
        """Minutes from the injection to `at` (negative before it); None before any dose."""
        return None if self.t0 is None else (at - self.t0).total_seconds() / 60

    @property
    def baseline(self) -> VitalsView | None:
        return next((v for v in self.vitals if v.context == "baseline"), None)


@dataclass(frozen=True)
class CoursePoint:
    session_id: int
    number_in_course: int
    started_at: datetime
    status: SessionStatus
    scores: dict[str, int]  # scale id ("phq9", "gad7", "pcl5") -> pre-session total
    mood_pre: int | None
    mood_post: int | None
    anxiety_pre: int | None
    anxiety_post: int | None


@dataclass(frozen=True)
class PatientCourse:
    patient: PatientView
    points: tuple[CoursePoint, ...]
    completed_treatments: int
