"""A session walked through the app's own services, step by step (shared by several figures).

Each step is one user action through the service the screen would call, so what is stored (and
how long the commit takes) is what the app does. Times come from the ManualClock given in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from argon2 import PasswordHasher

from companion.clinical.plausibility import VitalsValues
from companion.clock import ManualClock
from companion.roles import Actor
from companion.services import Services
from companion.services.discharge import AssessmentEntry
from companion.storage.models import Indication, Role

PIN = "2468"
# Fast hashing: signing in is not what is measured (the app uses argon2's defaults).
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CHECKPOINTS = ("t5", "t15", "t30", "t40", "t60", "pre_discharge")
CHECKPOINT_MIN = {"t5": 5, "t15": 15, "t30": 30, "t40": 40, "t60": 60, "pre_discharge": 75}
BASELINE = VitalsValues(systolic=128, diastolic=80, pulse=72, spo2=98, respiration=14,
                        temperature_c=36.8, weight_kg=72.0)  # fmt: skip


@dataclass(frozen=True)
class Team:
    admin: Actor
    physician: Actor
    guide: Actor


def team(services: Services) -> Team:
    """The staff of a new clinic (or the existing first physician and guide)."""
    if not services.staff.has_staff():
        admin = services.staff.create_first_admin("admin", "Alex Morgan", PIN)
        services.staff.add_staff(admin, "dr.okafor", "Dr. Maya Okafor", Role.PHYSICIAN, PIN)
        services.staff.add_staff(admin, "sam.rivera", "Sam Rivera", Role.GUIDE, PIN)
    people: dict[Role, Actor] = {}
    for row in services.staff.list_staff():
        people.setdefault(row.role, Actor(row.id, row.role, row.display_name))
    return Team(people[Role.ADMIN], people[Role.PHYSICIAN], people[Role.GUIDE])


def checked_in(services: Services, t: Team, chart: str) -> int:
    """A new patient's session with a complete check-in (now in the centering phase)."""
    now = services.clock.now()
    patient = services.patients.add_patient(
        t.guide, chart, "Zoë", "Dubois", date(1984, 5, 6), Indication.DEPRESSION
    )
    sid = services.sessions.start_session(t.guide, patient.id).id
    c = services.checkin
    c.save_checklist(
        t.guide, sid, last_food_at=now - timedelta(hours=5), last_drink_at=now - timedelta(hours=2),
        driver_name="Chris Dubois", driver_phone="+1 555 0142", medication_changes_reviewed=True,
        medication_flags=[], consent_on_file=True, touch_consent=True, no_substances_today=True,
    )  # fmt: skip
    c.record_baseline(t.guide, sid, BASELINE, now - timedelta(minutes=2))
    c.record_ratings(t.guide, sid, mood=4, anxiety=5, intention="To feel safe in my body again.")
    scale = c.state(sid).scale_id
    items = {"phq9": [2, 2, 1, 2, 1, 2, 1, 1, 0], "gad7": [2, 2, 1, 2, 1, 1, 1]}
    c.record_scale(t.guide, sid, scale, items.get(scale, [1] * 20))
    c.complete(t.guide, sid)
    return sid


def dosed(services: Services, t: Team, sid: int) -> None:
    """Centering recorded as skipped, then the first dose: T0 is now, the phase is monitoring."""
    services.centering.record_skipped(t.guide, sid, "benchmark: centering measured elsewhere")
    services.dosing.record_dose(
        t.physician, sid, "ketamine", 50.0, "IM", "left deltoid", "KT24117",
        services.clock.now(), t.physician.id,
    )  # fmt: skip


def checkpoint_values(minute: int) -> VitalsValues:
    rise = 14 if 15 <= minute <= 45 else 4
    return VitalsValues(systolic=128 + rise, diastolic=80 + rise // 2, pulse=74 + rise // 2,
                        spo2=97, respiration=14)  # fmt: skip


def discharge_and_sign(services: Services, clock: ManualClock, t: Team, sid: int) -> None:
    """Discharge with every criterion met, then the note drafted, planned and signed."""
    entry = AssessmentEntry(
        moaas=5, padss_activity=2, padss_nausea=2, padss_pain=2, dissociation_resolved=True,
        steady_gait=True, nausea_controlled=True, driver_present=True, driver_name="Chris Dubois",
        instructions_given=True,
    )  # fmt: skip
    services.discharge.assess(t.guide, sid, entry)
    services.discharge.discharge(t.guide, sid)
    clock.advance(60)
    services.notes.draft(t.guide, sid)
    services.notes.save_draft(
        t.guide, sid, {"experience": "Drifted through memories with warmth.", "intensity": 6}
    )
    services.notes.save_draft(t.physician, sid, {"physician_plan": "continue"})
    services.notes.sign(t.physician, sid)
