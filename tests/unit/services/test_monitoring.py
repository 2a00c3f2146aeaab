"""Monitoring: checkpoints through the service with a fake clock, readings, observations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from companion.clinical.plausibility import VitalsValues
from companion.clock import ManualClock
from companion.errors import FieldError, NotAllowedNow, PermissionDenied
from companion.roles import Actor
from companion.schedule import SessionClock
from companion.services import Services
from companion.storage.models import (
    AuditEvent,
    Checkpoint,
    Observation,
    ReflectionNote,
    Role,
    VitalsReading,
)
from tests.unit.services.test_dosing import checked_in_session, dose

NORMAL = VitalsValues(systolic=132, diastolic=84, pulse=76, spo2=97, respiration=14)


@pytest.fixture
def dosed(services: Services, physician: Actor) -> int:
    sid = checked_in_session(services, physician)
    dose(services, physician, sid)
    return sid


def statuses(services: Services, sid: int) -> dict[str, str]:
    state = services.monitoring.monitoring_state(sid)
    assert state.t0 is not None
    clock = SessionClock(state.t0, services.require_protocol(), services.clock)
    return {s.key: s.status for s in clock.states(state.done, dict(state.missed))}


def test_checkpoint_states_follow_the_fake_clock_and_the_stored_records(
    services: Services, guide: Actor, clock: ManualClock, dosed: int
) -> None:
    assert statuses(services, dosed)["t5"] == "upcoming"
    clock.advance(5 * 60)
    assert statuses(services, dosed)["t5"] == "due"
    services.monitoring.record_checkpoint(
        guide, dosed, "t5", NORMAL, clock.now(), 5, None, 0, 1, "settling in"
    )
    clock.advance(15 * 60)  # 20 min: t15 is overdue (5 min after its time)
    st_ = statuses(services, dosed)
    assert (st_["t5"], st_["t15"], st_["t30"]) == ("done", "overdue", "upcoming")
    services.monitoring.mark_missed(guide, dosed, "t15", "asleep, not woken")
    state = services.monitoring.monitoring_state(dosed)
    assert statuses(services, dosed)["t15"] == "missed"
    assert state.missed == {"t15": "asleep, not woken"}
    assert statuses(services, dosed)["pre_discharge"] == "upcoming"
    clock.advance(40 * 60)
    assert statuses(services, dosed)["pre_discharge"] == "due"


def test_checkpoint_is_stored_with_its_reading_and_scores_in_one_unit(
    services: Services, guide: Actor, clock: ManualClock, dosed: int
) -> None:
    clock.advance(40 * 60)
    result = services.monitoring.record_checkpoint(
        guide, dosed, "t40", NORMAL, clock.now(), 4, [1, 2, 0, 3, 1, 0], 1, 3, "calm"
    )
    assert result.checkpoint.cadss_total == 7 and result.reading is not None
    with services.db.transaction() as s:
        cp = s.scalars(select(Checkpoint)).one()
        reading = s.scalars(
            select(VitalsReading).where(VitalsReading.context == "checkpoint")
        ).one()
        assert reading.checkpoint_id == cp.id and reading.systolic == 132
        assert (cp.moaas, cp.nausea, cp.distress, cp.offset_min) == (4, 1, 3, 40.0)
    state = services.monitoring.monitoring_state(dosed)
    assert [r.values.systolic for r in state.readings] == [132]
    assert state.baseline is not None and state.baseline.values.weight_kg == 70.0
    with pytest.raises(NotAllowedNow, match="already"):
        services.monitoring.record_checkpoint(
            guide, dosed, "t40", NORMAL, clock.now(), 4, None, None, None, ""
        )


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("moaas", {"moaas": 6}),
        ("moaas", {"moaas": True}),
        ("cadss6", {"cadss_items": [1, 2, 3]}),
        ("cadss6", {"cadss_items": [0, 0, 0, 0, 0, 5]}),
        ("nausea", {"nausea": 4}),
        ("distress", {"distress": 11}),
        ("checkpoint", {"key": "t7"}),
        ("note", {"note": "bad\x07"}),
        ("systolic", {"values": VitalsValues(systolic=400, diastolic=80)}),
        ("measured_at", {"later": 10}),
    ],
)
def test_bad_checkpoint_input_is_refused_at_its_field_and_nothing_is_stored(
    services: Services,
    guide: Actor,
    clock: ManualClock,
    dosed: int,
    field: str,
    args: dict[str, Any],
) -> None:
    clock.advance(5 * 60)
    later = args.pop("later", 0)
    kw: dict[str, Any] = {
        "key": "t5",
        "values": NORMAL,
        "measured_at": clock.now() + timedelta(minutes=later),
        "moaas": 5,
        "cadss_items": None,
        "nausea": 0,
        "distress": 0,
        "note": "",
    } | args
    with pytest.raises(FieldError) as e:
        services.monitoring.record_checkpoint(guide, dosed, **kw)
    assert e.value.field == field
    with services.db.transaction() as s:
        assert s.scalar(select(func.count(Checkpoint.id))) == 0
        assert s.scalar(select(func.count(VitalsReading.id))) == 1  # the baseline only


def test_checkpoints_need_the_dose_first_and_a_clinician(
    services: Services, guide: Actor, staff_by_role: dict[Role, Actor]
) -> None:
    sid = checked_in_session(services, guide)
    with pytest.raises(NotAllowedNow, match="dose"):
        services.monitoring.record_checkpoint(
            guide, sid, "t5", NORMAL, services.clock.now(), 5, None, None, None, ""
        )
    with pytest.raises(PermissionDenied):
        services.monitoring.add_observation(
            staff_by_role[Role.STAFF], sid, "nausea", None, services.clock.now()
        )


def test_extra_reading_is_stored_as_extra(
    services: Services, guide: Actor, clock: ManualClock, dosed: int
) -> None:
    clock.advance(45 * 60)
    result = services.monitoring.record_extra_reading(guide, dosed, NORMAL, clock.now())
    assert result.reading.context == "extra" and result.new_alerts == ()
    assert services.monitoring.monitoring_state(dosed).readings[0].id == result.reading.id


def test_observations_are_timestamped_since_t0_and_edits_are_audited(
    services: Services, guide: Actor, clock: ManualClock, dosed: int
) -> None:
    clock.advance(12 * 60)
    tagged = services.monitoring.add_observation(guide, dosed, "nausea", None, clock.now())
    typed = services.monitoring.add_observation(
        guide, dosed, None, "  Tearful, talking about her father  ", clock.now(), adverse_event=True
    )
    assert tagged.minutes_since_t0 == 12.0 and typed.text == "Tearful, talking about her father"
    edited = services.monitoring.edit_observation(guide, typed.id, "Tearful, talking about father")
    assert edited.edited and edited.text == "Tearful, talking about father"
    with services.db.transaction() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "edit")).one()
        assert event.detail == {
            "old": "Tearful, talking about her father",
            "new": "Tearful, talking about father",
        }
        assert event.actor_id == guide.id
    with pytest.raises(FieldError):
        services.monitoring.add_observation(guide, dosed, "not a tag", None, clock.now())
    with pytest.raises(FieldError):
        services.monitoring.add_observation(guide, dosed, None, "   ", clock.now())
    with pytest.raises(FieldError):
        services.monitoring.edit_observation(guide, typed.id, "")
    state = services.monitoring.monitoring_state(dosed)
    assert [o.label for o in state.observations] == ["nausea", "Tearful, talking about father"]


def test_observation_edit_is_refused_once_the_note_is_signed(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock, dosed: int
) -> None:
    obs = services.monitoring.add_observation(guide, dosed, None, "eyes open", clock.now())
    now = clock.now()
    with services.db.transaction() as s:
        s.add(
            ReflectionNote(
                session_id=dosed,
                content={},
                status="signed",
                created_at=now,
                created_by_id=physician.id,
                updated_at=now,
                updated_by_id=physician.id,
                signed_at=now,
                signed_by_id=physician.id,
            )
        )
    with pytest.raises(NotAllowedNow, match="signed"):
        services.monitoring.edit_observation(guide, obs.id, "eyes closed")
    with services.db.transaction() as s:
        assert s.scalars(select(Observation.text)).one() == "eyes open"
    assert services.monitoring.monitoring_state(dosed).note_signed


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(max_size=2100),
    moaas=st.integers(-3, 8),
    nausea=st.one_of(st.none(), st.integers(-2, 6)),
    distress=st.one_of(st.none(), st.integers(-2, 14)),
)
def test_any_observation_or_scale_input_is_stored_cleanly_or_refused_at_a_field(
    services: Services,
    guide: Actor,
    dosed: int,
    text: str,
    moaas: int,
    nausea: int | None,
    distress: int | None,
) -> None:
    now = services.clock.now()
    try:
        obs = services.monitoring.add_observation(guide, dosed, None, text, now)
    except FieldError as e:
        assert e.field == "text"
    else:
        assert obs.text is not None and obs.text == obs.text.strip() and 0 < len(obs.text) <= 2000
    try:
        services.monitoring.record_checkpoint(
            guide, dosed, "pre_discharge", None, now, moaas, None, nausea, distress, text
        )
    except FieldError as e:
        assert e.field in {"moaas", "nausea", "distress", "note"}
    except NotAllowedNow:
        pass  # a valid entry, but an earlier example already recorded this checkpoint
    else:
        assert 0 <= moaas <= 5
        assert nausea is None or 0 <= nausea <= 3
        assert distress is None or 0 <= distress <= 10
