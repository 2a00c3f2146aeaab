"""Check-in (DESIGN step 1): the checklist, baseline vitals, pre-session ratings and scale, and the
pre-dose BP gate acknowledgement. One method per user action; each entry commits at once.

Completion is blocked only by what the session cannot go on without (driver, consent, baseline
vitals with weight, the indication's scale). Fasting not met, medication flags and a BP above the
gate are warnings for the physician: the BP gate blocks *dosing*, not check-in (the dose page reads
`CheckInState.bp_gate.blocks_dosing`, or CheckIn.bp_gate_ack_* with the latest baseline).
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.clinical.alerts import bp_gate_exceeded
from companion.clinical.plausibility import VitalsValues
from companion.clinical.scales import scale_for_indication, score_scale
from companion.clinical.tables import PHQ9_SAFETY_ITEM, SCALES
from companion.clock import Clock
from companion.errors import FieldError, NotAllowedNow
from companion.protocol import Protocol
from companion.roles import Action, Actor, require
from companion.services.audit import audit
from companion.services.vitals import ReadingRow, add_reading, baseline_reading, reading_row
from companion.storage.database import Database
from companion.storage.models import (
    Alert,
    CheckIn,
    Phase,
    ScaleResponse,
    SessionStatus,
    Staff,
    TreatmentSession,
)
from companion.text import clean_text

# Fasting and meal times: typed minutes late is normal, in the future or days old is a wrong date.
FUTURE_SLACK = timedelta(minutes=1)
MAX_AGE = timedelta(hours=48)
PHONE_DIGITS = (6, 20)
_PHONE_CHARS = re.compile(r"\+?[0-9 ()\-]+")
CHECKIN_SCALES = ("phq9", "gad7", "pcl5")
PHQ9_ALERT_CODE = "phq9_item9"
PHQ9_ESCALATION = (
    "If the risk is imminent: do not dose, stay with the patient and follow the clinic's "
    "emergency procedure."
)


@dataclass(frozen=True)
class MedicationFlag:
    key: str  # stored in CheckIn.medication_flags
    label: str
    caution: str


# Interactions the physician weighs before dosing (Spravato label §7: CNS depressants add sedation,
# psychostimulants and MAOIs raise blood pressure; benzodiazepines and lamotrigine may blunt the
# response in the ketamine literature). Shown as warnings, never as blockers.
MEDICATION_FLAGS: tuple[MedicationFlag, ...] = (
    MedicationFlag("benzodiazepines", "Benzodiazepines", "Added sedation; may blunt the response."),
    MedicationFlag("sedative_hypnotics", "Sedative hypnotics", "Added sedation: watch MOAA/S."),
    MedicationFlag("stimulants", "Stimulants", "May raise blood pressure further."),
    MedicationFlag("maois", "MAOIs", "Risk of a hypertensive reaction: watch BP closely."),
    MedicationFlag("opioids", "Opioids", "Added sedation and slower breathing: watch SpO2."),
    MedicationFlag("lamotrigine", "Lamotrigine", "May reduce ketamine's effect."),
)
_FLAG_KEYS = tuple(f.key for f in MEDICATION_FLAGS)


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET: Final = _Unset.UNSET  # "leave this field as it is" in a partial update


class CheckInIncomplete(NotAllowedNow):
    """`complete()` refused; `missing` lists what is still needed, in the user's words."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__("Check-in is not complete. Still needed: " + "; ".join(missing) + ".")
        self.missing = missing


@dataclass(frozen=True)
class FastingLine:
    text: str  # "Last food 3 h 10 min ago — rule: at least 2 h: met"
    met: bool | None  # None: time not recorded


@dataclass(frozen=True)
class BpGateStatus:
    gate: str  # "140/90"
    exceeded: bool
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    reason: str | None

    @property
    def blocks_dosing(self) -> bool:
        return self.exceeded and self.acknowledged_at is None


@dataclass(frozen=True)
class ScaleEntry:
    scale_id: str
    items: tuple[int, ...]
    total: int
    band: str
    measured_at: datetime


@dataclass(frozen=True)
class OpenAlert:
    id: int
    code: str
    severity: str
    title: str
    detail: str
    escalation: str | None
    raised_at: datetime


