"""Checkpoint states and the session clock, driven by a ManualClock (no sleeping)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from companion.clock import ManualClock
from companion.protocol import PRE_DISCHARGE_KEY, default_protocol_path, load_protocol
from companion.schedule import SessionClock, checkpoint_states

PROTOCOL = load_protocol(default_protocol_path())


def status_of(
    clock: SessionClock,
    key: str,
    done: dict[str, datetime] | None = None,
    missed: dict[str, str] | None = None,
) -> str:
    states = {s.key: s for s in clock.states(done or {}, missed or {})}
    return states[key].status


def test_upcoming_due_overdue_at_the_edges(clock: ManualClock) -> None:
    session = SessionClock(clock.now(), PROTOCOL, clock)
    clock.advance(15 * 60 - 1)
    assert status_of(session, "t15") == "upcoming"
    clock.advance(1)  # exactly 15:00
    assert status_of(session, "t15") == "due"
    clock.advance(5 * 60 - 1)  # 19:59
    assert status_of(session, "t15") == "due"
    clock.advance(1)  # 20:00
    assert status_of(session, "t15") == "overdue"


def test_done_and_missed_override_the_clock(clock: ManualClock) -> None:
    t0 = clock.now()
    session = SessionClock(t0, PROTOCOL, clock)
    clock.advance(44 * 60)
    done = {"t5": t0 + timedelta(minutes=5), "t15": t0 + timedelta(minutes=16)}
    missed = {"t30": "patient asleep, not disturbed", "t15": "also marked missed"}
    states = {s.key: s.status for s in session.states(done, missed)}
    assert states == {
        "t5": "done",
        "t15": "done",  # a reading was taken: done wins
        "t30": "missed",
        "t40": "due",
        "t60": "upcoming",
        PRE_DISCHARGE_KEY: "upcoming",
    }


def test_before_discharge_due_after_minimum_observation(clock: ManualClock) -> None:
    session = SessionClock(clock.now(), PROTOCOL, clock)
    clock.advance(60 * 60 - 1)
    assert status_of(session, PRE_DISCHARGE_KEY) == "upcoming"
    assert not session.observation_complete()
    clock.advance(1)
    assert status_of(session, PRE_DISCHARGE_KEY) == "due"
    assert session.observation_complete()
    clock.advance(3 * 3600)
    assert status_of(session, PRE_DISCHARGE_KEY) == "due"  # never "overdue": no clock time


def test_states_are_ordered_and_carry_due_times(clock: ManualClock) -> None:
    t0 = clock.now()
    states = checkpoint_states(t0, t0, PROTOCOL, {}, {})
    assert [s.offset_min for s in states] == [5, 15, 30, 40, 60, None]
    assert states[3].due_at == t0 + timedelta(minutes=40)
    assert states[3].label == "40 min"
    assert states[-1].due_at is None
    assert all(s.status == "upcoming" for s in states)


def test_unknown_recorded_key_is_kept(clock: ManualClock) -> None:
    t0 = clock.now()
    states = checkpoint_states(t0, t0, PROTOCOL, {"t45": t0}, {"t90": "left early"})
    assert [(s.key, s.status) for s in states[-2:]] == [("t45", "done"), ("t90", "missed")]


def test_next_checkpoint_and_countdown(clock: ManualClock) -> None:
    t0 = clock.now()
    session = SessionClock(t0, PROTOCOL, clock)
    clock.advance(2 * 60)
    assert session.elapsed() == timedelta(minutes=2)
    nxt = session.next_checkpoint({}, {})
    assert nxt is not None and nxt.key == "t5"
    assert session.countdown({}, {}) == timedelta(minutes=3)
    clock.advance(6 * 60)  # t5 is late by 3 minutes
    assert session.countdown({}, {}) == timedelta(minutes=-3)
    done = {k: t0 for k in ("t5", "t15", "t30", "t40", "t60")}
    nxt = session.next_checkpoint(done, {})
    assert nxt is not None and nxt.key == PRE_DISCHARGE_KEY
    assert session.countdown(done, {}) is None
    assert session.next_checkpoint({**done, PRE_DISCHARGE_KEY: t0}, {}) is None
    assert session.planned_end == t0 + timedelta(minutes=60)


def test_resumed_session_is_derived_from_t0(clock: ManualClock) -> None:
    """A restart (new SessionClock, same stored T0) shows the same state: nothing is counted."""
    t0 = clock.now()
    clock.advance(41 * 60)
    again = SessionClock(t0, PROTOCOL, clock)
    assert again.elapsed() == timedelta(minutes=41)
    assert status_of(again, "t40") == "due"
    assert status_of(again, "t30") == "overdue"


def test_naive_times_refused(clock: ManualClock) -> None:
    naive = clock.now().replace(tzinfo=None)
    with pytest.raises(ValueError, match="timezone-aware"):
        checkpoint_states(naive, clock.now(), PROTOCOL, {}, {})
    with pytest.raises(ValueError):
        SessionClock(naive, PROTOCOL, clock)
