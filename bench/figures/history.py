"""History search and opening a session record, on the ten-year database (no Qt).

A search is what the History screen runs for one set of filters: `count_sessions` (the "N sessions"
label) and the first page of `search_sessions`. The filter sets vary the way a clinician would;
each is timed REPEATS times after one untimed warm-up (SQLite's page cache is warm in the app too).
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Figure, Spread
from companion.clock import ManualClock
from companion.roles import Actor
from companion.services import Services
from companion.services.record_types import SessionFilters
from companion.storage.database import open_database
from companion.storage.models import Indication, Role

REPEATS = 7
PAGE = 100  # ui.history.PAGE_SIZE
RECORDS = 40

FILTERS: dict[str, SessionFilters] = {
    "everything, newest first": SessionFilters(),
    "name 'okoye'": SessionFilters(patient_text="okoye"),
    "accented 'fernandez'": SessionFilters(patient_text="Fernández"),
    "chart number": SessionFilters(patient_text="KC-12345"),
    "no match": SessionFilters(patient_text="zzqx"),
    "one month": SessionFilters(
        since=datetime(2021, 3, 1, tzinfo=UTC), until=datetime(2021, 4, 1, tzinfo=UTC)
    ),
    "PTSD": SessionFilters(indication=Indication.PTSD),
    "adverse events": SessionFilters(adverse_events_only=True),
    "unsigned notes": SessionFilters(unsigned_only=True),
    "name + year + adverse": SessionFilters(
        patient_text="ra",
        since=datetime(2019, 1, 1, tzinfo=UTC),
        until=datetime(2020, 1, 1, tzinfo=UTC),
        adverse_events_only=True,
    ),
}
PATIENT_TEXTS = ("", "okoye", "KC-1", "zzqx")


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def measure(db_file: Path) -> list[Figure]:
    clock = ManualClock(datetime(2026, 11, 18, 9, tzinfo=UTC))
    db = open_database(db_file.parent, clock.now(), filename=db_file.name)
    try:
        services = Services.create(db, clock)
        records = services.records
        staff = next(s for s in services.staff.list_staff() if s.role == Role.PHYSICIAN)
        actor = Actor(staff.id, staff.role, staff.display_name)
        per_filter: dict[str, Spread] = {}
        samples: list[float] = []
        for name, f in FILTERS.items():
            times = []
            for i in range(REPEATS + 1):
                start = time.perf_counter()
                records.count_sessions(f)
                records.search_sessions(f, 0, PAGE)
                if i:  # the first run warms the page cache
                    times.append(_ms(start))
            per_filter[name] = Spread.of(times)
            samples += times
        patient_times = []
        for text in PATIENT_TEXTS * 3:
            start = time.perf_counter()
            records.search_patients(text)
            patient_times.append(_ms(start))
        ids = random.Random(5).sample(range(1, 19_000), RECORDS)
        record_times, first_open = [], 0.0
        for i, sid in enumerate(ids):
            start = time.perf_counter()
            records.session_record(actor, sid)
            if i == 0:
                first_open = _ms(start)
            else:
                record_times.append(_ms(start))
    finally:
        db.close()
    worst = max(per_filter, key=lambda k: per_filter[k].median)
    search = Figure(
        "history_search", "History search on 10 years of data", "ms", Spread.of(samples),
        goal_value=50.0,
        notes=[f"count + first page of {PAGE}, {len(FILTERS)} filter sets × {REPEATS}",
               f"slowest filter set: {worst} (median {per_filter[worst].median:.1f} ms)"],
        extra={"per_filter_ms": {k: v.as_dict(2) for k, v in per_filter.items()},
               "patient_search_ms": Spread.of(patient_times).as_dict(2)},
    )  # fmt: skip
    slowest = Figure(
        "history_search_slowest", f"History search, slowest filter set ({worst})", "ms",
        per_filter[worst], goal_value=50.0,
        notes=["the median of its runs; every filter set is listed in results.json"],
    )  # fmt: skip
    record = Figure(
        "open_record", "Open a session record on 10 years of data", "ms",
        Spread.of(record_times), goal_value=100.0,
        notes=[f"{RECORDS - 1} different sessions, audited opening included",
               f"first opening in the process: {first_open:.1f} ms"],
    )  # fmt: skip
    return [search, slowest, record]
