"""Threshold alerts for one vitals reading — CLINICAL.md §1 "Urgent BP", "Other alerts", escalation.

Thresholds are clinic-configurable (data/protocol.toml → companion.protocol), so they come in as an
`AlertThresholds`; nothing here hard-codes them. Severity choices:
- urgent: BP at/above the urgent line, a BP rise over baseline (CLINICAL §1 lists both under
  "Urgent BP"), respiration below the low line (respiratory depression is ketamine's serious risk
  with co-prescribed sedatives), NEWS2 high.
- warning: SpO2, high respiration, pulse, NEWS2 medium and a single-parameter 3 (low–medium).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from companion.clinical.news2 import news2
from companion.clinical.plausibility import VitalsValues
from companion.clinical.tables import ESCALATION_TEXT, NEWS2_HIGH_MIN, NEWS2_MEDIUM_MIN

FindingSeverity = Literal["info", "warning", "urgent"]
_ORDER = {"urgent": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class BpGate:
    """Pre-dose BP gate: dosing needs the physician's acknowledgement above it (CLINICAL §1)."""

    systolic_above: int
    diastolic_above: int


@dataclass(frozen=True)
class AlertThresholds:
    urgent_systolic: int  # alert at >= this
    urgent_diastolic: int
    recheck_min: int  # re-check an urgent BP within this many minutes
    rise_systolic: int  # alert at a rise >= this over baseline
    rise_diastolic: int
    spo2_below: int  # alert at < this
    resp_below: int
    resp_above: int  # alert at > this
    pulse_above: int
    pulse_below: int


@dataclass(frozen=True)
class Finding:
    code: str  # stable: stored in the alert table and used by the UI
    severity: FindingSeverity
    title: str
    detail: str
    escalation: str | None


def bp_gate_exceeded(v: VitalsValues, gate: BpGate) -> bool:
    """True when systolic > gate or diastolic > gate (each strictly above)."""
    return (v.systolic is not None and v.systolic > gate.systolic_above) or (
        v.diastolic is not None and v.diastolic > gate.diastolic_above
    )


def _bp(v: VitalsValues) -> str:
    return f"{v.systolic}/{v.diastolic} mmHg"


def _bp_findings(
    v: VitalsValues, baseline: VitalsValues | None, t: AlertThresholds
) -> list[Finding]:
    out: list[Finding] = []
    sys_, dia = v.systolic, v.diastolic
    if (sys_ is not None and sys_ >= t.urgent_systolic) or (
        dia is not None and dia >= t.urgent_diastolic
    ):
        out.append(
            Finding(
                "bp_urgent",
                "urgent",
                f"Urgent blood pressure {_bp(v)}",
                f"Systolic ≥ {t.urgent_systolic} or diastolic ≥ {t.urgent_diastolic} mmHg. "
                f"Re-check in {t.recheck_min} min and inform the physician.",
                ESCALATION_TEXT,
            )
        )
    if baseline is None:
        return out
    rises: list[str] = []
    base_sys, base_dia = baseline.systolic, baseline.diastolic
    if sys_ is not None and base_sys is not None and sys_ - base_sys >= t.rise_systolic:
        rises.append(f"systolic +{sys_ - base_sys} (baseline {base_sys})")
    if dia is not None and base_dia is not None and dia - base_dia >= t.rise_diastolic:
        rises.append(f"diastolic +{dia - base_dia} (baseline {base_dia})")
    if rises:
        out.append(
            Finding(
                "bp_rise",
                "urgent",
                f"Blood pressure rise over baseline: {_bp(v)}",
                f"{'; '.join(rises).capitalize()} mmHg — rise ≥ {t.rise_systolic} systolic or "
                f"≥ {t.rise_diastolic} diastolic. Re-check in {t.recheck_min} min and inform "
                "the physician.",
                ESCALATION_TEXT,
            )
        )
    return out


def _other_findings(v: VitalsValues, t: AlertThresholds) -> list[Finding]:
    out: list[Finding] = []
    if v.spo2 is not None and v.spo2 < t.spo2_below:
        out.append(
            Finding(
                "spo2_low",
                "warning",
                f"SpO2 {v.spo2} % — low",
                f"SpO2 below {t.spo2_below} %. Check the probe and airway, consider oxygen, "
                "inform the physician.",
                None,
            )
        )
    if v.respiration is not None and v.respiration < t.resp_below:
        out.append(
            Finding(
                "resp_low",
                "urgent",
                f"Respiration {v.respiration} /min — low",
                f"Respiration below {t.resp_below} /min: possible respiratory depression. "
                "Stimulate, check airway and SpO2, inform the physician now.",
                None,
            )
        )
    if v.respiration is not None and v.respiration > t.resp_above:
        out.append(
            Finding(
                "resp_high",
                "warning",
                f"Respiration {v.respiration} /min — high",
                f"Respiration above {t.resp_above} /min. Inform the physician.",
                None,
            )
        )
    if v.pulse is not None and v.pulse > t.pulse_above:
        out.append(
            Finding(
                "pulse_high",
                "warning",
                f"Pulse {v.pulse} /min — high",
                f"Pulse above {t.pulse_above} /min. Re-check and inform the physician.",
                None,
            )
        )
    if v.pulse is not None and v.pulse < t.pulse_below:
        out.append(
            Finding(
                "pulse_low",
                "warning",
                f"Pulse {v.pulse} /min — low",
                f"Pulse below {t.pulse_below} /min. Re-check and inform the physician.",
                None,
            )
        )
    return out


def _news2_findings(v: VitalsValues) -> list[Finding]:
    result = news2(v)
    if result.total is not None:
        score, known = result.total, f"NEWS2 {result.total}"
    else:
        # Scores are never negative, so the measured parts are a lower bound: a partial set that
        # already reaches 5 or 7 must not stay silent just because temperature was skipped.
        score = result.partial_total
        known = f"NEWS2 at least {score} (not measured: {', '.join(result.missing)})"
    if score >= NEWS2_HIGH_MIN:
        return [
            Finding(
                "news2_high",
                "urgent",
                f"{known} — high",
                "NEWS2 ≥ 7: emergency response. Inform the physician now.",
                "Call for emergency assessment (RCP NEWS2 high clinical risk).",
            )
        ]
    if score >= NEWS2_MEDIUM_MIN:
        return [
            Finding(
                "news2_medium",
                "warning",
                f"{known} — medium",
                "NEWS2 5–6: urgent review by the physician.",
                None,
            )
        ]
    if result.any_single_three:
        threes = ", ".join(p for p, s in result.parts.items() if s == 3)
        return [
            Finding(
                "news2_single3",
                "warning",
                f"{known} — a single parameter scores 3",
                f"Score 3 in: {threes} (low–medium). Inform the physician.",
                None,
            )
        ]
    return []


def evaluate_reading(
    v: VitalsValues, baseline: VitalsValues | None, thresholds: AlertThresholds
) -> list[Finding]:
    """All findings for one reading, most severe first (stable order within a severity)."""
    findings = _bp_findings(v, baseline, thresholds)
    findings += _other_findings(v, thresholds)
    findings += _news2_findings(v)
    return sorted(findings, key=lambda f: _ORDER[f.severity])
