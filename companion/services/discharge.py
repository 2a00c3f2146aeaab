"""Discharge readiness (CLINICAL.md §5): facts the app already holds, the clinician's assessment,
and the discharge itself.

What is computed and what is judged: the PADSS vital-sign item and "minimum observation passed"
are computed from stored readings and T0 (never typed); MOAA/S is entered (pre-filled from the
latest checkpoint) and compared with the target here; gait, nausea, dissociation, driver and
instructions are the clinician's confirmations, shown beside the facts that support them.
A discharge with any unmet criterion needs the physician and a reason (stored and audited).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from companion.clinical.padss import padss_total, padss_vitals_item
from companion.clinical.plausibility import VitalsValues
from companion.clinical.tables import MOAAS_LEVELS, PADSS_FIT_MIN, PADSS_MAX
from companion.clock import Clock
from companion.errors import FieldError, NotAllowedNow
from companion.protocol import Protocol
from companion.roles import Action, Actor, require
from companion.services.audit import audit
from companion.services.vitals import baseline_reading, values_of
from companion.storage.database import Database
from companion.storage.models import (
    CheckIn,
    Checkpoint,
    DischargeAssessment,
    Dose,
    Phase,
    ScaleResponse,
    SessionStatus,
    Staff,
    TreatmentSession,
    VitalsReading,
)
from companion.text import clean_text

MOAAS_FULLY_AWAKE = 5
DRIVING_INSTRUCTIONS = (
    "No driving, cycling or operating machinery until the next day after a restful sleep; "
    "the designated driver takes the patient home."
)
# A checkpoint value with the time it was measured.
Measured = tuple[int, datetime]


@dataclass(frozen=True)
class AssessmentEntry:
    """What the clinician enters and confirms on the discharge screen."""

    moaas: int
    padss_activity: int
    padss_nausea: int
    padss_pain: int
    dissociation_resolved: bool
    steady_gait: bool
    nausea_controlled: bool
    driver_present: bool
    driver_name: str
    instructions_given: bool


@dataclass(frozen=True)
class AssessmentRow:
    """A stored assessment; `entry` is what was confirmed, the rest was computed."""

    id: int
    entry: AssessmentEntry
    padss_vitals: int
    padss_total: int
    min_observation_passed: bool
    criteria_met: bool
    unmet: tuple[str, ...]  # criterion labels
    assessed_at: datetime
    assessed_by: str
    override_reason: str | None
    override_by: str | None
    discharged_at: datetime | None


@dataclass(frozen=True)
class DischargeInputs:
    """Everything the discharge screen shows before the clinician confirms anything."""

    session_id: int
    t0: datetime | None  # None: no dose yet
    minutes_since_t0: float | None
    min_observation_min: float
    observation_complete_at: datetime | None
    observation_passed: bool
    baseline: VitalsValues | None
    baseline_at: datetime | None
    latest: VitalsValues | None  # the latest post-baseline reading with BP and pulse
    latest_at: datetime | None
    systolic_change_pct: float | None  # signed, against the check-in baseline
    pulse_change_pct: float | None
    padss_vitals: int | None  # None when a reading or the baseline is missing
    moaas_latest: Measured | None
    moaas_target: int  # 5, or the pre-dose level if one was recorded lower
    cadss_latest: Measured | None
    nausea_latest: Measured | None  # 0–10 rating at the latest checkpoint that asked
    driver_name: str | None
    driver_phone: str | None
    assessment: AssessmentRow | None  # the latest stored assessment
    discharged_at: datetime | None


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    met: bool
    detail: str


CRITERION_LABELS = {
    "padss": f"PADSS at least {PADSS_FIT_MIN}/{PADSS_MAX}",
    "moaas": "MOAA/S back to 5 (or pre-dose level)",
    "dissociation": "Dissociation resolved",
    "gait": "Steady gait",
    "nausea": "Nausea controlled",
    "observation": "Minimum observation time passed",
    "driver": "Designated driver present",
    "instructions": "Discharge instructions given",
}


def evaluate(inputs: DischargeInputs, entry: AssessmentEntry) -> list[Criterion]:
    """Every criterion with its met state; shared by the service and the screen's live preview."""
    if inputs.padss_vitals is None:
        padss_met, padss_detail = False, "Needs a blood pressure and pulse to compare"
    else:
        p = padss_total(
            inputs.padss_vitals, entry.padss_activity, entry.padss_nausea, entry.padss_pain
        )
        padss_met, padss_detail = p.fit, f"{p.total}/{p.max} — {'fit' if p.fit else 'not fit'}"
    elapsed = inputs.minutes_since_t0
    driver = entry.driver_name.strip()
    target = inputs.moaas_target
    met = {
        "padss": (padss_met, padss_detail),
        "moaas": (entry.moaas >= target, f"{entry.moaas} now, target {target}"),
        "dissociation": (entry.dissociation_resolved, _yes(entry.dissociation_resolved)),
        "gait": (entry.steady_gait, _yes(entry.steady_gait)),
        "nausea": (entry.nausea_controlled, _yes(entry.nausea_controlled)),
        "observation": (
            inputs.observation_passed,
            ("No dose recorded" if elapsed is None else f"{int(elapsed)} min since injection")
            + f", minimum {inputs.min_observation_min:g} min",
        ),
        "driver": (
            entry.driver_present and bool(driver),
            f"{driver} is here" if entry.driver_present and driver else "Not confirmed",
        ),
        "instructions": (entry.instructions_given, _yes(entry.instructions_given)),
    }
    return [Criterion(k, CRITERION_LABELS[k], ok, detail) for k, (ok, detail) in met.items()]


