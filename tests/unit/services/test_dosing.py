"""Dosing: blockers, mg/kg from the check-in weight, the ceiling warning, T0 set once."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from companion.clinical.plausibility import VitalsValues
from companion.clock import ManualClock
from companion.errors import FieldError, NotAllowedNow, PermissionDenied
from companion.roles import Actor
from companion.services import Services
from companion.services.dosing import DoseRow
from companion.services.vitals import add_reading
from companion.storage.models import (
    AuditEvent,
    CheckIn,
    Dose,
    Indication,
    Phase,
    TreatmentSession,
)


def checked_in_session(
    services: Services,
    actor: Actor,
    *,
    bp: tuple[int, int] = (128, 82),
    weight: float | None = 70.0,
    complete: bool = True,
    gate_ack: Actor | None = None,
    chart: str = "KC-1",
) -> int:
    """A session whose check-in is done (rows written directly: the check-in UI is not ours)."""
    now = services.clock.now()
    patient = services.patients.add_patient(
        actor, chart, "Zoë", "Dubois", date(1988, 5, 1), Indication.DEPRESSION
    )
    row = services.sessions.start_session(actor, patient.id)
    with services.db.transaction() as s:
        s.add(
            CheckIn(
                session_id=row.id,
                completed_at=now if complete else None,
                bp_gate_ack_by_id=gate_ack.id if gate_ack else None,
                bp_gate_ack_at=now if gate_ack else None,
                bp_gate_ack_reason="re-checked, anxious" if gate_ack else None,
                recorded_at=now,
                recorded_by_id=actor.id,
            )
        )
        add_reading(
            s,
            actor=actor,
            now=now,
            session_id=row.id,
            values=VitalsValues(
                systolic=bp[0],
                diastolic=bp[1],
                pulse=72,
                spo2=98,
                respiration=14,
                temperature_c=36.8,
                weight_kg=weight,
            ),
            measured_at=now,
            context="baseline",
            session_started_at=row.started_at,
        )
    services.sessions.set_phase(actor, row.id, Phase.DOSE)
    return row.id


def dose(
    services: Services, physician: Actor, session_id: int, mg: float = 35.0, **kw: Any
) -> DoseRow:
    args: dict[str, Any] = {
        "drug": "ketamine",
        "dose_mg": mg,
        "route": "IM",
        "site": "left deltoid",
        "lot_number": "KT24117",
        "administered_at": services.clock.now(),
        "administered_by_id": physician.id,
    }
    args.update(kw)
    return services.dosing.record_dose(physician, session_id, **args)


def test_blockers_list_each_missing_step(services: Services, physician: Actor) -> None:
    sid = checked_in_session(services, physician, weight=None, complete=False)
    blockers = services.dosing.dose_blockers(sid)
    assert any("Check-in is not complete" in b for b in blockers)
    assert any("weight" in b for b in blockers)
    with pytest.raises(NotAllowedNow, match="Check-in is not complete"):
        dose(services, physician, sid)
    assert services.sessions.get(sid).t0 is None


def test_no_blockers_after_a_complete_check_in(services: Services, physician: Actor) -> None:
    sid = checked_in_session(services, physician)
    assert services.dosing.dose_blockers(sid) == []


def test_bp_above_the_gate_needs_the_physicians_acknowledgement(
    services: Services, physician: Actor, guide: Actor
) -> None:
    sid = checked_in_session(services, guide, bp=(152, 88))
    [blocker] = services.dosing.dose_blockers(sid)
    assert "152/88" in blocker and "acknowledge" in blocker
    with pytest.raises(NotAllowedNow):
        dose(services, physician, sid)
    acked = checked_in_session(services, guide, bp=(152, 88), gate_ack=physician, chart="KC-2")
    assert services.dosing.dose_blockers(acked) == []
    dose(services, physician, acked)
    assert services.sessions.get(acked).t0 is not None


def test_first_dose_sets_t0_moves_to_monitoring_and_stores_mg_per_kg(
    services: Services, physician: Actor, clock: ManualClock
) -> None:
    sid = checked_in_session(services, physician)
    clock.advance(600)
    given_at = clock.now() - timedelta(minutes=2)
    row = dose(services, physician, sid, 35.0, administered_at=given_at)
    session = services.sessions.get(sid)
    assert session.t0 == given_at and session.phase == Phase.MONITORING
    with services.db.transaction() as s:
        stored = s.scalars(select(Dose)).one()
        assert (stored.kind, stored.dose_mg, stored.weight_kg, stored.mg_per_kg) == (
            "initial",
            35.0,
            70.0,
            0.5,
        )
        assert stored.ceiling_warning is None
        assert stored.recorded_at == clock.now() and stored.administered_at == given_at
        actions = {(a.action, a.entity) for a in s.scalars(select(AuditEvent))}
    assert ("create", "dose") in actions and ("phase", "session") in actions
    assert row.mg_per_kg == 0.5


def test_ceiling_warning_is_stored_and_returned_not_refused(
    services: Services, physician: Actor
) -> None:
    sid = checked_in_session(services, physician, weight=70.0)
    row = dose(services, physician, sid, 80.0)
    warning = row.ceiling_warning
    assert warning is not None and "1.143 mg/kg" in warning
    with services.db.transaction() as s:
        assert s.scalars(select(Dose.ceiling_warning)).one() == warning


def test_t0_is_set_once_and_top_ups_keep_their_own_time_and_count_toward_the_ceiling(
    services: Services, physician: Actor, clock: ManualClock
) -> None:
    sid = checked_in_session(services, physician)
    dose(services, physician, sid, 50.0)
    t0 = services.sessions.get(sid).t0
    clock.advance(12 * 60)
    top = dose(services, physician, sid, 30.0, kind="top-up")
    assert services.sessions.get(sid).t0 == t0
    assert top.kind == "top-up" and top.administered_at == clock.now()
    assert top.ceiling_warning is not None  # 80 mg in total for 70 kg
    with pytest.raises(NotAllowedNow, match="top-up"):
        dose(services, physician, sid, 10.0, kind="initial")
    with pytest.raises(FieldError) as e:
        assert t0 is not None
        dose(services, physician, sid, 10.0, administered_at=t0 - timedelta(minutes=1))
    assert e.value.field == "administered_at"


def test_only_a_physician_doses_and_only_a_physician_is_listed_as_giver(
    services: Services, physician: Actor, guide: Actor
) -> None:
    sid = checked_in_session(services, guide)
    with pytest.raises(PermissionDenied):
        services.dosing.record_dose(
            guide, sid, "ketamine", 35, "IM", "left deltoid", "L1", services.clock.now(), guide.id
        )
    with pytest.raises(FieldError) as e:
        dose(services, physician, sid, administered_by_id=guide.id)
    assert e.value.field == "administered_by"
    assert services.dosing.physicians() == [(physician.id, physician.display_name)]


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("dose_mg", {"dose_mg": 0}),
        ("dose_mg", {"dose_mg": 501}),
        ("dose_mg", {"dose_mg": math.nan}),
        ("route", {"route": "IV"}),
        ("site", {"site": "  "}),
        ("lot_number", {"lot_number": ""}),
        ("drug", {"drug": "ket\x00amine"}),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_stored(
    services: Services, physician: Actor, field: str, kw: dict[str, Any]
) -> None:
    sid = checked_in_session(services, physician)
    with pytest.raises(FieldError) as e:
        dose(services, physician, sid, **kw)
    assert e.value.field == field
    assert services.sessions.get(sid).t0 is None


def test_injection_time_in_the_future_or_before_the_session_is_refused(
    services: Services, physician: Actor, clock: ManualClock
) -> None:
    sid = checked_in_session(services, physician)
    for when in (clock.now() + timedelta(minutes=5), clock.now() - timedelta(hours=3)):
        with pytest.raises(FieldError) as e:
            dose(services, physician, sid, administered_at=when)
        assert e.value.field == "administered_at"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    mg=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10_000)),
    lot=st.text(max_size=80),
)
def test_any_dose_and_lot_either_is_stored_exactly_or_refused_without_a_row(
    services: Services, physician: Actor, mg: float, lot: str
) -> None:
    with services.db.transaction() as s:
        sid = s.scalar(select(func.max(TreatmentSession.id)))
    if sid is None:
        sid = checked_in_session(services, physician)
    with services.db.transaction() as s:
        before = s.scalar(select(func.count(Dose.id)))
    try:
        row = dose(services, physician, sid, mg, lot_number=lot)
    except FieldError:
        with services.db.transaction() as s:
            assert s.scalar(select(func.count(Dose.id))) == before
        return
    assert 0 < mg <= 500 and row.dose_mg == float(mg)
    assert row.mg_per_kg == round(float(mg) / 70.0, 2)
