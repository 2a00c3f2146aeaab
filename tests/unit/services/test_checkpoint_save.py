"""The checkpoint save, written in Core statements for speed (bench figure "checkpoint_commit",
issue 7): its SQL pinned, since each statement costs more in SQLAlchemy than in SQLite and a new
query on this path must be a decision, not an accident; what its one combined read decides; and
that it is still one transaction, with the storage errors every other action gives."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from companion.clinical.plausibility import VitalsValues
from companion.clock import ManualClock
from companion.errors import NotAllowedNow
from companion.roles import Actor
from companion.services import Services
from companion.services.vitals import add_reading
from companion.storage.database import DB_FILENAME, Database, open_database
from companion.storage.errors import DatabaseLocked, DiskFull
from companion.storage.models import (
    Alert,
    AuditEvent,
    Checkpoint,
    Role,
    SessionStatus,
    TreatmentSession,
    VitalsReading,
)
from tests.conftest import FAST_HASHER, PIN
from tests.unit.services.test_dosing import checked_in_session, dose

NORMAL = VitalsValues(systolic=132, diastolic=84, pulse=76, spo2=97, respiration=14)
HIGH = VitalsValues(systolic=186, diastolic=104, pulse=88, spo2=97, respiration=16)

# One SELECT for the session, "is this checkpoint already done?" and the baseline; the checkpoint
# INSERT and its audit row; the reading INSERT and its audit row; the open alerts. BEGIN and COMMIT
# are the driver's own, not cursor executions.
SAVE_WITHOUT_ALERTS = 6
PER_NEW_ALERT = 2  # the alert INSERT and its audit row
PER_CLEARED_ALERT = 2  # the UPDATE and its audit row


def _counts(db: Database) -> tuple[int, ...]:
    """Checkpoints, readings, alerts and audit rows stored."""
    with db.transaction() as s:
        return tuple(
            int(s.scalar(select(func.count()).select_from(t)) or 0)
            for t in (Checkpoint, VitalsReading, Alert, AuditEvent)
        )


@contextmanager
def statements(services: Services) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement.split(None, 1)[0])

    engine = services.db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_checkpoint_with_vitals_is_saved_with_a_fixed_number_of_statements(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    sid = checked_in_session(services, physician)
    dose(services, physician, sid)
    clock.advance(5 * 60)
    with statements(services) as seen:
        result = services.monitoring.record_checkpoint(
            guide, sid, "t5", NORMAL, clock.now(), 5, None, 0, 1, ""
        )
    assert result.new_alerts == ()
    assert seen == ["SELECT", "INSERT", "INSERT", "INSERT", "INSERT", "SELECT"]

    clock.advance(10 * 60)
    with statements(services) as seen:
        raised = services.monitoring.record_checkpoint(
            guide, sid, "t15", HIGH, clock.now(), 4, None, 0, 2, ""
        )
    assert {a.code for a in raised.new_alerts} == {"bp_urgent", "bp_rise"}
    assert len(seen) == SAVE_WITHOUT_ALERTS + 2 * PER_NEW_ALERT, seen

    clock.advance(15 * 60)
    with statements(services) as seen:
        cleared = services.monitoring.record_checkpoint(
            guide, sid, "t30", NORMAL, clock.now(), 5, None, 0, 1, ""
        )
    assert cleared.new_alerts == ()
    assert len(seen) == SAVE_WITHOUT_ALERTS + 2 * PER_CLEARED_ALERT, seen
    # What the statements did is what the rules say: both alerts cleared, audited, still open.
    with services.db.transaction() as s:
        alerts = s.scalars(select(Alert).order_by(Alert.id)).all()
        assert [(a.code, a.cleared_at) for a in alerts] == [
            ("bp_urgent", clock.now()),
            ("bp_rise", clock.now()),
        ]
        actions = s.scalars(
            select(AuditEvent.action).where(AuditEvent.entity == "alert").order_by(AuditEvent.id)
        ).all()
        assert actions == ["raise", "raise", "clear", "clear"]
    assert [a.code for a in services.alerts.active_alerts(sid)] == ["bp_urgent", "bp_rise"]


def test_a_checkpoint_without_vitals_needs_no_reading_statements(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    sid = checked_in_session(services, physician)
    dose(services, physician, sid)
    clock.advance(5 * 60)
    with statements(services) as seen:
        services.monitoring.record_checkpoint(
            guide, sid, "t5", None, clock.now(), 5, None, 0, 1, ""
        )
    assert seen == ["SELECT", "INSERT", "INSERT"]


# --- what the one combined SELECT decides -----------------------------------------------------


def test_a_retaken_baseline_is_what_the_reading_is_compared_with(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    sid = checked_in_session(services, physician)  # baseline 128/82
    now = clock.now()
    with services.db.transaction() as s:  # re-taken after a rest: 140/88, under the gate
        started = s.get_one(TreatmentSession, sid).started_at
        add_reading(s, actor=physician, now=now, session_id=sid, context="baseline",
                    values=VitalsValues(systolic=140, diastolic=88), measured_at=now,
                    session_started_at=started)  # fmt: skip
    dose(services, physician, sid)
    clock.advance(5 * 60)
    high = VitalsValues(systolic=178, diastolic=100, pulse=80)
    result = services.monitoring.record_checkpoint(
        guide, sid, "t5", high, clock.now(), 5, None, 0, 1, ""
    )
    # +38 over the re-take is under the rise line (+40); +50 over the first baseline is not.
    assert result.new_alerts == ()
    assert result.reading is not None
    [systolic] = [f for f in result.reading.flags if f.field == "systolic"]
    assert "(baseline 140, +38)" in systolic.text


def test_a_missed_checkpoint_may_still_be_recorded_but_a_done_one_only_once(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    sid = checked_in_session(services, physician)
    dose(services, physician, sid)
    clock.advance(20 * 60)
    services.monitoring.mark_missed(guide, sid, "t5", "asleep, not woken")
    services.monitoring.record_checkpoint(guide, sid, "t5", NORMAL, clock.now(), 5, None, 0, 1, "")
    with pytest.raises(NotAllowedNow, match="already recorded"):
        services.monitoring.record_checkpoint(
            guide, sid, "t5", NORMAL, clock.now(), 5, None, 0, 1, ""
        )
    with services.db.transaction() as s:
        assert s.scalars(select(Checkpoint.status).order_by(Checkpoint.id)).all() == [
            "missed",
            "done",
        ]


def test_a_closed_session_takes_no_checkpoint_or_reading(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    sid = checked_in_session(services, physician)
    dose(services, physician, sid)
    with services.db.transaction() as s:
        s.get_one(TreatmentSession, sid).status = SessionStatus.ABANDONED
    clock.advance(5 * 60)
    with pytest.raises(NotAllowedNow, match="closed"):
        services.monitoring.record_checkpoint(
            guide, sid, "t5", NORMAL, clock.now(), 5, None, 0, 1, ""
        )
    with pytest.raises(NotAllowedNow, match="closed"):
        services.monitoring.record_extra_reading(guide, sid, NORMAL, clock.now())
    with services.db.transaction() as s:
        assert s.scalar(select(func.count(Checkpoint.id))) == 0
        assert s.scalar(select(func.count(VitalsReading.id))) == 1  # the baseline only


# --- still one unit of work -------------------------------------------------------------------


def test_a_locked_database_refuses_the_save_with_a_clear_message_and_stores_nothing(
    data_dir: Path, template_db: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("companion.storage.database.BUSY_TIMEOUT_MS", 100)
    shutil.copy(template_db, data_dir / DB_FILENAME)
    db = open_database(data_dir, clock.now())
    try:
        services = Services.create(db, clock, hasher=FAST_HASHER)
        admin = services.staff.create_first_admin("admin", "Admin", PIN)
        row = services.staff.add_staff(admin, "dr", "Dr. P", Role.PHYSICIAN, PIN)
        physician = Actor(row.id, row.role, row.display_name)
        sid = checked_in_session(services, physician)
        dose(services, physician, sid)
        clock.advance(5 * 60)
        before = _counts(db)
        other = sqlite3.connect(db.path, timeout=0.1)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(DatabaseLocked, match="another program"):
                services.monitoring.record_checkpoint(
                    physician, sid, "t5", HIGH, clock.now(), 5, None, 0, 1, ""
                )
        finally:
            other.rollback()
            other.close()
        assert _counts(db) == before
        services.monitoring.record_checkpoint(
            physician, sid, "t5", HIGH, clock.now(), 5, None, 0, 1, ""
        )
        checkpoints, readings, alerts, audits = _counts(db)
        assert (checkpoints, readings, alerts) == (before[0] + 1, before[1] + 1, before[2] + 2)
        assert audits == before[3] + 4  # checkpoint, reading, two alerts
    finally:
        db.close()


def test_a_full_disk_never_leaves_a_reading_without_its_audit_row_or_alerts(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    sid = checked_in_session(services, physician)
    dose(services, physician, sid)
    db = services.db
    with db.engine.connect() as conn:
        limit = int(conn.exec_driver_sql("PRAGMA page_count").scalar() or 0) + 3

    def cap(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        # A full disk: SQLite answers SQLITE_FULL once the file would grow past this.
        dbapi_conn.execute(f"PRAGMA max_page_count={limit}")

    event.listen(db.engine, "checkout", cap)
    saved = 0
    try:
        with pytest.raises(DiskFull, match="disk is full"):
            for _ in range(10_000):  # every other reading raises and every next one clears
                clock.advance(60)
                values = HIGH if saved % 2 == 0 else NORMAL
                services.monitoring.record_extra_reading(guide, sid, values, clock.now())
                saved += 1
    finally:
        event.remove(db.engine, "checkout", cap)
    with db.engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA max_page_count={2**31}")
    assert saved > 2
    with db.transaction() as s:
        extra = s.scalars(select(VitalsReading.id).where(VitalsReading.context == "extra")).all()
        audited = s.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.entity == "vitals_reading")
        ).all()
        assert len(extra) == saved and set(extra) <= set(audited)
        raised = s.scalar(select(func.count(Alert.id)).where(Alert.reading_id.in_(extra)))
        assert raised == 2 * ((saved + 1) // 2)  # two per high reading, none half-stored