def _yes(value: bool) -> str:
    return "Confirmed" if value else "Not confirmed"


class DischargeService:
    def __init__(self, db: Database, clock: Clock, protocol: Callable[[], Protocol]) -> None:
        self._db = db
        self._clock = clock
        self._protocol = protocol

    def assessment_inputs(self, session_id: int) -> DischargeInputs:
        min_obs = self._protocol().min_observation_min
        with self._db.transaction() as s:
            return _inputs(s, session_id, self._clock.now(), min_obs)

    def assess(self, actor: Actor, session_id: int, entry: AssessmentEntry) -> AssessmentRow:
        """Store one assessment: PADSS items and total, each criterion, and whether all are met."""
        require(actor, Action.ASSESS_DISCHARGE)
        _check_entry(entry)
        driver = clean_text(
            "driver_name", entry.driver_name, max_len=120, required=entry.driver_present
        )
        entry = AssessmentEntry(**{**entry.__dict__, "driver_name": driver})
        min_obs = self._protocol().min_observation_min
        now = self._clock.now()
        with self._db.transaction() as s:
            _open_dosed(s, session_id)
            inputs = _inputs(s, session_id, now, min_obs)
            if inputs.padss_vitals is None:
                raise FieldError(
                    "padss_vitals",
                    "PADSS compares a blood pressure and pulse taken now with the check-in "
                    "baseline: record a set of vitals first.",
                )
            criteria = evaluate(inputs, entry)
            all_met = all(c.met for c in criteria)
            padss = padss_total(
                inputs.padss_vitals, entry.padss_activity, entry.padss_nausea, entry.padss_pain
            )
            row = DischargeAssessment(
                session_id=session_id,
                padss_vitals=inputs.padss_vitals,
                padss_activity=entry.padss_activity,
                padss_nausea=entry.padss_nausea,
                padss_pain=entry.padss_pain,
                padss_total=padss.total,
                moaas=entry.moaas,
                dissociation_resolved=entry.dissociation_resolved,
                steady_gait=entry.steady_gait,
                nausea_controlled=entry.nausea_controlled,
                min_observation_passed=inputs.observation_passed,
                driver_present=entry.driver_present and bool(driver),
                driver_name_confirmed=driver or None,
                instructions_given=entry.instructions_given,
                criteria_met=all_met,
                assessed_at=now,
                recorded_at=now,
                recorded_by_id=actor.id,
            )
            s.add(row)
            s.flush()
            unmet = [c.key for c in criteria if not c.met]
            audit(
                s,
                now,
                actor,
                "assess",
                "discharge_assessment",
                row.id,
                session_id=session_id,
                padss_total=row.padss_total,
                criteria_met=all_met,
                unmet=unmet,
            )
            return _assessment_row(s, row)

    def discharge(
        self, actor: Actor, session_id: int, override_reason: str | None = None
    ) -> AssessmentRow:
        """Discharge on the latest assessment; with an unmet criterion only a physician may,
        giving a reason. Stores the time and moves the session on to the note."""
        require(actor, Action.ASSESS_DISCHARGE)
        now = self._clock.now()
        with self._db.transaction() as s:
            ts = _open_dosed(s, session_id)
            row = _latest_assessment(s, session_id)
            if row is None:
                raise NotAllowedNow("Record the discharge assessment first.")
            if row.criteria_met:
                if override_reason and override_reason.strip():
                    raise FieldError(
                        "override_reason", "No override is needed: every criterion is met."
                    )
            else:
                require(actor, Action.OVERRIDE_DISCHARGE)
                reason = clean_text(
                    "override_reason",
                    override_reason or "",
                    max_len=2000,
                    required=True,
                    multiline=True,
                )
                row.override_reason = reason
                row.override_by_id = actor.id
                unmet = list(_unmet_keys(s, row))
                audit(
                    s,
                    now,
                    actor,
                    "override",
                    "discharge_assessment",
                    row.id,
                    session_id=session_id,
                    unmet=unmet,
                    reason=reason,
                )
            row.discharged_at = now
            ts.discharged_at = now
            old_phase, ts.phase = ts.phase, Phase.NOTE
            audit(
                s,
                now,
                actor,
                "discharge",
                "session",
                ts.id,
                session_id=ts.id,
                assessment_id=row.id,
                overridden=not row.criteria_met,
                old_phase=old_phase.value,
            )
            return _assessment_row(s, row)


