"""Dose checks and mg/kg (CLINICAL §1 "Dose")."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.clinical.dose import (
    dose_warning,
    mg_per_kg,
    parse_dose_mg,
    validate_dose_mg,
)
from companion.errors import FieldError


@pytest.mark.parametrize(("mg", "ok"), [(0.0, False), (0.01, True), (500.0, True), (500.01, False), (-5.0, False), (math.nan, False), (math.inf, False)])  # fmt: skip
def test_dose_range(mg: float, ok: bool) -> None:
    if ok:
        assert validate_dose_mg(mg) == mg
    else:
        with pytest.raises(FieldError) as err:
            validate_dose_mg(mg)
        assert err.value.field == "dose_mg"
        assert "500 mg" in err.value.message


@pytest.mark.parametrize(("text", "mg"), [("35", 35.0), (" 37.5 ", 37.5), ("37,5", 37.5)])
def test_parse_dose(text: str, mg: float) -> None:
    assert parse_dose_mg(text) == mg


@pytest.mark.parametrize("text", ["", "0", "abc", "1e2", "nan", "501", "-5", "35mg"])
def test_parse_dose_refuses(text: str) -> None:
    with pytest.raises(FieldError):
        parse_dose_mg(text)


def test_mg_per_kg() -> None:
    assert mg_per_kg(35, 70) == 0.5
    assert mg_per_kg(50, 75) == 0.67
    with pytest.raises(FieldError) as err:
        mg_per_kg(35, 24.9)
    assert err.value.field == "weight_kg"
    with pytest.raises(FieldError):
        mg_per_kg(0, 70)


def test_ceiling_edges() -> None:
    assert dose_warning(70, 70, 1.0) is None  # exactly at the ceiling
    warning = dose_warning(70.1, 70, 1.0)
    assert warning is not None
    assert "70.1 mg is 1.001 mg/kg" in warning and "ceiling of 1 mg/kg" in warning
    # Binary floats: 0.1 * 3 kg-style products must not trip the edge.
    assert dose_warning(60.3, 80.4, 0.75) is None
    assert dose_warning(60.31, 80.4, 0.75) is not None
    with pytest.raises(ValueError):
        dose_warning(70, 70, 0)


@given(st.text(max_size=12))
def test_random_dose_text(text: str) -> None:
    try:
        mg = parse_dose_mg(text)
    except FieldError:
        return
    assert 0 < mg <= 500
