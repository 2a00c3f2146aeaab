"""A session as a FHIR R4B JSON Bundle (type "collection"), built as plain dicts.

Patient, Encounter, one Observation per vital sign per reading (blood pressure as the 85354-9
panel with systolic/diastolic components), one Observation per scale total, a
MedicationAdministration per dose (with a contained Medication carrying the lot number) and the
reflection note as a Composition with its addenda as extra sections. Codes come from
`companion.export.codes`; ids are UUIDv5 of (session, kind, row id), so the same record always
exports to the same bundle. Staff appear as display-only references (no Practitioner registry).
"""

from __future__ import annotations

import html
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from companion.export import codes
from companion.export.summary import note_sections
from companion.services.record_types import NoteView, SessionRecord, VitalsView
from companion.storage.models import INDICATION_LABELS, SessionStatus

_NAMESPACE = uuid.UUID("6f1c5a52-2f0e-4a53-9a57-3c1f5b0b7d11")
_ENCOUNTER_STATUS = {
    SessionStatus.IN_PROGRESS: "in-progress",
    SessionStatus.COMPLETED: "finished",
    SessionStatus.ABANDONED: "cancelled",
}


def _urn(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, '/'.join(str(p) for p in parts))}"


def _instant(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _coding(code: codes.Code) -> dict[str, Any]:
    return {"coding": [{"system": codes.LOINC, "code": code.code, "display": code.display}]}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": codes.UCUM, "code": unit}


def _ref(urn: str, display: str | None = None) -> dict[str, Any]:
    return {"reference": urn} | ({"display": display} if display else {})


def _who(name: str | None) -> dict[str, Any]:
    return {"display": name or "unknown"}


def _div(paragraphs: list[str]) -> dict[str, str]:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs) or "<p>—</p>"
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


