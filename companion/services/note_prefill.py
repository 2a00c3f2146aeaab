"""What a new reflection note already knows (CLINICAL.md §6): the intention, a timeline with
minutes since T0, baseline and peak vitals, the centering record, observations, adverse events
and music/VR. Written as editable text so the clinician can correct it before signing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.storage.models import (
    CenteringRecord,
    CheckIn,
    Checkpoint,
    DischargeAssessment,
    Dose,
    Observation,
    TreatmentSession,
    VitalsReading,
)


def prefill(s: Session, ts: TreatmentSession) -> dict[str, Any]:
    """Content keys filled from the stored session (the rest of the note starts empty)."""
    check_in = s.scalar(select(CheckIn).where(CheckIn.session_id == ts.id))
    centering = s.scalar(
        select(CenteringRecord)
        .where(CenteringRecord.session_id == ts.id)
        .order_by(CenteringRecord.recorded_at.desc(), CenteringRecord.id.desc())
        .limit(1)
    )
    doses = list(s.scalars(select(Dose).where(Dose.session_id == ts.id)))
    t0 = ts.t0 or min((d.administered_at for d in doses), default=None)
    checkpoints = list(s.scalars(select(Checkpoint).where(Checkpoint.session_id == ts.id)))
    observations = list(
        s.scalars(
            select(Observation)
            .where(Observation.session_id == ts.id)
            .order_by(Observation.observed_at, Observation.id)
        )
    )
    readings = list(
        s.scalars(
            select(VitalsReading)
            .where(VitalsReading.session_id == ts.id)
            .order_by(VitalsReading.measured_at, VitalsReading.id)
        )
    )
    discharge = s.scalar(
        select(DischargeAssessment)
        .where(
            DischargeAssessment.session_id == ts.id, DischargeAssessment.discharged_at.is_not(None)
        )
        .limit(1)
    )
    events: list[tuple[datetime, str]] = []
    if centering is not None and centering.started_at is not None:
        events.append((centering.started_at, f"Centering: {_centering_text(centering)}"))
    for d in sorted(doses, key=lambda d: d.administered_at):
        events.append((d.administered_at, _dose_text(d)))
    for c in checkpoints:
        events.append((c.measured_at, _checkpoint_text(c)))
    for o in observations:
        events.append((o.observed_at, "Observation: " + _observation_text(o)))
    if discharge is not None and discharge.discharged_at is not None:
        override = " (criteria overridden by the physician)" if discharge.override_reason else ""
        events.append(
            (discharge.discharged_at, f"Discharged, PADSS {discharge.padss_total}/8{override}")
        )
    events.sort(key=lambda e: e[0])
    timeline = "\n".join(f"{_since(when, t0)} ({_hm(when)})  {text}" for when, text in events)
    return {
        "intention": (check_in.intention or "") if check_in else "",
        "timeline": timeline,
        "vitals_summary": _vitals_text(readings, t0),
        "centering": _centering_text(centering) if centering is not None else "",
        "observations": "\n".join(
            f"{_since(o.observed_at, t0)}  {_observation_text(o)}" for o in observations
        ),
        "adverse_events": [
            {"description": _what(o)[:500], "severity": None, "sae": False}
            for o in observations
            if o.adverse_event
        ],
        "music_vr": _music_vr(centering, observations, t0),
    }


def _hm(when: datetime) -> str:
    return when.astimezone().strftime("%H:%M")


def _since(when: datetime, t0: datetime | None) -> str:
    """ "T+23 min" relative to the injection ("T−25 min" before it)."""
    if t0 is None:
        return "before dose"
    minutes = round((when - t0).total_seconds() / 60)
    return f"T{'+' if minutes >= 0 else '−'}{abs(minutes)} min"


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    m, s = divmod(round(seconds), 60)
    return f"{m} min {s} s" if s else f"{m} min"


def _centering_text(c: CenteringRecord) -> str:
    if c.mode == "vr":
        return "VR used instead of a guided meditation"
    if c.mode == "skipped":
        return "Skipped" + (f" ({c.note})" if c.note else "")
    script = (c.script_id or "meditation").replace("_", " ")
    parts = [f"guided {script}", f"planned {_minutes(c.planned_s)}"]
    if c.actual_s is not None:
        parts.append(f"actual {_minutes(c.actual_s)}")
    if c.pauses:
        parts.append(f"paused {len(c.pauses)}×")
    parts.append(
        "completed" if c.completed else "ended early" if c.ended_early else "not completed"
    )
    return ", ".join(parts)


def _dose_text(d: Dose) -> str:
    kind = "Top-up" if d.kind != "initial" else "Dose"
    text = f"{kind}: {d.drug} {d.dose_mg:g} mg {d.route}"
    if d.site:
        text += f", {d.site}"
    if d.mg_per_kg is not None:
        text += f" ({d.mg_per_kg:.2f} mg/kg)"
    return text + (f", lot {d.lot_number}" if d.lot_number else "")


def _checkpoint_text(c: Checkpoint) -> str:
    label = "before discharge" if c.offset_min is None else f"{c.offset_min:g} min"
    if c.status == "missed":
        return f"Checkpoint {label} missed" + (f": {c.missed_reason}" if c.missed_reason else "")
    values = [
        f"{name} {value}"
        for name, value in (
            ("MOAA/S", c.moaas),
            ("CADSS-6", c.cadss_total),
            ("nausea", c.nausea),
            ("distress", c.distress),
        )
        if value is not None
    ]
    text = f"Checkpoint {label}: " + (", ".join(values) or "recorded")
    return text + (f". {c.note}" if c.note else "")


def _what(o: Observation) -> str:
    return " — ".join(p for p in (o.tag, o.text) if p) or "(no text)"


def _observation_text(o: Observation) -> str:
    return _what(o) + (" [adverse event]" if o.adverse_event else "")


def _bp(r: VitalsReading) -> str:
    return f"{r.systolic}/{r.diastolic}" if r.systolic is not None else "—"


def _vitals_text(readings: list[VitalsReading], t0: datetime | None) -> str:
    lines: list[str] = []
    baseline = [r for r in readings if r.context == "baseline"]
    after = [r for r in readings if r.context != "baseline"]
    if baseline:
        b = baseline[-1]
        values = [f"BP {_bp(b)}"]
        values += [
            f"{label} {value}{unit}"
            for label, value, unit in (
                ("pulse", b.pulse, ""),
                ("SpO2", b.spo2, " %"),
                ("RR", b.respiration, ""),
                ("temperature", b.temperature_c, " °C"),
                ("weight", b.weight_kg, " kg"),
            )
            if value is not None
        ]
        lines.append(f"Baseline ({_hm(b.measured_at)}): " + ", ".join(values) + ".")
    peaks: list[str] = []
    with_bp = [r for r in after if r.systolic is not None]
    if with_bp:
        r = max(with_bp, key=lambda r: r.systolic or 0)
        peaks.append(f"highest BP {_bp(r)} at {_since(r.measured_at, t0)}")
    with_pulse = [r for r in after if r.pulse is not None]
    if with_pulse:
        r = max(with_pulse, key=lambda r: r.pulse or 0)
        peaks.append(f"highest pulse {r.pulse} at {_since(r.measured_at, t0)}")
    with_spo2 = [r for r in after if r.spo2 is not None]
    if with_spo2:
        r = min(with_spo2, key=lambda r: r.spo2 or 0)
        peaks.append(f"lowest SpO2 {r.spo2} % at {_since(r.measured_at, t0)}")
    if peaks:
        lines.append("After the dose: " + "; ".join(peaks) + ".")
    if after:
        last = after[-1]
        lines.append(
            f"Last ({_since(last.measured_at, t0)}): BP {_bp(last)}"
            + (f", pulse {last.pulse}" if last.pulse is not None else "")
            + "."
        )
    return "\n".join(lines)


def _music_vr(
    centering: CenteringRecord | None, observations: list[Observation], t0: datetime | None
) -> str:
    parts: list[str] = []
    if centering is not None and centering.mode == "vr":
        parts.append("VR during centering")
    changes = [o for o in observations if (o.tag or "").casefold() == "music changed"]
    if changes:
        when = ", ".join(_since(o.observed_at, t0) for o in changes)
        parts.append(f"Music (changed at {when})")
    return "; ".join(parts)
