"""Opening, pragmas, environment faults and migrations of the SQLite database."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from companion.storage import migrations
from companion.storage.database import DB_FILENAME, Database, backup_to, open_database
from companion.storage.errors import DatabaseCorrupt, DataDirUnusable, SchemaTooNew
from companion.storage.models import AuditEvent, Base
from tests.helpers import read_only_dir

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_uses_wal_full_sync_foreign_keys_and_busy_timeout(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    assert db.path.name == DB_FILENAME


def test_migrated_schema_equals_the_models(tmp_path: Path) -> None:
    db = open_database(tmp_path, NOW)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        assert migrations.current_revision(db.engine) == migrations.head_revision()
    finally:
        db.close()


def test_downgrade_to_empty_and_upgrade_again(tmp_path: Path) -> None:
    db = open_database(tmp_path, NOW)
    try:
        from alembic import command

        command.downgrade(migrations.alembic_config(db.engine), "base")
        with db.engine.connect() as conn:
            tables = conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).all()
        assert {t[0] for t in tables} <= {"alembic_version"}
        migrations.upgrade(db.engine)
        assert migrations.current_revision(db.engine) == migrations.head_revision()
    finally:
        db.close()


def test_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    path.write_bytes(b"this is a spreadsheet, not a database" * 100)
    before = digest(path)
    with pytest.raises(DatabaseCorrupt) as info:
        open_database(tmp_path, NOW)
    assert "restore" in info.value.what_to_do.lower()
    assert digest(path) == before


def test_damaged_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    db = open_database(tmp_path, NOW)
    db.close()
    path = tmp_path / DB_FILENAME
    data = bytearray(path.read_bytes())
    # Scribble over the second page (a table b-tree page) but keep the header intact.
    data[4096 + 8 : 4096 + 400] = b"\xff" * 392
    path.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    before = digest(path)
    with pytest.raises(DatabaseCorrupt):
        open_database(tmp_path, NOW)
    assert digest(path) == before


def test_schema_newer_than_the_app_is_refused_and_left_untouched(tmp_path: Path) -> None:
    db = open_database(tmp_path, NOW)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f999_future'"))
    db.close()
    path = tmp_path / DB_FILENAME
    before = digest(path)
    with pytest.raises(SchemaTooNew) as info:
        open_database(tmp_path, NOW)
    assert "newer version" in info.value.problem
    assert digest(path) == before


def test_read_only_data_dir_gives_a_clear_message_and_is_left_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only_dir(folder), pytest.raises(DataDirUnusable) as info:
        open_database(folder, NOW)
    assert "read-only" in info.value.problem
    assert list(folder.iterdir()) == []


def test_backup_is_taken_before_migrating_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE legacy_notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO legacy_notes (body) VALUES ('kept')")
    conn.commit()
    conn.close()
    db = open_database(tmp_path, NOW)
    db.close()
    backups = list((tmp_path / "backups").glob("pre-migration-*.sqlite3"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    assert copy.execute("SELECT body FROM legacy_notes").fetchall() == [("kept",)]
    assert copy.execute("SELECT name FROM sqlite_master WHERE name='patient'").fetchall() == []
    copy.close()


def test_online_backup_copies_committed_rows(db: Database, tmp_path: Path) -> None:
    with db.transaction() as s:
        s.add(AuditEvent(at=NOW, action="test", entity="x", entity_id=1, detail={}))
    target = tmp_path / "copy.sqlite3"
    backup_to(db.path, target)
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT count(*) FROM audit_event").fetchone() == (1,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_audit_trail_is_append_only_in_the_database(db: Database) -> None:
    with db.transaction() as s:
        s.add(AuditEvent(at=NOW, action="create", entity="patient", entity_id=1, detail={}))
    with pytest.raises(IntegrityError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET action = 'forged'"))
    with pytest.raises(IntegrityError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event"))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_event")).scalars().all() == ["create"]


def test_shipped_revision_list_matches_alembic_scripts() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrations.alembic_config())
    walked = [r.revision for r in script.walk_revisions()]
    assert tuple(reversed(walked)) == migrations.REVISIONS
    assert script.get_current_head() == migrations.HEAD


def test_opening_a_current_database_does_not_import_alembic(tmp_path: Path) -> None:
    db = open_database(tmp_path, NOW)
    db.close()
    code = (
        "import sys; from pathlib import Path; from datetime import datetime, UTC\n"
        "from companion.storage.database import open_database\n"
        f"open_database(Path({str(tmp_path)!r}), datetime.now(UTC)).close()\n"
        "print('alembic' in sys.modules)\n"
    )
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[3],
    )
    assert out.stdout.strip() == "False"
