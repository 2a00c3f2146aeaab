"""Alerts from readings: raised with the reading, one open per code, cleared by a later reading
that can judge it, shown until acknowledged, acknowledgement stored with who and when."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from companion.clinical.plausibility import VitalsValues
from companion.clock import ManualClock
from companion.errors import NotAllowedNow, PermissionDenied
from companion.roles import Actor
from companion.services import Services
from companion.storage.models import Alert, Role
from tests.unit.services.test_dosing import checked_in_session, dose

HIGH = VitalsValues(systolic=186, diastolic=104, pulse=88, spo2=97, respiration=16)
NORMAL = VitalsValues(systolic=134, diastolic=84, pulse=76, spo2=97, respiration=14)


@pytest.fixture
def dosed(services: Services, physician: Actor) -> int:
    sid = checked_in_session(services, physician)  # baseline 128/82
    dose(services, physician, sid)
    return sid


def codes(services: Services, sid: int) -> list[str]:
    return [a.code for a in services.alerts.active_alerts(sid)]


def test_high_bp_raises_urgent_alerts_in_the_same_transaction_as_the_reading(
    services: Services, guide: Actor, clock: ManualClock, dosed: int
) -> None:
    clock.advance(40 * 60)
    result = services.monitoring.record_checkpoint(
        guide, dosed, "t40", HIGH, clock.now(), 4, None, 0, 2, ""
    )
    assert {a.code for a in result.new_alerts} == {"bp_urgent", "bp_rise"}
    urgent = next(a for a in result.new_alerts if a.code == "bp_urgent")
    assert urgent.severity == "urgent" and "186/104" in urgent.title
    assert urgent.escalation and "chest pain" in urgent.escalation
    assert result.reading is not None and urgent.reading_id == result.reading.id
    rise = next(a for a in result.new_alerts if a.code == "bp_rise")
    assert "+58" in rise.detail and "baseline 128" in rise.detail


def test_one_unacknowledged_alert_per_code_and_cleared_alerts_stay_until_acknowledged(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock, dosed: int
) -> None:
    clock.advance(30 * 60)
    services.monitoring.record_extra_reading(guide, dosed, HIGH, clock.now())
    clock.advance(5 * 60)
    again = services.monitoring.record_extra_reading(guide, dosed, HIGH, clock.now())
    assert again.new_alerts == ()
    assert sorted(codes(services, dosed)) == ["bp_rise", "bp_urgent"]
    clock.advance(5 * 60)
    services.monitoring.record_extra_reading(guide, dosed, NORMAL, clock.now())
    active = services.alerts.active_alerts(dosed)
    assert {a.code for a in active} == {"bp_urgent", "bp_rise"}
    assert all(a.cleared_at == clock.now() for a in active)
    clock.advance(60)
    acked = services.alerts.acknowledge(physician, active[0].id, "re-checked: 134/84")
    assert (acked.acknowledged_at, acked.acknowledged_by) == (clock.now(), physician.display_name)
    with services.db.transaction() as s:
        stored = s.get_one(Alert, active[0].id)
        assert stored.acknowledged_by_id == physician.id
        assert stored.acknowledgement_note == "re-checked: 134/84"
    assert len(services.alerts.active_alerts(dosed)) == 1
    with pytest.raises(NotAllowedNow, match="already"):
        services.alerts.acknowledge(physician, active[0].id, "")


def test_a_persisting_finding_after_acknowledgement_raises_a_fresh_alert(
    services: Services, guide: Actor, clock: ManualClock, dosed: int
) -> None:
    clock.advance(30 * 60)
    first = services.monitoring.record_extra_reading(guide, dosed, HIGH, clock.now())
    for alert in first.new_alerts:
        services.alerts.acknowledge(guide, alert.id, "")
    assert codes(services, dosed) == []
    clock.advance(5 * 60)
    recheck = services.monitoring.record_extra_reading(guide, dosed, HIGH, clock.now())
    assert {a.code for a in recheck.new_alerts} == {"bp_urgent", "bp_rise"}


def test_a_reading_that_cannot_judge_a_code_or_is_older_does_not_clear_it(
    services: Services, guide: Actor, clock: ManualClock, dosed: int
) -> None:
    clock.advance(30 * 60)
    services.monitoring.record_extra_reading(guide, dosed, HIGH, clock.now())
    services.monitoring.record_extra_reading(guide, dosed, VitalsValues(spo2=98), clock.now())
    late = clock.now() - timedelta(minutes=10)
    services.monitoring.record_extra_reading(guide, dosed, NORMAL, late)
    assert all(a.cleared_at is None for a in services.alerts.active_alerts(dosed))


def test_low_spo2_and_news2_use_the_protocol_thresholds(
    services: Services, guide: Actor, clock: ManualClock, dosed: int
) -> None:
    clock.advance(15 * 60)
    low = VitalsValues(
        systolic=130, diastolic=80, pulse=124, spo2=91, respiration=23, temperature_c=37.0
    )
    result = services.monitoring.record_extra_reading(guide, dosed, low, clock.now())
    found = {a.code: a.severity for a in result.new_alerts}
    # SpO2 91 (3) + RR 23 (2) + pulse 124 (2) = 7: NEWS2 high.
    assert found == {"spo2_low": "warning", "pulse_high": "warning", "news2_high": "urgent"}
    assert codes(services, dosed)[0] == "news2_high"  # most severe first


def test_check_in_alerts_are_listed_acknowledged_here_and_never_cleared_by_vitals(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock, dosed: int
) -> None:
    with services.db.transaction() as s:
        s.add(
            Alert(
                session_id=dosed,
                code="phq9_item9",
                severity="urgent",
                title="PHQ-9 item 9",
                detail="Item 9 scored 1",
                raised_at=clock.now(),
            )
        )
    clock.advance(10 * 60)
    services.monitoring.record_extra_reading(guide, dosed, NORMAL, clock.now())
    [alert] = services.alerts.active_alerts(dosed)
    assert alert.code == "phq9_item9" and alert.cleared_at is None
    services.alerts.acknowledge(physician, alert.id, "assessed: passive, no plan")
    assert services.alerts.active_alerts(dosed) == []
    [stored] = services.alerts.all_alerts(dosed)
    assert stored.acknowledgement_note == "assessed: passive, no plan"


def test_review_staff_cannot_acknowledge(
    services: Services, guide: Actor, staff_by_role: dict[Role, Actor], dosed: int
) -> None:
    clock_now = services.clock.now()
    result = services.monitoring.record_extra_reading(guide, dosed, HIGH, clock_now)
    with pytest.raises(PermissionDenied):
        services.alerts.acknowledge(staff_by_role[Role.STAFF], result.new_alerts[0].id, "")
    with services.db.transaction() as s:
        assert all(a.acknowledged_at is None for a in s.scalars(select(Alert)))
