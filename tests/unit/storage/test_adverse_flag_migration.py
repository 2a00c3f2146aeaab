"""Revision 0002: the note's adverse-event flag (model rule, backfill, guard trigger kept, downgrade)
and the partial indexes History's adverse-event filter reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.exc import DBAPIError

from companion.clock import ManualClock
from companion.services import Services
from companion.services.record_types import SessionFilters
from companion.storage import migrations
from companion.storage.database import Database, make_engine, open_database
from companion.storage.models import Base, ReflectionNote, adverse_events_recorded
from tests.conftest import FAST_HASHER

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAME = "clinic.sqlite3"
AT = "2026-03-01 09:00:00.000000"
EVENT = {"description": "Vomiting", "severity": "mild", "sae": False}
# session id -> (note status, note content); None: no note. Every shape the key may hold.
NOTES: dict[int, tuple[str, dict[str, Any]] | None] = {
    1: None,  # only an adverse observation
    2: ("signed", {"adverse_events": [EVENT], "experience": "Calm"}),  # locked, must be backfilled
    3: ("draft", {"adverse_events": [EVENT, EVENT]}),
    4: ("signed", {"adverse_events": []}),
    5: ("draft", {"experience": "no key at all"}),
    6: ("signed", {"adverse_events": None}),
    7: ("draft", {"adverse_events": "vomiting"}),
    8: ("signed", {"adverse_events": {"description": "not a list"}}),
}
ADVERSE_OBSERVATION = {1: True, 2: False, 4: False}
EXPECTED_ADVERSE = {1, 2, 3}


def _at_0001(path: Path) -> Engine:
    """A database at revision 0001 holding NOTES, as a clinic running the previous version has."""
    engine = make_engine(path)
    migrations.upgrade(engine, "0001")
    with engine.begin() as conn:
        for sql in _seed_sql():
            conn.execute(text(sql))
        for sid, note in NOTES.items():
            if sid in ADVERSE_OBSERVATION:
                conn.execute(
                    text(
                        "INSERT INTO observation (session_id, tag, adverse_event, observed_at, "
                        "recorded_at, recorded_by_id) VALUES (:s, 'vomiting', :a, :at, :at, 1)"
                    ),
                    {"s": sid, "a": ADVERSE_OBSERVATION[sid], "at": AT},
                )
            if note is None:
                continue
            status, content = note
            conn.execute(
                text(
                    "INSERT INTO reflection_note (id, session_id, content, status, created_at, "
                    "created_by_id, updated_at, updated_by_id, signed_at, signed_by_id) "
                    "VALUES (:s, :s, :c, :status, :at, 1, :at, 1, :signed, :by)"
                ),
                {
                    "s": sid,
                    "c": json.dumps(content),
                    "status": status,
                    "at": AT,
                    "signed": AT if status == "signed" else None,
                    "by": 1 if status == "signed" else None,
                },
            )
            if status == "signed":  # addenda point at the note: a table rebuild would trip them
                conn.execute(
                    text(
                        "INSERT INTO note_addendum (note_id, text, author_id, written_at) "
                        "VALUES (:s, 'Correction', 1, :at)"
                    ),
                    {"s": sid, "at": AT},
                )
    return engine


def _schema(engine: Engine, kind: str) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = :k AND sql IS NOT NULL"),
            {"k": kind},
        ).all()
    return {name: sql for name, sql in rows}


def _flags(engine: Engine) -> dict[int, bool]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT session_id, has_adverse_events FROM reflection_note"))
        return {sid: bool(flag) for sid, flag in rows}


def _adverse_search(db: Database) -> set[int]:
    records = Services.create(db, ManualClock(NOW), hasher=FAST_HASHER).records
    f = SessionFilters(adverse_events_only=True)
    ids = {r.id for r in records.search_sessions(f).rows}
    assert records.count_sessions(f) == len(ids)
    return ids


def test_upgrade_backfills_the_flag_and_keeps_signed_notes_locked(tmp_path: Path) -> None:
    engine = _at_0001(tmp_path / NAME)
    triggers = _schema(engine, "trigger")
    with engine.connect() as conn:
        before = conn.execute(text("SELECT id, content, status FROM reflection_note")).all()
    engine.dispose()

    db = open_database(tmp_path, NOW, filename=NAME)  # backup, then migrate, as at start-up
    try:
        assert migrations.current_revision(db.engine) == "0002" == migrations.HEAD
        expected = {sid: sid in EXPECTED_ADVERSE for sid, note in NOTES.items() if note}
        assert _flags(db.engine) == expected
        assert expected == {sid: adverse_events_recorded(n[1]) for sid, n in NOTES.items() if n}
        assert _adverse_search(db) == EXPECTED_ADVERSE
        # The backfill touched only the flag, and the guard on signed notes is back unchanged.
        with db.engine.connect() as conn:
            after = conn.execute(text("SELECT id, content, status FROM reflection_note")).all()
        assert after == before
        assert _schema(db.engine, "trigger") == triggers
        for sql in (
            "UPDATE reflection_note SET has_adverse_events = 0 WHERE id = 2",
            "UPDATE reflection_note SET content = '{}' WHERE id = 2",
        ):
            with pytest.raises(DBAPIError, match="a signed note is locked"), db.engine.begin() as c:
                c.execute(text(sql))
        assert _flags(db.engine)[2]
    finally:
        db.close()
    assert len(list((tmp_path / "backups").glob("pre-migration-0001-*.sqlite3"))) == 1


def test_downgrade_drops_flag_and_indexes_and_keeps_every_row(tmp_path: Path) -> None:
    from alembic import command

    engine = _at_0001(tmp_path / NAME)
    at_0001 = {kind: _schema(engine, kind) for kind in ("table", "index", "trigger")}
    migrations.upgrade(engine)
    assert {"ix_observation_adverse", "ix_reflection_note_adverse"} <= set(_schema(engine, "index"))
    command.downgrade(migrations.alembic_config(engine), "0001")
    assert migrations.current_revision(engine) == "0001"
    assert {kind: _schema(engine, kind) for kind in ("table", "index", "trigger")} == at_0001
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM reflection_note")).scalar() == 7
        assert conn.execute(text("SELECT count(*) FROM note_addendum")).scalar() == 4
        assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
    with pytest.raises(DBAPIError, match="a signed note is locked"), engine.begin() as conn:
        conn.execute(text("DELETE FROM reflection_note WHERE id = 2"))
    migrations.upgrade(engine)  # and up again: the flags come back from the content
    assert _flags(engine) == {sid: sid in EXPECTED_ADVERSE for sid, n in NOTES.items() if n}
    engine.dispose()


def test_a_failed_upgrade_leaves_revision_0001_whole(tmp_path: Path) -> None:
    engine = _at_0001(tmp_path / NAME)
    with engine.begin() as conn:  # makes the backfill of the draft with events fail half-way
        conn.execute(
            text(
                "CREATE TRIGGER test_refuse_drafts BEFORE UPDATE ON reflection_note "
                "WHEN OLD.status = 'draft' BEGIN SELECT RAISE(ABORT, 'disk gave up'); END"
            )
        )
    triggers = _schema(engine, "trigger")
    with pytest.raises(DBAPIError, match="disk gave up"):
        migrations.upgrade(engine)
    assert migrations.current_revision(engine) == "0001"
    with engine.connect() as conn:
        columns = {row[1] for row in conn.execute(text("PRAGMA table_info(reflection_note)"))}
    assert "has_adverse_events" not in columns
    # The guard dropped for the backfill was rolled back with the rest: signed notes stay locked.
    assert _schema(engine, "trigger") == triggers
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER test_refuse_drafts"))
    migrations.upgrade(engine)
    assert migrations.current_revision(engine) == "0002"
    assert _flags(engine)[3]
    engine.dispose()


def test_migrated_indexes_are_the_models_indexes_with_their_where_clauses(
    tmp_path: Path,
) -> None:
    """compare_metadata does not look at a partial index's WHERE; the stored SQL does."""
    db = open_database(tmp_path, NOW, filename=NAME)
    fresh = create_engine("sqlite://")
    Base.metadata.create_all(fresh)
    try:
        migrated = _schema(db.engine, "index")
        assert migrated == _schema(fresh, "index")
        assert migrated["ix_observation_adverse"].endswith("WHERE adverse_event = 1")
        assert migrated["ix_reflection_note_adverse"].endswith("WHERE has_adverse_events = 1")
    finally:
        db.close()
        fresh.dispose()


