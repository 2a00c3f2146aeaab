"""Confirming a checkpoint → committed, against a raw sqlite3 INSERT + COMMIT on the same disk.

The value is `services.monitoring.record_checkpoint` with vitals (checkpoint, reading, NEWS2 and
flags, alert evaluation, audit rows: one transaction, returned once committed). The floor is one
row inserted and committed by the sqlite3 module with the app's pragmas (WAL, synchronous=FULL).
Both files live in bench/out/, on the same disk, and are timed alternately so drift hits both.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import OUT, Figure, Spread
from bench.scripted import (
    CHECKPOINT_MIN,
    CHECKPOINTS,
    FAST_HASHER,
    checked_in,
    checkpoint_values,
    team,
)
from bench.scripted import dosed as dose_now
from companion.clock import ManualClock
from companion.services import Services
from companion.storage.database import open_database

SESSIONS = 40  # × 6 checkpoints = 240 timed commits of each kind


def _raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS reading (id INTEGER PRIMARY KEY, session_id INTEGER, "
        "systolic INTEGER, diastolic INTEGER, pulse INTEGER, measured_at TEXT)"
    )
    return conn


def _raw_commit(conn: sqlite3.Connection, i: int) -> float:
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO reading (session_id, systolic, diastolic, pulse, measured_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (i, 120, 80, 70, "2026-11-18 09:00:00"),
    )
    conn.execute("COMMIT")
    return (time.perf_counter() - start) * 1000


def measure() -> list[Figure]:
    work = OUT / "commit"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    raw = _raw(work / "raw.sqlite3")
    clock = ManualClock(datetime(2026, 11, 18, 8, tzinfo=UTC))
    db = open_database(work, clock.now())
    try:
        services = Services.create(db, clock, FAST_HASHER)
        t = team(services)
        sessions = []
        for i in range(SESSIONS):
            sid = checked_in(services, t, f"B-{i}")
            dose_now(services, t, sid)
            sessions.append((sid, clock.now()))
            clock.advance(1)
        clock.advance(90 * 60)  # every checkpoint is now in the past
        ours: list[float] = []
        floor: list[float] = []
        for i, (key, (sid, t0)) in enumerate((key, s) for key in CHECKPOINTS for s in sessions):
            floor.append(_raw_commit(raw, i))
            minute = CHECKPOINT_MIN[key]
            start = time.perf_counter()
            services.monitoring.record_checkpoint(
                t.guide, sid, key, checkpoint_values(minute), t0 + timedelta(minutes=minute),
                moaas=4, cadss_items=None, nausea=0, distress=1, note="",
            )  # fmt: skip
            ours.append((time.perf_counter() - start) * 1000)
    finally:
        db.close()
        raw.close()
    return [
        Figure(
            "checkpoint_commit",
            "Confirm a checkpoint → committed",
            "ms",
            Spread.of(ours),
            floor=Spread.of(floor),
            floor_label="raw sqlite3 INSERT + COMMIT (WAL, FULL)",
            goal_ratio=3.0,
            notes=[
                f"{len(ours)} checkpoints with vitals over {SESSIONS} sessions, "
                "alternating with the floor"
            ],
        )
    ]
