"""The checkpoint save was rewritten for speed (issue 7: Core statements instead of the ORM unit of
work, the baseline read once, new alerts returned without reading them back). This compares it,
on any sequence of checkpoints, extra readings and acknowledgements, with the ORM code it
replaced, kept here as the reference: the same rows returned and the same rows stored, to the
column — readings, flags, NEWS2, alerts raised and cleared, and the audit trail."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from companion.clinical.plausibility import VitalsValues, validate_vitals
from companion.clinical.tables import ACVPU
from companion.clock import ManualClock
from companion.roles import Actor
from companion.services import Services
from companion.storage.database import DB_FILENAME, Database, open_database
from companion.storage.models import (
    Alert,
    Indication,
    Patient,
    Phase,
    Role,
    SessionStatus,
    Staff,
    TreatmentSession,
)
from tests.conftest import FAST_HASHER, START
from tests.unit.services.reference_monitoring import ref_add_reading, ref_checkpoint, ref_reading

T0 = START + timedelta(minutes=30)
NOW = T0 + timedelta(minutes=120)
KEYS = ("t5", "t15", "t30", "t40", "t60", "pre_discharge")

# --- two identical clinics, one per implementation -------------------------------------------


Baselines = list[tuple[VitalsValues, int]]  # values, minutes after the session started


def _clinic(
    folder: Path, template: Path, baselines: Baselines, phq9_alert: bool
) -> tuple[Database, Actor, int]:
    folder.mkdir()
    shutil.copy(template, folder / DB_FILENAME)
    db = open_database(folder, START)
    with db.transaction() as s:
        guide = Staff(
            username="g",
            display_name="Gina Guide",
            role=Role.GUIDE,
            secret_hash="x",
            created_at=START,
        )
        s.add(guide)
        s.flush()
        patient = Patient(
            chart_number="KC-1",
            given_name="Zoë",
            family_name="Dubois",
            search_key="dubois zoe kc-1",
            date_of_birth=date(1988, 5, 1),
            indication=Indication.DEPRESSION,
            created_at=START,
            created_by_id=guide.id,
        )
        s.add(patient)
        s.flush()
        ts = TreatmentSession(
            patient_id=patient.id,
            number_in_course=1,
            status=SessionStatus.IN_PROGRESS,
            phase=Phase.MONITORING,
            started_at=START,
            started_by_id=guide.id,
            t0=T0,
        )
        s.add(ts)
        s.flush()
        actor = Actor(guide.id, Role.GUIDE, guide.display_name)
        for values, minutes in baselines:  # a re-take may be dated before the first one
            at = START + timedelta(minutes=minutes)
            ref_add_reading(s, actor, START, ts.id, values, at, "baseline", None)
        if phq9_alert:
            s.add(
                Alert(
                    session_id=ts.id,
                    code="phq9_item9",
                    severity="urgent",
                    title="PHQ-9 item 9",
                    detail="Item 9 scored 1",
                    raised_at=START,
                )
            )
        return db, actor, ts.id


def _stored(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(db.path)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in ("checkpoint", "vitals_reading", "alert", "audit_event")
        }
    finally:
        conn.close()


@pytest.fixture
def folders(tmp_path: Path) -> Iterator[Iterator[Path]]:
    yield (tmp_path / f"clinic-{i}" for i in range(10_000))


# --- inputs ---------------------------------------------------------------------------------


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


@st.composite
def vitals(draw: st.DrawFn) -> VitalsValues:
    """Any valid set, weighted towards the alert lines (plausible range limits from tables.py)."""
    bp = draw(_maybe(st.tuples(st.integers(60, 240), st.integers(20, 200))))
    if bp is not None and bp[1] >= bp[0]:
        bp = (bp[0], bp[0] - 1 - bp[1] % 20)
    v = VitalsValues(
        systolic=bp[0] if bp else None,
        diastolic=bp[1] if bp else None,
        pulse=draw(_maybe(st.integers(20, 250))),
        spo2=draw(_maybe(st.integers(80, 100))),
        respiration=draw(_maybe(st.integers(3, 40))),
        temperature_c=draw(_maybe(st.integers(340, 410).map(lambda t: t / 10))),
        weight_kg=draw(_maybe(st.sampled_from([70.0, 84.5]))),
        on_oxygen=draw(st.booleans()),
        consciousness=draw(st.sampled_from(ACVPU)),
    )
    if all(
        getattr(v, f) is None
        for f in ("systolic", "pulse", "spo2", "respiration", "temperature_c", "weight_kg")
    ):
        v = VitalsValues(pulse=72, on_oxygen=v.on_oxygen, consciousness=v.consciousness)
    validate_vitals(v)
    return v


step = st.one_of(
    st.tuples(
        st.just("checkpoint"),
        _maybe(vitals()),
        st.integers(0, 120),
        _maybe(st.lists(st.integers(0, 4), min_size=6, max_size=6)),
    ),
    st.tuples(st.just("extra"), vitals(), st.integers(0, 121), st.none()),
    st.tuples(st.just("ack"), st.none(), st.integers(0, 5), st.none()),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    baselines=st.lists(st.tuples(vitals(), st.integers(0, 3)), max_size=2),
    phq9_alert=st.booleans(),
    steps=st.lists(step, min_size=1, max_size=8),
)
def test_the_fast_save_stores_and_returns_what_the_orm_reference_did(
    template_db: Path,
    folders: Iterator[Path],
    baselines: Baselines,
    phq9_alert: bool,
    steps: list[tuple[str, Any, int, Any]],
) -> None:
    new_db, actor, sid = _clinic(next(folders), template_db, baselines, phq9_alert)
    ref_db, _actor, _sid = _clinic(next(folders), template_db, baselines, phq9_alert)
    try:
        services = Services.create(new_db, ManualClock(NOW), FAST_HASHER)
        protocol = services.require_protocol()
        offsets = {d.key: d.offset_min for d in protocol.checkpoints.definitions}
        keys = iter(KEYS)
        for kind, values, minutes, cadss in steps:
            at = T0 + timedelta(minutes=minutes)
            if kind == "ack":
                for db in (new_db, ref_db):  # the n-th unacknowledged alert, in both clinics
                    with db.transaction() as s:
                        waiting = s.scalars(
                            select(Alert).where(Alert.acknowledged_at.is_(None)).order_by(Alert.id)
                        ).all()
                        if waiting:
                            waiting[minutes % len(waiting)].acknowledged_at = NOW
                continue
            if kind == "extra":
                got: Any = services.monitoring.record_extra_reading(actor, sid, values, at)
                with ref_db.transaction() as s:
                    want: Any = ref_reading(
                        s, actor, NOW, sid, values, at, "extra", None, protocol.alerts
                    )
            else:
                key = next(keys, None)
                if key is None:
                    continue
                got = services.monitoring.record_checkpoint(
                    actor, sid, key, values, at, 4, cadss, 1, 2, "calm"
                )
                with ref_db.transaction() as s:
                    want = ref_checkpoint(
                        s,
                        actor,
                        NOW,
                        sid,
                        key,
                        offsets[key],
                        values,
                        at,
                        4,
                        cadss,
                        1,
                        2,
                        "calm",
                        protocol.alerts,
                    )
            assert got == want
        assert _stored(new_db) == _stored(ref_db)
    finally:
        new_db.close()
        ref_db.close()