def _note_row(session_id: int, content: Any) -> dict[str, Any]:
    at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    return {
        "session_id": session_id,
        "content": content,
        "status": "draft",
        "created_at": at,
        "created_by_id": 1,
        "updated_at": at,
        "updated_by_id": 1,
    }


def test_every_writer_keeps_the_flag_with_the_content(db: Database) -> None:
    with db.transaction() as s:
        for sql in _seed_sql():
            s.execute(text(sql))
    # Core bulk INSERT without the flag (as bench/generate.py writes): derived from the content.
    with db.transaction() as s:
        s.execute(
            insert(ReflectionNote),
            [_note_row(sid, note[1]) for sid, note in NOTES.items() if note and sid <= 4],
        )
    # ORM: the constructor and a later assignment of new content.
    with db.transaction() as s:
        for sid, note in NOTES.items():
            if note and sid > 4:
                s.add(ReflectionNote(**_note_row(sid, note[1])))
    with db.transaction() as s:
        three = s.scalars(select(ReflectionNote).where(ReflectionNote.session_id == 3)).one()
        three.content = {"adverse_events": []}
        five = s.scalars(select(ReflectionNote).where(ReflectionNote.session_id == 5)).one()
        five.content = {"adverse_events": [EVENT]}
    assert _flags(db.engine) == {2: True, 3: False, 4: False, 5: True, 6: False, 7: False, 8: False}


def _seed_sql() -> list[str]:
    """One physician, one patient and a completed session for every key of NOTES."""
    sessions = ", ".join(
        f"({sid}, 1, {sid}, 'completed', 'note', '{AT}', 1)" for sid in sorted(NOTES)
    )
    return [
        "INSERT INTO staff (id, username, display_name, role, secret_hash, active, "
        f"failed_attempts, created_at) VALUES (1, 'dr', 'Dr. A', 'physician', 'x', 1, 0, '{AT}')",
        "INSERT INTO patient (id, chart_number, given_name, family_name, search_key, "
        "date_of_birth, indication, created_at, created_by_id) VALUES "
        f"(1, 'KC-1', 'Zoë', 'Dubois', 'dubois zoe kc-1', '1980-05-17', 'depression', '{AT}', 1)",
        "INSERT INTO treatment_session (id, patient_id, number_in_course, status, phase, "
        f"started_at, started_by_id) VALUES {sessions}",
    ]
