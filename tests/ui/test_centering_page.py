"""The centering page with a ManualClock, a FakeSpeaker and a FakeSpeechRenderer: cues fire at
their times, pause shifts them, end gently ends with the end bell and is stored as ended early;
lengths that do not fit are refused with the range shown; no speech engine runs silently; VR and
skipped are recorded."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from audio.fakes import FakeSpeaker, FakeSpeechRenderer
from audio.timeline import Cue
from companion.clock import ManualClock
from companion.errors import FieldError
from companion.roles import Actor
from companion.storage.models import CenteringRecord, Indication, Role
from tests.unit.services.test_centering import centering_session, rows
from ui.centering_page import CenteringPage
from ui.centering_setup import MAX_MINUTES, mmss, parse_minutes, parse_pattern
from ui.context import AppContext


def open_page(
    qtbot: QtBot, ctx: AppContext, sid: int, *, unavailable: bool = False
) -> tuple[CenteringPage, FakeSpeaker]:
    speaker = FakeSpeaker()
    page = CenteringPage(
        ctx,
        renderer_factory=lambda cache, voice, rate: FakeSpeechRenderer(
            cache, voice, rate, unavailable=unavailable
        ),
        speaker=speaker,
    )
    qtbot.addWidget(page)
    page.load(ctx.services.sessions.get(sid))
    page.resize(1200, 700)
    page.show()
    page.setup.finish_background_work()
    return page, speaker


def click(qtbot: QtBot, page: CenteringPage, name: str) -> None:
    button = page.findChild(QPushButton, name)
    assert button is not None and button.isEnabled() and button.isVisible(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def sounds(speaker: FakeSpeaker) -> list[tuple[object, ...]]:
    return [c for c in speaker.calls if c[0] in ("play_voice", "play_bell")]


def move_to(page: CenteringPage, clock: ManualClock, position: float) -> None:
    """Advance the clock so the run is at `position` seconds (no pauses), then tick."""
    assert page.run is not None
    clock.advance(position - page.run.elapsed_s())
    page.tick()


def expected_sound(page: CenteringPage, cue: Cue) -> tuple[object, ...] | None:
    if cue.kind == "speech":
        return ("play_voice", page.setup.speech_paths[cue.text])
    if cue.kind == "bell" and cue.bell is not None:
        return ("play_bell", page.setup.bell_paths()[cue.bell])
    return None


def test_ptsd_gets_grounding_first_and_cues_fire_at_their_times(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, guide: Actor
) -> None:
    sid = centering_session(ctx.services, guide)
    page, speaker = open_page(qtbot, ctx, sid)
    assert page.setup.script.currentText() == "Grounding in the room"
    assert page.setup.voice.currentText() == "Fake English"  # English first
    assert not page.setup.intention.isChecked()  # speaking the intention is opt-in
    click(qtbot, page, "centering_len_5")
    assert page.setup.length.text() == "5" and page.start_button.isEnabled()
    assert page.setup.preview.toPlainText().splitlines()[-1] == "05:00 end"

    click(qtbot, page, "centering_start")
    assert page.run is not None and page.live
    timeline = page.run.timeline
    assert timeline.total_s == 300.0
    assert sounds(speaker) == [expected_sound(page, timeline.cues[0])]  # the start bell at 0
    assert page.run_panel.countdown.text() == "05:00"
    heard = 1
    for cue in timeline.cues[1:12]:
        move_to(page, clock, cue.start_s - 0.01)
        assert len(sounds(speaker)) == heard, f"{cue.kind} fired early"
        move_to(page, clock, cue.start_s + 0.01)
        want = expected_sound(page, cue)
        if want is not None:
            heard += 1
            assert sounds(speaker)[-1] == want
        if cue.kind == "speech":
            assert page.run_panel.caption.text() == cue.text
            assert page.run_panel.status.text() == "Speaking"
    assert page.run_panel.countdown.text() == mmss(math.ceil(page.run.remaining_s()))
    assert page.run_panel.pacer.state().label in ("Breathe in", "Breathe out")

    move_to(page, clock, 300.0)  # to the end: completed and stored
    assert not page.live and page.stack.currentIndex() == 2
    [stored] = rows(ctx.services)
    assert (stored.mode, stored.script_id, stored.voice, stored.rate) == (
        "guided", "grounding_ptsd", "fake/en", 150,
    )  # fmt: skip
    assert (stored.planned_s, stored.actual_s, stored.completed, stored.ended_early) == (
        300.0, 300.0, True, False,
    )  # fmt: skip
    assert "completed" in page.summary.text() and page.continue_button.isVisible()
    with qtbot.waitSignal(page.advance, timeout=1000):
        click(qtbot, page, "centering_continue")


def test_pause_shifts_the_following_cues(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, guide: Actor
) -> None:
    sid = centering_session(ctx.services, guide)
    page, speaker = open_page(qtbot, ctx, sid)
    click(qtbot, page, "centering_start")  # 10 minutes by default
    assert page.run is not None
    cue = next(c for c in page.run.timeline.cues if c.kind == "speech" and c.start_s > 10)
    move_to(page, clock, cue.start_s - 1.0)
    heard = len(sounds(speaker))
    countdown = page.run_panel.countdown.text()
    click(qtbot, page, "centering_pause")
    assert page.run_panel.pause.text() == "&Resume" and "Paused" in page.run_panel.status.text()
    clock.advance(30.0)
    page.tick()
    assert len(sounds(speaker)) == heard and page.run_panel.countdown.text() == countdown
    click(qtbot, page, "centering_pause")  # resume
    clock.advance(0.98)
    page.tick()
    assert len(sounds(speaker)) == heard  # it would have fired here without the pause
    clock.advance(0.04)
    page.tick()
    assert sounds(speaker)[-1] == expected_sound(page, cue)
    assert ("pause",) in speaker.calls and ("resume",) in speaker.calls

    click(qtbot, page, "centering_end")
    [stored] = rows(ctx.services)
    assert [tuple(p) for p in stored.pauses] == [(round(cue.start_s - 1.0, 1), 30.0)]


def test_end_gently_rings_the_end_bell_and_is_stored_as_ended_early(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, guide: Actor
) -> None:
    sid = centering_session(ctx.services, guide, indication=Indication.DEPRESSION)
    page, speaker = open_page(qtbot, ctx, sid)
    click(qtbot, page, "centering_len_5")
    click(qtbot, page, "centering_start")
    started = clock.now()
    move_to(page, clock, 61.0)
    page.hide()  # e.g. the idle lock: the meditation goes on
    move_to(page, clock, 62.0)
    assert page.live and page._timer.isActive()
    page.run_panel.end.click()  # the page is hidden: no mouse, but the run still ends
    assert speaker.names()[-2:] == ["fade_out_and_stop", "play_bell"]
    bell = speaker.calls[-1][1]
    assert isinstance(bell, Path) and bell.name.startswith("bell-end")
    assert not page._timer.isActive()  # stopped once the run ended, since the page is hidden
    [stored] = rows(ctx.services)
    assert (stored.completed, stored.ended_early, stored.actual_s, stored.planned_s) == (
        False, True, 62.0, 300.0,
    )  # fmt: skip
    assert (stored.started_at, stored.ended_at, stored.guide_id) == (started, clock.now(), guide.id)
    page.show()
    assert "ended early" in page.summary.text() and page.stack.currentIndex() == 2


def test_a_length_that_does_not_fit_is_refused_with_the_range_shown(
    qtbot: QtBot, ctx: AppContext, guide: Actor
) -> None:
    sid = centering_session(ctx.services, guide)
    page, _speaker = open_page(qtbot, ctx, sid)
    setup = page.setup
    for text, expected in [
        ("2", "Too short: Grounding in the room needs 03:"),
        ("30", "Too long: Grounding in the room needs 03:"),
        ("45", "Too long: Grounding in the room needs 03:"),
        ("abc", "Type minutes, e.g. 10, 7.5 or 12:30."),
        ("0", "Choose more than 0 and at most 120 minutes."),
    ]:
        setup.length.clear()
        qtbot.keyClicks(setup.length, text)
        qtbot.keyClick(setup.length, Qt.Key.Key_Return)
        assert setup.length_error.isVisible() and setup.length_error.text().startswith(expected)
        assert setup.length.property("invalid") == "true"
        assert not page.start_button.isEnabled() and setup.timeline is None
    # Every shipped script stretches to the 20-minute preset (its pauses allow it).
    assert page.findChild(QPushButton, "centering_len_20").isEnabled()  # type: ignore[union-attr]
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert rows(ctx.services) == []
    setup.length.clear()
    qtbot.keyClicks(setup.length, "7:30")
    qtbot.keyClick(setup.length, Qt.Key.Key_Return)
    assert not setup.length_error.isVisible() and page.start_button.isEnabled()
    assert setup.timeline is not None and setup.timeline.total_s == 450.0


def test_without_a_speech_engine_a_banner_shows_and_the_run_is_silent_with_captions(
    qtbot: QtBot, ctx: AppContext, clock: ManualClock, guide: Actor
) -> None:
    sid = centering_session(ctx.services, guide)
    page, speaker = open_page(qtbot, ctx, sid, unavailable=True)
    assert page.banner.isVisible() and "No speech engine" in page.banner.text()
    click(qtbot, page, "centering_start")
    assert page.run is not None
    first = next(c for c in page.run.timeline.cues if c.kind == "speech")
    move_to(page, clock, first.start_s + 0.5)
    assert page.run_panel.caption.text() == first.text
    assert "play_voice" not in speaker.names() and "play_bell" in speaker.names()
    click(qtbot, page, "centering_end")
    [stored] = rows(ctx.services)
    assert stored.voice is None and stored.ended_early


def test_speaking_the_intention_is_rendered_only_when_chosen(
    qtbot: QtBot, ctx: AppContext, guide: Actor
) -> None:
    sid = centering_session(ctx.services, guide, indication=Indication.ANXIETY)
    page, _speaker = open_page(qtbot, ctx, sid)
    setup = page.setup
    setup.script.setCurrentIndex(setup.script.findText("Intention setting"))
    setup.finish_background_work()
    assert "To feel safe in my body again" not in setup.preview.toPlainText()
    assert setup.intention_text.text() == "“To feel safe in my body again.”"
    setup.intention.setFocus()
    qtbot.keyClick(setup.intention, Qt.Key.Key_Space)
    setup.finish_background_work()
    assert setup.intention.isChecked()
    assert any("To feel safe in my body again" in t for t in setup.speech_paths)


def test_vr_and_skipped_are_recorded_and_a_skip_needs_a_reason(
    qtbot: QtBot, ctx: AppContext, guide: Actor
) -> None:
    sid = centering_session(ctx.services, guide)
    page, _speaker = open_page(qtbot, ctx, sid)
    qtbot.keyClicks(page.instead, "Forest scene")
    click(qtbot, page, "centering_vr")
    assert page.stack.currentIndex() == 2 and "VR used instead" in page.summary.text()
    click(qtbot, page, "centering_again")
    click(qtbot, page, "centering_skipped")  # no reason typed
    assert page.instead_error.isVisible() and "required" in page.instead_error.text()
    qtbot.keyClicks(page.instead, "Patient declined")
    click(qtbot, page, "centering_skipped")
    assert "Reason: Patient declined" in page.summary.text()
    assert [(r.mode, r.note) for r in rows(ctx.services)] == [
        ("vr", "Forest scene"), ("skipped", "Patient declined"),
    ]  # fmt: skip


def test_an_unfinished_run_is_shown_and_staff_cannot_record(
    qtbot: QtBot, ctx: AppContext, staff_by_role: dict[Role, Actor], guide: Actor
) -> None:
    sid = centering_session(ctx.services, guide)
    ctx.services.centering.record_started(
        guide, sid, script_id="body_scan", voice=None, rate=150, planned_s=600.0
    )
    page, _speaker = open_page(qtbot, ctx, sid)
    assert "was not finished" in page.banner.text() and page.stack.currentIndex() == 0
    viewer, _ = open_page(qtbot, replace(ctx, actor=staff_by_role[Role.STAFF]), sid)
    assert "Only a guide or physician" in viewer.banner.text()
    assert not viewer.start_button.isEnabled() and not viewer.vr_button.isEnabled()
    with ctx.services.db.transaction() as s:
        assert len(s.scalars(select(CenteringRecord)).all()) == 1


@given(st.text(max_size=12))
def test_typed_lengths_are_minutes_in_range_or_refused(text: str) -> None:
    try:
        seconds = parse_minutes(text)
    except FieldError as exc:
        assert exc.field == "length"
    else:
        assert math.isfinite(seconds) and 0 < seconds <= MAX_MINUTES * 60


@given(st.text(alphabet="0123456789.-, x", max_size=16))
def test_custom_breaths_are_four_phases_in_range_or_refused(text: str) -> None:
    try:
        pattern = parse_pattern(text)
    except FieldError as exc:
        assert exc.field == "pattern"
    else:
        assert 1.0 <= pattern.inhale_s <= 20 and 1.0 <= pattern.exhale_s <= 20
        assert pattern.cycle_s <= 80


@pytest.mark.parametrize(("text", "seconds"), [("10", 600), ("7,5", 450), ("12:30", 750)])
def test_length_formats(text: str, seconds: float) -> None:
    assert parse_minutes(text) == seconds


def test_a_broken_script_file_is_named_and_vr_or_skip_still_work(
    qtbot: QtBot, ctx: AppContext, guide: Actor, tmp_path: Path
) -> None:
    folder = tmp_path / "meditations"
    folder.mkdir()
    (folder / "calm.txt").write_text("title: Calm\nsay Hello.\nflex 1..x\n", encoding="utf-8")
    sid = centering_session(ctx.services, guide)
    page = CenteringPage(ctx, scripts_dir=folder, speaker=FakeSpeaker())
    qtbot.addWidget(page)
    page.load(ctx.services.sessions.get(sid))
    assert "cannot be read: calm.txt:3:" in page.banner.text()
    assert not page.start_button.isEnabled() and page.setup.script.count() == 0
    qtbot.keyClicks(page.instead, "Scripts unavailable today")
    qtbot.mouseClick(page.skip_button, Qt.MouseButton.LeftButton)
    assert [r.mode for r in rows(ctx.services)] == ["skipped"]