@dataclass(frozen=True)
class CheckInState:
    session_id: int
    phase: Phase
    closed: bool
    scale_id: str  # the scale for the patient's indication
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
    completed_at: datetime | None
    food: FastingLine
    drink: FastingLine
    baseline: ReadingRow | None
    bp_gate: BpGateStatus
    scale: ScaleEntry | None
    open_alerts: tuple[OpenAlert, ...]
    missing: tuple[str, ...]  # blockers for complete()
    warnings: tuple[str, ...]  # shown to the physician, not blockers


def duration_text(minutes: float) -> str:
    """Whole minutes as "3 h 10 min", "2 h" or "45 min" (rounded down)."""
    total = max(0, math.floor(minutes + 1e-9))
    hours, mins = divmod(total, 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    return f"{hours} h" if hours else f"{mins} min"


def fasting_line(
    what: str, at: datetime | None, rule_min: float, ref: datetime, ago: str
) -> FastingLine:
    """One fasting line; `ref` is now (or the injection time, once dosed) and `ago` how to say it."""
    rule = f"rule: at least {duration_text(rule_min)}"
    if at is None:
        return FastingLine(f"{what}: not recorded — {rule}", None)
    elapsed = (ref - at).total_seconds() / 60
    met = elapsed >= rule_min
    return FastingLine(
        f"{what} {duration_text(elapsed)} {ago} — {rule}: {'met' if met else 'NOT met'}", met
    )


_CLOCK_TIME = re.compile(
    r"(?:(?P<day>yesterday|today)\s+|(?P<date>\d{4}-\d{2}-\d{2})\s+)?"
    r"(?P<h>[0-9]{1,2})(?:[:.h]?(?P<m>[0-9]{2}))?",
    re.IGNORECASE,
)
TIME_HINT = "Type a time as HH:MM (e.g. 07:30), or “yesterday 21:00”."


def parse_recent_time(field: str, text: str, now: datetime) -> datetime | None:
    """A typed local time of day → the latest such moment not after now (so "21:00" typed in
    the morning is last night), as aware UTC. Empty text → None. Raises FieldError."""
    if not isinstance(text, str) or len(text) > 40:
        raise FieldError(field, TIME_HINT)
    match = _CLOCK_TIME.fullmatch(text.strip())
    if not text.strip():
        return None
    if match is None:
        raise FieldError(field, TIME_HINT)
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if hour > 23 or minute > 59:
        raise FieldError(field, "Hours are 0–23 and minutes 0–59.")
    local_now = now.astimezone()
    if match["date"]:
        try:
            day = date.fromisoformat(match["date"])
        except ValueError:
            raise FieldError(field, "That date does not exist; use YYYY-MM-DD.") from None
    else:
        day = local_now.date() - timedelta(
            days=1 if (match["day"] or "").lower() == "yesterday" else 0
        )
    try:
        # A naive datetime's astimezone() reads it as local time, daylight saving included.
        when = datetime.combine(day, time(hour, minute)).astimezone().astimezone(UTC)
    except (OverflowError, ValueError):
        raise FieldError(field, TIME_HINT) from None
    if not match["day"] and not match["date"] and when > now + FUTURE_SLACK:
        when = (
            datetime.combine(day - timedelta(days=1), time(hour, minute)).astimezone()
        ).astimezone(UTC)
    return _check_time(field, when, now)


def format_recent_time(at: datetime | None, now: datetime) -> str:
    """The inverse of parse_recent_time: "07:30", "yesterday 21:00" or "2026-03-01 21:00"."""
    if at is None:
        return ""
    local, today = at.astimezone(), now.astimezone().date()
    if local.date() == today:
        return local.strftime("%H:%M")
    if local.date() == today - timedelta(days=1):
        return local.strftime("yesterday %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def _check_time(field: str, value: object, now: datetime) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise FieldError(field, "Enter a time as HH:MM.")
    if value > now + FUTURE_SLACK:
        raise FieldError(field, "This time is in the future.")
    if value < now - MAX_AGE:
        raise FieldError(field, "This time is more than 48 hours ago; check the date.")
    return value


def check_phone(value: str) -> str | None:
    phone = clean_text("driver_phone", value, max_len=40, required=False)
    if not phone:
        return None
    digits = sum(c.isdigit() for c in phone)
    if not _PHONE_CHARS.fullmatch(phone) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        raise FieldError(
            "driver_phone",
            "Use digits, spaces, + - ( ) only, with 6 to 20 digits, e.g. +1 555 0123 4567.",
        )
    return phone


def _check_bool(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise FieldError(field, "Must be yes or no.")
    return value


def _check_flags(value: object) -> list[str]:
    if not isinstance(value, list | tuple) or any(v not in _FLAG_KEYS for v in value):
        raise FieldError("medication_flags", f"Known flags: {', '.join(_FLAG_KEYS)}.")
    return [k for k in _FLAG_KEYS if k in value]  # canonical order, no repeats


def _text_or_none(field: str, value: object, max_len: int, multiline: bool = False) -> str | None:
    if not isinstance(value, str):
        raise FieldError(field, "Must be text.")
    return clean_text(field, value, max_len=max_len, required=False, multiline=multiline) or None


class CheckInService:
    def __init__(self, db: Database, clock: Clock, protocol: Callable[[], Protocol]) -> None:
        self._db = db
        self._clock = clock
        self._protocol = protocol

    # --- actions ------------------------------------------------------------------------------

    def save_checklist(
        self,
        actor: Actor,
        session_id: int,
        *,
        last_food_at: datetime | _Unset | None = UNSET,
        last_drink_at: datetime | _Unset | None = UNSET,
        driver_name: str | _Unset = UNSET,
        driver_phone: str | _Unset = UNSET,
        medication_changes_reviewed: bool | _Unset = UNSET,
        medication_flags: list[str] | tuple[str, ...] | _Unset = UNSET,
        medication_notes: str | _Unset = UNSET,
        consent_on_file: bool | _Unset = UNSET,
        touch_consent: bool | _Unset = UNSET,
        no_substances_today: bool | _Unset = UNSET,
    ) -> CheckInState:
        """Store the given checklist fields (others stay); empty text or None clears a field."""
        require(actor, Action.CHECK_IN)
        now = self._clock.now()
        given: dict[str, Any] = {
            k: v
            for k, v in {
                "last_food_at": last_food_at,
                "last_drink_at": last_drink_at,
                "driver_name": driver_name,
                "driver_phone": driver_phone,
                "medication_changes_reviewed": medication_changes_reviewed,
                "medication_flags": medication_flags,
                "medication_notes": medication_notes,
                "consent_on_file": consent_on_file,
                "touch_consent": touch_consent,
                "no_substances_today": no_substances_today,
            }.items()
            if not isinstance(v, _Unset)
        }
        checked = {name: _validate_field(name, value, now) for name, value in given.items()}
        with self._db.transaction() as s:
            ci = self._open_check_in(s, actor, session_id, now)
            self._apply(s, ci, actor, now, checked)
        return self.state(session_id)

    def record_ratings(
        self,
        actor: Actor,
        session_id: int,
        *,
        mood: int | str | _Unset | None = UNSET,
        anxiety: int | str | _Unset | None = UNSET,
        intention: str | _Unset = UNSET,
    ) -> CheckInState:
        """Pre-session mood and anxiety (0–10) and the intention in the patient's own words."""
        from companion.clinical.scales import validate_rating

        require(actor, Action.CHECK_IN)
        now = self._clock.now()
        checked: dict[str, Any] = {}
        for name, value in (("mood_pre", mood), ("anxiety_pre", anxiety)):
            if isinstance(value, _Unset):
                continue
            empty = value is None or (isinstance(value, str) and not value.strip())
            checked[name] = None if value is None or empty else validate_rating(name, value)
        if not isinstance(intention, _Unset):
            checked["intention"] = _text_or_none("intention", intention, 2000, multiline=True)
        with self._db.transaction() as s:
            ci = self._open_check_in(s, actor, session_id, now)
            self._apply(s, ci, actor, now, checked)
        return self.state(session_id)

    def record_baseline(
        self, actor: Actor, session_id: int, values: VitalsValues, measured_at: datetime
    ) -> CheckInState:
        """Store a baseline reading (a re-take supersedes the earlier one). Blood pressure and
        weight are required: the BP gate is judged on it and the dose in mg/kg needs the weight.
        A re-take withdraws an earlier BP gate acknowledgement: it was given for other numbers."""
        require(actor, Action.CHECK_IN)
        if values.systolic is None or values.diastolic is None:
            raise FieldError("systolic", "Blood pressure is required at baseline (BP gate).")
        if values.weight_kg is None:
            raise FieldError(
                "weight_kg",
                "Weight is required at baseline: the dose in mg/kg is computed from it.",
            )
        now = self._clock.now()
        with self._db.transaction() as s:
            ci = self._open_check_in(s, actor, session_id, now)
            ts = s.get_one(TreatmentSession, session_id)
            add_reading(
                s,
                actor=actor,
                now=now,
                session_id=session_id,
                values=values,
                measured_at=measured_at,
                context="baseline",
                session_started_at=ts.started_at,
            )
            if ci.bp_gate_ack_at is not None:
                audit(
                    s, now, actor, "withdraw", "bp_gate_ack", ci.id, session_id=session_id,
                    acknowledged_by_id=ci.bp_gate_ack_by_id,
                    acknowledged_at=ci.bp_gate_ack_at.isoformat(),
                )  # fmt: skip
                ci.bp_gate_ack_by_id = ci.bp_gate_ack_at = ci.bp_gate_ack_reason = None
        return self.state(session_id)

    def record_scale(
        self, actor: Actor, session_id: int, scale_id: str, items: list[int]
    ) -> CheckInState:
        """Score and store the pre-session scale (a correction replaces the earlier answers).
        PHQ-9 item 9 above 0 raises an urgent alert for the physician that stays until
        acknowledged; a changed answer updates an open alert instead of adding another."""
        require(actor, Action.CHECK_IN)
        if scale_id not in CHECKIN_SCALES:
            raise FieldError("scale", f"Check-in scales: {', '.join(CHECKIN_SCALES)}.")
        score = score_scale(scale_id, items)
        now = self._clock.now()
        with self._db.transaction() as s:
            self._open_check_in(s, actor, session_id, now)
            row = s.scalar(
                select(ScaleResponse).where(
                    ScaleResponse.session_id == session_id,
                    ScaleResponse.scale == scale_id,
                    ScaleResponse.context == "pre",
                )
            )
            before = list(row.items) if row is not None else None
            if row is None:
                row = ScaleResponse(
                    session_id=session_id, scale=scale_id, context="pre", measured_at=now
                )
                s.add(row)
            elif before == list(items):
                return self.state(session_id)  # no change, nothing to audit
            row.items, row.total, row.band = list(items), score.total, score.band
            row.recorded_at, row.recorded_by_id = now, actor.id
            s.flush()
            audit(
                s, now, actor, "create" if before is None else "update", "scale_response", row.id,
                session_id=session_id, scale=scale_id, total=score.total,
            )  # fmt: skip
            safety = score.safety_alert
            if safety is not None and (
                before is None or before[PHQ9_SAFETY_ITEM - 1] != items[PHQ9_SAFETY_ITEM - 1]
            ):
                self._raise_phq9_alert(s, actor, now, session_id, safety, row.id)
        return self.state(session_id)

    def acknowledge_bp_gate(self, actor: Actor, session_id: int, reason: str) -> CheckInState:
        """The physician accepts a baseline BP above the gate, with a reason, so dosing may go on."""
        require(actor, Action.ACKNOWLEDGE_BP_GATE)
        reason = clean_text("reason", reason, max_len=2000, required=True, multiline=True)
        gate = self._protocol().bp_gate
        now = self._clock.now()
        with self._db.transaction() as s:
            ci = self._open_check_in(s, actor, session_id, now)
            base = baseline_reading(s, session_id)
            if base is None or not bp_gate_exceeded(reading_row(base).values, gate):
                raise NotAllowedNow(
                    "The baseline blood pressure is not above the gate: nothing to acknowledge."
                )
            ci.bp_gate_ack_by_id, ci.bp_gate_ack_at, ci.bp_gate_ack_reason = actor.id, now, reason
            audit(
                s, now, actor, "acknowledge", "bp_gate", ci.id, session_id=session_id,
                reading_id=base.id,
            )  # fmt: skip
        return self.state(session_id)

    def complete(self, actor: Actor, session_id: int) -> CheckInState:
        """Finish check-in and move the session on to centering. Refused (CheckInIncomplete) while
        something required is missing. Calling it again keeps the first time and never moves a
        session that has gone further back to centering."""
        require(actor, Action.CHECK_IN)
        missing = self.state(session_id).missing
        if missing:
            raise CheckInIncomplete(missing)
        now = self._clock.now()
        with self._db.transaction() as s:
            ci = self._open_check_in(s, actor, session_id, now)
            ts = s.get_one(TreatmentSession, session_id)
            if ci.completed_at is None:
                ci.completed_at = now
                audit(s, now, actor, "complete", "check_in", ci.id, session_id=session_id)
            if ts.phase == Phase.CHECK_IN:
                audit(
                    s, now, actor, "phase", "session", ts.id, session_id=ts.id,
                    old=ts.phase.value, new=Phase.CENTERING.value,
                )  # fmt: skip
                ts.phase = Phase.CENTERING
        return self.state(session_id)

    # --- read model ---------------------------------------------------------------------------

    def state(self, session_id: int) -> CheckInState:
        protocol = self._protocol()
        now = self._clock.now()
        with self._db.transaction() as s:
            ts = s.get_one(TreatmentSession, session_id)
            ci = s.scalar(select(CheckIn).where(CheckIn.session_id == session_id))
            ci = ci or CheckIn(medication_flags=[])  # not stored: an empty check-in to read from
            base = baseline_reading(s, session_id)
            baseline = reading_row(base) if base is not None else None
            scale_id = scale_for_indication(ts.patient.indication.value)
            scale_row = s.scalar(
                select(ScaleResponse).where(
                    ScaleResponse.session_id == session_id,
                    ScaleResponse.scale == scale_id,
                    ScaleResponse.context == "pre",
                )
            )
            acker = s.get(Staff, ci.bp_gate_ack_by_id) if ci.bp_gate_ack_by_id else None
            alerts = s.scalars(
                select(Alert)
                .where(Alert.session_id == session_id, Alert.acknowledged_at.is_(None))
                .order_by(Alert.raised_at)
            ).all()
            phase, closed, t0 = ts.phase, ts.status != SessionStatus.IN_PROGRESS, ts.t0
        ref, ago = (t0, "before the injection") if t0 is not None else (now, "ago")
        fast = protocol.fasting
        gate = protocol.bp_gate
        bp = BpGateStatus(
            gate=f"{gate.systolic_above}/{gate.diastolic_above}",
            exceeded=baseline is not None and bp_gate_exceeded(baseline.values, gate),
            acknowledged_by=acker.display_name if acker is not None else None,
            acknowledged_at=ci.bp_gate_ack_at,
            reason=ci.bp_gate_ack_reason,
        )
        scale = None
        if scale_row is not None:
            scale = ScaleEntry(
                scale_id, tuple(scale_row.items), scale_row.total, scale_row.band,
                scale_row.measured_at,
            )  # fmt: skip
        flags = tuple(k for k in _FLAG_KEYS if k in (ci.medication_flags or []))
        food = fasting_line("Last food", ci.last_food_at, fast.food_hours * 60, ref, ago)
        drink = fasting_line("Last drink", ci.last_drink_at, fast.liquids_minutes, ref, ago)
        open_alerts = tuple(
            OpenAlert(a.id, a.code, a.severity, a.title, a.detail, a.escalation, a.raised_at)
            for a in alerts
        )
        return CheckInState(
            session_id=session_id,
            phase=phase,
            closed=closed,
            scale_id=scale_id,
            last_food_at=ci.last_food_at,
            last_drink_at=ci.last_drink_at,
            driver_name=ci.driver_name,
            driver_phone=ci.driver_phone,
            medication_changes_reviewed=bool(ci.medication_changes_reviewed),
            medication_flags=flags,
            medication_notes=ci.medication_notes,
            consent_on_file=bool(ci.consent_on_file),
            touch_consent=bool(ci.touch_consent),
            no_substances_today=bool(ci.no_substances_today),
            intention=ci.intention,
            mood_pre=ci.mood_pre,
            anxiety_pre=ci.anxiety_pre,
            completed_at=ci.completed_at,
            food=food,
            drink=drink,
            baseline=baseline,
            bp_gate=bp,
            scale=scale,
            open_alerts=open_alerts,
            missing=_missing(ci, baseline, scale_id, scale),
            warnings=_warnings(ci, food, drink, flags, bp, open_alerts),
        )

    # --- helpers ------------------------------------------------------------------------------

    def _open_check_in(self, s: Session, actor: Actor, session_id: int, now: datetime) -> CheckIn:
        """The session's check-in row (created on first entry); refuses a closed session."""
        ts = s.get(TreatmentSession, session_id)
        if ts is None:
            raise NotAllowedNow(f"Session #{session_id} does not exist.")
        if ts.status != SessionStatus.IN_PROGRESS:
            raise NotAllowedNow("This session is closed; its check-in can no longer be changed.")
        ci = s.scalar(select(CheckIn).where(CheckIn.session_id == session_id))
        if ci is None:
            ci = CheckIn(session_id=session_id, medication_flags=[], recorded_at=now)
            ci.recorded_by_id = actor.id
            s.add(ci)
            s.flush()
            audit(s, now, actor, "create", "check_in", ci.id, session_id=session_id)
        return ci

    def _apply(
        self, s: Session, ci: CheckIn, actor: Actor, now: datetime, checked: dict[str, Any]
    ) -> None:
        changed = sorted(k for k, v in checked.items() if getattr(ci, k) != v)
        if not changed:
            return
        for name in changed:
            setattr(ci, name, checked[name])
        # recorded_* = the last change; the audit trail keeps each change and who made it.
        ci.recorded_at, ci.recorded_by_id = now, actor.id
        audit(s, now, actor, "update", "check_in", ci.id, session_id=ci.session_id, fields=changed)

    def _raise_phq9_alert(
        self, s: Session, actor: Actor, now: datetime, session_id: int, text: str, row_id: int
    ) -> None:
        alert = s.scalar(
            select(Alert).where(
                Alert.session_id == session_id,
                Alert.code == PHQ9_ALERT_CODE,
                Alert.acknowledged_at.is_(None),
            )
        )
        if alert is None:
            alert = Alert(session_id=session_id, code=PHQ9_ALERT_CODE, severity="urgent")
            s.add(alert)
        alert.title = "Safety: PHQ-9 item 9 above 0 — physician to assess before dosing"
        alert.detail = text
        alert.escalation = PHQ9_ESCALATION
        alert.raised_at = now
        s.flush()
        audit(
            s, now, actor, "raise", "alert", alert.id, session_id=session_id,
            code=PHQ9_ALERT_CODE, scale_response_id=row_id,
        )  # fmt: skip


def _validate_field(name: str, value: object, now: datetime) -> object:
    if name in ("last_food_at", "last_drink_at"):
        return _check_time(name, value, now)
    if name == "driver_name":
        return _text_or_none(name, value, 120)
    if name == "driver_phone":
        if not isinstance(value, str):
            raise FieldError(name, "Must be text.")
        return check_phone(value)
    if name == "medication_notes":
        return _text_or_none(name, value, 2000, multiline=True)
    if name == "medication_flags":
        return _check_flags(value)
    return _check_bool(name, value)


def _missing(
    ci: CheckIn, baseline: ReadingRow | None, scale_id: str, scale: ScaleEntry | None
) -> tuple[str, ...]:
    out = []
    if not ci.driver_name:
        out.append("driver's name")
    if not ci.driver_phone:
        out.append("driver's phone")
    if not ci.consent_on_file:
        out.append("consent on file")
    if baseline is None:
        out.append("baseline vitals with weight")
    if scale is None:
        out.append(SCALES[scale_id].name)
    return tuple(out)


def _warnings(
    ci: CheckIn,
    food: FastingLine,
    drink: FastingLine,
    flags: tuple[str, ...],
    bp: BpGateStatus,
    alerts: tuple[OpenAlert, ...],
) -> tuple[str, ...]:
    out = [line.text for line in (food, drink) if line.met is not True]
    labels = {f.key: f for f in MEDICATION_FLAGS}
    out += [f"{labels[k].label}: {labels[k].caution}" for k in flags]
    if not ci.medication_changes_reviewed:
        out.append("Medication changes not yet reviewed")
    if not ci.no_substances_today:
        out.append("“No alcohol or substances today” not confirmed")
    if bp.blocks_dosing:
        out.append(
            f"Baseline BP above the gate ({bp.gate}): physician to acknowledge before dosing"
        )
    out += [a.title for a in alerts]
    return tuple(out)
