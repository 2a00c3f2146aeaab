"""run_app's paths around the record opening behind the first window."""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from companion.clock import ManualClock
from companion.services import Services
from companion.storage.errors import DiskFull
from companion.storage.files import DB_FILENAME
from companion.storage.migrations import head_revision
from ui.app import Opening, run_app
from ui.sign_in import _OpeningDialog


def test_a_failed_daily_backup_is_reported_and_the_record_still_opens(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(_path: Path, _day: date) -> None:
        raise DiskFull("The disk is full.", "Free some space.")

    monkeypatch.setattr("companion.backups.daily_backup", full)
    opened: Future[Services] = Future()
    opening = Opening(tmp_path, demo=False, clock=clock)
    opening.start(into=opened)
    services = opened.result(timeout=60)
    assert isinstance(opening.backup_problem, DiskFull)
    assert not services.staff.has_staff()
    services.db.close()


def test_closing_the_first_window_at_once_lets_the_opening_finish_first(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []

    def close_at_once(self: _OpeningDialog) -> int:
        seen.append(self.opened)
        return int(_OpeningDialog.DialogCode.Rejected)

    monkeypatch.setattr(_OpeningDialog, "exec", close_at_once)
    assert run_app(tmp_path, demo=False) == 0
    assert seen == [False]
    # The migration the opening started was completed, not cut off.
    conn = sqlite3.connect(tmp_path / DB_FILENAME)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
