"""Daily backups, `backup --out` and `restore --from`: consistent copies, retention, refusals,
and that a restore keeps the file it replaces."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import main
from companion.backups import (
    RestoreRefused,
    check_backup,
    daily_backup,
    daily_name,
    restore,
    write_backup,
)
from companion.logs import close_log_files
from companion.roles import Actor
from companion.services import Services
from companion.storage.database import DB_FILENAME, Database, backup_to, open_database
from companion.storage.errors import SchemaTooNew

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def patients(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT chart_number FROM patient ORDER BY id")]
    finally:
        conn.close()


def add(services: Services, actor: Actor, chart: str) -> None:
    from companion.storage.models import Indication

    services.patients.add_patient(actor, chart, "Ana", "Silva", date(1980, 1, 1), Indication.PTSD)


def test_daily_backup_once_a_day_keeping_the_last_14(db: Database) -> None:
    day = date(2026, 3, 1)
    first = daily_backup(db.path, day)
    assert first is not None and first.name == "daily-2026-03-01.sqlite3"
    assert daily_backup(db.path, day) is None  # one per day
    check_backup(first)
    pre = db.path.parent / "backups" / "pre-migration-x.sqlite3"
    pre.write_bytes(first.read_bytes())
    for i in range(1, 20):
        daily_backup(db.path, day + timedelta(days=i))
    kept = sorted(p.name for p in (db.path.parent / "backups").glob("daily-*"))
    assert kept == [daily_name(day + timedelta(days=i)) for i in range(6, 20)]
    assert pre.exists()  # backups before migrations are never pruned


def test_backup_is_consistent_and_never_overwrites(
    services: Services, guide: Actor, data_dir: Path, tmp_path: Path
) -> None:
    add(services, guide, "KC-1")
    out = write_backup(services.db.path, tmp_path / "copy.sqlite3")
    assert patients(out) == ["KC-1"]
    before = digest(out)
    with pytest.raises(RestoreRefused, match="already exists"):
        write_backup(services.db.path, out)
    with pytest.raises(RestoreRefused, match="folder"):
        write_backup(services.db.path, tmp_path)
    with pytest.raises(RestoreRefused, match="database itself"):
        write_backup(services.db.path, services.db.path)
    assert digest(out) == before


def test_restore_replaces_the_database_and_keeps_the_old_file(
    services: Services, guide: Actor, tmp_path: Path
) -> None:
    add(services, guide, "KC-1")
    backup = write_backup(services.db.path, tmp_path / "b.sqlite3")
    add(services, guide, "KC-2")
    path = services.db.path
    services.db.close()
    kept = restore(path, backup, NOW)
    assert kept is not None and kept.name == f"{DB_FILENAME}.replaced-20260302T090000Z"
    assert patients(path) == ["KC-1"]
    assert patients(kept) == ["KC-1", "KC-2"]  # nothing was destroyed
    again = restore(path, backup, NOW)  # same second: a distinct name, never overwritten
    assert again is not None and again != kept and kept.exists()
    reopened = open_database(path.parent, NOW)
    reopened.close()


def test_restore_refuses_while_the_app_has_the_database_open(
    services: Services, guide: Actor, tmp_path: Path
) -> None:
    add(services, guide, "KC-1")
    backup = write_backup(services.db.path, tmp_path / "b.sqlite3")
    before = patients(services.db.path)
    with pytest.raises(RestoreRefused, match="running"):
        restore(services.db.path, backup, NOW)
    assert patients(services.db.path) == before
    assert not list(services.db.path.parent.glob("*.replaced-*"))


def test_restore_refuses_over_a_session_in_progress_unless_forced(
    services: Services, guide: Actor, tmp_path: Path
) -> None:
    backup = write_backup(services.db.path, tmp_path / "b.sqlite3")
    add(services, guide, "KC-1")
    [p] = services.patients.find("KC-1")
    services.sessions.start_session(guide, p.id)
    path = services.db.path
    services.db.close()
    with pytest.raises(RestoreRefused, match="in progress"):
        restore(path, backup, NOW)
    assert patients(path) == ["KC-1"]
    assert restore(path, backup, NOW, force=True) is not None
    assert patients(path) == []


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda p: p.write_bytes(b"not a database at all"), "not a SQLite database"),
        (lambda p: p.write_bytes(b""), "not a SQLite database"),
        (
            lambda p: sqlite3.connect(p).execute("CREATE TABLE t(x)").connection.commit(),
            "not a Session Companion",
        ),
    ],
)
def test_restore_refuses_files_that_are_not_backups(
    db: Database, tmp_path: Path, make: object, match: str
) -> None:
    bad = tmp_path / "bad.sqlite3"
    make(bad)  # type: ignore[operator]
    path = db.path
    db.close()
    before = digest(path)
    with pytest.raises(RestoreRefused, match=match):
        restore(path, bad, NOW)
    assert digest(path) == before


def test_restore_refuses_a_damaged_backup(db: Database, tmp_path: Path) -> None:
    backup = tmp_path / "b.sqlite3"
    backup_to(db.path, backup)
    data = bytearray(backup.read_bytes())
    page = 4096
    data[page * 2 : page * 2 + 200] = b"\xff" * 200  # scribble over a b-tree page
    backup.write_bytes(bytes(data))
    path = db.path
    db.close()
    before = digest(path)
    with pytest.raises(RestoreRefused):
        restore(path, backup, NOW)
    assert digest(path) == before


def test_restore_refuses_a_newer_schema(db: Database, tmp_path: Path) -> None:
    backup = tmp_path / "b.sqlite3"
    backup_to(db.path, backup)
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    conn.commit()
    conn.close()
    path = db.path
    db.close()
    before = digest(path)
    with pytest.raises(SchemaTooNew):
        restore(path, backup, NOW)
    assert digest(path) == before


def test_restore_repairs_a_corrupt_database_keeping_the_damaged_file(
    db: Database, tmp_path: Path
) -> None:
    backup = tmp_path / "b.sqlite3"
    backup_to(db.path, backup)
    path = db.path
    db.close()
    path.write_bytes(b"garbage" * 1000)
    kept = restore(path, backup, NOW)
    assert kept is not None and kept.read_bytes() == b"garbage" * 1000
    open_database(path.parent, NOW).close()


def test_cli_backup_and_restore_round_trip_with_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        out = tmp_path / "demo-copy.sqlite3"
        data = tmp_path / "data"
        assert main.main(["--data-dir", str(data), "--demo", "backup", "--out", str(out)]) == 0
        assert "Backup written" in capsys.readouterr().out
        demo_patients = patients(out)
        assert len(demo_patients) > 5
        # The demo has sessions in progress: a plain restore is refused, --force goes ahead.
        assert main.main(["--data-dir", str(data), "--demo", "restore", "--from", str(out)]) == 3
        assert "in progress" in capsys.readouterr().err
        code = main.main(
            ["--data-dir", str(data), "--demo", "restore", "--from", str(out), "--force"]
        )
        assert code == 0
        assert "was kept as" in capsys.readouterr().out
        assert patients(data / "demo.sqlite3") == demo_patients
        assert not (data / DB_FILENAME).exists()  # --demo never touches the real database
        assert (
            main.main(["--data-dir", str(data), "restore", "--from", str(tmp_path / "nope")]) == 3
        )
        assert "does not exist" in capsys.readouterr().err
    finally:
        close_log_files()
