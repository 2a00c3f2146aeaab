"""Scale scoring (CLINICAL §4): every band edge, item validation, safety alerts, clusters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.clinical.scales import (
    NO_BANDS,
    moaas_sedated,
    scale_for_indication,
    score_scale,
    validate_rating,
)
from companion.clinical.tables import CADSS6, PCL5, PHQ9, SCALES
from companion.errors import FieldError


def items_for(scale_id: str, total: int) -> list[int]:
    """Item scores summing to `total` (fills items in order up to the item maximum)."""
    scale = SCALES[scale_id]
    out = []
    for _ in range(scale.n_items):
        take = min(scale.item_max, total)
        out.append(take)
        total -= take
    assert total == 0
    return out


@pytest.mark.parametrize(
    ("scale_id", "total", "band"),
    [
        ("phq9", 0, "Minimal"), ("phq9", 4, "Minimal"), ("phq9", 5, "Mild"), ("phq9", 9, "Mild"),
        ("phq9", 10, "Moderate"), ("phq9", 14, "Moderate"), ("phq9", 15, "Moderately severe"),
        ("phq9", 19, "Moderately severe"), ("phq9", 20, "Severe"), ("phq9", 27, "Severe"),
        ("gad7", 0, "Minimal"), ("gad7", 4, "Minimal"), ("gad7", 5, "Mild"), ("gad7", 9, "Mild"),
        ("gad7", 10, "Moderate"), ("gad7", 14, "Moderate"), ("gad7", 15, "Severe"),
        ("gad7", 21, "Severe"),
    ],
)  # fmt: skip
def test_band_edges(scale_id: str, total: int, band: str) -> None:
    result = score_scale(scale_id, items_for(scale_id, total))
    assert result.total == total
    assert result.band == band


@pytest.mark.parametrize(("total", "probable"), [(30, False), (31, False), (32, False), (33, True), (80, True)])  # fmt: skip
def test_pcl5_cut_off(total: int, probable: bool) -> None:
    result = score_scale("pcl5", items_for("pcl5", total))
    assert result.band.startswith("Probable PTSD") is probable
    assert "31–33" in result.band


def test_pcl5_clusters() -> None:
    items = [1] * 5 + [2] * 2 + [3] * 7 + [4] * 6
    result = score_scale("pcl5", items)
    assert result.clusters == {"B": 5, "C": 4, "D": 21, "E": 24}
    assert sum(result.clusters.values()) == result.total


@pytest.mark.parametrize(
    ("total", "band"),
    [(5, "None"), (6, "Mild"), (10, "Mild"), (11, "Moderate"), (15, "Moderate"), (16, "Severe"),
     (20, "Severe"), (21, "Very severe"), (27, "Very severe")],
)  # fmt: skip
def test_qids_domain_scoring_and_bands(total: int, band: str) -> None:
    # Nine domains of 0-3: fill domain-representative items only.
    representative = [1, 5, 6, 10, 11, 12, 13, 14, 15]
    items = [0] * 16
    remaining = total
    for item in representative:
        items[item - 1] = min(3, remaining)
        remaining -= items[item - 1]
    assert score_scale("qids16", items).band == band
    assert score_scale("qids16", items).total == total


def test_qids_takes_max_within_domain() -> None:
    items = [3, 3, 3, 3, 0, 2, 2, 2, 2, 0, 0, 0, 0, 0, 1, 1]
    assert score_scale("qids16", items).total == 3 + 2 + 1
    alert = score_scale("qids16", [0] * 11 + [1] + [0] * 4).safety_alert
    assert alert is not None and "item 12" in alert


def test_cadss6_and_moaas() -> None:
    assert CADSS6.item_numbers == (1, 2, 6, 7, 15, 22)
    assert CADSS6.items == ()  # licensed wording is not shipped
    result = score_scale("cadss6", [4] * 6)
    assert (result.total, result.band) == (24, NO_BANDS)
    assert score_scale("moaas", [5]).band.startswith("5 — Responds readily")
    assert score_scale("moaas", [0]).band.startswith("0 — No response")
    assert moaas_sedated(4, 5) and not moaas_sedated(5, 5) and not moaas_sedated(4, 4)
    assert moaas_sedated(4, None)
    with pytest.raises(FieldError):
        score_scale("moaas", [6])


def test_wording_shipped_for_free_scales() -> None:
    assert len(PHQ9.items) == 9 and len(PCL5.items) == 20
    assert "better off dead" in PHQ9.items[8]


@pytest.mark.parametrize(
    ("scale_id", "items"),
    [
        ("phq9", [0] * 8), ("phq9", [0] * 10), ("phq9", [0] * 8 + [4]), ("phq9", [-1] + [0] * 8),
        ("gad7", [0] * 6 + [4]), ("pcl5", [0] * 19 + [5]), ("pcl5", [0] * 21),
        ("cadss6", [0] * 5 + [5]), ("phq9", [True] + [0] * 8), ("phq9", [1.0] + [0] * 8),
    ],
)  # fmt: skip
def test_bad_items_refused(scale_id: str, items: list[int]) -> None:
    with pytest.raises(FieldError):
        score_scale(scale_id, items)


def test_unknown_scale() -> None:
    with pytest.raises(ValueError, match="unknown scale"):
        score_scale("madrs", [0] * 10)


@given(st.sampled_from(sorted(SCALES)), st.data())
def test_score_within_range(scale_id: str, data: st.DataObject) -> None:
    scale = SCALES[scale_id]
    items = data.draw(
        st.lists(
            st.integers(scale.item_min, scale.item_max),
            min_size=scale.n_items,
            max_size=scale.n_items,
        )
    )
    result = score_scale(scale_id, items)
    upper = 27 if scale_id == "qids16" else scale.n_items * scale.item_max
    assert 0 <= result.total <= upper
    assert result.band


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_phq9_safety_alert_iff_item9(items: list[int]) -> None:
    result = score_scale("phq9", items)
    assert (result.safety_alert is not None) == (items[8] > 0)


@given(st.lists(st.integers(-5, 10), min_size=0, max_size=12))
def test_random_items_score_or_refuse(items: list[int]) -> None:
    try:
        result = score_scale("phq9", items)
    except FieldError:
        return
    assert 0 <= result.total <= 27


@pytest.mark.parametrize(
    ("indication", "scale"),
    [("depression", "phq9"), ("trd", "phq9"), ("anxiety", "gad7"), ("ptsd", "pcl5"),
     ("other", "phq9"), ("PTSD", "pcl5"), ("", "phq9")],
)  # fmt: skip
def test_scale_for_indication(indication: str, scale: str) -> None:
    assert scale_for_indication(indication) == scale


@pytest.mark.parametrize(("value", "ok"), [(0, True), (10, True), (-1, False), (11, False), ("7", True), (" 10 ", True), ("11", False), ("x", False), ("", False), (True, False), ("٣", False)])  # fmt: skip
def test_validate_rating(value: int | str, ok: bool) -> None:
    if ok:
        assert validate_rating("mood", value) == int(value)
    else:
        with pytest.raises(FieldError):
            validate_rating("mood", value)
