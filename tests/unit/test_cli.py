"""The command line: data directory resolution, list-sessions, the demo and the display check."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import main
from companion.app_setup import DEMO_DB_FILENAME
from companion.demo import seed_demo
from companion.logs import close_log_files
from companion.storage.database import open_database
from tests.conftest import START

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _close_log_file() -> Iterator[None]:
    yield
    close_log_files()


def test_data_dir_comes_from_flag_then_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "env"))
    assert main.resolve_data_dir(str(tmp_path / "flag")) == tmp_path / "flag"
    assert main.resolve_data_dir(None) == tmp_path / "env"
    monkeypatch.delenv("COMPANION_DATA_DIR")
    assert "SessionCompanion" in str(main.resolve_data_dir(None))


def test_demo_list_sessions_prints_tab_separated_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main.main(["--data-dir", str(tmp_path), "--demo", "list-sessions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 40
    for line in lines:
        sid, day, chart, status = line.split("\t")
        assert sid.isdigit() and date.fromisoformat(day) and chart.startswith("KC-")
        assert status in {"in_progress", "completed", "abandoned"}
    assert (tmp_path / DEMO_DB_FILENAME).exists()
    assert not (tmp_path / "companion.sqlite3").exists()


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            "patient",
            "treatment_session",
            "vitals_reading",
            "observation",
            "reflection_note",
        ]
        rows = []
        for t in tables:
            rows += [f"{t}:{r}" for r in conn.execute(f"SELECT * FROM {t} ORDER BY id")]
        return rows
    finally:
        conn.close()


def test_demo_data_is_deterministic_and_realistic(tmp_path: Path) -> None:
    dumps = []
    for name in ("a", "b"):
        folder = tmp_path / name
        db = open_database(folder, START)
        seed_demo(db, today=date(2026, 3, 2))
        db.close()
        dumps.append(_dump(folder / "companion.sqlite3"))
    assert dumps[0] == dumps[1]
    conn = sqlite3.connect(tmp_path / "a" / "companion.sqlite3")
    assert conn.execute("SELECT count(*) FROM patient").fetchone()[0] == 12
    indications = {r[0] for r in conn.execute("SELECT indication FROM patient")}
    assert len(indications) >= 4
    # Systolic peaks near 40 min after the dose (the typical ketamine rise).
    peak = conn.execute(
        "SELECT c.offset_min, avg(v.systolic) FROM vitals_reading v JOIN checkpoint c "
        "ON v.checkpoint_id = c.id WHERE c.offset_min IS NOT NULL GROUP BY c.offset_min "
        "ORDER BY avg(v.systolic) DESC LIMIT 1"
    ).fetchone()
    assert peak[0] in (30.0, 40.0)
    conn.close()


def test_no_display_gives_a_clear_message_not_a_qt_abort(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = subprocess.run(
        [sys.executable, "main.py", "--data-dir", str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "xvfb-run" in result.stderr and "screenshots" in result.stderr
    assert "Aborted" not in result.stderr


def test_logs_never_contain_patient_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main.main(["--data-dir", str(tmp_path), "--demo", "list-sessions"]) == 0
    out = capsys.readouterr().out
    log = (tmp_path / "logs" / "companion.log").read_text()
    conn = sqlite3.connect(tmp_path / DEMO_DB_FILENAME)
    names = [
        r
        for row in conn.execute("SELECT given_name, family_name, chart_number FROM patient")
        for r in row
    ]
    conn.close()
    assert "KC-" in out  # the command itself prints chart numbers; the log must not
    for value in names:
        assert value not in log
