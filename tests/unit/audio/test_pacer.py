from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audio.pacer import BOX, FOUR_SEVEN_EIGHT, RESONANCE, custom, pacer_state


def test_resonance_is_six_breaths_a_minute_with_a_ten_second_cycle() -> None:
    assert RESONANCE.cycle_s == 10
    assert RESONANCE.breaths_per_minute == 6
    assert pacer_state(RESONANCE, 0).phase == "inhale"
    assert pacer_state(RESONANCE, 4.99).phase == "inhale"
    assert pacer_state(RESONANCE, 5.0).phase == "exhale"
    assert pacer_state(RESONANCE, 10.0).phase == "inhale"
    assert pacer_state(RESONANCE, 612.5).label == "Breathe in"  # 61 cycles later, same place


def test_box_phase_boundaries_and_labels() -> None:
    expected = [
        (0, "inhale", "Breathe in"),
        (4, "hold-in", "Hold"),
        (8, "exhale", "Breathe out"),
        (12, "hold-out", "Hold"),
        (16, "inhale", "Breathe in"),
    ]
    for t, phase, label in expected:
        state = pacer_state(BOX, t)
        assert (state.phase, state.label) == (phase, label)
        assert state.phase_progress == pytest.approx(0)
    assert pacer_state(BOX, 2).phase_progress == pytest.approx(0.5)
    assert pacer_state(BOX, 2).seconds_left == pytest.approx(2)


def test_four_seven_eight_has_no_hold_after_exhale() -> None:
    assert FOUR_SEVEN_EIGHT.cycle_s == 19
    assert pacer_state(FOUR_SEVEN_EIGHT, 10).phase == "hold-in"
    assert pacer_state(FOUR_SEVEN_EIGHT, 18.9).phase == "exhale"
    assert pacer_state(FOUR_SEVEN_EIGHT, 19).phase == "inhale"


def test_size_is_eased_full_at_top_and_empty_at_bottom() -> None:
    assert pacer_state(BOX, 0).size == pytest.approx(0)
    assert pacer_state(BOX, 2).size == pytest.approx(0.5)
    assert pacer_state(BOX, 1).size < 0.25  # slow start of the in-breath (eased, not linear)
    assert pacer_state(BOX, 6).size == 1
    assert pacer_state(BOX, 10).size == pytest.approx(0.5)
    assert pacer_state(BOX, 14).size == 0


@given(st.floats(0, 10_000))
def test_state_is_always_in_range(elapsed: float) -> None:
    state = pacer_state(FOUR_SEVEN_EIGHT, elapsed)
    assert 0 <= state.size <= 1
    assert 0 <= state.phase_progress <= 1
    assert state.seconds_left >= 0


def test_custom_is_validated() -> None:
    assert custom(3, 0, 6, 0).cycle_s == 9
    with pytest.raises(ValueError, match="inhale must be 1–20 seconds"):
        custom(0.5, 0, 6, 0)
    with pytest.raises(ValueError, match="exhale"):
        custom(4, 0, 21, 0)
    with pytest.raises(ValueError, match="hold after inhale must be 0 or 1–20"):
        custom(4, 0.5, 4, 0)
    with pytest.raises(ValueError, match="hold after exhale"):
        custom(4, 0, 4, float("nan"))
    assert pacer_state(RESONANCE, -3).phase == "inhale"  # before the start: at the start
