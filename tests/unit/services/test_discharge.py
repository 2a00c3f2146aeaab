"""Discharge: facts computed from the session, PADSS at its edges through the service, criteria,
and the physician-only override with a stored, audited reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from companion.clock import ManualClock
from companion.errors import FieldError, NotAllowedNow, PermissionDenied
from companion.roles import Actor
from companion.services import Services
from companion.services.discharge import AssessmentEntry, evaluate
from companion.storage.models import (
    AuditEvent,
    CheckIn,
    Checkpoint,
    DischargeAssessment,
    Dose,
    Indication,
    Observation,
    Phase,
    TreatmentSession,
    VitalsReading,
)

BASE_SYS, BASE_PULSE = 120, 70
READY = AssessmentEntry(
    moaas=5,
    padss_activity=2,
    padss_nausea=2,
    padss_pain=2,
    dissociation_resolved=True,
    steady_gait=True,
    nausea_controlled=True,
    driver_present=True,
    driver_name="Chris Okoye",
    instructions_given=True,
)


def dosed_session(
    services: Services,
    guide: Actor,
    physician: Actor,
    *,
    minutes_ago: float = 70,
    chart: str = "KC-900",
    latest: tuple[int, int] | None = (126, 76),
) -> int:
    """A session checked in, dosed `minutes_ago`, with checkpoints and an observation (ORM,
    because check-in, dose and monitoring are other screens' work)."""
    p = services.patients.add_patient(
        guide, chart, "Zoë", "Dubois", date(1984, 5, 6), Indication.DEPRESSION
    )
    sid = services.sessions.start_session(guide, p.id).id
    now = services.clock.now()
    t0 = now - timedelta(minutes=minutes_ago)
    rec = {"recorded_by_id": guide.id, "recorded_at": t0}
    with services.db.transaction() as s:
        ts = s.get_one(TreatmentSession, sid)
        ts.t0, ts.phase, ts.physician_id = t0, Phase.DISCHARGE, physician.id
        s.add(
            CheckIn(
                session_id=sid,
                driver_name="Chris Okoye",
                driver_phone="+1 555 0100",
                intention="To meet my sadness with kindness.",
                **rec,
            )
        )
        s.add(_reading(sid, "baseline", BASE_SYS, BASE_PULSE, t0 - timedelta(minutes=30), rec))
        s.add(
            Dose(
                session_id=sid,
                kind="initial",
                drug="ketamine",
                dose_mg=50.0,
                weight_kg=72.0,
                mg_per_kg=0.69,
                route="IM",
                site="left deltoid",
                lot_number="KT24012",
                administered_at=t0,
                administered_by_id=physician.id,
                **rec,
            )
        )
        for offset, moaas, cadss, nausea in ((5, 4, None, 0), (40, 4, 6, 2), (60, 5, 1, 1)):
            if offset > minutes_ago:
                continue
            at = t0 + timedelta(minutes=offset)
            s.add(
                Checkpoint(
                    session_id=sid,
                    key=f"t{offset}",
                    offset_min=float(offset),
                    status="done",
                    moaas=moaas,
                    cadss_total=cadss,
                    nausea=nausea,
                    distress=1,
                    measured_at=at,
                    **rec,
                )
            )
            s.add(_reading(sid, "checkpoint", 140, 84, at, rec))
        if latest is not None:
            s.add(_reading(sid, "extra", latest[0], latest[1], now - timedelta(minutes=2), rec))
        s.add(
            Observation(
                session_id=sid,
                tag="vomiting",
                text="once, settled after ondansetron",
                adverse_event=True,
                observed_at=t0 + timedelta(minutes=23),
                **rec,
            )
        )
    return sid


def _reading(
    sid: int, context: str, sys_: int, pulse: int, at: datetime, rec: dict[str, object]
) -> VitalsReading:
    return VitalsReading(
        session_id=sid,
        context=context,
        systolic=sys_,
        diastolic=78,
        pulse=pulse,
        spo2=97,
        respiration=14,
        measured_at=at,
        flags=[],
        **rec,
    )


def test_inputs_show_the_facts_the_session_holds(
    services: Services, guide: Actor, physician: Actor
) -> None:
    sid = dosed_session(services, guide, physician, minutes_ago=70)
    facts = services.discharge.assessment_inputs(sid)
    assert facts.t0 is not None
    assert facts.minutes_since_t0 == pytest.approx(70)
    assert facts.observation_passed
    assert facts.baseline is not None and facts.baseline.systolic == BASE_SYS
    assert facts.latest is not None and facts.latest.systolic == 126
    assert facts.systolic_change_pct == pytest.approx(5.0)
    assert facts.padss_vitals == 2
    assert facts.moaas_latest is not None and facts.moaas_latest[0] == 5
    assert facts.cadss_latest is not None and facts.cadss_latest[0] == 1
    assert facts.nausea_latest is not None and facts.nausea_latest[0] == 1
    assert facts.driver_name == "Chris Okoye"
    assert facts.moaas_target == 5
    assert facts.assessment is None


@pytest.mark.parametrize(
    ("systolic", "pulse", "item"),
    [
        (144, 70, 2),  # +20 % exactly: still 2
        (145, 70, 1),  # just over 20 %
        (120, 98, 1),  # pulse +40 % exactly: still 1
        (120, 99, 0),  # pulse just over 40 %
        (96, 70, 2),  # −20 % exactly
        (71, 70, 0),  # systolic −40.8 %
    ],
)
def test_padss_vitals_item_at_its_edges_through_the_service(
    services: Services, guide: Actor, physician: Actor, systolic: int, pulse: int, item: int
) -> None:
    sid = dosed_session(services, guide, physician, latest=(systolic, pulse))
    row = services.discharge.assess(guide, sid, READY)
    assert row.padss_vitals == item
    assert row.padss_total == 6 + item
    # 7/8 is fit, 6/8 is not: the PADSS criterion follows the total.
    assert row.criteria_met is (item >= 1)
    with services.db.transaction() as s:
        stored = s.get_one(DischargeAssessment, row.id)
        assert (stored.padss_vitals, stored.padss_total) == (item, 6 + item)


def test_all_criteria_met_lets_the_guide_discharge(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    sid = dosed_session(services, guide, physician)
    row = services.discharge.assess(guide, sid, READY)
    assert row.criteria_met and row.unmet == ()
    clock.advance(60)
    done = services.discharge.discharge(guide, sid)
    assert done.discharged_at == clock.now()
    with services.db.transaction() as s:
        ts = s.get_one(TreatmentSession, sid)
        assert ts.discharged_at == clock.now()
        assert ts.phase == Phase.NOTE
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.session_id == sid)))
    assert "assess" in actions and "discharge" in actions and "override" not in actions
    with pytest.raises(NotAllowedNow):
        services.discharge.discharge(guide, sid)


