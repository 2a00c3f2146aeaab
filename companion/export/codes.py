"""Every code and unit the exports use, in one place (CLINICAL.md §7: LOINC codes, UCUM units).

Only codes confirmed in CLINICAL.md are used; anything without a confirmed code (the PCL-5 total,
the note's type, the drug) is exported as coded text, never with a guessed code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CHART_NUMBER_SYSTEM: Final = "urn:session-companion:chart-number"


@dataclass(frozen=True)
class Code:
    code: str
    display: str
    unit: str | None = None  # UCUM code of the value, when the observation has a quantity


# VitalsView attribute -> LOINC code and UCUM unit.
VITALS: Final[dict[str, Code]] = {
    "pulse": Code("8867-4", "Heart rate", "/min"),
    "spo2": Code("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%"),
    "respiration": Code("9279-1", "Respiratory rate", "/min"),
    "temperature_c": Code("8310-5", "Body temperature", "Cel"),
    "weight_kg": Code("29463-7", "Body weight", "kg"),
}
BP_PANEL: Final = Code("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC: Final = Code("8480-6", "Systolic blood pressure", "mm[Hg]")
DIASTOLIC: Final = Code("8462-4", "Diastolic blood pressure", "mm[Hg]")

# Scale id (as stored in ScaleResponse.scale) -> LOINC code of its total score.
SCALE_TOTALS: Final[dict[str, Code]] = {
    "phq9": Code("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score"),
    "gad7": Code("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score"),
}
# Exported as text only (no confirmed LOINC code).
SCALE_TEXT: Final[dict[str, str]] = {
    "pcl5": "PCL-5 total score",
    "phq9": "PHQ-9 total score",
    "gad7": "GAD-7 total score",
}

ALL_LOINC: Final[frozenset[str]] = frozenset(
    c.code for c in (*VITALS.values(), BP_PANEL, SYSTOLIC, DIASTOLIC, *SCALE_TOTALS.values())
)
ALL_UCUM: Final[frozenset[str]] = frozenset(
    c.unit for c in (*VITALS.values(), SYSTOLIC, DIASTOLIC) if c.unit
) | {"mg"}
