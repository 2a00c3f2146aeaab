"""The centering phase (DESIGN step 2): a guided meditation run, VR used instead, or skipped.

A guided run is written twice to ONE row: `record_started` at Start (mode "guided", started_at,
completed=False, ended_at empty) and `record_run(record_id=...)` at the end, which fills in the
actual length, pauses and outcome. So if the app is killed mid-meditation the record still shows
that a meditation began and when, and never claims it finished; a second attempt is a second row.
The session phase is not moved here: the page's "Continue to dose" does that through
`SessionService.set_phase`, so recording and moving on stay two separate, audited steps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.clock import Clock
from companion.errors import FieldError, NotAllowedNow
from companion.roles import Action, Actor, require
from companion.services.audit import audit
from companion.storage.database import Database
from companion.storage.models import (
    CenteringRecord,
    CheckIn,
    Indication,
    Phase,
    SessionStatus,
    Staff,
    TreatmentSession,
)
from companion.text import clean_text

Mode = Literal["guided", "vr", "skipped"]
MODES: tuple[Mode, ...] = ("guided", "vr", "skipped")
RATE_RANGE = (60, 400)  # words per minute, as audio.speech.SpeechRenderer accepts
MAX_PLANNED_S = 2 * 3600.0
MAX_ACTUAL_S = 12 * 3600.0  # a run left paused for hours is still the truth, not an error
MAX_PAUSES = 500
FUTURE_SLACK = timedelta(minutes=1)
MAX_AGE = timedelta(hours=24)
NOTE_MAX = 2000


@dataclass(frozen=True)
class CenteringRow:
    id: int
    session_id: int
    mode: str
    script_id: str | None
    voice: str | None
    rate: int | None
    planned_s: float | None
    actual_s: float | None
    pauses: tuple[tuple[float, float], ...]  # (seconds since start, duration)
    completed: bool
    ended_early: bool
    started_at: datetime | None
    ended_at: datetime | None
    guide_id: int | None
    guide: str | None
    note: str | None
    recorded_at: datetime

    @property
    def unfinished(self) -> bool:
        """A guided run that started and was never finished (e.g. the app was closed)."""
        return self.mode == "guided" and self.ended_at is None


@dataclass(frozen=True)
class CenteringContext:
    """What the centering page needs: who the patient is, the intention, what is recorded."""

    session_id: int
    patient_name: str
    indication: Indication
    intention: str | None
    phase: Phase
    closed: bool
    records: tuple[CenteringRow, ...]  # oldest first

    @property
    def latest(self) -> CenteringRow | None:
        return self.records[-1] if self.records else None


def _row(c: CenteringRecord, guide: str | None) -> CenteringRow:
    pauses = tuple((float(p[0]), float(p[1])) for p in (c.pauses or []))
    return CenteringRow(
        c.id, c.session_id, c.mode, c.script_id, c.voice, c.rate, c.planned_s, c.actual_s,
        pauses, c.completed, c.ended_early, c.started_at, c.ended_at, c.guide_id, guide,
        c.note, c.recorded_at,
    )  # fmt: skip


# --- validation (pure; FieldError names the field) ----------------------------------------------


def check_seconds(field: str, value: object, high: float, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(field, "Give a number of seconds.")
    try:
        seconds = float(value)
    except OverflowError:  # an int too large for a float
        seconds = math.inf
    seconds = round(seconds, 3) if math.isfinite(seconds) else seconds  # ms is plenty
    low_ok = seconds > 0 if positive else seconds >= 0
    if not (math.isfinite(seconds) and low_ok and seconds <= high):
        low = "more than 0" if positive else "0 or more"
        raise FieldError(field, f"Must be {low} and at most {high:g} seconds (got {seconds:g}).")
    return seconds


def check_pauses(value: object) -> list[list[float]]:
    """Pauses as (seconds since start, duration) pairs; stored as JSON lists."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise FieldError("pauses", "Give a list of (start, duration) pairs.")
    if len(value) > MAX_PAUSES:
        raise FieldError("pauses", f"At most {MAX_PAUSES} pauses (got {len(value)}).")
    out: list[list[float]] = []
    for pair in value:
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            raise FieldError("pauses", "Each pause is a (start, duration) pair in seconds.")
        at = check_seconds("pauses", pair[0], MAX_ACTUAL_S, positive=False)
        length = check_seconds("pauses", pair[1], MAX_ACTUAL_S, positive=False)
        out.append([round(at, 1), round(length, 1)])
    return out


