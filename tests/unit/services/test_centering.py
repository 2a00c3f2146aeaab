"""Centering records: a guided run (start trace, then finished in the same row), VR, skipped;
roles, closed sessions and bad input refused without writing anything."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from companion.clock import ManualClock
from companion.errors import FieldError, NotAllowedNow, PermissionDenied
from companion.roles import Actor
from companion.services import Services
from companion.services.centering import check_pauses, check_seconds
from companion.storage.models import (
    AuditEvent,
    CenteringRecord,
    CheckIn,
    Indication,
    Phase,
    Role,
)


def centering_session(
    services: Services,
    actor: Actor,
    *,
    intention: str | None = "To feel safe in my body again.",
    indication: Indication = Indication.PTSD,
    chart: str = "KC-7",
) -> int:
    """A session past check-in, at the centering phase (the check-in rows written directly)."""
    patient = services.patients.add_patient(
        actor, chart, "Zoë", "Dubois", date(1988, 5, 1), indication
    )
    row = services.sessions.start_session(actor, patient.id)
    now = services.clock.now()
    with services.db.transaction() as s:
        s.add(
            CheckIn(
                session_id=row.id,
                intention=intention,
                completed_at=now,
                recorded_at=now,
                recorded_by_id=actor.id,
            )
        )
    services.sessions.set_phase(actor, row.id, Phase.CENTERING)
    return row.id


def rows(services: Services) -> list[CenteringRecord]:
    with services.db.transaction() as s:
        return list(s.scalars(select(CenteringRecord).order_by(CenteringRecord.id)))


def audit_count(services: Services) -> int:
    with services.db.transaction() as s:
        return int(s.scalar(select(func.count(AuditEvent.id))) or 0)


def test_context_reads_the_intention_and_indication(services: Services, guide: Actor) -> None:
    sid = centering_session(services, guide)
    c = services.centering.context(sid)
    assert (c.intention, c.indication, c.phase, c.closed, c.records) == (
        "To feel safe in my body again.", Indication.PTSD, Phase.CENTERING, False, (),
    )  # fmt: skip


def test_a_guided_run_leaves_a_trace_at_start_and_is_completed_in_the_same_row(
    services: Services, guide: Actor, clock: ManualClock
) -> None:
    sid = centering_session(services, guide)
    started = clock.now()
    row = services.centering.record_started(
        guide, sid, script_id="grounding_ptsd", voice="gmw/en", rate=150, planned_s=600.0
    )
    [stored] = rows(services)
    assert (stored.mode, stored.completed, stored.started_at, stored.ended_at) == (
        "guided", False, started, None,
    )  # fmt: skip
    assert services.centering.context(sid).latest == row and row.unfinished

    clock.advance(640)
    done = services.centering.record_run(
        guide, sid, script_id="grounding_ptsd", voice="gmw/en", rate=150, planned_s=600.0,
        actual_s=640.0, pauses=[(120.0, 40.0)], completed=True, ended_early=False,
        started_at=started, ended_at=clock.now(), record_id=row.id,
    )  # fmt: skip
    [stored] = rows(services)  # still one row: the trace became the record
    assert stored.id == row.id == done.id and not done.unfinished
    assert (stored.script_id, stored.voice, stored.rate) == ("grounding_ptsd", "gmw/en", 150)
    assert (stored.planned_s, stored.actual_s, stored.pauses) == (600.0, 640.0, [[120.0, 40.0]])
    assert (stored.completed, stored.ended_early, stored.guide_id) == (True, False, guide.id)
    assert (stored.started_at, stored.ended_at) == (started, clock.now())
    assert done.guide == "Gina Guide" and done.pauses == ((120.0, 40.0),)
    with services.db.transaction() as s:
        events = [(e.action, e.entity, e.detail.get("mode")) for e in s.scalars(
            select(AuditEvent).where(AuditEvent.entity == "centering"))]  # fmt: skip
    assert events == [("start", "centering", None), ("finish", "centering", "guided")]
    assert services.sessions.get(sid).phase == Phase.CENTERING  # the page moves the phase on


def test_a_finished_run_cannot_be_finished_again(services: Services, guide: Actor) -> None:
    sid = centering_session(services, guide)
    row = services.centering.record_started(
        guide, sid, script_id="body_scan", voice=None, rate=150, planned_s=300.0
    )
    args: dict[str, Any] = dict(
        script_id="body_scan", voice=None, rate=150, planned_s=300.0, actual_s=120.0, pauses=[],
        completed=False, ended_early=True, started_at=None, ended_at=services.clock.now(),
        record_id=row.id,
    )  # fmt: skip
    services.centering.record_run(guide, sid, **args)
    with pytest.raises(NotAllowedNow, match="already recorded"):
        services.centering.record_run(guide, sid, **args)
    other = centering_session(services, guide, chart="KC-8")
    with pytest.raises(NotAllowedNow, match="another session"):
        services.centering.record_run(guide, other, **args)


def test_vr_and_skipped_are_recorded_and_skipping_needs_a_reason(
    services: Services, physician: Actor
) -> None:
    sid = centering_session(services, physician)
    services.centering.record_vr(physician, sid, "Headset, forest scene")
    with pytest.raises(FieldError) as err:
        services.centering.record_skipped(physician, sid, "   ")
    assert err.value.field == "reason"
    services.centering.record_skipped(physician, sid, "Patient declined, prefers music")
    vr, skipped = rows(services)
    assert (vr.mode, vr.note, vr.completed, vr.guide_id) == (
        "vr", "Headset, forest scene", True, physician.id,
    )  # fmt: skip
    assert (skipped.mode, skipped.note, skipped.script_id) == (
        "skipped", "Patient declined, prefers music", None,
    )  # fmt: skip
    assert [r.mode for r in services.centering.context(sid).records] == ["vr", "skipped"]


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
def test_only_clinicians_record_centering(
    services: Services, staff_by_role: dict[Role, Actor], role: Role
) -> None:
    sid = centering_session(services, staff_by_role[Role.GUIDE])
    before = audit_count(services)
    who = staff_by_role[role]
    for call in (
        lambda: services.centering.record_vr(who, sid, ""),
        lambda: services.centering.record_skipped(who, sid, "no time"),
        lambda: services.centering.record_started(
            who, sid, script_id="body_scan", voice=None, rate=150, planned_s=300.0
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert rows(services) == [] and audit_count(services) == before


def test_a_closed_session_is_refused(services: Services, physician: Actor) -> None:
    sid = centering_session(services, physician)
    services.sessions.abandon(physician, sid, "BP too high to dose")
    before = audit_count(services)
    with pytest.raises(NotAllowedNow, match="closed"):
        services.centering.record_vr(physician, sid, "")
    with pytest.raises(NotAllowedNow, match="closed"):
        services.centering.record_started(
            physician, sid, script_id="body_scan", voice=None, rate=150, planned_s=300.0
        )
    assert rows(services) == [] and audit_count(services) == before
    assert services.centering.context(sid).closed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mode": "music"}, "mode"),
        ({"completed": True, "ended_early": True}, "ended_early"),
        ({"rate": 20}, "rate"),
        ({"planned_s": 0.0}, "planned_s"),
        ({"planned_s": math.nan}, "planned_s"),
        ({"actual_s": -1.0}, "actual_s"),
        ({"pauses": [(1.0,)]}, "pauses"),
        ({"pauses": [(1.0, math.inf)]}, "pauses"),
        ({"script_id": None}, "script_id"),
        ({"script_id": "bad\x00id"}, "script_id"),
        ({"note": "x" * 2001}, "note"),
        ({"ended_at": "yesterday"}, "ended_at"),
    ],
)
def test_bad_values_are_refused_at_their_field_and_nothing_is_stored(
    services: Services, guide: Actor, change: dict[str, Any], field: str
) -> None:
    sid = centering_session(services, guide)
    now = services.clock.now()
    args: dict[str, Any] = dict(
        script_id="body_scan", voice="gmw/en", rate=150, planned_s=300.0, actual_s=300.0,
        pauses=[], completed=True, ended_early=False, started_at=now, ended_at=now,
    )  # fmt: skip
    args.update(change)
    before = audit_count(services)
    with pytest.raises(FieldError) as err:
        services.centering.record_run(guide, sid, **args)
    assert err.value.field == field
    assert rows(services) == [] and audit_count(services) == before


def test_times_must_be_plausible(services: Services, guide: Actor, clock: ManualClock) -> None:
    sid = centering_session(services, guide)
    now = clock.now()
    base: dict[str, Any] = dict(
        script_id="body_scan", voice=None, rate=150, planned_s=300.0, actual_s=300.0, pauses=[],
        completed=True, ended_early=False,
    )  # fmt: skip
    for start, end, field in [
        (now, now + timedelta(minutes=5), "ended_at"),  # in the future
        (now - timedelta(hours=30), now, "started_at"),  # a wrong date
        (now, now - timedelta(minutes=5), "ended_at"),  # before the start
    ]:
        with pytest.raises(FieldError) as err:
            services.centering.record_run(guide, sid, started_at=start, ended_at=end, **base)
        assert err.value.field == field
    assert rows(services) == []


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.one_of(
        st.floats(allow_nan=True),
        st.integers(min_value=-(10**400), max_value=10**400),
        st.text(),
        st.none(),
        st.booleans(),
    )
)
def test_seconds_are_finite_and_in_range_or_refused(value: object) -> None:
    try:
        seconds = check_seconds("planned_s", value, 7200.0, positive=True)
    except FieldError as exc:
        assert exc.field == "planned_s"
    else:
        assert isinstance(value, int | float) and not isinstance(value, bool)
        assert math.isfinite(seconds) and 0 < seconds <= 7200.0


@given(
    value=st.lists(
        st.one_of(
            st.tuples(st.floats(), st.floats()),
            st.lists(st.floats(min_value=0, max_value=1e5), max_size=3),
            st.text(max_size=3),
        ),
        max_size=5,
    )
)
def test_pauses_are_pairs_of_non_negative_seconds_or_refused(value: list[Any]) -> None:
    try:
        pauses = check_pauses(value)
    except FieldError as exc:
        assert exc.field == "pauses"
    else:
        assert len(pauses) == len(value)
        assert all(len(p) == 2 and all(math.isfinite(x) and x >= 0 for x in p) for p in pauses)
