"""A session record as labelled text: one place for the wording shared by the record screen, the
PDF and the FHIR note sections, so the screen and the paper never disagree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from companion.services.record_types import (
    AlertView,
    CheckInView,
    DischargeView,
    DoseView,
    SessionRecord,
    VitalsView,
)

SCALE_NAMES = {"phq9": "PHQ-9", "gad7": "GAD-7", "pcl5": "PCL-5", "qids16": "QIDS-SR16"}

# CLINICAL.md §6 plus what the note is pre-filled with, in the order a reader expects: the one
# list for the note on screen, in the record view and in the PDF. Unknown keys follow these.
NOTE_FIELDS: tuple[tuple[str, str], ...] = (
    ("intention", "Intention"),
    ("experience", "Subjective experience"),
    ("themes", "Themes"),
    ("intensity", "Intensity (0–10)"),
    ("tone", "Emotional tone"),
    ("challenges", "Challenging moments and support"),
    ("insights", "Insights"),
    ("body", "Body sensations"),
    ("mood_post", "Mood after (0–10)"),
    ("anxiety_post", "Anxiety after (0–10)"),
    ("adverse_events", "Adverse events"),
    ("music_vr", "Music or VR"),
    ("centering", "Centering"),
    ("timeline", "Timeline"),
    ("vitals_summary", "Vitals"),
    ("observations", "Observations"),
    ("practices", "Integration practices"),
    ("integration_plan", "Integration plan"),
    ("next_integration", "Next integration session"),
    ("physician_plan", "Physician's plan"),
)


def fmt_dt(dt: datetime | None, tz: tzinfo | None = None) -> str:
    return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M") if dt else "—"


def fmt_time(dt: datetime | None, tz: tzinfo | None = None) -> str:
    return dt.astimezone(tz).strftime("%H:%M") if dt else "—"


def fmt_minutes(minutes: float | None) -> str:
    """Minutes since T0 as "T+40" (or "T−5" before the injection); empty without a T0."""
    if minutes is None:
        return ""
    whole = round(minutes)
    return f"T+{whole}" if whole >= 0 else f"T−{-whole}"


def yes_no(value: bool | None) -> str:
    return "—" if value is None else ("Yes" if value else "No")


def text_or_dash(value: object) -> str:
    return "—" if value is None or value == "" else str(value)


def scale_name(scale: str) -> str:
    return SCALE_NAMES.get(scale, scale.upper())


def checklist(c: CheckInView, tz: tzinfo | None = None) -> list[tuple[str, str]]:
    rows = [
        ("Last food", fmt_dt(c.last_food_at, tz)),
        ("Last drink", fmt_dt(c.last_drink_at, tz)),
        ("Designated driver", " · ".join(x for x in (c.driver_name, c.driver_phone) if x) or "—"),
        ("Medication changes reviewed", yes_no(c.medication_changes_reviewed)),
        ("Medication flags", ", ".join(c.medication_flags) or "none"),
        ("Consent on file", yes_no(c.consent_on_file)),
        ("Touch consent", yes_no(c.touch_consent)),
        ("No alcohol or substances today", yes_no(c.no_substances_today)),
        ("Mood before (0–10)", text_or_dash(c.mood_pre)),
        ("Anxiety before (0–10)", text_or_dash(c.anxiety_pre)),
    ]
    if c.medication_notes:
        rows.insert(5, ("Medication notes", c.medication_notes))
    if c.bp_gate_ack_at is not None:
        rows.append(
            (
                "BP gate acknowledged",
                f"{c.bp_gate_ack_by or '?'} at {fmt_time(c.bp_gate_ack_at, tz)}: "
                f"{c.bp_gate_ack_reason or ''}",
            )
        )
    return rows


def dose_lines(
    d: DoseView, record: SessionRecord, tz: tzinfo | None = None
) -> list[tuple[str, str]]:
    per_kg = (
        f" ({d.mg_per_kg:.2f} mg/kg at {d.weight_kg:g} kg)" if d.mg_per_kg and d.weight_kg else ""
    )
    rows = [
        ("Dose", f"{d.drug} {d.dose_mg:g} mg{per_kg}"),
        ("Route and site", " · ".join(x for x in (d.route, d.site) if x)),
        ("Lot number", text_or_dash(d.lot_number)),
        (
            "Given",
            f"{fmt_time(d.administered_at, tz)} {fmt_minutes(record.minutes_since_t0(d.administered_at))}"
            f" by {d.administered_by or '?'}",
        ),
    ]
    if d.ceiling_warning:
        rows.append(("Ceiling warning", d.ceiling_warning))
    return rows


def discharge_lines(d: DischargeView, tz: tzinfo | None = None) -> list[tuple[str, str]]:
    v, a, n, p = d.padss
    rows = [
        ("PADSS", f"{d.padss_total} (vitals {v}, activity {a}, nausea {n}, pain {p})"),
        ("MOAA/S", text_or_dash(d.moaas)),
        ("Dissociation resolved", yes_no(d.dissociation_resolved)),
        ("Steady gait", yes_no(d.steady_gait)),
        ("Nausea controlled", yes_no(d.nausea_controlled)),
        ("Minimum observation time passed", yes_no(d.min_observation_passed)),
        (
            "Driver present",
            yes_no(d.driver_present)
            + (f" ({d.driver_name_confirmed})" if d.driver_name_confirmed else ""),
        ),
        ("Discharge instructions given", yes_no(d.instructions_given)),
        ("All criteria met", yes_no(d.criteria_met)),
        ("Assessed", f"{fmt_dt(d.assessed_at, tz)} by {d.assessed_by or '?'}"),
        ("Discharged", fmt_dt(d.discharged_at, tz)),
    ]
    if d.override_reason:
        rows.append(("Override", f"{d.override_by or '?'}: {d.override_reason}"))
    return rows


def _value_text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, list):
        return "; ".join(_value_text(v) for v in value)
    if isinstance(value, dict):
        # An adverse event: {"description": ..., "severity": ..., "sae": bool} or similar.
        main = value.get("description") or value.get("event") or value.get("text")
        extras = [
            f"{k}: {_value_text(v)}"
            for k, v in value.items()
            if k not in ("description", "event", "text") and k != "sae"
        ]
        if value.get("sae"):
            extras.append("SERIOUS ADVERSE EVENT")
        return f"{main or ''}{' (' + ', '.join(extras) + ')' if extras else ''}".strip()
    return str(value)


def note_sections(content: dict[str, Any]) -> list[tuple[str, str]]:
    """The note's fields as (label, text); adverse events say "none" rather than a dash."""
    known = dict(NOTE_FIELDS)
    keys = [k for k, _ in NOTE_FIELDS if k in content]
    keys += sorted(k for k in content if k not in known)
    out = []
    for key in keys:
        text = _value_text(content[key])
        if key == "adverse_events" and text == "—":
            text = "None"
        out.append((known.get(key, key.replace("_", " ").capitalize()), text))
    return out


