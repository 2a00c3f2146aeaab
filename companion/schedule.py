"""The monitoring checkpoint schedule, computed from the stored T0 and the current time.

Pure functions of timestamps (never counted ticks), so a session resumed after a crash shows the
same states it would have shown without the crash. Rules (CLINICAL §1, protocol [checkpoints]):
a timed checkpoint is "upcoming" until `due_window_min` before its time, "due" from then, and
"overdue" from `overdue_after_min` after its time (at exactly that instant it is overdue).
"Before discharge" has no clock time: it is "due" once the minimum observation time has passed.
A recorded checkpoint is "done" (or "missed", with its reason) whatever the clock says; if one is
in both maps, "done" wins because a reading was actually taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from companion.clock import Clock
from companion.protocol import PRE_DISCHARGE_KEY, CheckpointDef, Protocol

Status = Literal["upcoming", "due", "overdue", "done", "missed"]


@dataclass(frozen=True)
class CheckpointState:
    key: str
    label: str
    offset_min: float | None
    due_at: datetime | None
    status: Status


def _require_aware(name: str, when: datetime) -> None:
    if when.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")


def _status(
    cp: CheckpointDef,
    due_at: datetime | None,
    t0: datetime,
    now: datetime,
    protocol: Protocol,
) -> Status:
    plan = protocol.checkpoints
    if due_at is None:  # before discharge
        ready_at = t0 + timedelta(minutes=protocol.min_observation_min)
        return "due" if now >= ready_at else "upcoming"
    if now >= due_at + timedelta(minutes=plan.overdue_after_min):
        return "overdue"
    if now >= due_at - timedelta(minutes=plan.due_window_min):
        return "due"
    return "upcoming"


def checkpoint_states(
    t0: datetime,
    now: datetime,
    protocol: Protocol,
    done: Mapping[str, datetime],
    missed: Mapping[str, str],
) -> list[CheckpointState]:
    """Every checkpoint of the protocol in order, plus any recorded key the protocol no longer
    lists (so a record made under an older protocol is never hidden)."""
    _require_aware("t0", t0)
    _require_aware("now", now)
    states: list[CheckpointState] = []
    for cp in protocol.checkpoints.definitions:
        due_at = None if cp.offset_min is None else t0 + timedelta(minutes=cp.offset_min)
        status: Status
        if cp.key in done:
            status = "done"
        elif cp.key in missed:
            status = "missed"
        else:
            status = _status(cp, due_at, t0, now, protocol)
        states.append(CheckpointState(cp.key, cp.label, cp.offset_min, due_at, status))
    known = {cp.key for cp in protocol.checkpoints.definitions}
    for key in sorted((set(done) | set(missed)) - known):
        status = "done" if key in done else "missed"
        states.append(CheckpointState(key, key, None, None, status))
    return states


@dataclass(frozen=True)
class SessionClock:
    """Session timing derived from T0 and an injectable clock (nothing is counted)."""

    t0: datetime
    protocol: Protocol
    clock: Clock

    def __post_init__(self) -> None:
        _require_aware("t0", self.t0)

    def elapsed(self) -> timedelta:
        """Time since T0 (negative if T0 was recorded slightly ahead of this machine's clock)."""
        return self.clock.now() - self.t0

    @property
    def planned_end(self) -> datetime:
        return self.t0 + timedelta(minutes=self.protocol.planned_length_min)

    @property
    def observation_complete_at(self) -> datetime:
        return self.t0 + timedelta(minutes=self.protocol.min_observation_min)

    def observation_complete(self) -> bool:
        return self.clock.now() >= self.observation_complete_at

    def states(
        self, done: Mapping[str, datetime], missed: Mapping[str, str]
    ) -> list[CheckpointState]:
        return checkpoint_states(self.t0, self.clock.now(), self.protocol, done, missed)

    def next_checkpoint(
        self, done: Mapping[str, datetime], missed: Mapping[str, str]
    ) -> CheckpointState | None:
        """The earliest timed checkpoint not yet done or missed (overdue ones first), else
        "before discharge" if still open, else None."""
        open_states = [s for s in self.states(done, missed) if s.status not in ("done", "missed")]
        timed = [s for s in open_states if s.due_at is not None]
        if timed:
            return min(timed, key=lambda s: s.due_at or self.t0)
        return next((s for s in open_states if s.key == PRE_DISCHARGE_KEY), None)

    def countdown(
        self, done: Mapping[str, datetime], missed: Mapping[str, str]
    ) -> timedelta | None:
        """Time until the next timed checkpoint; negative when it is late; None if none is timed."""
        nxt = self.next_checkpoint(done, missed)
        if nxt is None or nxt.due_at is None:
            return None
        return nxt.due_at - self.clock.now()
