from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audio.script import (
    BELL_KINDS,
    Bell,
    FlexPause,
    MeditationScript,
    Pause,
    Segment,
    Speech,
    load_scripts,
    parse_script,
    personalise,
    speech_texts,
)
from audio.timeline import (
    TooLongError,
    TooShortError,
    describe,
    distribute,
    fit,
    maximum_length,
    minimum_length,
)

BELLS = {Bell(k, d): 4.5 + (2.2 if d else 0.0) for k in BELL_KINDS for d in (False, True)}
MEDITATIONS = Path(__file__).resolve().parents[3] / "data" / "meditations"

fixed_segments = st.one_of(
    st.builds(Speech, st.sampled_from(["One.", "Two words.", "Three words here."])),
    st.builds(Pause, st.floats(0.5, 30)),
    st.builds(Bell, st.sampled_from(BELL_KINDS), st.booleans()),
)


@st.composite
def flex_pauses(draw: st.DrawFn) -> FlexPause:
    low = draw(st.floats(0, 60))
    return FlexPause(low, low + draw(st.floats(0, 300)), draw(st.floats(0.1, 10)))


@st.composite
def scripts(draw: st.DrawFn) -> MeditationScript:
    body: list[Segment] = draw(st.lists(st.one_of(fixed_segments, flex_pauses()), max_size=12))
    body.insert(draw(st.integers(0, len(body))), draw(flex_pauses()))
    body.insert(draw(st.integers(0, len(body))), Speech("One."))  # the parser demands speech
    closing = draw(st.lists(fixed_segments, max_size=5))
    return MeditationScript("gen", "Generated", "", frozenset({"all"}), tuple(body), tuple(closing))


DURATIONS = {"One.": 1.1, "Two words.": 1.7, "Three words here.": 2.3}


@settings(max_examples=300, deadline=None)
@given(scripts(), st.floats(0, 1), st.floats(0, 20))
def test_fit_properties(script: MeditationScript, where: float, warmup: float) -> None:
    low = minimum_length(script, DURATIONS, BELLS, warmup)
    high = maximum_length(script, DURATIONS, BELLS, warmup)
    total = low + where * (high - low)
    timeline = fit(script, total, DURATIONS, BELLS, warmup)
    cues = timeline.cues

    assert cues[-1].end_s == pytest.approx(total, abs=1e-6)
    assert cues[0].start_s == 0.0
    for before, after in itertools.pairwise(cues):
        assert after.start_s == pytest.approx(before.end_s, abs=1e-6)  # ordered, no gap/overlap
        assert after.start_s >= before.start_s
    for cue in cues:
        assert cue.end_s >= cue.start_s - 1e-9

    flexes = [s for s in script.body if isinstance(s, FlexPause)]
    flex_cues = [c for c in cues if c.flexible]
    for flex, cue in zip(flexes, flex_cues, strict=True):
        assert flex.min_s - 1e-6 <= cue.duration_s <= flex.max_s + 1e-6
    assert len(cues) == len(script.segments) + (1 if warmup > 0 else 0)

    # The closing is anchored: its cues end exactly at the total, with their own fixed lengths.
    closing_cues = [c for c in cues if c.closing]
    closing_len = sum(c.duration_s for c in closing_cues)
    if closing_cues:
        assert closing_cues[0].start_s == pytest.approx(total - closing_len, abs=1e-6)
    assert sum(1 for c in cues if c.kind == "speech") == sum(
        1 for s in script.segments if isinstance(s, Speech)
    )
    assert [c.index for c in cues] == list(range(len(cues)))


@settings(max_examples=200, deadline=None)
@given(scripts(), st.floats(0.01, 100))
def test_too_short_reports_the_minimum(script: MeditationScript, shortfall: float) -> None:
    low = minimum_length(script, DURATIONS, BELLS)
    with pytest.raises(TooShortError) as caught:
        fit(script, low - shortfall, DURATIONS, BELLS)
    assert caught.value.minimum_s == pytest.approx(low)


@settings(max_examples=200, deadline=None)
@given(scripts(), st.floats(0.01, 1000))
def test_too_long_reports_the_maximum(script: MeditationScript, excess: float) -> None:
    high = maximum_length(script, DURATIONS, BELLS)
    with pytest.raises(TooLongError) as caught:
        fit(script, high + excess, DURATIONS, BELLS)
    assert caught.value.maximum_s == pytest.approx(high)


def test_distribute_is_proportional_then_water_fills() -> None:
    flexes = [FlexPause(0, 100, 1), FlexPause(0, 100, 3)]
    assert distribute(40, flexes) == pytest.approx([10, 30])
    # The heavy pause saturates at 20; the rest flows to the light one.
    flexes = [FlexPause(5, 100, 1), FlexPause(5, 20, 3)]
    assert distribute(60, flexes) == pytest.approx([50, 20])
    assert distribute(0, flexes) == [5, 5]


def test_fit_places_closing_at_the_end_and_warmup_first() -> None:
    script = parse_script(
        "title: T\nbell start\nsay One.\nflex 10..100\nclosing\nsay Two words.\nbell end\n", "t.txt"
    )
    timeline = fit(script, 120, DURATIONS, BELLS, warmup_s=10)
    kinds = [(c.kind, round(c.start_s, 3)) for c in timeline.cues]
    assert kinds == [
        ("warmup", 0),
        ("bell", 10),
        ("speech", 14.5),
        ("pause", 15.6),
        ("speech", 120 - 4.5 - 1.7),
        ("bell", 120 - 4.5),
    ]


def test_missing_speech_duration_is_a_clear_error() -> None:
    script = parse_script("title: T\nsay Unrendered.\nflex 1..5\n", "t.txt")
    with pytest.raises(KeyError, match="no measured duration"):
        fit(script, 10, {}, BELLS)


def test_describe_previews_each_cue() -> None:
    script = parse_script(
        "title: T\nbell start\nsay One.\nflex 10..100\nclosing\nsay Two words.\nbell end double\n",
        "t.txt",
    )
    lines = describe(fit(script, 65, DURATIONS, BELLS))
    assert lines[0] == "00:00 bell start"
    assert lines[1] == "00:04 say: One."  # 4.5 s: shown like a clock, not rounded up
    assert lines[2].startswith("00:05 flexible pause ")
    assert "— closing —" in lines[3]
    assert lines[-2].endswith("bell end (double)")
    assert lines[-1] == "01:05 end"


def test_shipped_scripts_fit_ten_minutes() -> None:
    for script in load_scripts(MEDITATIONS):
        script = personalise(script, "to rest")
        durations = {t: 0.075 * len(t) for t in speech_texts(script)}  # about 150 words/min
        assert minimum_length(script, durations, BELLS, 10) < 300, script.name
        assert maximum_length(script, durations, BELLS, 10) > 600, script.name
        assert fit(script, 600, durations, BELLS, 10).cues[-1].end_s == pytest.approx(600)
