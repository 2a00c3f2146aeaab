"""Ten years of a busy clinic, deterministic, on the app's own models and migrated schema.

About 20,000 sessions for 1,500 patients: check-in, pre-session scale, ~20 vitals readings (a
baseline, then one every five minutes after T0, six of them belonging to checkpoints), centering,
dose, six checkpoints, ~10 observations, discharge and a note (signed, a few left as drafts).
Rows go in with Core bulk inserts on the ORM tables (`session.execute(insert(Model), rows)`), so
the types (UTC datetimes, JSON) are the app's own, at a few seconds per 100,000 rows.

The file is cached in `bench/out/` under a name holding GENERATOR_VERSION and the schema head:
change either and the next run builds a new one. The audit trail is not generated (no figure
reads it; opening a record appends one row, which costs the same on any table size).
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import insert
from sqlalchemy.orm import Session

from bench.common import OUT
from companion.demo import (
    _COURSES,
    _FAMILY,
    _GIVEN,
    _INTENTIONS,
    _SCALE_ITEMS,
    _TAGS,
    _THEMES,
    CHECKPOINT_OFFSETS,
    _spread,
    _vitals,
)
from companion.demo_accounts import DEMO_SECRET
from companion.services.patients import search_key
from companion.storage import migrations
from companion.storage.database import open_database
from companion.storage.models import (
    CenteringRecord,
    CheckIn,
    Checkpoint,
    DischargeAssessment,
    Dose,
    Indication,
    Observation,
    Patient,
    Phase,
    ReflectionNote,
    Role,
    ScaleResponse,
    SessionStatus,
    Staff,
    TreatmentSession,
    VitalsReading,
)

GENERATOR_VERSION = 1
SEED = 7_2026
PATIENTS = 1_500
END = date(2026, 11, 17)  # the day before SHOT_TIME's day: "today" of the benchmark clinic
YEARS = 10
CHUNK = 20_000  # rows per executemany batch: bounded memory, few round trips
_EXTRA_GIVEN = ["Ana", "Bo", "Chidi", "Dana", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jae"]
_EXTRA_FAMILY = ["Novak", "Osei", "Park", "Quinn", "Rossi", "Silva", "Tanaka", "Umar", "Varga"]
_TEXTS = [
    "Asked for the blanket",
    "Said the music felt far away",
    "Laughed softly, then quiet",
    "Hand on chest, breathing slowly",
    "Spoke about her father",
    "Requested water after the hour",
]
_ADVERSE = ["vomiting", "emergence reaction", "oxygen applied"]


def database_path(out: Path = OUT) -> Path:
    return out / f"tenyear-g{GENERATOR_VERSION}-{migrations.head_revision()}.sqlite3"


def ensure(out: Path = OUT) -> Path:
    """The cached ten-year database, generated first if missing (prints what it does)."""
    path = database_path(out)
    if path.exists():
        return path
    out.mkdir(parents=True, exist_ok=True)
    work = out / "generating"
    shutil.rmtree(work, ignore_errors=True)
    started = time.monotonic()
    counts = generate(work)
    (work / "companion.sqlite3").replace(path)
    shutil.rmtree(work, ignore_errors=True)
    took = time.monotonic() - started
    print(f"generated {path.name} in {took:.1f} s: {counts}", flush=True)
    return path


def generate(data_dir: Path) -> dict[str, int]:
    """Build `data_dir/companion.sqlite3`; returns the row count of each table."""
    rng = random.Random(SEED)
    db = open_database(data_dir, datetime.combine(END, dtime(7), tzinfo=UTC))
    counts: dict[str, int] = {}
    try:
        with db.transaction() as s:
            staff = _staff(s)
            patients = _patients(s, rng, staff)
            counts["staff"], counts["patient"] = sum(len(v) for v in staff.values()), len(patients)
            tables = _Tables()
            for patient in patients:
                _course(rng, patient, staff, tables)
            for model, rows in tables.ordered():
                for batch in _chunks(rows):
                    s.execute(insert(model), batch)
                counts[model.__tablename__] = len(rows)
    finally:
        db.close()
    return counts


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


def _staff(s: Session) -> dict[Role, list[int]]:
    secret = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(DEMO_SECRET)
    created = datetime.combine(END - timedelta(days=365 * YEARS + 30), dtime(8), tzinfo=UTC)
    people = [(Role.ADMIN, "admin", "Alex Morgan")]
    people += [(Role.PHYSICIAN, f"dr.{i}", f"Dr. Physician {i}") for i in range(1, 7)]
    people += [(Role.GUIDE, f"guide.{i}", f"Guide {i}") for i in range(1, 13)]
    people += [(Role.STAFF, f"staff.{i}", f"Staff {i}") for i in range(1, 4)]
    rows: list[dict[str, Any]] = [
        {"id": i, "username": u, "display_name": n, "role": r, "secret_hash": secret,
         "active": True, "failed_attempts": 0, "created_at": created}
        for i, (r, u, n) in enumerate(people, start=1)
    ]  # fmt: skip
    s.execute(insert(Staff), rows)
    out: dict[Role, list[int]] = {r: [] for r in Role}
    for row in rows:
        out[row["role"]].append(row["id"])
    return out


def _patients(s: Session, rng: random.Random, staff: dict[Role, list[int]]) -> list[dict[str, Any]]:
    indications = list(Indication)
    given_pool, family_pool = _GIVEN + _EXTRA_GIVEN, _FAMILY + _EXTRA_FAMILY
    rows = []
    for i in range(PATIENTS):
        given, family = rng.choice(given_pool), rng.choice(family_pool)
        chart = f"KC-{10_000 + i * 3}"
        first_day = END - timedelta(days=rng.randrange(365 * YEARS))
        rows.append({
            "id": i + 1, "chart_number": chart, "given_name": given, "family_name": family,
            "search_key": search_key(given, family, chart),
            "date_of_birth": date(1945 + rng.randrange(60), 1 + rng.randrange(12), 1 + rng.randrange(28)),
            "indication": indications[rng.randrange(len(indications))],
            "created_at": datetime.combine(first_day, dtime(8), tzinfo=UTC),
            "created_by_id": rng.choice(staff[Role.GUIDE]),
        })  # fmt: skip
    s.execute(insert(Patient), rows)
    return rows


class _Tables:
    """Rows per model, with explicit ids so children can point at parents without a round trip."""

    ORDER = (TreatmentSession, CheckIn, ScaleResponse, CenteringRecord, Dose, Checkpoint,
             VitalsReading, Observation, DischargeAssessment, ReflectionNote)  # fmt: skip

    def __init__(self) -> None:
        self.rows: dict[type[Any], list[dict[str, Any]]] = {m: [] for m in self.ORDER}

    def add(self, model: type[Any], **row: Any) -> int:
        rows = self.rows[model]
        row["id"] = len(rows) + 1
        rows.append(row)
        return int(row["id"])

    def ordered(self) -> Iterator[tuple[type[Any], list[dict[str, Any]]]]:
        for model in self.ORDER:
            yield model, self.rows[model]


def _course(
    rng: random.Random, patient: dict[str, Any], staff: dict[Role, list[int]], t: _Tables
) -> None:
    """One patient's treatments: weekly at first, then every few weeks, up to END."""
    n = rng.randint(6, 21)
    day = patient["created_at"].date()
    for number in range(1, n + 1):
        if day >= END:
            break
        status = SessionStatus.ABANDONED if rng.random() < 0.01 else SessionStatus.COMPLETED
        _session(rng, patient, staff, t, number, n, day, status)
        day += timedelta(days=rng.randint(3, 9) if number < 6 else rng.randint(14, 45))


