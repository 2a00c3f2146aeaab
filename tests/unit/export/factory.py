"""Test data for review and export: sessions with every table filled and distinctive values.

Rows are written straight through the ORM (as the demo seeder does) so these tests do not depend
on the check-in, monitoring and note services; the values are ones a test can look for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from companion.roles import Actor
from companion.services import Services
from companion.storage.models import (
    Alert,
    CenteringRecord,
    CheckIn,
    Checkpoint,
    DischargeAssessment,
    Dose,
    Indication,
    NoteAddendum,
    Observation,
    Phase,
    ReflectionNote,
    ScaleResponse,
    SessionStatus,
    TreatmentSession,
    VitalsReading,
)

INTENTION = "To meet my grief with kindness"
OBSERVATION_TEXT = "=cmd|' /C calc'!A0 tearful, held hand"  # also a CSV-injection probe
ADDENDUM_TEXT = "Correction: nausea began at T+25, not T+20."
ACK_NOTE = "Re-checked after 5 min: 150/92"
LOT = "KT-LOT-7731"
EXPERIENCE = 'Felt held & safe <mostly>; saw "light"'


@dataclass(frozen=True)
class Made:
    session_id: int
    patient_id: int
    t0: datetime


def add_patient(
    services: Services,
    actor: Actor,
    chart: str = "KC-9001",
    given: str = "Zoë",
    family: str = "Dubois",
    indication: Indication = Indication.DEPRESSION,
) -> int:
    return services.patients.add_patient(
        actor, chart, given, family, date(1980, 5, 17), indication
    ).id


def make_session(
    services: Services,
    patient_id: int,
    physician: Actor,
    guide: Actor,
    start: datetime,
    *,
    number: int = 1,
    status: SessionStatus = SessionStatus.COMPLETED,
    note: str | None = "signed",
    adverse_observation: bool = False,
    adverse_in_note: bool = False,
    full: bool = True,
    scale: str = "phq9",
    scale_total: int = 14,
    mood_post: Any = 7,
) -> Made:
    t0 = start + timedelta(minutes=40)
    rec = {"recorded_by_id": guide.id}
    with services.db.transaction() as s:
        ts = TreatmentSession(
            patient_id=patient_id,
            number_in_course=number,
            status=status,
            phase=Phase.NOTE if status == SessionStatus.COMPLETED else Phase.CHECK_IN,
            started_at=start,
            started_by_id=guide.id,
            guide_id=guide.id,
            physician_id=physician.id,
            t0=t0 if full else None,
            discharged_at=t0 + timedelta(minutes=95) if full else None,
            ended_at=t0 + timedelta(minutes=110) if status != SessionStatus.IN_PROGRESS else None,
        )
        s.add(ts)
        s.flush()
        if full:
            _fill(
                s, ts.id, start, t0, physician, guide, rec, scale, scale_total, adverse_observation
            )
        if note is not None:
            content: dict[str, Any] = {
                "intention": INTENTION,
                "experience": EXPERIENCE,
                "themes": ["grief", "connection"],
                "mood_post": mood_post,
                "anxiety_post": 2,
                "adverse_events": (
                    [{"description": "Vomiting", "severity": "mild", "sae": False}]
                    if adverse_in_note
                    else []
                ),
                "physician_plan": "continue",
            }
            n = ReflectionNote(
                session_id=ts.id,
                content=content,
                status=note,
                created_at=t0 + timedelta(minutes=100),
                created_by_id=guide.id,
                updated_at=t0 + timedelta(minutes=120),
                updated_by_id=physician.id,
                guide_id=guide.id,
                signed_at=t0 + timedelta(minutes=120) if note == "signed" else None,
                signed_by_id=physician.id if note == "signed" else None,
            )
            s.add(n)
            s.flush()
            if note == "signed":
                s.add(
                    NoteAddendum(
                        note_id=n.id,
                        text=ADDENDUM_TEXT,
                        author_id=guide.id,
                        written_at=t0 + timedelta(days=1),
                    )
                )
        return Made(ts.id, patient_id, t0)


def _fill(
    s: Any,
    sid: int,
    start: datetime,
    t0: datetime,
    physician: Actor,
    guide: Actor,
    rec: dict[str, int],
    scale: str,
    scale_total: int,
    adverse_observation: bool,
) -> None:
    s.add(
        CheckIn(
            session_id=sid,
            last_food_at=start - timedelta(hours=5),
            last_drink_at=start - timedelta(hours=2),
            driver_name="Chris Dubois",
            driver_phone="+1 555 0142",
            medication_changes_reviewed=True,
            medication_flags=["lamotrigine"],
            consent_on_file=True,
            touch_consent=False,
            no_substances_today=True,
            intention=INTENTION,
            mood_pre=3,
            anxiety_pre=6,
            completed_at=start + timedelta(minutes=15),
            recorded_at=start + timedelta(minutes=15),
            **rec,
        )
    )
    s.add(
        ScaleResponse(
            session_id=sid,
            scale=scale,
            context="pre",
            items=[1] * 9,
            total=scale_total,
            band="moderate",
            measured_at=start + timedelta(minutes=10),
            recorded_at=start + timedelta(minutes=10),
            **rec,
        )
    )
    s.add(
        VitalsReading(
            session_id=sid,
            context="baseline",
            systolic=128,
            diastolic=79,
            pulse=71,
            spo2=98,
            respiration=14,
            temperature_c=36.8,
            weight_kg=72.5,
            measured_at=start + timedelta(minutes=5),
            recorded_at=start + timedelta(minutes=5),
            **rec,
        )
    )
    s.add(
        CenteringRecord(
            session_id=sid,
            mode="guided",
            script_id="body_scan",
            planned_s=600.0,
            actual_s=540.0,
            pauses=[{"at": 100, "s": 20}],
            completed=True,
            ended_early=True,
            started_at=start + timedelta(minutes=20),
            ended_at=start + timedelta(minutes=29),
            guide_id=guide.id,
            recorded_at=start + timedelta(minutes=30),
            **rec,
        )
    )
    s.add(
        Dose(
            session_id=sid,
            kind="initial",
            drug="ketamine",
            dose_mg=45.0,
            weight_kg=72.5,
            mg_per_kg=0.62,
            route="IM",
            site="left deltoid",
            lot_number=LOT,
            administered_at=t0,
            administered_by_id=physician.id,
            recorded_at=t0,
            recorded_by_id=physician.id,
        )
    )
    cp = Checkpoint(
        session_id=sid,
        key="t40",
        offset_min=40.0,
        status="done",
        moaas=4,
        cadss_total=9,
        nausea=1,
        distress=2,
        note="settled",
        measured_at=t0 + timedelta(minutes=40),
        recorded_at=t0 + timedelta(minutes=41),
        **rec,
    )
    s.add(cp)
    s.flush()
    peak = VitalsReading(
        session_id=sid,
        checkpoint_id=cp.id,
        context="checkpoint",
        systolic=163,
        diastolic=101,
        pulse=94,
        spo2=95,
        respiration=17,
        news2_total=2,
        flags=["bp_rise"],
        measured_at=t0 + timedelta(minutes=40),
        recorded_at=t0 + timedelta(minutes=41),
        **rec,
    )
    s.add(peak)
    s.flush()
    s.add(
        Alert(
            session_id=sid,
            reading_id=peak.id,
            code="bp_rise",
            severity="urgent",
            title="Systolic rise of 35 over baseline",
            detail="163/101 vs baseline 128/79",
            raised_at=t0 + timedelta(minutes=40),
            acknowledged_at=t0 + timedelta(minutes=42),
            acknowledged_by_id=physician.id,
            acknowledgement_note=ACK_NOTE,
        )
    )
    s.add(
        Observation(
            session_id=sid,
            tag="tearful",
            text=OBSERVATION_TEXT,
            adverse_event=adverse_observation,
            observed_at=t0 + timedelta(minutes=22),
            recorded_at=t0 + timedelta(minutes=23),
            **rec,
        )
    )
    s.add(
        DischargeAssessment(
            session_id=sid,
            padss_vitals=1,
            padss_activity=2,
            padss_nausea=2,
            padss_pain=2,
            padss_total=7,
            moaas=5,
            dissociation_resolved=True,
            steady_gait=True,
            nausea_controlled=True,
            min_observation_passed=True,
            driver_present=True,
            driver_name_confirmed="Chris Dubois",
            instructions_given=True,
            criteria_met=False,
            override_reason="BP settling, physician reviewed",
            override_by_id=physician.id,
            assessed_at=t0 + timedelta(minutes=92),
            discharged_at=t0 + timedelta(minutes=95),
            recorded_at=t0 + timedelta(minutes=95),
            **rec,
        )
    )
