"""The real start-up in a fresh process: the first window appears before the ORM has loaded and
takes the account typed at once; signing in completes when the record has opened behind it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from companion.demo_accounts import DEMO_ACCOUNTS, DEMO_SECRET
from companion.storage.files import DB_FILENAME, has_staff

ROOT = Path(__file__).resolve().parents[2]


def _start(data_dir: Path, mode: str, *account: str) -> dict[str, Any]:
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.startup_driver", str(data_dir), mode, *account],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, proc.stdout + proc.stderr[-3000:]
    return dict(json.loads(lines[-1]))


def test_a_new_installation_creates_the_administrator_then_signs_in(tmp_path: Path) -> None:
    first = _start(tmp_path, "real", "alex", "a long passphrase", "Alex Morgan")
    assert first["first_window"] == "FirstAdminDialog"
    assert first["orm_loaded_when_shown"] is False
    if not first["opened_when_confirmed"]:  # confirmed before the record was open: it waited
        assert "Opening the clinic record" in first["status_after_early_confirm"]
    assert first["screen"] == "today" and "Alex Morgan" in first["user"]
    assert first["exit"] == 0
    assert has_staff(tmp_path / DB_FILENAME)

    again = _start(tmp_path, "real", "alex", "a long passphrase")
    assert again["first_window"] == "SignInDialog"
    assert again["orm_loaded_when_shown"] is False
    assert again["screen"] == "today" and "Alex Morgan" in again["user"]


def test_the_demo_clinic_signs_in_with_a_demo_account(tmp_path: Path) -> None:
    username = next(u for role, u, _ in DEMO_ACCOUNTS if role == "physician")
    seen = _start(tmp_path, "demo", username, DEMO_SECRET)
    assert seen["first_window"] == "SignInDialog" and seen["orm_loaded_when_shown"] is False
    assert seen["screen"] == "today" and "physician" in seen["user"]
