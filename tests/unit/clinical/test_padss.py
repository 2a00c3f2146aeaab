"""PADSS as adapted here (CLINICAL §5; see companion/clinical/padss.py for the adaptation)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.clinical.padss import deviation_percent, padss_total, padss_vitals_item
from companion.clinical.plausibility import VitalsValues
from companion.errors import FieldError

BASE = VitalsValues(systolic=100, diastolic=60, pulse=100)


@pytest.mark.parametrize(
    ("value", "score"),
    [(100, 2), (120, 2), (80, 2), (121, 1), (79, 1), (140, 1), (60, 1), (141, 0), (59, 0)],
)
def test_vitals_item_edges_on_systolic_and_pulse(value: int, score: int) -> None:
    # Exactly 20 % → 2 and exactly 40 % → 1 (documented convention), both directions.
    assert padss_vitals_item(VitalsValues(systolic=value, diastolic=50, pulse=100), BASE) == score
    assert padss_vitals_item(VitalsValues(systolic=100, diastolic=50, pulse=value), BASE) == score


def test_vitals_item_takes_the_worse() -> None:
    current = VitalsValues(systolic=121, diastolic=60, pulse=150)
    assert padss_vitals_item(current, BASE) == 0


def test_exact_fractions_no_float_edge() -> None:
    # 20 % of 115 is 23 exactly; 138 must still score 2.
    base = VitalsValues(systolic=115, diastolic=70, pulse=70)
    assert deviation_percent(138, 115) == 20
    assert padss_vitals_item(VitalsValues(systolic=138, diastolic=70, pulse=70), base) == 2
    assert padss_vitals_item(VitalsValues(systolic=139, diastolic=70, pulse=70), base) == 1


def test_vitals_item_needs_both_values() -> None:
    with pytest.raises(FieldError):
        padss_vitals_item(VitalsValues(pulse=80), BASE)
    with pytest.raises(FieldError):
        padss_vitals_item(BASE, VitalsValues(systolic=100, diastolic=60))


@pytest.mark.parametrize(
    ("items", "total", "fit"),
    [((2, 2, 2, 2), 8, True), ((2, 2, 2, 1), 7, True), ((1, 2, 2, 2), 7, True),
     ((1, 1, 2, 2), 6, False), ((0, 2, 2, 2), 6, False), ((0, 0, 0, 0), 0, False)],
)  # fmt: skip
def test_total_and_fit_edge(items: tuple[int, int, int, int], total: int, fit: bool) -> None:
    result = padss_total(*items)
    assert (result.total, result.max, result.fit) == (total, 8, fit)


@pytest.mark.parametrize("bad", [-1, 3, True])
def test_items_out_of_range(bad: int) -> None:
    with pytest.raises(FieldError):
        padss_total(2, 2, 2, bad)


@given(st.tuples(*[st.integers(0, 2)] * 4))
def test_any_zero_item_is_never_fit(items: tuple[int, int, int, int]) -> None:
    result = padss_total(*items)
    assert 0 <= result.total <= 8
    if 0 in items:
        assert not result.fit
    # Equivalent to the published >= 9 of 10 with bleeding fixed at 2.
    assert result.fit == (result.total + 2 >= 9)
