"""Storing readings: validated again at the service layer, flagged and scored, never refused when plausible."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from companion.clinical.plausibility import VitalsValues
from companion.clock import ManualClock
from companion.errors import FieldError
from companion.roles import Actor
from companion.services import Services
from companion.services.vitals import add_reading, baseline_reading, reading_row
from companion.storage.models import Indication, VitalsReading

NORMAL = VitalsValues(
    systolic=120, diastolic=78, pulse=70, spo2=98, respiration=14, temperature_c=36.8
)


def session_id(services: Services, guide: Actor) -> int:
    p = services.patients.add_patient(guide, "KC-1", "A", "B", date(1980, 1, 1), Indication.PTSD)
    return services.sessions.start_session(guide, p.id).id


def store(
    services: Services,
    guide: Actor,
    sid: int,
    values: VitalsValues,
    context: str = "checkpoint",
    when: timedelta = timedelta(0),
) -> int:
    now = services.clock.now()
    with services.db.transaction() as s:
        r = add_reading(
            s,
            actor=guide,
            now=now,
            session_id=sid,
            values=values,
            measured_at=now + when,
            context=context,
            session_started_at=now - timedelta(minutes=30),
        )
        return r.id


def test_abnormal_but_plausible_values_are_stored_with_flags_and_news2(
    services: Services, guide: Actor
) -> None:
    sid = session_id(services, guide)
    store(services, guide, sid, NORMAL, context="baseline")
    high = VitalsValues(
        systolic=182, diastolic=104, pulse=128, spo2=93, respiration=22, temperature_c=37.0
    )
    rid = store(services, guide, sid, high)
    with services.db.transaction() as s:
        row = reading_row(s.get_one(VitalsReading, rid))
        assert baseline_reading(s, sid) is not None
    assert row.values == high
    assert (
        row.news2_total == 0 + 2 + 0 + 2 + 2 + 0
    )  # resp 22 →2, SpO2 93 →2, SBP 182 →0, pulse 128 →2, temp 0
    assert {f.field for f in row.flags} >= {"systolic", "pulse", "spo2"}
    assert any(f.severity == "alarming" for f in row.flags)


def test_the_service_refuses_implausible_values_and_bad_times(
    services: Services, guide: Actor, clock: ManualClock
) -> None:
    sid = session_id(services, guide)
    with pytest.raises(FieldError):
        store(services, guide, sid, VitalsValues(systolic=80, diastolic=120))
    with pytest.raises(FieldError):
        store(services, guide, sid, VitalsValues(pulse=400))
    with pytest.raises(FieldError, match="future"):
        store(services, guide, sid, NORMAL, when=timedelta(minutes=10))
    with services.db.transaction() as s:
        assert s.scalars(select(VitalsReading)).all() == []
