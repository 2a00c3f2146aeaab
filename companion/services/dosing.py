"""The dose: the moment it is recorded is T0, from which the session clock is derived.

The ceiling warning (CLINICAL §1, protocol [dose]) is stored and returned, never a refusal: the
physician decides. Blockers (check-in incomplete, no weight, BP gate not acknowledged) do refuse the
first dose, because the dose must not be given before those checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from companion.clinical.alerts import bp_gate_exceeded
from companion.clinical.dose import dose_warning, mg_per_kg, validate_dose_mg
from companion.clock import Clock
from companion.errors import FieldError, NotAllowedNow
from companion.protocol import Protocol
from companion.roles import Action, Actor, require
from companion.services.audit import audit
from companion.services.vitals import MAX_FUTURE, baseline_reading, values_of
from companion.storage.database import Database
from companion.storage.models import (
    CheckIn,
    Dose,
    Phase,
    Role,
    SessionStatus,
    Staff,
    TreatmentSession,
    VitalsReading,
)
from companion.text import clean_text

DoseKind = Literal["initial", "top-up"]
ROUTES = ("IM",)  # CLINICAL §1: intramuscular ketamine
DEFAULT_DRUG = "ketamine"
SITES = ("left deltoid", "right deltoid", "left thigh", "right thigh")
MAX_AGE = timedelta(hours=24)
# Phases in which the first dose may be recorded (dose may be given while centering ends).
_BEFORE_MONITORING = (Phase.CHECK_IN, Phase.CENTERING, Phase.DOSE)


@dataclass(frozen=True)
class DoseRow:
    id: int
    session_id: int
    kind: str
    drug: str
    dose_mg: float
    weight_kg: float | None
    mg_per_kg: float | None
    route: str
    site: str | None
    lot_number: str | None
    administered_at: datetime
    administered_by_id: int
    administered_by: str
    ceiling_warning: str | None


@dataclass(frozen=True)
class DoseSetup:
    """What the dose form needs: the weight to compute mg/kg, what blocks dosing, earlier doses."""

    session_id: int
    t0: datetime | None
    weight_kg: float | None
    ceiling_mg_per_kg: float
    blockers: tuple[str, ...]
    doses: tuple[DoseRow, ...]
    physicians: tuple[tuple[int, str], ...]

    @property
    def total_mg(self) -> float:
        return sum(d.dose_mg for d in self.doses)


def dose_row(d: Dose, by: str) -> DoseRow:
    return DoseRow(
        d.id,
        d.session_id,
        d.kind,
        d.drug,
        d.dose_mg,
        d.weight_kg,
        d.mg_per_kg,
        d.route,
        d.site,
        d.lot_number,
        d.administered_at,
        d.administered_by_id,
        by,
        d.ceiling_warning,
    )


def doses_in(s: Session, session_id: int) -> list[DoseRow]:
    q = (
        select(Dose, Staff.display_name)
        .join(Staff, Dose.administered_by_id == Staff.id)
        .where(Dose.session_id == session_id)
        .order_by(Dose.administered_at, Dose.id)
    )
    return [dose_row(d, name) for d, name in s.execute(q)]


def weight_reading(s: Session, session_id: int) -> VitalsReading | None:
    """The latest baseline reading that has a weight (a BP re-take may leave weight out)."""
    return s.scalar(
        select(VitalsReading)
        .where(
            VitalsReading.session_id == session_id,
            VitalsReading.context == "baseline",
            VitalsReading.weight_kg.is_not(None),
        )
        .order_by(VitalsReading.measured_at.desc(), VitalsReading.id.desc())
        .limit(1)
    )


def blockers_in(s: Session, session_id: int, protocol: Protocol) -> list[str]:
    checkin = s.scalar(select(CheckIn).where(CheckIn.session_id == session_id))
    out: list[str] = []
    if checkin is None or checkin.completed_at is None:
        out.append("Check-in is not complete.")
    if weight_reading(s, session_id) is None:
        out.append("No baseline weight: take baseline vitals with weight at check-in.")
    base = baseline_reading(s, session_id)
    if base is None:
        out.append("No baseline vitals recorded at check-in.")
    elif bp_gate_exceeded(values_of(base), protocol.bp_gate) and (
        checkin is None or checkin.bp_gate_ack_at is None
    ):
        gate = protocol.bp_gate
        out.append(
            f"Baseline BP {base.systolic}/{base.diastolic} is above the gate "
            f"({gate.systolic_above}/{gate.diastolic_above}): the physician must acknowledge "
            "it at check-in before dosing."
        )
    return out


def _physicians(s: Session) -> list[tuple[int, str]]:
    q = (
        select(Staff.id, Staff.display_name)
        .where(Staff.role == Role.PHYSICIAN, Staff.active.is_(True))
        .order_by(Staff.display_name, Staff.id)
    )
    return [(i, n) for i, n in s.execute(q)]


class DosingService:
    def __init__(self, db: Database, clock: Clock, protocol: Callable[[], Protocol]) -> None:
        self._db = db
        self._clock = clock
        self._protocol = protocol

    def dose_blockers(self, session_id: int) -> list[str]:
        """Why the first dose cannot be recorded yet (empty when it can)."""
        protocol = self._protocol()
        with self._db.transaction() as s:
            return blockers_in(s, session_id, protocol)

    def physicians(self) -> list[tuple[int, str]]:
        """Active physicians, for "administered by"."""
        with self._db.transaction() as s:
            return _physicians(s)

    def setup(self, session_id: int) -> DoseSetup:
        protocol = self._protocol()
        with self._db.transaction() as s:
            ts = s.get_one(TreatmentSession, session_id)
            w = weight_reading(s, session_id)
            return DoseSetup(
                session_id,
                ts.t0,
                w.weight_kg if w is not None else None,
                protocol.dose_ceiling_mg_per_kg,
                tuple(blockers_in(s, session_id, protocol)),
                tuple(doses_in(s, session_id)),
                tuple(_physicians(s)),
            )

    def record_dose(
        self,
        actor: Actor,
        session_id: int,
        drug: str,
        dose_mg: float,
        route: str,
        site: str,
        lot_number: str,
        administered_at: datetime,
        administered_by_id: int,
        *,
        kind: DoseKind | None = None,
    ) -> DoseRow:
        """Record a dose. The first sets T0 and moves the session to monitoring; later ones are
        top-ups. `kind`, when given, must match: a form that meant the first dose must not
        silently add a top-up because another screen recorded T0 meanwhile."""
        require(actor, Action.DOSE)
        protocol = self._protocol()
        drug = clean_text("drug", drug, max_len=60, required=True)
        dose_mg = validate_dose_mg(dose_mg)
        if route not in ROUTES:
            raise FieldError("route", f"Route must be one of: {', '.join(ROUTES)}")
        site = clean_text("site", site, max_len=60, required=True)
        lot_number = clean_text("lot_number", lot_number, max_len=60, required=True)
        now = self._clock.now()
        if administered_at.tzinfo is None:
            raise ValueError("administered_at must be timezone-aware")
        if administered_at > now + MAX_FUTURE:
            raise FieldError("administered_at", "The time of the injection is in the future.")
        if administered_at < now - MAX_AGE:
            raise FieldError("administered_at", "The time must be within the last 24 hours.")
        with self._db.transaction() as s:
            ts = s.get_one(TreatmentSession, session_id)
            if ts.status != SessionStatus.IN_PROGRESS:
                raise NotAllowedNow("This session is closed.")
            giver = s.get(Staff, administered_by_id)
            if giver is None or not giver.active or giver.role != Role.PHYSICIAN:
                raise FieldError("administered_by", "Choose the physician who gave the dose.")
            actual: DoseKind = "initial" if ts.t0 is None else "top-up"
            if kind is not None and kind != actual:
                raise NotAllowedNow(
                    "The first dose (T0) was already recorded; record this as a top-up."
                    if actual == "top-up"
                    else "No first dose is recorded yet: record the first dose (T0) first."
                )
            if actual == "initial":
                if ts.phase not in _BEFORE_MONITORING:
                    raise NotAllowedNow("The dose can only be recorded before monitoring.")
                blockers = blockers_in(s, session_id, protocol)
                if blockers:
                    raise NotAllowedNow("Dosing is blocked: " + " ".join(blockers))
                if administered_at < ts.started_at:
                    raise FieldError(
                        "administered_at", "The injection time is before this session began."
                    )
            else:
                assert ts.t0 is not None
                if ts.phase != Phase.MONITORING:
                    raise NotAllowedNow("Top-up doses are recorded during monitoring.")
                if administered_at < ts.t0:
                    raise FieldError(
                        "administered_at", "A top-up cannot be before the first dose (T0)."
                    )
            w = weight_reading(s, session_id)
            weight = w.weight_kg if w is not None else None
            earlier = s.scalar(
                select(func.coalesce(func.sum(Dose.dose_mg), 0.0)).where(
                    Dose.session_id == session_id
                )
            )
            warning = (
                dose_warning(float(earlier or 0) + dose_mg, weight, protocol.dose_ceiling_mg_per_kg)
                if weight is not None
                else None
            )
            dose = Dose(
                session_id=session_id,
                kind=actual,
                drug=drug,
                dose_mg=dose_mg,
                weight_kg=weight,
                mg_per_kg=mg_per_kg(dose_mg, weight) if weight is not None else None,
                route=route,
                site=site,
                lot_number=lot_number,
                administered_at=administered_at,
                administered_by_id=giver.id,
                ceiling_warning=warning,
                recorded_at=now,
                recorded_by_id=actor.id,
            )
            s.add(dose)
            s.flush()
            audit(
                s,
                now,
                actor,
                "create",
                "dose",
                dose.id,
                session_id=session_id,
                kind=actual,
                dose_mg=dose_mg,
                ceiling_warning=warning is not None,
            )
            if actual == "initial":
                ts.t0 = administered_at
                ts.physician_id = ts.physician_id or giver.id
                audit(
                    s,
                    now,
                    actor,
                    "phase",
                    "session",
                    ts.id,
                    session_id=ts.id,
                    old=ts.phase.value,
                    new=Phase.MONITORING.value,
                    t0=administered_at.isoformat(),
                )
                ts.phase = Phase.MONITORING
            return dose_row(dose, giver.display_name)