def _open_dosed(s: Session, session_id: int) -> TreatmentSession:
    """The session, if it is still open, dosed and not yet discharged."""
    ts = s.get_one(TreatmentSession, session_id)
    if ts.status != SessionStatus.IN_PROGRESS:
        raise NotAllowedNow("This session is closed.")
    if _t0(s, ts) is None:
        raise NotAllowedNow("No dose has been recorded yet, so there is nothing to discharge.")
    if ts.discharged_at is not None:
        raise NotAllowedNow("The patient has already been discharged.")
    return ts


def _inputs(s: Session, session_id: int, now: datetime, min_obs: float) -> DischargeInputs:
    ts = s.get_one(TreatmentSession, session_id)
    t0 = _t0(s, ts)
    base = baseline_reading(s, session_id)
    latest = s.scalar(
        select(VitalsReading)
        .where(
            VitalsReading.session_id == session_id,
            VitalsReading.context != "baseline",
            VitalsReading.systolic.is_not(None),
            VitalsReading.pulse.is_not(None),
        )
        .order_by(VitalsReading.measured_at.desc(), VitalsReading.id.desc())
        .limit(1)
    )
    base_v = values_of(base) if base is not None else None
    latest_v = values_of(latest) if latest is not None else None
    padss_vitals: int | None = None
    if base_v is not None and latest_v is not None:
        try:
            padss_vitals = padss_vitals_item(latest_v, base_v)
        except (FieldError, ValueError):  # a baseline without BP or pulse cannot be compared
            padss_vitals = None
    check_in = s.scalar(select(CheckIn).where(CheckIn.session_id == session_id))
    complete_at = None if t0 is None else t0 + timedelta(minutes=min_obs)
    return DischargeInputs(
        session_id=session_id,
        t0=t0,
        minutes_since_t0=None if t0 is None else (now - t0).total_seconds() / 60,
        min_observation_min=min_obs,
        observation_complete_at=complete_at,
        observation_passed=complete_at is not None and now >= complete_at,
        baseline=base_v,
        baseline_at=base.measured_at if base is not None else None,
        latest=latest_v,
        latest_at=latest.measured_at if latest is not None else None,
        systolic_change_pct=_change(latest_v, base_v, "systolic"),
        pulse_change_pct=_change(latest_v, base_v, "pulse"),
        padss_vitals=padss_vitals,
        moaas_latest=_latest_checkpoint_value(s, session_id, Checkpoint.moaas),
        moaas_target=_moaas_target(s, session_id),
        cadss_latest=_latest_checkpoint_value(s, session_id, Checkpoint.cadss_total),
        nausea_latest=_latest_checkpoint_value(s, session_id, Checkpoint.nausea),
        driver_name=check_in.driver_name if check_in else None,
        driver_phone=check_in.driver_phone if check_in else None,
        assessment=_latest_assessment_row(s, session_id),
        discharged_at=ts.discharged_at,
    )


def _change(now: VitalsValues | None, base: VitalsValues | None, name: str) -> float | None:
    current, before = (now.get(name) if now else None), (base.get(name) if base else None)
    if current is None or before is None or before <= 0:
        return None
    return (float(current) - float(before)) * 100.0 / float(before)


