"""Broken environments: corrupt file, read-only folder, locked database, full disk.

Each gives a StorageError whose message says what is wrong and what to do, and leaves the
database as it was (nothing half-written)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

import main
from companion.clock import ManualClock
from companion.logs import close_log_files
from companion.roles import Actor
from companion.services import Services
from companion.services.audit_log import AuditFilter
from companion.storage.database import DB_FILENAME, Database, open_database
from companion.storage.errors import (
    DatabaseCorrupt,
    DatabaseLocked,
    DataDirUnusable,
    DiskFull,
)
from companion.storage.models import AuditEvent, Indication, Patient
from tests.conftest import FAST_HASHER, PIN
from tests.helpers import read_only_dir


@pytest.fixture(autouse=True)
def _close_log_file() -> Iterator[None]:
    yield
    close_log_files()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def counts(db: Database) -> tuple[int, int]:
    with db.transaction() as s:
        return (
            int(s.scalar(select(func.count(Patient.id))) or 0),
            int(s.scalar(select(func.count(AuditEvent.id))) or 0),
        )


def add(services: Services, actor: Actor, chart: str) -> None:
    services.patients.add_patient(
        actor, chart, "G" * 100, "F" * 100, date(1980, 1, 1), Indication.OTHER
    )


def test_corrupt_database_is_refused_untouched_with_what_to_do(
    data_dir: Path, clock: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data_dir / DB_FILENAME
    path.write_bytes(b"SQLite format 3\x00" + b"\x00\xff" * 3000)
    before = digest(path)
    with pytest.raises(DatabaseCorrupt) as info:
        open_database(data_dir, clock.now())
    assert "restore" in info.value.what_to_do
    assert main.main(["--data-dir", str(data_dir), "list-sessions"]) == 3
    err = capsys.readouterr().err
    assert "cannot continue" in err and "restore --from" in err
    assert digest(path) == before


def test_read_only_data_folder_is_refused_and_the_database_untouched(
    db: Database, data_dir: Path, clock: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    db.close()
    before = digest(db.path)
    with read_only_dir(data_dir):
        with pytest.raises(DataDirUnusable, match="read-only") as info:
            open_database(data_dir, clock.now())
        assert "--data-dir" in info.value.what_to_do
        assert main.main(["--data-dir", str(data_dir / "sub"), "list-sessions"]) == 3
        assert "cannot continue" in capsys.readouterr().err
    assert digest(db.path) == before


def test_locked_database_gives_a_clear_message_and_stores_nothing(
    data_dir: Path, template_db: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    monkeypatch.setattr("companion.storage.database.BUSY_TIMEOUT_MS", 100)
    shutil.copy(template_db, data_dir / DB_FILENAME)
    db = open_database(data_dir, clock.now())
    try:
        services = Services.create(db, clock, hasher=FAST_HASHER)
        admin = services.staff.create_first_admin("admin", "Admin", PIN)
        from companion.storage.models import Role

        row = services.staff.add_staff(admin, "g", "Guide", Role.GUIDE, PIN)
        guide = Actor(row.id, row.role, row.display_name)
        before = counts(db)
        other = sqlite3.connect(db.path, timeout=0.1)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(DatabaseLocked) as info:
                add(services, guide, "KC-1")
            assert "another program" in info.value.problem
            assert "Close other copies" in info.value.what_to_do
        finally:
            other.rollback()
            other.close()
        assert counts(db) == before
        add(services, guide, "KC-1")  # once released, the same entry goes through
        assert counts(db) == (before[0] + 1, before[1] + 1)
    finally:
        db.close()


def test_full_disk_keeps_every_committed_entry_and_no_half_entry(
    services: Services, guide: Actor, admin: Actor
) -> None:
    db = services.db
    with db.engine.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar() or 0)
    limit = pages + 3

    def cap(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        # Simulates a full disk: SQLite answers SQLITE_FULL once the file would grow past this.
        dbapi_conn.execute(f"PRAGMA max_page_count={limit}")

    event.listen(db.engine, "checkout", cap)
    committed = 0
    with pytest.raises(DiskFull) as info:
        for i in range(10_000):
            add(services, guide, f"KC-{i}")
            committed += 1
    event.remove(db.engine, "checkout", cap)
    assert "Free some disk space" in info.value.what_to_do
    assert committed > 0
    with db.engine.connect() as conn:
        conn.exec_driver_sql(f"PRAGMA max_page_count={2**31}")
    patients, _events = counts(db)
    assert patients == committed  # the refused entry is absent, the others all present
    creates = services.audit_log.query(admin, AuditFilter(entity="patient")).total
    assert creates == committed  # each entry with its audit row, never one without
    conn2 = sqlite3.connect(db.path)
    try:
        assert conn2.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn2.close()