def check_rate(value: object) -> int:
    low, high = RATE_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FieldError("rate", f"Speech rate must be a whole number {low}–{high} (got {value}).")
    return value


def check_time(field: str, value: object, now: datetime) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise FieldError(field, "Give a date and time with its time zone.")
    if value > now + FUTURE_SLACK:
        raise FieldError(field, "Cannot be in the future.")
    if value < now - MAX_AGE:
        raise FieldError(field, "Cannot be more than 24 hours ago.")
    return value


def _optional_text(field: str, value: str | None, max_len: int) -> str | None:
    if value is None:
        return None
    return clean_text(field, value, max_len=max_len, required=False) or None


# --- the service ---------------------------------------------------------------------------------


class CenteringService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def context(self, session_id: int) -> CenteringContext:
        with self._db.transaction() as s:
            ts = s.get_one(TreatmentSession, session_id)
            intention = s.scalar(select(CheckIn.intention).where(CheckIn.session_id == session_id))
            return CenteringContext(
                ts.id,
                ts.patient.full_name,
                ts.patient.indication,
                intention or None,
                ts.phase,
                ts.status != SessionStatus.IN_PROGRESS,
                tuple(_records(s, session_id)),
            )

    def record_started(
        self,
        actor: Actor,
        session_id: int,
        *,
        script_id: str,
        voice: str | None,
        rate: int,
        planned_s: float,
        started_at: datetime | None = None,
    ) -> CenteringRow:
        """Write the trace of a guided run at Start; finish it with `record_run(record_id=…)`."""
        require(actor, Action.RECORD_CENTERING)
        now = self._clock.now()
        row = CenteringRecord(
            session_id=session_id,
            mode="guided",
            script_id=clean_text("script_id", script_id, max_len=80, required=True),
            voice=_optional_text("voice", voice, 120),
            rate=check_rate(rate),
            planned_s=check_seconds("planned_s", planned_s, MAX_PLANNED_S, positive=True),
            pauses=[],
            completed=False,
            ended_early=False,
            started_at=check_time("started_at", started_at or now, now),
            guide_id=actor.id,
            recorded_at=now,
            recorded_by_id=actor.id,
        )
        with self._db.transaction() as s:
            _open_session(s, session_id)
            s.add(row)
            s.flush()
            audit(s, now, actor, "start", "centering", row.id, session_id=session_id,
                  script_id=row.script_id, planned_s=row.planned_s)  # fmt: skip
            return _row(row, actor.display_name)

    def record_run(
        self,
        actor: Actor,
        session_id: int,
        *,
        mode: Mode = "guided",
        script_id: str | None,
        voice: str | None,
        rate: int | None,
        planned_s: float | None,
        actual_s: float | None,
        pauses: Sequence[Sequence[float]],
        completed: bool,
        ended_early: bool,
        started_at: datetime | None,
        ended_at: datetime | None,
        note: str | None = None,
        record_id: int | None = None,
    ) -> CenteringRow:
        """Store how the centering went. With `record_id` (from `record_started`) that row is
        completed and keeps its stored start time; without, a new row is written."""
        require(actor, Action.RECORD_CENTERING)
        now = self._clock.now()
        if mode not in MODES:
            raise FieldError("mode", f"Mode must be one of {', '.join(MODES)} (got {mode!r}).")
        if completed and ended_early:
            raise FieldError("ended_early", "A run cannot be both completed and ended early.")
        fields = {
            "mode": mode,
            "script_id": _optional_text("script_id", script_id, 80),
            "voice": _optional_text("voice", voice, 120),
            "rate": None if rate is None else check_rate(rate),
            "planned_s": None
            if planned_s is None
            else check_seconds("planned_s", planned_s, MAX_PLANNED_S, positive=True),
            "actual_s": None
            if actual_s is None
            else check_seconds("actual_s", actual_s, MAX_ACTUAL_S, positive=False),
            "pauses": check_pauses(pauses),
            "completed": bool(completed),
            "ended_early": bool(ended_early),
            "ended_at": None if ended_at is None else check_time("ended_at", ended_at, now),
            "note": None
            if note is None
            else clean_text("note", note, max_len=NOTE_MAX, required=False, multiline=True) or None,
        }
        if mode == "guided" and fields["script_id"] is None:
            raise FieldError("script_id", "A guided meditation needs its script.")
        start = None if started_at is None else check_time("started_at", started_at, now)
        with self._db.transaction() as s:
            _open_session(s, session_id)
            if record_id is None:
                row = CenteringRecord(session_id=session_id, started_at=start, guide_id=actor.id)
                s.add(row)
            else:
                row = _unfinished(s, session_id, record_id)
                start = row.started_at
            end = fields["ended_at"]
            if start is not None and isinstance(end, datetime) and end < start:
                raise FieldError("ended_at", "The end cannot be before the start.")
            for name, value in fields.items():
                setattr(row, name, value)
            row.recorded_at, row.recorded_by_id = now, actor.id
            s.flush()
            audit(s, now, actor, "finish" if record_id else "record", "centering", row.id,
                  session_id=session_id, mode=mode, completed=row.completed,
                  ended_early=row.ended_early, actual_s=row.actual_s)  # fmt: skip
            return _row(row, _name(s, row.guide_id))

    def record_vr(self, actor: Actor, session_id: int, note: str = "") -> CenteringRow:
        """VR (or music/headset) was used instead of a guided meditation."""
        require(actor, Action.RECORD_CENTERING)
        now = self._clock.now()
        return self.record_run(
            actor, session_id, mode="vr", script_id=None, voice=None, rate=None, planned_s=None,
            actual_s=None, pauses=[], completed=True, ended_early=False, started_at=now,
            ended_at=now, note=note,
        )  # fmt: skip

    def record_skipped(self, actor: Actor, session_id: int, reason: str) -> CenteringRow:
        """No centering this session; the reason is required (e.g. the patient declined)."""
        require(actor, Action.RECORD_CENTERING)
        reason = clean_text("reason", reason, max_len=NOTE_MAX, required=True, multiline=True)
        return self.record_run(
            actor, session_id, mode="skipped", script_id=None, voice=None, rate=None,
            planned_s=None, actual_s=None, pauses=[], completed=False, ended_early=False,
            started_at=None, ended_at=None, note=reason,
        )  # fmt: skip


def _open_session(s: Session, session_id: int) -> TreatmentSession:
    ts = s.get_one(TreatmentSession, session_id)
    if ts.status != SessionStatus.IN_PROGRESS:
        raise NotAllowedNow("This session is closed: centering can no longer be recorded.")
    return ts


def _unfinished(s: Session, session_id: int, record_id: int) -> CenteringRecord:
    row = s.get(CenteringRecord, record_id)
    if row is None or row.session_id != session_id:
        raise NotAllowedNow("That meditation run belongs to another session.")
    if row.mode != "guided" or row.ended_at is not None:
        raise NotAllowedNow("That meditation run is already recorded as finished.")
    return row


def _name(s: Session, staff_id: int | None) -> str | None:
    return s.scalar(select(Staff.display_name).where(Staff.id == staff_id)) if staff_id else None


def _records(s: Session, session_id: int) -> list[CenteringRow]:
    q = (
        select(CenteringRecord, Staff.display_name)
        .outerjoin(Staff, CenteringRecord.guide_id == Staff.id)
        .where(CenteringRecord.session_id == session_id)
        .order_by(CenteringRecord.id)
    )
    return [_row(c, name) for c, name in s.execute(q)]
