"""Plausibility ranges (CLINICAL §2): both sides of every edge, parsing, flags."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.clinical.plausibility import (
    FieldError,
    VitalsValues,
    flag_vitals,
    parse_temperature,
    parse_vital,
    range_message,
    validate_vitals,
)
from companion.clinical.tables import PLAUSIBLE

WHOLE_EDGES = [
    ("systolic", 50, 300),
    ("diastolic", 20, 200),
    ("pulse", 20, 250),
    ("spo2", 50, 100),
    ("respiration", 3, 60),
]


@pytest.mark.parametrize(("field", "low", "high"), WHOLE_EDGES)
def test_whole_number_edges_both_sides(field: str, low: int, high: int) -> None:
    assert parse_vital(field, str(low)) == low
    assert parse_vital(field, str(high)) == high
    for outside in (low - 1, high + 1):
        with pytest.raises(FieldError) as err:
            parse_vital(field, str(outside))
        assert err.value.field == field
        assert f"from {low} to {high}" in err.value.message


@pytest.mark.parametrize(
    ("field", "low", "high"), [("temperature_c", 30.0, 43.0), ("weight_kg", 25.0, 350.0)]
)
def test_decimal_edges_both_sides(field: str, low: float, high: float) -> None:
    assert parse_vital(field, f"{low:.1f}") == low
    assert parse_vital(field, f"{high:.1f}") == high
    for outside in (low - 0.1, high + 0.1):
        with pytest.raises(FieldError):
            parse_vital(field, f"{outside:.1f}")


def test_message_says_what_is_allowed() -> None:
    assert range_message("systolic") == "Systolic must be a whole number from 50 to 300 mmHg"
    with pytest.raises(FieldError, match="Systolic must be a whole number from 50 to 300 mmHg"):
        parse_vital("systolic", "abc")
    assert "°C" in range_message("temperature_c") and "°F" in range_message("temperature_c")


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "abc",
        "12a",
        "-120",
        "+120",
        "120.0",
        "1e2",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "１２０",
        "١٢٠",
        "12 0",
        "\x00120",
        "\x1c120",
        "99999999999999999999",
        "0x78",
        "120/80",
    ],
)
def test_garbage_is_refused(text: str) -> None:
    with pytest.raises(FieldError):
        parse_vital("systolic", text)


@pytest.mark.parametrize(
    "text", ["nan", "inf", "1e1", "37..0", "37,0,0", "3 7", ".5", "37.", "\x0737"]
)
def test_decimal_garbage_is_refused(text: str) -> None:
    with pytest.raises(FieldError):
        parse_vital("temperature_c", text)


def test_whitespace_trimmed_and_decimal_comma() -> None:
    assert parse_vital("pulse", "  72\n") == 72
    assert parse_vital("temperature_c", "37,2") == 37.2
    assert parse_vital("weight_kg", " 72,45 ") == 72.5  # half-up to one decimal
    assert parse_vital("temperature_c", "36.95") == 37.0
    assert isinstance(parse_vital("pulse", "72"), int)
    assert isinstance(parse_vital("weight_kg", "72"), float)


def test_unknown_field_is_a_bug() -> None:
    with pytest.raises(ValueError, match="unknown vital"):
        parse_vital("glucose", "5")


@pytest.mark.parametrize(
    ("text", "celsius"),
    [("98.6", 37.0), ("212", None), ("86.0", 30.0), ("109.4", 43.0), ("100,4", 38.0), ("32", None)],
)
def test_fahrenheit_converts_then_range_checks(text: str, celsius: float | None) -> None:
    if celsius is None:
        with pytest.raises(FieldError) as err:
            parse_temperature(text, "F")
        assert "°C" in err.value.message and "°F" in err.value.message
    else:
        assert parse_temperature(text, "F") == celsius


def test_fahrenheit_edges_both_sides() -> None:
    # Converted, rounded to 0.1 °C, then checked against 30.0–43.0 °C.
    assert parse_temperature("86.0", "F") == 30.0
    assert parse_temperature("85.95", "F") == 30.0  # 29.97 rounds up into range
    with pytest.raises(FieldError):
        parse_temperature("85.9", "F")  # 29.9 °C
    assert parse_temperature("109.4", "F") == 43.0
    with pytest.raises(FieldError):
        parse_temperature("109.5", "F")  # 43.1 °C
    assert parse_temperature("37.0", "C") == 37.0
    with pytest.raises(ValueError):
        parse_temperature("37", "K")  # type: ignore[arg-type]


@given(st.sampled_from(sorted(PLAUSIBLE)), st.text(max_size=30))
def test_random_text_never_crashes(field: str, text: str) -> None:
    r = PLAUSIBLE[field]
    try:
        value = parse_vital(field, text)
    except FieldError as e:
        assert e.field == field
        return
    assert r.low <= value <= r.high
    assert isinstance(value, int) if r.decimals == 0 else isinstance(value, float)
    assert math.isfinite(value)


@given(st.text(max_size=20), st.sampled_from(["C", "F"]))
def test_random_temperature_never_crashes(text: str, unit: str) -> None:
    try:
        value = parse_temperature(text, unit)  # type: ignore[arg-type]
    except FieldError:
        return
    assert 30.0 <= value <= 43.0
    assert round(value, 1) == value


@given(st.integers(min_value=50, max_value=300), st.integers(min_value=20, max_value=200))
def test_validate_bp_pair(sys_: int, dia: int) -> None:
    v = VitalsValues(systolic=sys_, diastolic=dia)
    if dia < sys_:
        validate_vitals(v)
    else:
        with pytest.raises(FieldError) as err:
            validate_vitals(v)
        assert err.value.field == "diastolic"


def test_validate_cross_field() -> None:
    validate_vitals(VitalsValues(pulse=70))
    validate_vitals(VitalsValues(systolic=120, diastolic=119))
    with pytest.raises(FieldError, match="below systolic"):
        validate_vitals(VitalsValues(systolic=120, diastolic=120))
    with pytest.raises(FieldError) as err:
        validate_vitals(VitalsValues(systolic=120))
    assert err.value.field == "diastolic"
    with pytest.raises(FieldError) as err:
        validate_vitals(VitalsValues(diastolic=80))
    assert err.value.field == "systolic"
    with pytest.raises(FieldError) as err:
        validate_vitals(VitalsValues())
    assert err.value.field == "vitals"
    with pytest.raises(FieldError) as err:
        validate_vitals(VitalsValues(pulse=70, consciousness="X"))
    assert err.value.field == "consciousness"


@pytest.mark.parametrize(
    "v",
    [
        VitalsValues(pulse=19),
        VitalsValues(pulse=True),
        VitalsValues(pulse=70.5),  # type: ignore[arg-type]
        VitalsValues(temperature_c=math.nan),
        VitalsValues(temperature_c=math.inf),
        VitalsValues(weight_kg=350.1),
    ],
)
def test_validate_refuses_out_of_range_or_wrong_type(v: VitalsValues) -> None:
    with pytest.raises(FieldError):
        validate_vitals(v)


# Flag edges, both sides: (field, last value of the milder band, first value of the band, its
# severity and word).
FLAG_EDGES = [
    ("systolic", 111, 110, "abnormal", "low"),
    ("systolic", 91, 90, "alarming", "very low"),
    ("systolic", 140, 141, "abnormal", "high"),
    ("systolic", 179, 180, "alarming", "very high"),
    ("diastolic", 50, 49, "abnormal", "low"),
    ("diastolic", 90, 91, "abnormal", "high"),
    ("diastolic", 109, 110, "alarming", "very high"),
    ("pulse", 51, 50, "abnormal", "low"),
    ("pulse", 41, 40, "alarming", "very low"),
    ("pulse", 90, 91, "abnormal", "high"),
    ("pulse", 130, 131, "alarming", "very high"),
    ("spo2", 96, 95, "abnormal", "low"),
    ("spo2", 92, 91, "alarming", "very low"),
    ("respiration", 12, 11, "abnormal", "low"),
    ("respiration", 9, 8, "alarming", "very low"),
    ("respiration", 20, 21, "abnormal", "high"),
    ("respiration", 24, 25, "alarming", "very high"),
    ("temperature_c", 36.1, 36.0, "abnormal", "low"),
    ("temperature_c", 35.1, 35.0, "alarming", "very low"),
    ("temperature_c", 38.0, 38.1, "abnormal", "high"),
    ("temperature_c", 39.0, 39.1, "abnormal", "very high"),
]


def _severity(field: str, value: float) -> tuple[str, str]:
    kwargs: dict[str, Any] = {field: value}
    flags = [f for f in flag_vitals(VitalsValues(**kwargs)) if f.field == field]
    return (flags[0].severity, flags[0].word) if flags else ("", "")


@pytest.mark.parametrize(("field", "inside", "outside", "severity", "word"), FLAG_EDGES)
def test_flag_edges(field: str, inside: float, outside: float, severity: str, word: str) -> None:
    assert _severity(field, outside) == (severity, word)
    inside_severity, inside_word = _severity(field, inside)
    order = ["", "abnormal", "alarming"]
    assert order.index(inside_severity) <= order.index(severity)
    assert inside_word != word  # the band changes exactly at the edge


def test_flag_text_is_human_and_mentions_baseline() -> None:
    (flag,) = flag_vitals(VitalsValues(pulse=128))
    assert flag.text == "Pulse 128 /min — high"
    (flag,) = flag_vitals(VitalsValues(pulse=128), baseline=VitalsValues(pulse=80))
    assert flag.text == "Pulse 128 /min — high (baseline 80, +48)"
    assert flag_vitals(VitalsValues(pulse=72, spo2=98, systolic=120, diastolic=80)) == []


def test_flags_for_oxygen_and_consciousness() -> None:
    flags = {f.field: f for f in flag_vitals(VitalsValues(on_oxygen=True, consciousness="V"))}
    assert flags["on_oxygen"].severity == "abnormal"
    assert flags["consciousness"].severity == "alarming"
    assert "voice" in flags["consciousness"].text.lower()