_VITAL_SIGNS = [
    {
        "coding": [
            {"system": codes.OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}
        ]
    }
]
_SURVEY = [
    {"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
]


def _vital_observations(
    record: SessionRecord, v: VitalsView, patient: str, encounter: str
) -> list[tuple[str, dict[str, Any]]]:
    common = {
        "resourceType": "Observation",
        "status": "final",
        "category": _VITAL_SIGNS,
        "subject": _ref(patient),
        "encounter": _ref(encounter),
        "effectiveDateTime": _instant(v.measured_at),
    }
    out = []
    if v.systolic is not None and v.diastolic is not None:
        urn = _urn(record.id, "vitals", v.id, "bp")
        out.append(
            (
                urn,
                common
                | {
                    "code": _coding(codes.BP_PANEL),
                    "component": [
                        {"code": _coding(c), "valueQuantity": _quantity(value, c.unit or "")}
                        for c, value in (
                            (codes.SYSTOLIC, v.systolic),
                            (codes.DIASTOLIC, v.diastolic),
                        )
                    ],
                },
            )
        )
    for attr, code in codes.VITALS.items():
        value = getattr(v, attr)
        if value is None:
            continue
        out.append(
            (
                _urn(record.id, "vitals", v.id, attr),
                common
                | {"code": _coding(code), "valueQuantity": _quantity(value, code.unit or "")},
            )
        )
    return out


def _composition(
    record: SessionRecord, note: NoteView, patient: str, encounter: str
) -> dict[str, Any]:
    sections = [
        {"title": label, "text": _div(text.splitlines() or [text])}
        for label, text in note_sections(note.content)
    ]
    sections += [
        {
            "title": f"Addendum by {a.author}, {_instant(a.written_at)}",
            "text": _div(a.text.splitlines() or [a.text]),
        }
        for a in note.addenda
    ]
    composition: dict[str, Any] = {
        "resourceType": "Composition",
        "status": "final" if note.status == "signed" else "preliminary",
        "type": {"text": "Ketamine-assisted psychotherapy reflection/integration note"},
        "subject": _ref(patient),
        "encounter": _ref(encounter),
        "date": _instant(note.signed_at or note.updated_at),
        "author": [_who(note.signed_by or note.author)],
        "title": f"Reflection note — session {record.number_in_course}",
        "section": sections,
    }
    if note.signed_at is not None:
        composition["attester"] = [
            {"mode": "legal", "time": _instant(note.signed_at), "party": _who(note.signed_by)}
        ]
    if note.addenda:
        composition["status"] = "amended" if note.status == "signed" else "preliminary"
    return composition


def to_bundle(record: SessionRecord, generated_at: datetime) -> dict[str, Any]:
    p = record.patient
    patient = _urn(record.id, "patient", p.id)
    encounter = _urn(record.id, "encounter")
    entries: list[tuple[str, dict[str, Any]]] = [
        (
            patient,
            {
                "resourceType": "Patient",
                "identifier": [{"system": codes.CHART_NUMBER_SYSTEM, "value": p.chart_number}],
                "name": [{"family": p.family_name, "given": [p.given_name]}],
                "birthDate": p.date_of_birth.isoformat(),
            },
        ),
    ]
    period = {"start": _instant(record.started_at)}
    end = record.ended_at or record.discharged_at
    if end is not None:
        period["end"] = _instant(end)
    participants = [
        {"type": [{"text": role}], "individual": _who(name)}
        for role, name in (("guide", record.guide), ("physician", record.physician))
        if name
    ]
    entries.append(
        (
            encounter,
            {
                "resourceType": "Encounter",
                "status": _ENCOUNTER_STATUS[record.status],
                "class": {"system": codes.ACT_CODE, "code": "AMB", "display": "ambulatory"},
                "type": [{"text": "Ketamine-assisted psychotherapy session"}],
                "reasonCode": [{"text": INDICATION_LABELS[p.indication]}],
                "subject": _ref(patient, p.full_name),
                "period": period,
            }
            | ({"participant": participants} if participants else {}),
        )
    )
    for v in record.vitals:
        entries += _vital_observations(record, v, patient, encounter)
    for i, sc in enumerate(record.scales):
        loinc = codes.SCALE_TOTALS.get(sc.scale)
        text = codes.SCALE_TEXT.get(sc.scale, f"{sc.scale} total score")
        entries.append(
            (
                _urn(record.id, "scale", i, sc.scale),
                {
                    "resourceType": "Observation",
                    "status": "final",
                    "category": _SURVEY,
                    "code": _coding(loinc) | {"text": text} if loinc else {"text": text},
                    "subject": _ref(patient),
                    "encounter": _ref(encounter),
                    "effectiveDateTime": _instant(sc.measured_at),
                    "valueInteger": sc.total,
                }
                | ({"interpretation": [{"text": sc.band}]} if sc.band else {}),
            )
        )
    for i, d in enumerate(record.doses):
        medication: dict[str, Any] = {
            "resourceType": "Medication",
            "id": "med",
            "code": {"text": d.drug},
        }
        if d.lot_number:
            medication["batch"] = {"lotNumber": d.lot_number}
        dosage: dict[str, Any] = {
            "route": {"text": d.route},
            "dose": _quantity(d.dose_mg, "mg"),
        }
        if d.site:
            dosage["site"] = {"text": d.site}
        entries.append(
            (
                _urn(record.id, "dose", i),
                {
                    "resourceType": "MedicationAdministration",
                    "contained": [medication],
                    "status": "completed",
                    "category": {"text": d.kind},
                    "medicationReference": {"reference": "#med", "display": d.drug},
                    "subject": _ref(patient),
                    "context": _ref(encounter),
                    "effectiveDateTime": _instant(d.administered_at),
                    "performer": [{"actor": _who(d.administered_by)}],
                    "dosage": dosage,
                },
            )
        )
    if record.note is not None:
        entries.append(
            (_urn(record.id, "note"), _composition(record, record.note, patient, encounter))
        )
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid5(_NAMESPACE, f"{record.id}/bundle")),
        "type": "collection",
        "timestamp": _instant(generated_at),
        "entry": [{"fullUrl": urn, "resource": resource} for urn, resource in entries],
    }


def to_json(record: SessionRecord, generated_at: datetime) -> bytes:
    return json.dumps(to_bundle(record, generated_at), ensure_ascii=False, indent=2).encode()