def _check_entry(e: AssessmentEntry) -> None:
    """Types and ranges, so a caller's bug is a message at the field, never a stored oddity."""

    def whole(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    if not whole(e.moaas) or e.moaas not in MOAAS_LEVELS:
        raise FieldError("moaas", "Choose the MOAA/S level, 0 to 5.")
    for name in ("padss_activity", "padss_nausea", "padss_pain"):
        if not whole(getattr(e, name)) or not 0 <= getattr(e, name) <= 2:
            raise FieldError(name, "Choose a score: 0, 1 or 2.")
    for name in (
        "dissociation_resolved",
        "steady_gait",
        "nausea_controlled",
        "driver_present",
        "instructions_given",
    ):
        if not isinstance(getattr(e, name), bool):
            raise FieldError(name, "Tick or untick this box.")
    if not isinstance(e.driver_name, str):
        raise FieldError("driver_name", "Type the driver's name.")


def _t0(s: Session, ts: TreatmentSession) -> datetime | None:
    """T0 from the session, or from the first dose if T0 was not stamped on the session."""
    if ts.t0 is not None:
        return ts.t0
    first: datetime | None = s.scalar(
        select(Dose.administered_at)
        .where(Dose.session_id == ts.id)
        .order_by(Dose.administered_at)
        .limit(1)
    )
    return first


def _latest_checkpoint_value(
    s: Session, session_id: int, column: InstrumentedAttribute[int | None]
) -> Measured | None:
    row = s.execute(
        select(column, Checkpoint.measured_at)
        .where(Checkpoint.session_id == session_id, column.is_not(None))
        .order_by(Checkpoint.measured_at.desc(), Checkpoint.id.desc())
        .limit(1)
    ).first()
    return None if row is None or row[0] is None else (row[0], row[1])


def _moaas_target(s: Session, session_id: int) -> int:
    """5, unless a pre-dose MOAA/S was recorded lower (CLINICAL §5: "back to 5 (or baseline)")."""
    pre = s.scalar(
        select(ScaleResponse.total)
        .where(
            ScaleResponse.session_id == session_id,
            ScaleResponse.scale == "moaas",
            ScaleResponse.context == "pre",
        )
        .order_by(ScaleResponse.measured_at.desc())
        .limit(1)
    )
    return MOAAS_FULLY_AWAKE if pre is None else min(MOAAS_FULLY_AWAKE, int(pre))


def _latest_assessment(s: Session, session_id: int) -> DischargeAssessment | None:
    return s.scalar(
        select(DischargeAssessment)
        .where(DischargeAssessment.session_id == session_id)
        .order_by(DischargeAssessment.assessed_at.desc(), DischargeAssessment.id.desc())
        .limit(1)
    )


def _latest_assessment_row(s: Session, session_id: int) -> AssessmentRow | None:
    row = _latest_assessment(s, session_id)
    return None if row is None else _assessment_row(s, row)


def _unmet_keys(s: Session, a: DischargeAssessment) -> tuple[str, ...]:
    if a.criteria_met:
        return ()
    checks = {
        "padss": a.padss_total >= PADSS_FIT_MIN,
        "moaas": a.moaas is not None and a.moaas >= _moaas_target(s, a.session_id),
        "dissociation": a.dissociation_resolved,
        "gait": a.steady_gait,
        "nausea": a.nausea_controlled,
        "observation": a.min_observation_passed,
        "driver": a.driver_present,
        "instructions": a.instructions_given,
    }
    return tuple(k for k, ok in checks.items() if not ok)


def _assessment_row(s: Session, a: DischargeAssessment) -> AssessmentRow:
    def name(staff_id: int | None) -> str | None:
        staff = s.get(Staff, staff_id) if staff_id is not None else None
        return staff.display_name if staff is not None else None

    entry = AssessmentEntry(
        moaas=a.moaas if a.moaas is not None else 0,
        padss_activity=a.padss_activity,
        padss_nausea=a.padss_nausea,
        padss_pain=a.padss_pain,
        dissociation_resolved=a.dissociation_resolved,
        steady_gait=a.steady_gait,
        nausea_controlled=a.nausea_controlled,
        driver_present=a.driver_present,
        driver_name=a.driver_name_confirmed or "",
        instructions_given=a.instructions_given,
    )
    return AssessmentRow(
        id=a.id,
        entry=entry,
        padss_vitals=a.padss_vitals,
        padss_total=a.padss_total,
        min_observation_passed=a.min_observation_passed,
        criteria_met=a.criteria_met,
        unmet=tuple(CRITERION_LABELS[k] for k in _unmet_keys(s, a)),
        assessed_at=a.assessed_at,
        assessed_by=name(a.recorded_by_id) or "?",
        override_reason=a.override_reason,
        override_by=name(a.override_by_id),
        discharged_at=a.discharged_at,
    )
