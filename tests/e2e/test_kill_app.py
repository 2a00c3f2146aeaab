"""SIGKILL the real app (offscreen, tests/app_driver.py) at random moments of a scripted session.

After every kill: each entry whose confirmation was printed is in the database, the database
passes `PRAGMA integrity_check`, and the next start offers the unfinished session in its stored
phase and resumes it there.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

REPO = Path(__file__).resolve().parents[2]
KILLS = 20
BUDGET_S = 38.0


def _check(db_path: Path, confirmed: list[tuple[str, int, str]]) -> dict[int, str]:
    """Assert every confirmed entry is stored; return the unfinished sessions' phases."""
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        patients = {r[0] for r in conn.execute("SELECT id FROM patient")}
        sessions = dict(conn.execute("SELECT id, status FROM treatment_session").fetchall())
        staff = dict(conn.execute("SELECT id, active FROM staff").fetchall())
        phases = {
            (r[0], json.loads(r[1])["new"])
            for r in conn.execute("SELECT entity_id, detail FROM audit_event WHERE action='phase'")
        }
        views = {
            r[0] for r in conn.execute("SELECT session_id FROM audit_event WHERE action='view'")
        }
        unfinished = dict(
            conn.execute(
                "SELECT id, phase FROM treatment_session WHERE status='in_progress'"
            ).fetchall()
        )
    finally:
        conn.close()
    for kind, ident, value in confirmed:
        lost = {
            "patient": ident not in patients,
            "session": ident not in sessions,
            "phase": (ident, value) not in phases,
            "view": ident not in views,
            "closed": sessions.get(ident) != "abandoned",
            "staff": ident not in staff,
            "deactivated": staff.get(ident) != 0,
        }[kind]
        assert not lost, f"confirmed {kind} {ident} {value} is not in the database"
    return unfinished


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)
    lines.put("")  # end of output


@pytest.mark.slow
def test_sigkill_the_running_app_loses_nothing_confirmed_and_resumes(tmp_path: Path) -> None:
    rng = random.Random(20260302)
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    confirmed: list[tuple[str, int, str]] = []
    expected_unfinished: dict[int, str] = {}
    resumed = kills = 0
    started = time.monotonic()
    for run in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.app_driver", str(tmp_path), str(run)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        # A reader thread, so a driver that stops printing cannot block the test past its deadline.
        reader = threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True)
        reader.start()
        offered: dict[int, str] = {}
        ready_by = time.monotonic() + 30
        while True:
            try:
                line = lines.get(timeout=max(0.0, ready_by - time.monotonic()))
            except queue.Empty:
                proc.kill()
                pytest.fail(f"driver not ready in 30 s: {proc.communicate()[1][-2000:]}")
            parts = line.split()
            if not parts:
                proc.kill()
                pytest.fail(f"driver ended before ready: {proc.communicate()[1][-2000:]}")
            if parts[0] == "ready":
                break
            if parts[0] == "resumable":
                offered[int(parts[1])] = parts[2]
            elif parts[0] == "resumed":
                # The session screen shows the stored phase of the session it resumed.
                assert offered.get(int(parts[1])) == parts[2]
                resumed += 1
        assert offered == expected_unfinished
        time.sleep(rng.uniform(0.02, 0.5))  # let it run: the kill lands at a random moment
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        reader.join(timeout=30)
        proc.stdout.close()
        if proc.stderr is not None:
            proc.stderr.close()
        while not lines.empty():
            line = lines.get()
            if line.startswith("confirmed"):
                _, kind, ident, *value = line.split()
                confirmed.append((kind, int(ident), value[0] if value else ""))
        assert proc.returncode == -signal.SIGKILL
        kills += 1
        expected_unfinished = _check(tmp_path / "companion.sqlite3", confirmed)
        if time.monotonic() - started > BUDGET_S:
            break
    elapsed = time.monotonic() - started
    print(
        f"\nkill test: {kills} kills, {len(confirmed)} confirmed entries checked after each, "
        f"{resumed} resumptions, {elapsed:.1f} s"
    )
    assert kills >= 10, f"only {kills} kills fit in the time budget"
    assert len(confirmed) > kills * 5
    assert resumed > 0
