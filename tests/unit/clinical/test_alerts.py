"""Threshold alerts (CLINICAL §1) with the shipped protocol's thresholds, both sides of each edge."""

from __future__ import annotations

import pytest

from companion.clinical.alerts import (
    AlertThresholds,
    BpGate,
    Finding,
    bp_gate_exceeded,
    evaluate_reading,
)
from companion.clinical.plausibility import VitalsValues
from companion.protocol import default_protocol_path, load_protocol

PROTOCOL = load_protocol(default_protocol_path())
T: AlertThresholds = PROTOCOL.alerts
CALM = {"respiration": 16, "spo2": 98, "systolic": 120, "diastolic": 80, "pulse": 70, "temperature_c": 37.0}  # fmt: skip


def codes(v: VitalsValues, baseline: VitalsValues | None = None) -> set[str]:
    return {f.code for f in evaluate_reading(v, baseline, T)}


def reading(**changes: object) -> VitalsValues:
    return VitalsValues(**{**CALM, **changes})  # type: ignore[arg-type]


def test_calm_reading_has_no_findings() -> None:
    assert evaluate_reading(reading(), reading(), T) == []


@pytest.mark.parametrize(
    ("changes", "code", "present"),
    [
        ({"systolic": 179, "diastolic": 100}, "bp_urgent", False),
        ({"systolic": 180, "diastolic": 100}, "bp_urgent", True),
        ({"systolic": 170, "diastolic": 109}, "bp_urgent", False),
        ({"systolic": 170, "diastolic": 110}, "bp_urgent", True),
        ({"spo2": 94}, "spo2_low", False),
        ({"spo2": 93}, "spo2_low", True),
        ({"respiration": 10}, "resp_low", False),
        ({"respiration": 9}, "resp_low", True),
        ({"respiration": 24}, "resp_high", False),
        ({"respiration": 25}, "resp_high", True),
        ({"pulse": 120}, "pulse_high", False),
        ({"pulse": 121}, "pulse_high", True),
        ({"pulse": 50}, "pulse_low", False),
        ({"pulse": 49}, "pulse_low", True),
    ],
)
def test_threshold_edges(changes: dict[str, int], code: str, present: bool) -> None:
    assert (code in codes(reading(**changes))) is present


def test_urgent_bp_has_recheck_and_escalation() -> None:
    (finding,) = [
        f for f in evaluate_reading(reading(systolic=185), None, T) if f.code == "bp_urgent"
    ]
    assert finding.severity == "urgent"
    assert "Re-check in 5 min" in finding.detail
    assert finding.escalation is not None
    for sign in ("chest pain", "shortness of breath", "severe headache", "visual", "seizure"):
        assert sign in finding.escalation
    assert "emergency care" in finding.escalation


@pytest.mark.parametrize(
    ("systolic", "diastolic", "present"),
    [(159, 80, False), (160, 80, True), (120, 104, False), (120, 105, True)],
)
def test_rise_over_baseline_edges(systolic: int, diastolic: int, present: bool) -> None:
    base = reading(systolic=120, diastolic=80)
    assert ("bp_rise" in codes(reading(systolic=systolic, diastolic=diastolic), base)) is present
    # Without a baseline there is nothing to rise from.
    assert "bp_rise" not in codes(reading(systolic=systolic, diastolic=diastolic))


def test_news2_findings() -> None:
    worked = VitalsValues(respiration=22, spo2=95, on_oxygen=True, systolic=105, diastolic=70, pulse=115, temperature_c=37.0)  # fmt: skip
    assert "news2_high" in codes(worked)
    low = reading(respiration=21, spo2=95, pulse=91)  # 2 + 1 + 1 = 4: low, no finding
    assert codes(low) == set()
    medium = reading(respiration=21, spo2=95, pulse=91, systolic=110)  # 2 + 1 + 1 + 1 = 5
    assert codes(medium) == {"news2_medium"}
    six = reading(respiration=21, spo2=95, pulse=111, systolic=110)  # 2 + 1 + 2 + 1 = 6
    assert codes(six) == {"news2_medium"}
    single = reading(consciousness="V")
    found = {f.code: f for f in evaluate_reading(single, None, T)}
    assert set(found) == {"news2_single3"}
    assert "consciousness" in found["news2_single3"].detail


def test_partial_set_reaching_high_is_not_silent() -> None:
    # No temperature: total unknown, but the measured parts already sum to >= 7.
    v = VitalsValues(respiration=25, spo2=91, systolic=120, diastolic=80, pulse=131)
    found = {f.code: f for f in evaluate_reading(v, None, T)}
    assert "news2_high" in found
    assert "at least" in found["news2_high"].title


def test_findings_sorted_most_severe_first() -> None:
    findings: list[Finding] = evaluate_reading(reading(systolic=190, pulse=125, spo2=92), None, T)
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=["urgent", "warning", "info"].index)
    assert severities[0] == "urgent"


@pytest.mark.parametrize(
    ("systolic", "diastolic", "exceeded"),
    [(140, 90, False), (141, 90, True), (140, 91, True), (None, None, False)],
)
def test_bp_gate_edges(systolic: int | None, diastolic: int | None, exceeded: bool) -> None:
    gate = PROTOCOL.bp_gate
    assert gate == BpGate(140, 90)
    assert bp_gate_exceeded(VitalsValues(systolic=systolic, diastolic=diastolic), gate) is exceeded
