"""FHIR R4B export: the bundle validates, carries the entered values, and uses only the codes
and units of CLINICAL.md §7 (fhir.resources does not check code systems, so this test does)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.export import codes
from companion.export.fhir import to_bundle, to_json
from companion.services.record_types import SessionRecord
from tests.unit.export.factory import ADDENDUM_TEXT, EXPERIENCE, INTENTION, LOT

NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)

# CLINICAL.md §7, copied here by hand: the code table must agree with the clinical reference.
CLINICAL_7 = {
    "85354-9": None,
    "8480-6": "mm[Hg]",
    "8462-4": "mm[Hg]",
    "8867-4": "/min",
    "59408-5": "%",
    "9279-1": "/min",
    "8310-5": "Cel",
    "29463-7": "kg",
    "44261-6": None,
    "70274-6": None,
}


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _by_loinc(bundle: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [
        r
        for r in _resources(bundle, "Observation")
        if any(c.get("code") == code for c in r["code"].get("coding", []))
    ]


def _walk(node: Any) -> list[dict[str, Any]]:
    out = []
    if isinstance(node, dict):
        out.append(node)
        for v in node.values():
            out += _walk(v)
    elif isinstance(node, list):
        for v in node:
            out += _walk(v)
    return out


def test_the_code_table_matches_clinical_md() -> None:
    table = {c.code: c.unit for c in (*codes.VITALS.values(), codes.SYSTOLIC, codes.DIASTOLIC)}
    table |= {codes.BP_PANEL.code: None} | {c.code: None for c in codes.SCALE_TOTALS.values()}
    assert table == CLINICAL_7
    assert set(CLINICAL_7) == codes.ALL_LOINC
    assert "pcl5" not in codes.SCALE_TOTALS  # no confirmed LOINC code: exported as text


def test_bundle_validates_as_r4b_and_carries_the_entered_values(record: SessionRecord) -> None:
    bundle = to_bundle(record, NOW)
    Bundle.model_validate(bundle)
    patient = _resources(bundle, "Patient")[0]
    assert patient["name"] == [{"family": "Dubois", "given": ["Zoë"]}]
    assert patient["identifier"][0]["value"] == "KC-9001" and patient["birthDate"] == "1980-05-17"
    encounter = _resources(bundle, "Encounter")[0]
    assert encounter["status"] == "finished" and encounter["class"]["code"] == "AMB"
    bp = _by_loinc(bundle, "85354-9")
    assert len(bp) == 2
    peak = bp[1]
    assert {
        c["code"]["coding"][0]["code"]: c["valueQuantity"]["value"] for c in peak["component"]
    } == {
        "8480-6": 163,
        "8462-4": 101,
    }
    assert peak["category"][0]["coding"][0]["code"] == "vital-signs"
    assert peak["effectiveDateTime"] == record.vitals[1].measured_at.isoformat()
    assert [o["valueQuantity"]["value"] for o in _by_loinc(bundle, "8867-4")] == [71, 94]
    assert [o["valueQuantity"]["value"] for o in _by_loinc(bundle, "59408-5")] == [98, 95]
    assert [o["valueQuantity"]["value"] for o in _by_loinc(bundle, "8310-5")] == [36.8]
    assert [o["valueQuantity"]["value"] for o in _by_loinc(bundle, "29463-7")] == [72.5]
    assert [o["valueInteger"] for o in _by_loinc(bundle, "44261-6")] == [14]
    med = _resources(bundle, "MedicationAdministration")
    assert len(med) == 1 and med[0]["dosage"]["dose"]["value"] == 45.0
    assert med[0]["contained"][0]["batch"]["lotNumber"] == LOT
    assert med[0]["performer"][0]["actor"]["display"] == "Dr. Test Physician"
    comp = _resources(bundle, "Composition")[0]
    assert (
        comp["status"] == "amended"
        and comp["attester"][0]["party"]["display"] == "Dr. Test Physician"
    )
    text = json.dumps(comp, ensure_ascii=False)
    assert INTENTION in text and ADDENDUM_TEXT in text
    assert "&lt;mostly&gt;" in text and "&amp;" in text  # escaped into the XHTML narrative
    assert EXPERIENCE not in text


def test_every_code_and_unit_in_the_bundle_is_in_the_table(record: SessionRecord) -> None:
    bundle = to_bundle(record, NOW)
    seen_loinc = {n["code"] for n in _walk(bundle) if n.get("system") == codes.LOINC}
    seen_ucum = {n["code"] for n in _walk(bundle) if n.get("system") == codes.UCUM}
    assert seen_loinc and seen_loinc <= codes.ALL_LOINC
    assert seen_ucum and seen_ucum <= codes.ALL_UCUM
    for quantity in (n for n in _walk(bundle) if n.get("system") == codes.UCUM):
        assert quantity["unit"] == quantity["code"]


def test_pcl5_is_coded_text_and_a_draft_note_is_preliminary(record: SessionRecord) -> None:
    assert record.note is not None
    pcl = replace(record.scales[0], scale="pcl5", total=41)
    draft = replace(record.note, status="draft", signed_at=None, signed_by=None, addenda=())
    bundle = to_bundle(replace(record, scales=(pcl,), note=draft), NOW)
    Bundle.model_validate(bundle)
    scale_obs = [
        o
        for o in _resources(bundle, "Observation")
        if o["category"][0]["coding"][0]["code"] == "survey"
    ]
    assert (
        scale_obs[0]["code"] == {"text": "PCL-5 total score"} and scale_obs[0]["valueInteger"] == 41
    )
    comp = _resources(bundle, "Composition")[0]
    assert comp["status"] == "preliminary" and "attester" not in comp


def test_export_is_deterministic(record: SessionRecord) -> None:
    assert to_json(record, NOW) == to_json(record, NOW)
    urls = [e["fullUrl"] for e in to_bundle(record, NOW)["entry"]]
    assert len(urls) == len(set(urls))


# The record is immutable, so sharing the fixture across examples is safe.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_any_note_text_still_gives_a_valid_bundle(record: SessionRecord, text: str) -> None:
    assert record.note is not None
    note = replace(
        record.note, content=record.note.content | {"experience": text, "extra_key": [text]}
    )
    Bundle.model_validate(to_bundle(replace(record, note=note), NOW))
