"""NEWS2 (RCP 2017, CLINICAL §3): every band edge on both sides, the worked case, responses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.clinical.news2 import band_score, news2, response_for
from companion.clinical.plausibility import VitalsValues

NORMAL: dict[str, Any] = {
    "respiration": 16,
    "spo2": 98,
    "systolic": 120,
    "pulse": 70,
    "temperature_c": 37.0,
}

# (parameter, value, score): every edge of the §3 table, value on each side.
EDGES = [
    ("respiration", 8, 3), ("respiration", 9, 1), ("respiration", 11, 1), ("respiration", 12, 0),
    ("respiration", 20, 0), ("respiration", 21, 2), ("respiration", 24, 2), ("respiration", 25, 3),
    ("spo2", 91, 3), ("spo2", 92, 2), ("spo2", 93, 2), ("spo2", 94, 1), ("spo2", 95, 1),
    ("spo2", 96, 0), ("spo2", 100, 0),
    ("systolic", 90, 3), ("systolic", 91, 2), ("systolic", 100, 2), ("systolic", 101, 1),
    ("systolic", 110, 1), ("systolic", 111, 0), ("systolic", 219, 0), ("systolic", 220, 3),
    ("pulse", 40, 3), ("pulse", 41, 1), ("pulse", 50, 1), ("pulse", 51, 0), ("pulse", 90, 0),
    ("pulse", 91, 1), ("pulse", 110, 1), ("pulse", 111, 2), ("pulse", 130, 2), ("pulse", 131, 3),
    ("temperature_c", 35.0, 3), ("temperature_c", 35.1, 1), ("temperature_c", 36.0, 1),
    ("temperature_c", 36.1, 0), ("temperature_c", 38.0, 0), ("temperature_c", 38.1, 1),
    ("temperature_c", 39.0, 1), ("temperature_c", 39.1, 2),
]  # fmt: skip


@pytest.mark.parametrize(("parameter", "value", "score"), EDGES)
def test_band_edges(parameter: str, value: float, score: int) -> None:
    assert band_score(parameter, value) == score
    v = VitalsValues(**{**NORMAL, parameter: value})
    result = news2(v)
    assert result.parts[parameter] == score
    assert result.total == score


def test_worked_case_from_clinical_md() -> None:
    v = VitalsValues(
        respiration=22, spo2=95, on_oxygen=True, systolic=105, diastolic=70, pulse=115,
        consciousness="A", temperature_c=37.0,
    )  # fmt: skip
    result = news2(v)
    assert result.parts == {
        "respiration": 2, "spo2": 1, "on_oxygen": 2, "systolic": 1, "pulse": 2,
        "consciousness": 0, "temperature_c": 0,
    }  # fmt: skip
    assert result.total == 8
    assert result.response == "high"
    assert not result.any_single_three


def test_oxygen_and_consciousness() -> None:
    assert news2(VitalsValues(**NORMAL, on_oxygen=True)).total == 2
    for level in "CVPU":
        result = news2(VitalsValues(**NORMAL, consciousness=level))
        assert result.total == 3
        assert result.any_single_three
        assert result.response == "low-medium"
    assert news2(VitalsValues(**NORMAL, consciousness="?")).parts["consciousness"] == 3


@pytest.mark.parametrize(
    ("total", "single_three", "response"),
    [
        (0, False, "routine"), (1, False, "low"), (4, False, "low"), (3, True, "low-medium"),
        (4, True, "low-medium"), (5, False, "medium"), (5, True, "medium"), (6, False, "medium"),
        (7, False, "high"), (7, True, "high"), (20, True, "high"),
    ],
)  # fmt: skip
def test_response_edges(total: int, single_three: bool, response: str) -> None:
    assert response_for(total, single_three) == response


def test_missing_parameter_gives_no_total() -> None:
    v = VitalsValues(respiration=16, spo2=98, systolic=120, diastolic=80, pulse=70)
    result = news2(v)
    assert result.total is None
    assert result.response is None
    assert result.missing == ("temperature_c",)
    assert result.partial_total == 0
    partial = news2(VitalsValues(respiration=7))
    assert partial.any_single_three
    assert set(partial.missing) == {"spo2", "systolic", "pulse", "temperature_c"}


vitals_strategy = st.builds(
    VitalsValues,
    systolic=st.integers(50, 300),
    diastolic=st.just(40),
    pulse=st.integers(20, 250),
    spo2=st.integers(50, 100),
    respiration=st.integers(3, 60),
    temperature_c=st.integers(300, 430).map(lambda t: t / 10),
    on_oxygen=st.booleans(),
    consciousness=st.sampled_from("ACVPU"),
)


@given(vitals_strategy)
def test_total_in_range_and_consistent(v: VitalsValues) -> None:
    result = news2(v)
    assert result.total is not None
    assert 0 <= result.total <= 20  # 3+3+2+3+3+3+3
    assert result.total == sum(result.parts.values())
    assert all(0 <= s <= 3 for s in result.parts.values())
    assert result.any_single_three == (3 in result.parts.values())
    assert result.response == response_for(result.total, result.any_single_three)
