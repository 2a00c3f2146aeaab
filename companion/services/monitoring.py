"""The monitored hour: checkpoints, extra readings, observations, and the state the screen shows.

Every reading is stored with its alerts in one transaction (`services.alerts`). Times are stored as
measured/observed; minutes since T0 are derived from the stored T0, never counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Table, bindparam, exists, insert, select
from sqlalchemy.orm import Session

from companion.clinical.plausibility import VitalsValues
from companion.clinical.scales import score_scale, validate_rating
from companion.clock import Clock
from companion.errors import FieldError, NotAllowedNow
from companion.protocol import CheckpointDef, Protocol
from companion.roles import Action, Actor, require
from companion.services.alerts import AlertRow, active_alerts_in, evaluate_new_reading
from companion.services.audit import audit
from companion.services.dosing import DoseRow, doses_in
from companion.services.vitals import (
    MAX_FUTURE,
    ReadingRow,
    add_reading,
    baseline_of,
    baseline_reading,
    reading_row,
    with_baseline,
)
from companion.storage.database import Database, Executor
from companion.storage.models import (
    Checkpoint,
    Observation,
    ReflectionNote,
    SessionStatus,
    TreatmentSession,
    VitalsReading,
)
from companion.text import clean_text

NAUSEA_MAX = 3  # issue 4: nausea 0–3 (none, mild, moderate, severe)
NAUSEA_LABELS = ("0 — none", "1 — mild", "2 — moderate", "3 — severe")
MAX_NOTE_LEN = 2000
MAX_REASON_LEN = 500


@dataclass(frozen=True)
class CheckpointRow:
    id: int
    key: str
    offset_min: float | None
    status: str  # "done" or "missed"
    moaas: int | None
    cadss_items: tuple[int, ...] | None
    cadss_total: int | None
    nausea: int | None
    distress: int | None
    note: str | None
    missed_reason: str | None
    measured_at: datetime


@dataclass(frozen=True)
class ObservationRow:
    id: int
    tag: str | None
    text: str | None
    adverse_event: bool
    observed_at: datetime
    minutes_since_t0: float | None
    edited: bool

    @property
    def label(self) -> str:
        return " — ".join(p for p in (self.tag, self.text) if p)


@dataclass(frozen=True)
class MonitoringState:
    """Everything the monitoring screen shows, read in one transaction."""

    session_id: int
    status: SessionStatus
    started_at: datetime
    t0: datetime | None
    doses: tuple[DoseRow, ...]
    checkpoints: tuple[CheckpointRow, ...]
    baseline: ReadingRow | None
    readings: tuple[ReadingRow, ...]  # checkpoint and extra readings, oldest first
    observations: tuple[ObservationRow, ...]
    alerts: tuple[AlertRow, ...]  # waiting for acknowledgement, most severe first
    note_signed: bool

    @property
    def done(self) -> Mapping[str, datetime]:
        return {c.key: c.measured_at for c in self.checkpoints if c.status == "done"}

    @property
    def missed(self) -> Mapping[str, str]:
        return {c.key: c.missed_reason or "" for c in self.checkpoints if c.status == "missed"}


@dataclass(frozen=True)
class ReadingResult:
    reading: ReadingRow
    new_alerts: tuple[AlertRow, ...]


@dataclass(frozen=True)
class CheckpointResult:
    checkpoint: CheckpointRow
    reading: ReadingRow | None  # None when no vitals were taken at this checkpoint
    new_alerts: tuple[AlertRow, ...]


def checkpoint_row(c: Checkpoint) -> CheckpointRow:
    return CheckpointRow(
        c.id,
        c.key,
        c.offset_min,
        c.status,
        c.moaas,
        tuple(c.cadss_items) if c.cadss_items is not None else None,
        c.cadss_total,
        c.nausea,
        c.distress,
        c.note,
        c.missed_reason,
        c.measured_at,
    )


def observation_row(o: Observation, t0: datetime | None) -> ObservationRow:
    minutes = (o.observed_at - t0).total_seconds() / 60 if t0 is not None else None
    return ObservationRow(
        o.id, o.tag, o.text, o.adverse_event, o.observed_at, minutes, o.updated_at is not None
    )


def _note_signed(s: Session, session_id: int) -> bool:
    status = s.scalar(select(ReflectionNote.status).where(ReflectionNote.session_id == session_id))
    return status == "signed"


class _OpenSession(NamedTuple):
    id: int
    started_at: datetime
    t0: datetime | None
    done: bool  # the checkpoint asked about is already recorded as done
    baseline: VitalsValues | None  # what a reading is compared with


# Checkpoints and readings are saved while the clinician waits, so they run as Core statements,
# built once, in `Database.core_transaction()` (issue 7): building a select() costs more than SQLite
# running it, and the ORM's Session and unit of work cost several times the statements. Six
# statements a save (pinned by tests/unit/services/test_checkpoint_save.py); the rows
# returned are the values just stored.
_SESSIONS: Table = TreatmentSession.__table__  # type: ignore[assignment]
_CHECKPOINTS: Table = Checkpoint.__table__  # type: ignore[assignment]
_DONE = exists().where(
    _CHECKPOINTS.c.session_id == _SESSIONS.c.id,
    _CHECKPOINTS.c.key == bindparam("key"),
    _CHECKPOINTS.c.status == "done",
)
# What a monitoring action checks, and a reading is compared with, in one round trip.
_SESSION = with_baseline(
    select(
        _SESSIONS.c.id,
        _SESSIONS.c.status,
        _SESSIONS.c.started_at,
        _SESSIONS.c.t0,
        _DONE.label("done"),
    ).where(_SESSIONS.c.id == bindparam("sid")),
    _SESSIONS,
)
_INSERT_CHECKPOINT = insert(_CHECKPOINTS).returning(_CHECKPOINTS.c.id)
# The fields of a CheckpointRow that are stored as they are (not dataclasses.asdict: it deep-copies).
_CHECKPOINT_COLUMNS = tuple(f.name for f in fields(CheckpointRow) if f.name != "id")


def _open_session(s: Executor, session_id: int, key: str | None = None) -> _OpenSession:
    """The session, refused once it is closed; `done` if checkpoint `key` is already done."""
    row = s.execute(_SESSION, {"sid": session_id, "key": key}).one()
    sid, status, started_at, t0, done = row[:5]
    if status != SessionStatus.IN_PROGRESS:
        raise NotAllowedNow("This session is closed.")
    return _OpenSession(sid, started_at, t0, bool(done), baseline_of(row))


def _dosed(ts: _OpenSession) -> datetime:
    if ts.t0 is None:
        raise NotAllowedNow("Record the dose first: checkpoints are timed from the injection (T0).")
    return ts.t0


def _definition(protocol: Protocol, key: str) -> CheckpointDef:
    for cp in protocol.checkpoints.definitions:
        if cp.key == key:
            return cp
    raise FieldError("checkpoint", f"Unknown checkpoint {key!r} for this protocol.")


def _check_time(field: str, when: datetime, now: datetime, earliest: datetime, what: str) -> None:
    if when.tzinfo is None:
        raise ValueError(f"{field} must be timezone-aware")
    if when > now + MAX_FUTURE:
        raise FieldError(field, "The time is in the future.")
    if when < earliest:
        raise FieldError(field, f"The time is before {what}.")


def _whole(field: str, value: object, high: int, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise FieldError(field, f"{label} must be a whole number from 0 to {high}.")
    return value


class MonitoringService:
    def __init__(self, db: Database, clock: Clock, protocol: Callable[[], Protocol]) -> None:
        self._db = db
        self._clock = clock
        self._protocol = protocol

    # --- readings and checkpoints -------------------------------------------------------------

    def record_checkpoint(
        self,
        actor: Actor,
        session_id: int,
        key: str,
        values: VitalsValues | None,
        measured_at: datetime,
        moaas: int,
        cadss_items: Sequence[int] | None,
        nausea: int | None,
        distress: int | None,
        note: str,
    ) -> CheckpointResult:
        """Store a checkpoint (and its reading, evaluated for alerts) as one unit of work."""
        require(actor, Action.RECORD_MONITORING)
        protocol = self._protocol()
        definition = _definition(protocol, key)
        moaas = _whole("moaas", moaas, 5, "MOAA/S")
        cadss = None
        cadss_total = None
        if cadss_items is not None:
            cadss = list(cadss_items)
            cadss_total = score_scale("cadss6", cadss).total
        if nausea is not None:
            nausea = _whole("nausea", nausea, NAUSEA_MAX, "Nausea")
        if distress is not None:
            distress = validate_rating("distress", distress)
        text = clean_text("note", note, max_len=MAX_NOTE_LEN, required=False, multiline=True)
        now = self._clock.now()
        with self._db.core_transaction() as s:
            ts = _open_session(s, session_id, key)
            t0 = _dosed(ts)
            _check_time("measured_at", measured_at, now, t0, "the injection (T0)")
            if ts.done:
                raise NotAllowedNow(f"The {definition.label} checkpoint is already recorded.")
            # Stored as returned: the row's fields are the columns (id 0 until the INSERT).
            checkpoint = CheckpointRow(
                id=0,
                key=key,
                offset_min=definition.offset_min,
                status="done",
                moaas=moaas,
                cadss_items=tuple(cadss) if cadss is not None else None,
                cadss_total=cadss_total,
                nausea=nausea,
                distress=distress,
                note=text or None,
                missed_reason=None,
                measured_at=measured_at,
            )
            columns = {name: getattr(checkpoint, name) for name in _CHECKPOINT_COLUMNS}
            recorded = {"session_id": session_id, "recorded_at": now, "recorded_by_id": actor.id}
            cp_id = s.execute(_INSERT_CHECKPOINT, columns | recorded).scalar_one()
            checkpoint = replace(checkpoint, id=cp_id)
            audit(s, now, actor, "create", "checkpoint", cp_id, session_id=session_id, key=key)
            if values is None:
                return CheckpointResult(checkpoint, None, ())
            result = self._reading(s, actor, ts, values, measured_at, "checkpoint", cp_id, protocol)
            return CheckpointResult(checkpoint, result.reading, result.new_alerts)

    def record_extra_reading(
        self, actor: Actor, session_id: int, values: VitalsValues, measured_at: datetime
    ) -> ReadingResult:
        """A reading outside the schedule (e.g. the re-check after an urgent BP)."""
        require(actor, Action.RECORD_MONITORING)
        protocol = self._protocol()
        with self._db.core_transaction() as s:
            ts = _open_session(s, session_id)
            return self._reading(s, actor, ts, values, measured_at, "extra", None, protocol)

    def _reading(
        self,
        s: Executor,
        actor: Actor,
        ts: _OpenSession,
        values: VitalsValues,
        measured_at: datetime,
        context: str,
        checkpoint_id: int | None,
        protocol: Protocol,
    ) -> ReadingResult:
        now = self._clock.now()
        reading = add_reading(
            s,
            actor=actor,
            now=now,
            session_id=ts.id,
            values=values,
            measured_at=measured_at,
            context=context,
            session_started_at=ts.started_at,
            checkpoint_id=checkpoint_id,
            baseline=ts.baseline,  # read with the session: flags and alerts compare with it
        )
        new = evaluate_new_reading(s, reading, ts.baseline, protocol.alerts, now)
        return ReadingResult(reading, tuple(new))

    def mark_missed(self, actor: Actor, session_id: int, key: str, reason: str) -> CheckpointRow:
        """A checkpoint that was not taken, with the reason (e.g. "patient asleep, not woken")."""
        require(actor, Action.RECORD_MONITORING)
        definition = _definition(self._protocol(), key)
        text = clean_text("reason", reason, max_len=MAX_REASON_LEN, required=True, multiline=True)
        now = self._clock.now()
        with self._db.transaction() as s:
            ts = _open_session(s, session_id)
            _dosed(ts)
            recorded = s.scalar(
                select(Checkpoint.status).where(
                    Checkpoint.session_id == session_id, Checkpoint.key == key
                )
            )
            if recorded is not None:
                raise NotAllowedNow(f"The {definition.label} checkpoint is already {recorded}.")
            cp = Checkpoint(
                session_id=session_id,
                key=key,
                offset_min=definition.offset_min,
                status="missed",
                missed_reason=text,
                measured_at=now,
                recorded_at=now,
                recorded_by_id=actor.id,
            )
            s.add(cp)
            s.flush()
            audit(s, now, actor, "missed", "checkpoint", cp.id, session_id=session_id, key=key)
            return checkpoint_row(cp)

    # --- observations -------------------------------------------------------------------------

    def add_observation(
        self,
        actor: Actor,
        session_id: int,
        tag: str | None,
        text: str | None,
        observed_at: datetime,
        adverse_event: bool = False,
    ) -> ObservationRow:
        """A quick tag (from the protocol file) and/or typed text, at `observed_at`."""
        require(actor, Action.RECORD_MONITORING)
        protocol = self._protocol()
        if tag is not None and tag not in protocol.quick_tags:
            raise FieldError("tag", "Choose one of the clinic's quick tags.")
        body = clean_text("text", text or "", max_len=MAX_NOTE_LEN, required=False, multiline=True)
        if tag is None and not body:
            raise FieldError("text", "Type what you observed, or tap a quick tag.")
        if not isinstance(adverse_event, bool):
            raise FieldError("adverse_event", "Adverse event must be yes or no.")
        now = self._clock.now()
        with self._db.transaction() as s:
            ts = _open_session(s, session_id)
            _check_time("observed_at", observed_at, now, ts.started_at, "this session began")
            obs = Observation(
                session_id=session_id,
                tag=tag,
                text=body or None,
                adverse_event=adverse_event,
                observed_at=observed_at,
                recorded_at=now,
                recorded_by_id=actor.id,
            )
            s.add(obs)
            s.flush()
            audit(
                s,
                now,
                actor,
                "create",
                "observation",
                obs.id,
                session_id=session_id,
                tag=tag,
                adverse_event=adverse_event,
            )
            return observation_row(obs, ts.t0)

    def edit_observation(self, actor: Actor, observation_id: int, text: str) -> ObservationRow:
        """Correct an observation's text; refused once the session's note is signed. The audit
        row keeps the old and new text: a correction must never hide what was recorded first."""
        require(actor, Action.RECORD_MONITORING)
        body = clean_text("text", text, max_len=MAX_NOTE_LEN, required=False, multiline=True)
        now = self._clock.now()
        with self._db.transaction() as s:
            obs = s.get(Observation, observation_id)
            if obs is None:
                raise NotAllowedNow("This observation no longer exists.")
            if _note_signed(s, obs.session_id):
                raise NotAllowedNow(
                    "The reflection note is signed, so this record is locked; add an addendum "
                    "to the note instead."
                )
            if obs.tag is None and not body:
                raise FieldError("text", "An observation without a tag needs its text.")
            old = obs.text
            if (old or "") == body:
                return observation_row(obs, s.get_one(TreatmentSession, obs.session_id).t0)
            obs.text = body or None
            obs.updated_at = now
            obs.updated_by_id = actor.id
            audit(
                s,
                now,
                actor,
                "edit",
                "observation",
                obs.id,
                session_id=obs.session_id,
                old=old,
                new=obs.text,
            )
            return observation_row(obs, s.get_one(TreatmentSession, obs.session_id).t0)

    # --- read model ---------------------------------------------------------------------------

    def monitoring_state(self, session_id: int) -> MonitoringState:
        with self._db.transaction() as s:
            ts = s.get_one(TreatmentSession, session_id)
            checkpoints = s.scalars(
                select(Checkpoint)
                .where(Checkpoint.session_id == session_id)
                .order_by(Checkpoint.measured_at, Checkpoint.id)
            )
            readings = s.scalars(
                select(VitalsReading)
                .where(
                    VitalsReading.session_id == session_id,
                    VitalsReading.context.in_(("checkpoint", "extra")),
                )
                .order_by(VitalsReading.measured_at, VitalsReading.id)
            )
            observations = s.scalars(
                select(Observation)
                .where(Observation.session_id == session_id)
                .order_by(Observation.observed_at, Observation.id)
            )
            base = baseline_reading(s, session_id)
            return MonitoringState(
                session_id=ts.id,
                status=ts.status,
                started_at=ts.started_at,
                t0=ts.t0,
                doses=tuple(doses_in(s, session_id)),
                checkpoints=tuple(checkpoint_row(c) for c in checkpoints),
                baseline=reading_row(base) if base is not None else None,
                readings=tuple(reading_row(r) for r in readings),
                observations=tuple(observation_row(o, ts.t0) for o in observations),
                alerts=tuple(active_alerts_in(s, session_id)),
                note_signed=_note_signed(s, session_id),
            )


def minutes_since(t0: datetime, when: datetime) -> float:
    return (when - t0) / timedelta(minutes=1)
