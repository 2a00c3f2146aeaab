"""The one place for fixed clinical tables: plausibility ranges, NEWS2 bands, scales, PADSS.

Every number here comes from /work/shared/CLINICAL.md (cited per table). Clinic-configurable values
(BP gate, alert thresholds, checkpoints, dose ceiling) are NOT here: they live in
`data/protocol.toml` and are loaded by `companion.protocol`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

# --- Vital-sign fields -----------------------------------------------------------------------

VITAL_FIELDS: Final = (
    "systolic",
    "diastolic",
    "pulse",
    "spo2",
    "respiration",
    "temperature_c",
    "weight_kg",
)
ACVPU: Final = ("A", "C", "V", "P", "U")
ACVPU_LABELS: Final = {
    "A": "Alert",
    "C": "New confusion",
    "V": "Responds to voice",
    "P": "Responds to pain",
    "U": "Unresponsive",
}


@dataclass(frozen=True)
class PlausibleRange:
    """Values outside [low, high] are typos, not patients: refused at the field (CLINICAL §2)."""

    label: str
    low: float
    high: float
    unit: str
    decimals: int  # 0 = whole numbers; 1 = one decimal place


# CLINICAL.md §2 "Plausibility limits (reject)".
PLAUSIBLE: Final[dict[str, PlausibleRange]] = {
    "systolic": PlausibleRange("Systolic", 50, 300, "mmHg", 0),
    "diastolic": PlausibleRange("Diastolic", 20, 200, "mmHg", 0),
    "pulse": PlausibleRange("Pulse", 20, 250, "/min", 0),
    "spo2": PlausibleRange("SpO2", 50, 100, "%", 0),
    "respiration": PlausibleRange("Respiration", 3, 60, "/min", 0),
    "temperature_c": PlausibleRange("Temperature", 30.0, 43.0, "°C", 1),
    "weight_kg": PlausibleRange("Weight", 25.0, 350.0, "kg", 1),
}

# --- NEWS2 -----------------------------------------------------------------------------------
# CLINICAL.md §3. Source: Royal College of Physicians. National Early Warning Score (NEWS) 2:
# Standardising the assessment of acute-illness severity in the NHS. London: RCP, 2017.
# Scale 1 only (Scale 2 is for confirmed hypercapnic respiratory failure: not used here).
# Each band is (inclusive upper bound, score), ascending; the first band whose bound is >= the
# value wins. Temperature is compared after rounding to 0.1 °C, the others are whole numbers.
NEWS2_BANDS: Final[dict[str, tuple[tuple[float, int], ...]]] = {
    "respiration": ((8, 3), (11, 1), (20, 0), (24, 2), (math.inf, 3)),
    "spo2": ((91, 3), (93, 2), (95, 1), (math.inf, 0)),
    "systolic": ((90, 3), (100, 2), (110, 1), (219, 0), (math.inf, 3)),
    "pulse": ((40, 3), (50, 1), (90, 0), (110, 1), (130, 2), (math.inf, 3)),
    "temperature_c": ((35.0, 3), (36.0, 1), (38.0, 0), (39.0, 1), (math.inf, 2)),
}
NEWS2_OXYGEN_SCORE: Final = 2  # any supplemental oxygen
NEWS2_NOT_ALERT_SCORE: Final = 3  # new confusion, voice, pain or unresponsive
# Parameters without which no aggregate score is given (on_oxygen and ACVPU always have a value).
NEWS2_REQUIRED: Final = ("respiration", "spo2", "systolic", "pulse", "temperature_c")
NEWS2_MEDIUM_MIN: Final = 5  # 5–6: urgent review
NEWS2_HIGH_MIN: Final = 7  # >= 7: emergency response
NEWS2_ACKNOWLEDGEMENT: Final = "NEWS2 © Royal College of Physicians 2017, reproduced as the source."

# --- Flag bands (stored and flagged, never rejected) ------------------------------------------
# "abnormal" = outside the NEWS2 zero band (CLINICAL §3), plus the BP gate for systolic > 140 and
# diastolic > 90 / < 50 (CLINICAL §1, brief). "alarming" = a NEWS2 single-parameter 3 (RCP's
# "inform the physician" trigger) or the CLINICAL §1 urgent BP (systolic >= 180, diastolic >= 110).
# Same band format as NEWS2_BANDS; the label is the word shown beside the field.
Severity = Literal["", "abnormal", "alarming"]
FLAG_BANDS: Final[dict[str, tuple[tuple[float, Severity, str], ...]]] = {
    "systolic": (
        (90, "alarming", "very low"),
        (110, "abnormal", "low"),
        (140, "", ""),
        (179, "abnormal", "high"),
        (math.inf, "alarming", "very high"),
    ),
    "diastolic": (
        (49, "abnormal", "low"),
        (90, "", ""),
        (109, "abnormal", "high"),
        (math.inf, "alarming", "very high"),
    ),
    "pulse": (
        (40, "alarming", "very low"),
        (50, "abnormal", "low"),
        (90, "", ""),
        (130, "abnormal", "high"),
        (math.inf, "alarming", "very high"),
    ),
    "spo2": ((91, "alarming", "very low"), (95, "abnormal", "low"), (math.inf, "", "")),
    "respiration": (
        (8, "alarming", "very low"),
        (11, "abnormal", "low"),
        (20, "", ""),
        (24, "abnormal", "high"),
        (math.inf, "alarming", "very high"),
    ),
    "temperature_c": (
        (35.0, "alarming", "very low"),
        (36.0, "abnormal", "low"),
        (38.0, "", ""),
        (39.0, "abnormal", "high"),
        # NEWS2 scores >= 39.1 °C as 2, not 3: abnormal, worded "very high".
        (math.inf, "abnormal", "very high"),
    ),
}

# CLINICAL.md §1 escalation text (Spravato label §5.6).
HYPERTENSIVE_CRISIS_SIGNS: Final = (
    "chest pain",
    "shortness of breath",
    "sudden severe headache",
    "visual disturbance",
    "seizure",
    "reduced consciousness",
    "focal neurological deficit",
)
ESCALATION_TEXT: Final = (
    "If there is any sign of hypertensive crisis — "
    + ", ".join(HYPERTENSIVE_CRISIS_SIGNS)
    + " — call for emergency care now."
)

# --- Scales (CLINICAL.md §4) ------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class ScaleDef:
    id: str
    name: str
    n_items: int
    item_min: int
    item_max: int
    bands: tuple[Band, ...]  # empty = no published bands
    items: tuple[str, ...] = ()  # wording; empty where the instrument is licensed
    options: tuple[str, ...] = ()  # answer labels for item_min..item_max
    stem: str = ""
    item_numbers: tuple[int, ...] = ()  # numbering in the parent instrument (CADSS-6)
    clusters: tuple[tuple[str, int, int], ...] = ()  # (name, first item, last item), 1-based
    source: str = ""


# PHQ-9: Spitzer, Williams, Kroenke et al.; "No permission required to reproduce, translate,
# display or distribute." Bands CLINICAL §4.
PHQ9 = ScaleDef(
    id="phq9",
    name="PHQ-9",
    n_items=9,
    item_min=0,
    item_max=3,
    bands=(
        Band(0, 4, "Minimal"),
        Band(5, 9, "Mild"),
        Band(10, 14, "Moderate"),
        Band(15, 19, "Moderately severe"),
        Band(20, 27, "Severe"),
    ),
    stem="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    options=("Not at all", "Several days", "More than half the days", "Nearly every day"),
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    source="PHQ-9, Spitzer, Williams, Kroenke et al. (free to use)",
)
PHQ9_SAFETY_ITEM: Final = 9  # 1-based; > 0 alerts the physician (CLINICAL §4)

# GAD-7: Spitzer, Kroenke, Williams, Löwe 2006; free to use. Bands CLINICAL §4.
GAD7 = ScaleDef(
    id="gad7",
    name="GAD-7",
    n_items=7,
    item_min=0,
    item_max=3,
    bands=(
        Band(0, 4, "Minimal"),
        Band(5, 9, "Mild"),
        Band(10, 14, "Moderate"),
        Band(15, 21, "Severe"),
    ),
    stem="Over the last 2 weeks, how often have you been bothered by the following problems?",
    options=("Not at all", "Several days", "More than half the days", "Nearly every day"),
    items=(
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ),
    source="GAD-7, Spitzer, Kroenke, Williams, Löwe 2006 (free to use)",
)

# PCL-5: National Center for PTSD (public domain). Cut-off: CLINICAL §4 "probable PTSD >= 31–33";
# the app flags "probable" at 33 and marks 31–32 as inside the published cut-off range.
PCL5_PROBABLE_MIN: Final = 33
PCL5 = ScaleDef(
    id="pcl5",
    name="PCL-5",
    n_items=20,
    item_min=0,
    item_max=4,
    bands=(
        Band(0, 30, "Below the probable-PTSD cut-off (published cut-offs 31–33)"),
        Band(31, 32, "Within the published cut-off range 31–33: clinical assessment advised"),
        Band(33, 80, "Probable PTSD (≥ 33; published cut-offs 31–33)"),
    ),
    stem="In the past month, how much were you bothered by:",
    options=("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"),
    items=(
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "Repeated, disturbing dreams of the stressful experience?",
        "Suddenly feeling or acting as if the stressful experience were actually happening again "
        "(as if you were actually back there reliving it)?",
        "Feeling very upset when something reminded you of the stressful experience?",
        "Having strong physical reactions when something reminded you of the stressful "
        "experience (for example, heart pounding, trouble breathing, sweating)?",
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        "Avoiding external reminders of the stressful experience (for example, people, places, "
        "conversations, activities, objects, or situations)?",
        "Trouble remembering important parts of the stressful experience?",
        "Having strong negative beliefs about yourself, other people, or the world (for example, "
        "having thoughts such as: I am bad, there is something seriously wrong with me, no one "
        "can be trusted, the world is completely dangerous)?",
        "Blaming yourself or someone else for the stressful experience or what happened after it?",
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "Loss of interest in activities that you used to enjoy?",
        "Feeling distant or cut off from other people?",
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or "
        "have loving feelings for people close to you)?",
        "Irritable behavior, angry outbursts, or acting aggressively?",
        "Taking too many risks or doing things that could cause you harm?",
        'Being "superalert" or watchful or on guard?',
        "Feeling jumpy or easily startled?",
        "Having difficulty concentrating?",
        "Trouble falling or staying asleep?",
    ),
    clusters=(("B", 1, 5), ("C", 6, 7), ("D", 8, 14), ("E", 15, 20)),
    source="PCL-5, National Center for PTSD (public domain)",
)

# CADSS-6: items 1, 2, 6, 7, 15, 22 of the CADSS (Bremner et al.), each 0–4. The wording is
# licensed, so only item numbers are shipped and scores are stored (CLINICAL §4). No bands.
CADSS6 = ScaleDef(
    id="cadss6",
    name="CADSS-6",
    n_items=6,
    item_min=0,
    item_max=4,
    bands=(),
    item_numbers=(1, 2, 6, 7, 15, 22),
    source="CADSS (Bremner et al.), licensed: item scores only",
)

# MOAA/S, CLINICAL §4. One observer rating; any drop from the pre-dose level = sedation.
MOAAS_LEVELS: Final[dict[int, str]] = {
    5: "Responds readily to name spoken in normal tone",
    4: "Lethargic response to name spoken in normal tone",
    3: "Responds only after name is called loudly and/or repeatedly",
    2: "Responds only after mild prodding or shaking",
    1: "Responds only after trapezius squeeze",
    0: "No response after trapezius squeeze",
}
MOAAS = ScaleDef(
    id="moaas",
    name="MOAA/S",
    n_items=1,
    item_min=0,
    item_max=5,
    bands=tuple(Band(k, k, f"{k} — {v}") for k, v in sorted(MOAAS_LEVELS.items())),
    source="Modified Observer's Assessment of Alertness/Sedation",
)

# QIDS-SR16, CLINICAL §4: 16 items 0–3 scored as 9 domains. Each domain is a tuple of 1-based items
# and takes the highest item: max(1–4) + 5 + max(6–9) + 10 + 11 + 12 + 13 + 14 + max(15–16).
QIDS_DOMAINS: Final[tuple[tuple[int, ...], ...]] = (
    (1, 2, 3, 4),
    (5,),
    (6, 7, 8, 9),
    (10,),
    (11,),
    (12,),
    (13,),
    (14,),
    (15, 16),
)
QIDS_SUICIDE_ITEM: Final = 12  # "thoughts of death or suicide"; > 0 alerts the physician
QIDS16 = ScaleDef(
    id="qids16",
    name="QIDS-SR16",
    n_items=16,
    item_min=0,
    item_max=3,
    bands=(
        Band(0, 5, "None"),
        Band(6, 10, "Mild"),
        Band(11, 15, "Moderate"),
        Band(16, 20, "Severe"),
        Band(21, 27, "Very severe"),
    ),
    source="QIDS-SR16, Rush et al. 2003 (item scores only)",
)

SCALES: Final[dict[str, ScaleDef]] = {s.id: s for s in (PHQ9, GAD7, PCL5, CADSS6, MOAAS, QIDS16)}

# Which check-in scale for which indication (DESIGN "Check-in"; CLINICAL §4 "use here").
INDICATION_SCALE: Final = {
    "depression": "phq9",
    "trd": "phq9",
    "anxiety": "gad7",
    "ptsd": "pcl5",
}
DEFAULT_INDICATION_SCALE: Final = "phq9"

RATING_MIN: Final = 0  # mood, anxiety, distress, nausea, intensity: 0–10 ratings
RATING_MAX: Final = 10

# --- PADSS (CLINICAL §5) ----------------------------------------------------------------------
# Vital-sign item: deviation from baseline, inclusive upper bounds in percent.
PADSS_VITALS_BANDS: Final = ((20, 2), (40, 1))  # > 40 % -> 0
PADSS_ITEM_MAX: Final = 2
PADSS_MAX: Final = 8  # four items × 0–2; see companion/clinical/padss.py for the adaptation
PADSS_FIT_MIN: Final = 7  # = the published >= 9 of 10 with "bleeding" fixed at 2