def _session(
    rng: random.Random, patient: dict[str, Any], staff: dict[Role, list[int]], t: _Tables,
    number: int, course_len: int, day: date, status: SessionStatus,
) -> None:  # fmt: skip
    physician, guide = rng.choice(staff[Role.PHYSICIAN]), rng.choice(staff[Role.GUIDE])
    start = datetime.combine(
        day, dtime(8 + rng.randrange(8), rng.choice([0, 15, 30, 45])), tzinfo=UTC
    )
    t0 = start + timedelta(minutes=35 + rng.randrange(10))
    done = status == SessionStatus.COMPLETED
    sid = t.add(TreatmentSession, patient_id=patient["id"], number_in_course=number, status=status,
                phase=Phase.NOTE if done else Phase.MONITORING, started_at=start,
                started_by_id=guide, guide_id=guide, physician_id=physician, t0=t0,
                discharged_at=t0 + timedelta(minutes=95) if done else None,
                ended_at=t0 + timedelta(minutes=110 if done else 50))  # fmt: skip
    rec = {"recorded_by_id": guide}
    progress = (number - 1) / max(1, course_len - 1)
    course = _COURSES[patient["indication"]]
    mood_pre = min(10, 2 + round(5 * progress) + rng.randrange(2))
    intention = rng.choice(_INTENTIONS)
    t.add(CheckIn, session_id=sid, last_food_at=start - timedelta(hours=5),
          last_drink_at=start - timedelta(hours=2), driver_name="Chris " + patient["family_name"],
          driver_phone=f"+1 555 01{rng.randrange(10, 99)}", medication_changes_reviewed=True,
          medication_flags=["lamotrigine"] if rng.random() < 0.15 else [], medication_notes=None,
          consent_on_file=True, touch_consent=rng.random() < 0.6, no_substances_today=True,
          intention=intention, mood_pre=mood_pre, anxiety_pre=max(0, 8 - round(4 * progress)),
          completed_at=start + timedelta(minutes=15), recorded_at=start + timedelta(minutes=15),
          **rec)  # fmt: skip
    n_items, item_max = _SCALE_ITEMS[course.scale]
    items = _spread(
        rng, max(0, round(course.start_score * (1 - 0.55 * progress))), n_items, item_max
    )
    t.add(ScaleResponse, session_id=sid, scale=course.scale, context="pre", items=items,
          total=sum(items), band="", measured_at=start + timedelta(minutes=10),
          recorded_at=start + timedelta(minutes=10), **rec)  # fmt: skip
    base = (118 + rng.randrange(16), 74 + rng.randrange(10), 66 + rng.randrange(14))
    weight = round(58 + rng.random() * 40, 1)
    t.add(VitalsReading, session_id=sid, checkpoint_id=None, context="baseline", systolic=base[0],
          diastolic=base[1], pulse=base[2], spo2=98, respiration=14, temperature_c=36.7,
          weight_kg=weight, on_oxygen=False, consciousness="A", news2_total=0, flags=[],
          measured_at=start + timedelta(minutes=5), recorded_at=start + timedelta(minutes=5),
          **rec)  # fmt: skip
    t.add(CenteringRecord, session_id=sid, mode="guided", script_id="breath_awareness",
          voice=None, rate=150, planned_s=600.0, actual_s=600.0, pauses=[], completed=True,
          ended_early=False, started_at=start + timedelta(minutes=20),
          ended_at=start + timedelta(minutes=30), guide_id=guide,
          recorded_at=start + timedelta(minutes=30), **rec)  # fmt: skip
    mg = round(weight * rng.choice([0.5, 0.6, 0.75]) / 5) * 5
    t.add(Dose, session_id=sid, kind="initial", drug="ketamine", dose_mg=float(mg),
          weight_kg=weight, mg_per_kg=round(mg / weight, 2), route="IM", site="left deltoid",
          lot_number=f"KT{24000 + rng.randrange(900)}", administered_at=t0,
          administered_by_id=physician, recorded_at=t0 + timedelta(minutes=1),
          recorded_by_id=physician)  # fmt: skip
    checkpoints = {}
    last_minute = 95 if done else 45
    for offset in (*CHECKPOINT_OFFSETS, 90):
        if offset > last_minute:
            break
        at = t0 + timedelta(minutes=offset)
        checkpoints[offset] = t.add(
            Checkpoint, session_id=sid, key="pre_discharge" if offset == 90 else f"t{offset}",
            offset_min=None if offset == 90 else float(offset), status="done",
            moaas=5 if offset in (5, 90) else rng.choice([3, 4, 4, 5]), cadss_items=None,
            cadss_total=rng.randrange(2, 14) if offset in (15, 30, 40) else 0,
            nausea=rng.choice([0, 0, 0, 1]), distress=rng.randrange(0, 4), note=None,
            missed_reason=None, measured_at=at, recorded_at=at + timedelta(minutes=1), **rec,
        )  # fmt: skip
    for minute in range(0, last_minute, 5):
        at = t0 + timedelta(minutes=minute)
        sys_, dia, pulse, spo2, resp = _vitals(rng, base, minute)
        cp = checkpoints.get(minute)
        t.add(VitalsReading, session_id=sid, checkpoint_id=cp,
              context="checkpoint" if cp else "extra", systolic=sys_, diastolic=dia, pulse=pulse,
              spo2=spo2, respiration=resp, temperature_c=None, weight_kg=None, on_oxygen=False,
              consciousness="A", news2_total=1 if sys_ > 150 else 0, flags=[], measured_at=at,
              recorded_at=at, **rec)  # fmt: skip
    adverse = rng.random() < 0.04
    for k in range(rng.randint(7, 13)):
        minute = rng.randrange(2, last_minute)
        is_ae = adverse and k == 0
        t.add(Observation, session_id=sid, tag=rng.choice(_ADVERSE if is_ae else _TAGS),
              text=rng.choice(_TEXTS) if rng.random() < 0.4 else None, adverse_event=is_ae,
              observed_at=t0 + timedelta(minutes=minute),
              recorded_at=t0 + timedelta(minutes=minute), updated_at=None, updated_by_id=None,
              **rec)  # fmt: skip
    if not done:
        return
    t.add(DischargeAssessment, session_id=sid, padss_vitals=2, padss_activity=2, padss_nausea=2,
          padss_pain=2, padss_total=8, moaas=5, dissociation_resolved=True, steady_gait=True,
          nausea_controlled=True, min_observation_passed=True, driver_present=True,
          driver_name_confirmed="Chris " + patient["family_name"], instructions_given=True,
          criteria_met=True, override_reason=None, override_by_id=None,
          assessed_at=t0 + timedelta(minutes=92), discharged_at=t0 + timedelta(minutes=95),
          recorded_at=t0 + timedelta(minutes=95), **rec)  # fmt: skip
    content = {
        "intention": intention, "experience": "Drifted through memories with warmth.",
        "themes": rng.sample(_THEMES, 2), "intensity": rng.randrange(3, 9), "tone": "tender",
        "insights": "Noticed how much effort goes into appearing fine.",
        "mood_post": min(10, mood_pre + rng.randrange(1, 3)), "anxiety_post": rng.randrange(1, 4),
        "adverse_events": [{"description": "see observations", "severity": "mild", "sae": False}]
        if adverse else [],
        "physician_plan": "course complete" if number == course_len else "continue",
    }  # fmt: skip
    signed = rng.random() > 0.02
    at = t0 + timedelta(minutes=130)
    # has_adverse_events is left out: the column's default derives it from `content`
    # (companion.storage.models), as the app's own writes do.
    t.add(ReflectionNote, session_id=sid, content=content, status="signed" if signed else "draft",
          created_at=t0 + timedelta(minutes=100), created_by_id=guide, updated_at=at,
          updated_by_id=physician, guide_id=guide, signed_at=at if signed else None,
          signed_by_id=physician if signed else None,
          content_sha256=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
          if signed else None)  # fmt: skip


if __name__ == "__main__":
    print(ensure())