VITALS_COLUMNS: tuple[tuple[str, Callable[[VitalsView], str]], ...] = (
    ("BP", lambda v: f"{v.systolic}/{v.diastolic}" if v.systolic and v.diastolic else "—"),
    ("Pulse", lambda v: text_or_dash(v.pulse)),
    ("SpO₂ %", lambda v: text_or_dash(v.spo2) + (" O₂" if v.on_oxygen else "")),
    ("Resp.", lambda v: text_or_dash(v.respiration)),
    ("Temp °C", lambda v: f"{v.temperature_c:.1f}" if v.temperature_c is not None else "—"),
    ("ACVPU", lambda v: v.consciousness),
    ("NEWS2", lambda v: text_or_dash(v.news2_total)),
    ("Flags", lambda v: ", ".join(v.flags)),
)


def vitals_row(v: VitalsView, record: SessionRecord, tz: tzinfo | None = None) -> list[str]:
    """Time, minutes since T0, context, then VITALS_COLUMNS."""
    return [
        fmt_time(v.measured_at, tz),
        fmt_minutes(record.minutes_since_t0(v.measured_at)),
        v.context,
        *(getter(v) for _, getter in VITALS_COLUMNS),
    ]


VITALS_HEADERS = ("Time", "Since T0", "Context", *(t for t, _ in VITALS_COLUMNS))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    minutes: float | None
    kind: str  # "dose", "checkpoint", "observation", "alert", "centering"
    text: str
    adverse: bool = False


def timeline(record: SessionRecord) -> list[TimelineEntry]:
    """Doses, checkpoints, observations and alerts in time order, with minutes since T0."""
    out: list[TimelineEntry] = []

    def add(at: datetime, kind: str, text: str, adverse: bool = False) -> None:
        out.append(TimelineEntry(at, record.minutes_since_t0(at), kind, text, adverse))

    for c in record.centering:
        if c.started_at is not None:
            add(c.started_at, "centering", f"Centering ({c.mode}) {c.script_id or ''}".strip())
    for d in record.doses:
        add(
            d.administered_at,
            "dose",
            f"{d.kind.capitalize()} dose {d.drug} {d.dose_mg:g} mg {d.route}",
        )
    for cp in record.checkpoints:
        if cp.status != "done":
            add(
                cp.measured_at,
                "checkpoint",
                f"Checkpoint {cp.key} missed: {cp.missed_reason or ''}",
            )
            continue
        parts = [
            f"MOAA/S {cp.moaas}" if cp.moaas is not None else "",
            f"CADSS-6 {cp.cadss_total}" if cp.cadss_total is not None else "",
            f"nausea {cp.nausea}" if cp.nausea is not None else "",
            f"distress {cp.distress}" if cp.distress is not None else "",
            cp.note or "",
        ]
        add(
            cp.measured_at,
            "checkpoint",
            f"Checkpoint {cp.key}: " + ", ".join(p for p in parts if p),
        )
    for o in record.observations:
        text = " — ".join(x for x in (o.tag, o.text) if x) or "(empty)"
        add(
            o.observed_at,
            "observation",
            ("ADVERSE EVENT: " if o.adverse_event else "") + text,
            o.adverse_event,
        )
    for a in record.alerts:
        add(a.raised_at, "alert", f"Alert ({a.severity}) {alert_text(a)}")
    out.sort(key=lambda e: e.at)
    return out


def alert_text(a: AlertView, tz: tzinfo | None = None) -> str:
    """The alert and what became of it: acknowledged by whom and when, or not."""
    if a.acknowledged_at is not None:
        ack = f"acknowledged by {a.acknowledged_by or '?'} at {fmt_time(a.acknowledged_at, tz)}"
        if a.acknowledgement_note:
            ack += f": {a.acknowledgement_note}"
    else:
        ack = "NOT acknowledged"
    return f"{a.title} — {a.detail} ({ack})" if a.detail else f"{a.title} ({ack})"
