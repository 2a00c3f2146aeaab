"""A process killed in the middle of writing leaves an intact database holding every committed row."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
KILLS = 6


@pytest.mark.slow
def test_sigkill_mid_write_loses_nothing_committed(tmp_path: Path) -> None:
    rng = random.Random(1234)
    reported: set[int] = set()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for run in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.kill_writer", str(tmp_path), str(run)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
        deadline = time.monotonic() + rng.uniform(0.05, 0.4)
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.startswith("committed"):
                reported.add(int(line.split()[1]))
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate(timeout=30)
        reported.update(int(x.split()[1]) for x in rest.splitlines() if x.startswith("committed"))
        assert proc.returncode == -signal.SIGKILL

        conn = sqlite3.connect(tmp_path / "companion.sqlite3")
        try:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            stored = {r[0] for r in conn.execute("SELECT id FROM patient")}
            with_session = {r[0] for r in conn.execute("SELECT patient_id FROM treatment_session")}
        finally:
            conn.close()
        assert reported <= stored, f"lost committed rows: {sorted(reported - stored)}"
        assert reported <= with_session
    assert len(reported) > KILLS * 5, "the writer should have committed many rows"
