"""A deterministic synthetic clinic for `--demo`, screenshots and benchmarks.

About a dozen patients with mixed indications, each with a few months of weekly sessions: vitals
that rise after the injection and peak about 40 min after T0 (as in the Spravato label's BP data),
checkpoints, observations, discharges and signed notes. Same `today` and seed → same database.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from companion.clinical.news2 import news2
from companion.clinical.plausibility import VitalsValues, flag_vitals
from companion.clinical.scales import score_scale
from companion.demo_accounts import DEMO_ACCOUNTS, DEMO_SECRET
from companion.services.notes import content_hash
from companion.services.patients import search_key
from companion.storage.database import Database
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

CHECKPOINT_OFFSETS = (5, 15, 30, 40, 60)

_GIVEN = [
    "Amara",
    "Jonas",
    "Priya",
    "Mateo",
    "Zoë",
    "Kwame",
    "Hannah",
    "Luis",
    "Mei",
    "Olivia",
    "Tomás",
    "Fatima",
    "Erik",
    "Noor",
    "Camille",
    "Diego",
]
_FAMILY = [
    "Okoye",
    "Lindqvist",
    "Raman",
    "Fernández",
    "Dubois",
    "Mensah",
    "Weber",
    "Castillo",
    "Nakamura",
    "Brennan",
    "Álvarez",
    "Haddad",
    "Sørensen",
    "Qureshi",
    "Moreau",
    "Ibarra",
]
_INTENTIONS = [
    "To meet my sadness with more kindness.",
    "I want to understand why I keep pushing people away.",
    "To feel safe in my body again.",
    "Let go of the need to control everything.",
    "To find some hope for the next months.",
    "Reconnect with the part of me that used to enjoy things.",
]
_THEMES = ["grief", "fear", "connection", "body", "memory", "insight", "joy", "relationships"]
_TAGS = ["verbal processing", "tearful", "eye mask off", "music changed", "repositioned", "anxiety"]


@dataclass(frozen=True)
class _Course:
    indication: Indication
    scale: str
    start_score: int
    max_score: int


_COURSES = {
    Indication.DEPRESSION: _Course(Indication.DEPRESSION, "phq9", 17, 27),
    Indication.TRD: _Course(Indication.TRD, "phq9", 21, 27),
    Indication.ANXIETY: _Course(Indication.ANXIETY, "gad7", 15, 21),
    Indication.PTSD: _Course(Indication.PTSD, "pcl5", 52, 80),
    Indication.OTHER: _Course(Indication.OTHER, "phq9", 12, 27),
}
_SCALE_ITEMS = {"phq9": (9, 3), "gad7": (7, 3), "pcl5": (20, 4)}


def seed_demo(db: Database, today: date, seed: int = 20260301) -> None:
    rng = random.Random(seed)
    hasher = PasswordHasher()
    # Hash once: argon2 is deliberately slow and every demo account shares the demo PIN.
    secret_hash = hasher.hash(DEMO_SECRET)
    created = datetime.combine(today - timedelta(days=200), time(8), tzinfo=UTC)
    with db.transaction() as s:
        staff = {
            role: Staff(
                username=username,
                display_name=name,
                role=role,
                secret_hash=secret_hash,
                active=True,
                failed_attempts=0,
                created_at=created,
            )
            for role, username, name in ((Role(r), u, n) for r, u, n in DEMO_ACCOUNTS)
        }
        s.add_all(staff.values())
        s.flush()
        indications = list(Indication)
        for i in range(12):
            indication = indications[i % len(indications)] if i < 10 else Indication.TRD
            birth = date(1958 + rng.randrange(45), 1 + rng.randrange(12), 1 + rng.randrange(28))
            given, family = _GIVEN[i], _FAMILY[i]
            chart = f"KC-{1041 + i * 7}"
            patient = Patient(
                chart_number=chart,
                given_name=given,
                family_name=family,
                search_key=search_key(given, family, chart),
                date_of_birth=birth,
                indication=indication,
                created_at=created,
                created_by_id=staff[Role.GUIDE].id,
            )
            s.add(patient)
            s.flush()
            n_sessions = 3 + rng.randrange(6)
            first = today - timedelta(days=7 * n_sessions + rng.randrange(60))
            for k in range(n_sessions):
                day = first + timedelta(days=7 * k + rng.randrange(3))
                if day >= today:
                    break
                _completed_session(s, rng, patient, staff, k + 1, n_sessions, day)
        s.flush()
        _todays_sessions(s, rng, staff, today)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _vitals(
    rng: random.Random, base: tuple[int, int, int], minutes: float
) -> tuple[int, int, int, int, int]:
    # Rise after the injection, peaking near 40 min and settling by ~90 min.
    rise = math.exp(-(((minutes - 40) / 28) ** 2)) if minutes > 0 else 0.0
    sys_ = round(base[0] + 22 * rise + rng.gauss(0, 3))
    dia = round(base[1] + 12 * rise + rng.gauss(0, 2))
    pulse = round(base[2] + 11 * rise + rng.gauss(0, 3))
    spo2 = min(100, round(97 + rng.gauss(0, 0.8)))
    resp = round(14 + rng.gauss(0, 1.2))
    return sys_, dia, pulse, spo2, resp


def _completed_session(
    s: Session,
    rng: random.Random,
    patient: Patient,
    staff: dict[Role, Staff],
    number: int,
    course_len: int,
    day: date,
) -> None:
    physician, guide = staff[Role.PHYSICIAN], staff[Role.GUIDE]
    start = _at(day, 9 + rng.randrange(6), rng.choice([0, 15, 30]))
    t0 = start + timedelta(minutes=35 + rng.randrange(10))
    ts = TreatmentSession(
        patient_id=patient.id,
        number_in_course=number,
        status=SessionStatus.COMPLETED,
        phase=Phase.NOTE,
        started_at=start,
        started_by_id=guide.id,
        guide_id=guide.id,
        physician_id=physician.id,
        t0=t0,
        discharged_at=t0 + timedelta(minutes=95),
        ended_at=t0 + timedelta(minutes=110),
    )
    s.add(ts)
    s.flush()
    rec = {"recorded_by_id": guide.id}
    progress = (number - 1) / max(1, course_len - 1)
    course = _COURSES[patient.indication]
    mood_pre = min(10, 2 + round(5 * progress) + rng.randrange(2))
    intention = rng.choice(_INTENTIONS)
    s.add(
        CheckIn(
            session_id=ts.id,
            last_food_at=start - timedelta(hours=4, minutes=rng.randrange(90)),
            last_drink_at=start - timedelta(hours=2, minutes=rng.randrange(60)),
            driver_name=rng.choice(["Chris", "Jordan", "Sam", "Robin"]) + " " + patient.family_name,
            driver_phone=f"+1 555 01{rng.randrange(10, 99)}",
            medication_changes_reviewed=True,
            medication_flags=["lamotrigine"] if rng.random() < 0.15 else [],
            consent_on_file=True,
            touch_consent=rng.random() < 0.6,
            no_substances_today=True,
            intention=intention,
            mood_pre=mood_pre,
            anxiety_pre=max(0, 8 - round(4 * progress) - rng.randrange(2)),
            completed_at=start + timedelta(minutes=15),
            recorded_at=start + timedelta(minutes=15),
            **rec,
        )
    )
    n_items, item_max = _SCALE_ITEMS[course.scale]
    target = max(0, round(course.start_score * (1 - 0.55 * progress)) + rng.randrange(-2, 3))
    items = _spread(rng, target, n_items, item_max)
    if course.scale == "phq9":
        items[8] = 0  # the demo keeps item 9 at zero: no safety alert in synthetic history
    score = score_scale(course.scale, items)
    s.add(
        ScaleResponse(
            session_id=ts.id,
            scale=course.scale,
            context="pre",
            items=items,
            total=score.total,
            band=score.band,
            measured_at=start + timedelta(minutes=10),
            recorded_at=start + timedelta(minutes=10),
            **rec,
        )
    )
    base = (118 + rng.randrange(16), 74 + rng.randrange(10), 66 + rng.randrange(14))
    temp = round(36.4 + rng.random() * 0.6, 1)
    baseline = VitalsValues(
        systolic=base[0],
        diastolic=base[1],
        pulse=base[2],
        spo2=98,
        respiration=14,
        temperature_c=temp,
    )
    s.add(
        VitalsReading(
            session_id=ts.id,
            context="baseline",
            systolic=base[0],
            diastolic=base[1],
            pulse=base[2],
            spo2=98,
            respiration=14,
            temperature_c=temp,
            weight_kg=round(58 + rng.random() * 40, 1),
            on_oxygen=False,
            consciousness="A",
            news2_total=news2(baseline).total,
            flags=[asdict(f) for f in flag_vitals(baseline)],
            measured_at=start + timedelta(minutes=5),
            recorded_at=start + timedelta(minutes=5),
            **rec,
        )
    )
    s.add(
        CenteringRecord(
            session_id=ts.id,
            mode="vr" if rng.random() < 0.2 else "guided",
            script_id=rng.choice(["breath_awareness", "body_scan", "safe_place"]),
            planned_s=600.0,
            actual_s=600.0,
            pauses=[],
            completed=True,
            ended_early=False,
            started_at=start + timedelta(minutes=20),
            ended_at=start + timedelta(minutes=30),
            guide_id=guide.id,
            recorded_at=start + timedelta(minutes=30),
            **rec,
        )
    )
    weight = 58 + rng.random() * 40
    mg = round(weight * rng.choice([0.5, 0.6, 0.75]) / 5) * 5
    s.add(
        Dose(
            session_id=ts.id,
            kind="initial",
            drug="ketamine",
            dose_mg=float(mg),
            weight_kg=round(weight, 1),
            mg_per_kg=round(mg / weight, 2),
            route="IM",
            site=rng.choice(["left deltoid", "right deltoid"]),
            lot_number=f"KT{24000 + rng.randrange(900)}",
            administered_at=t0,
            administered_by_id=physician.id,
            recorded_at=t0 + timedelta(minutes=1),
            recorded_by_id=physician.id,
        )
    )
    for offset in (*CHECKPOINT_OFFSETS, 90):
        at = t0 + timedelta(minutes=offset)
        key = "pre_discharge" if offset == 90 else f"t{offset}"
        cp = Checkpoint(
            session_id=ts.id,
            key=key,
            offset_min=None if offset == 90 else float(offset),
            status="done",
            moaas=5 if offset in (5, 90) else rng.choice([3, 4, 4, 5]),
            cadss_items=None,
            cadss_total=rng.randrange(2, 14) if offset in (15, 30, 40) else 0,
            nausea=rng.choice([0, 0, 0, 1]),
            distress=rng.randrange(0, 4),
            measured_at=at,
            recorded_at=at + timedelta(minutes=1),
            **rec,
        )
        s.add(cp)
        s.flush()
        sys_, dia, pulse, spo2, resp = _vitals(rng, base, offset)
        values = VitalsValues(
            systolic=sys_,
            diastolic=dia,
            pulse=pulse,
            spo2=spo2,
            respiration=resp,
            temperature_c=round(36.6 + rng.random() * 0.5, 1),
        )
        s.add(
            VitalsReading(
                session_id=ts.id,
                checkpoint_id=cp.id,
                context="checkpoint",
                systolic=sys_,
                diastolic=dia,
                pulse=pulse,
                spo2=spo2,
                respiration=resp,
                temperature_c=values.temperature_c,
                on_oxygen=False,
                consciousness="A",
                news2_total=news2(values).total,
                flags=[asdict(f) for f in flag_vitals(values, baseline)],
                measured_at=at,
                recorded_at=at + timedelta(minutes=1),
                **rec,
            )
        )
    for _ in range(rng.randrange(1, 4)):
        minute = rng.randrange(3, 70)
        s.add(
            Observation(
                session_id=ts.id,
                tag=rng.choice(_TAGS),
                observed_at=t0 + timedelta(minutes=minute),
                recorded_at=t0 + timedelta(minutes=minute),
                **rec,
            )
        )
    s.add(
        DischargeAssessment(
            session_id=ts.id,
            padss_vitals=2,
            padss_activity=2,
            padss_nausea=2,
            padss_pain=2,
            padss_total=8,
            moaas=5,
            dissociation_resolved=True,
            steady_gait=True,
            nausea_controlled=True,
            min_observation_passed=True,
            driver_present=True,
            driver_name_confirmed="driver confirmed",
            instructions_given=True,
            criteria_met=True,
            assessed_at=t0 + timedelta(minutes=92),
            discharged_at=t0 + timedelta(minutes=95),
            recorded_at=t0 + timedelta(minutes=95),
            **rec,
        )
    )
    content = {
        "intention": intention,
        "experience": "Described drifting through memories with a sense of distance and warmth.",
        "themes": rng.sample(_THEMES, 2),
        "intensity": rng.randrange(3, 9),
        "tone": rng.choice(["tender", "peaceful", "bittersweet", "unsettled then calm"]),
        "challenges": "Brief anxiety at onset; settled with breathing and reassurance.",
        "insights": "Noticed how much effort goes into appearing fine.",
        "body": "Heaviness in limbs, warmth in chest.",
        "mood_post": min(10, mood_pre + rng.randrange(1, 3)),
        "anxiety_post": rng.randrange(1, 4),
        "adverse_events": [],
        "music_vr": "Music (clinic playlist)",
        "integration_plan": "Journaling daily; integration session next week.",
        "next_integration": (day + timedelta(days=5)).isoformat(),
        "physician_plan": "course complete" if number == course_len else "continue",
    }
    signed_at = t0 + timedelta(minutes=130)
    s.add(
        ReflectionNote(
            session_id=ts.id,
            content=content,
            status="signed",
            created_at=t0 + timedelta(minutes=100),
            created_by_id=guide.id,
            updated_at=signed_at,
            updated_by_id=physician.id,
            guide_id=guide.id,
            signed_at=signed_at,
            signed_by_id=physician.id,
            content_sha256=content_hash(content),
        )
    )


def _spread(rng: random.Random, total: int, n: int, item_max: int) -> list[int]:
    total = min(total, n * item_max)
    items = [0] * n
    for _ in range(total):
        candidates = [i for i in range(n) if items[i] < item_max]
        items[rng.choice(candidates)] += 1
    return items


def _todays_sessions(s: Session, rng: random.Random, staff: dict[Role, Staff], today: date) -> None:
    """Two sessions in progress today so the Today screen looks like a working morning."""
    patients = s.query(Patient).order_by(Patient.id).all()
    guide = staff[Role.GUIDE]
    for patient, phase in ((patients[1], Phase.CHECK_IN), (patients[4], Phase.CENTERING)):
        number = 1 + sum(1 for x in patient.sessions if x.status == SessionStatus.COMPLETED)
        s.add(
            TreatmentSession(
                patient_id=patient.id,
                number_in_course=number,
                status=SessionStatus.IN_PROGRESS,
                phase=phase,
                started_at=_at(today, 8, 30 + rng.randrange(20)),
                started_by_id=guide.id,
                guide_id=guide.id,
            )
        )