def test_minimum_observation_is_computed_not_typed(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    sid = dosed_session(services, guide, physician, minutes_ago=59)
    row = services.discharge.assess(guide, sid, READY)
    assert not row.min_observation_passed
    assert row.unmet == ("Minimum observation time passed",)
    clock.advance(60)  # exactly 60 min after T0: passed
    assert services.discharge.assess(guide, sid, READY).criteria_met


def test_unmet_criterion_refuses_the_guide_and_needs_the_physicians_reason(
    services: Services, guide: Actor, physician: Actor
) -> None:
    sid = dosed_session(services, guide, physician)
    wobbly = replace(READY, steady_gait=False, moaas=4)
    row = services.discharge.assess(guide, sid, wobbly)
    assert not row.criteria_met
    assert set(row.unmet) == {"Steady gait", "MOAA/S back to 5 (or pre-dose level)"}
    with pytest.raises(PermissionDenied):
        services.discharge.discharge(guide, sid, "patient insists")
    for empty in (None, "", "   "):
        with pytest.raises(FieldError) as err:
            services.discharge.discharge(physician, sid, empty)
        assert err.value.field == "override_reason"
    with services.db.transaction() as s:
        assert s.get_one(TreatmentSession, sid).discharged_at is None

    services.discharge.discharge(physician, sid, "  Gait steady with a stick; partner drives.  ")
    with services.db.transaction() as s:
        stored = s.get_one(DischargeAssessment, row.id)
        assert stored.override_reason == "Gait steady with a stick; partner drives."
        assert stored.override_by_id == physician.id
        override = s.scalars(
            select(AuditEvent).where(AuditEvent.session_id == sid, AuditEvent.action == "override")
        ).one()
    assert override.actor_id == physician.id
    assert set(override.detail["unmet"]) == {"gait", "moaas"}
    assert override.detail["reason"] == stored.override_reason


def test_a_reason_without_an_unmet_criterion_is_refused_not_dropped(
    services: Services, guide: Actor, physician: Actor
) -> None:
    sid = dosed_session(services, guide, physician)
    services.discharge.assess(guide, sid, READY)
    with pytest.raises(FieldError):
        services.discharge.discharge(physician, sid, "just in case")


def test_no_dose_no_discharge(services: Services, guide: Actor) -> None:
    p = services.patients.add_patient(guide, "KC-1", "A", "B", date(1980, 1, 1), Indication.PTSD)
    sid = services.sessions.start_session(guide, p.id).id
    assert services.discharge.assessment_inputs(sid).t0 is None
    with pytest.raises(NotAllowedNow):
        services.discharge.assess(guide, sid, READY)
    with pytest.raises(NotAllowedNow):
        services.discharge.discharge(guide, sid)


def test_discharge_needs_an_assessment_and_vitals_to_score(
    services: Services, guide: Actor, physician: Actor
) -> None:
    sid = dosed_session(services, guide, physician, minutes_ago=3, latest=None)
    with pytest.raises(NotAllowedNow):
        services.discharge.discharge(guide, sid)
    with pytest.raises(FieldError) as err:
        services.discharge.assess(guide, sid, READY)
    assert err.value.field == "padss_vitals"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"moaas": 6}, "moaas"),
        ({"moaas": True}, "moaas"),
        ({"padss_pain": 3}, "padss_pain"),
        ({"padss_activity": -1}, "padss_activity"),
        ({"steady_gait": 1}, "steady_gait"),
        ({"driver_name": "   "}, "driver_name"),
        ({"driver_name": "a\x00b"}, "driver_name"),
    ],
)
def test_bad_entries_are_refused_at_the_field(
    services: Services, guide: Actor, physician: Actor, change: dict[str, object], field: str
) -> None:
    sid = dosed_session(services, guide, physician)
    with pytest.raises(FieldError) as err:
        services.discharge.assess(guide, sid, replace(READY, **change))  # type: ignore[arg-type]
    assert err.value.field == field
    with services.db.transaction() as s:
        assert s.scalars(select(DischargeAssessment)).first() is None


def test_driver_name_may_be_corrected_and_staff_may_not_assess(
    services: Services, guide: Actor, physician: Actor, staff_by_role: dict[object, Actor]
) -> None:
    from companion.storage.models import Role

    sid = dosed_session(services, guide, physician)
    row = services.discharge.assess(guide, sid, replace(READY, driver_name=" Jordan Dubois "))
    assert row.entry.driver_name == "Jordan Dubois"
    with pytest.raises(PermissionDenied):
        services.discharge.assess(staff_by_role[Role.STAFF], sid, READY)


def test_evaluate_accepts_a_lower_pre_dose_moaas_target(
    services: Services, guide: Actor, physician: Actor
) -> None:
    sid = dosed_session(services, guide, physician)
    facts = replace(services.discharge.assessment_inputs(sid), moaas_target=4)
    by_key = {c.key: c for c in evaluate(facts, replace(READY, moaas=4))}
    assert by_key["moaas"].met
    assert by_key["padss"].detail == "8/8 — fit"
