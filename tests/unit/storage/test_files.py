"""Choosing the first window from the file alone, without the ORM, and without touching it."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from companion.app_setup import open_services
from companion.clock import ManualClock
from companion.roles import Actor
from companion.services import Services
from companion.storage.files import DB_FILENAME, DEMO_DB_FILENAME, database_path, has_staff


def test_the_real_and_demo_records_are_separate_files(tmp_path: Path) -> None:
    assert database_path(tmp_path, demo=False) == tmp_path / DB_FILENAME
    assert (
        database_path(tmp_path, demo=True) == tmp_path / DEMO_DB_FILENAME != tmp_path / DB_FILENAME
    )


def test_no_file_an_empty_file_or_no_staff_table_means_no_staff(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    assert not has_staff(path)
    path.touch()
    assert not has_staff(path)
    path.unlink()
    sqlite3.connect(path).close()  # a database without the schema
    assert not has_staff(path)


def test_a_damaged_file_is_read_as_no_staff_and_left_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert not has_staff(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_FILENAME]  # no journal left


def test_it_agrees_with_the_staff_service(tmp_path: Path, clock: ManualClock) -> None:
    services = open_services(tmp_path, demo=False, clock=clock)
    path = services.db.path
    assert has_staff(path) is services.staff.has_staff() is False
    services.staff.create_first_admin("alex", "Alex Morgan", "a long passphrase")
    assert has_staff(path) is services.staff.has_staff() is True
    services.db.close()


def test_it_reads_a_record_that_is_open_and_being_written(services: Services, admin: Actor) -> None:
    assert has_staff(services.db.path)  # WAL: committed rows are visible to a read-only reader
