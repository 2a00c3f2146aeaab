from __future__ import annotations

from pathlib import Path

import pytest

from audio.fakes import FakeSpeaker
from audio.runner import CenteringRun, RunSummary
from audio.script import Bell, parse_script
from audio.speaker import CueSounds
from audio.timeline import Cue, Timeline, fit
from companion.clock import ManualClock

SCRIPT = parse_script(
    "title: T\n"
    "bell start\n"  # 0..5
    "say One.\n"  # 5..7
    "flex 10..100\n"  # 7..?
    "say Two.\n"
    "flex 10..100\n"
    "closing\n"
    "say Bye.\n"  # total-7..total-5
    "bell end\n",  # total-5..total
    "t.txt",
)
SPEECH = {"One.": 2.0, "Two.": 2.0, "Bye.": 2.0}
BELLS = {Bell("start"): 5.0, Bell("end"): 5.0}


class Recorder:
    def __init__(self) -> None:
        self.cues: list[Cue] = []
        self.summaries: list[RunSummary] = []

    def cue(self, cue: Cue) -> None:
        self.cues.append(cue)

    def finished(self, summary: RunSummary) -> None:
        self.summaries.append(summary)


def make_run(total: float = 60.0) -> tuple[CenteringRun, ManualClock, Recorder, FakeSpeaker]:
    clock = ManualClock()
    rec = Recorder()
    speaker = FakeSpeaker()
    timeline = fit(SCRIPT, total, SPEECH, BELLS)
    run = CenteringRun(timeline, clock, rec.cue, rec.finished, speaker=speaker)
    return run, clock, rec, speaker


def run_to_end(run: CenteringRun, clock: ManualClock, step: float = 0.1) -> None:
    for _ in range(100_000):
        if run.state == "finished":
            return
        clock.advance(step)
        run.tick()
    raise AssertionError("run never finished")


def test_cues_fire_at_their_times_exactly_once_in_order() -> None:
    clock = ManualClock()
    fired_at: list[tuple[int, float]] = []
    summaries: list[RunSummary] = []
    run = CenteringRun(
        fit(SCRIPT, 60.0, SPEECH, BELLS),
        clock,
        lambda cue: fired_at.append((cue.index, run.elapsed_s())),
        summaries.append,
    )
    run.start()
    run_to_end(run, clock, step=0.25)
    timeline: Timeline = run.timeline
    assert [i for i, _ in fired_at] == list(range(len(timeline.cues)))
    for index, at in fired_at:
        assert timeline.cues[index].start_s <= at < timeline.cues[index].start_s + 0.25 + 1e-9
    assert summaries == [run.summary]
    assert run.summary is not None
    assert run.summary.actual_s == pytest.approx(60.0, abs=0.3)
    assert run.summary.pauses == [] and run.summary.skips == []
    assert run.summary.completed and not run.summary.ended_early
    run.tick()  # nothing more after the end
    assert len(fired_at) == len(timeline.cues)


def test_a_late_tick_fires_everything_due_in_order() -> None:
    run, clock, rec, _ = make_run()
    run.start()
    assert [c.kind for c in rec.cues] == ["bell"]
    clock.advance(7.5)
    run.tick()
    assert [c.kind for c in rec.cues] == ["bell", "speech", "pause"]


def test_pause_stops_the_timeline_and_shifts_later_cues() -> None:
    run, clock, rec, speaker = make_run()
    run.start()
    clock.advance(6)
    run.tick()
    run.pause()
    assert run.state == "paused"
    assert run.current_caption() == "One."  # still shown while paused
    clock.advance(30)
    run.tick()
    assert run.elapsed_s() == pytest.approx(6)
    assert len(rec.cues) == 2
    run.resume()
    assert speaker.names()[-2:] == ["pause", "resume"]
    clock.advance(0.9)
    run.tick()
    assert len(rec.cues) == 2  # the flex pause starts at 7 s of timeline, i.e. 37 s of clock
    clock.advance(0.2)
    run.tick()
    assert rec.cues[-1].kind == "pause"
    run_to_end(run, clock)
    (summary,) = rec.summaries
    assert summary.pauses == [(6.0, 30.0)]
    assert summary.actual_s == pytest.approx(90, abs=0.2)
    assert summary.completed and not summary.ended_early


def test_end_gently_fades_rings_the_end_bell_and_flags_the_summary() -> None:
    run, clock, rec, speaker = make_run()
    run.start()
    clock.advance(20)
    run.tick()
    run.end_gently()
    assert rec.cues[-1].kind == "bell"
    assert rec.cues[-1].bell == Bell("end")
    assert "fade_out_and_stop" in speaker.names()
    (summary,) = rec.summaries
    assert summary.ended_early and not summary.completed
    assert summary.actual_s == pytest.approx(20)
    assert run.state == "finished"
    count = len(rec.cues)
    clock.advance(100)
    run.tick()
    run.end_gently()
    assert len(rec.cues) == count and len(rec.summaries) == 1


def test_end_gently_while_paused_records_the_pause_and_does_not_ring_twice() -> None:
    run, clock, rec, _ = make_run()
    run.start()
    clock.advance(57)  # the end bell (55..60) has rung
    run.tick()
    run.pause()
    clock.advance(10)
    run.end_gently()
    assert [c.bell for c in rec.cues if c.kind == "bell"] == [Bell("start"), Bell("end")]
    (summary,) = rec.summaries
    assert summary.pauses == [(57.0, 10.0)]
    assert summary.ended_early


def test_skip_jumps_to_the_next_cue_and_shortens_the_run() -> None:
    run, clock, rec, speaker = make_run()
    run.start()
    clock.advance(8)  # inside the first flex pause (7..30.5)
    run.tick()
    assert rec.cues[-1].flexible
    next_start = run.timeline.cues[rec.cues[-1].index + 1].start_s
    assert run.skip()
    assert rec.cues[-1].text == "Two."
    assert "stop_voice" in speaker.names()
    assert run.elapsed_s() == pytest.approx(next_start)
    run_to_end(run, clock)
    (summary,) = rec.summaries
    assert summary.completed
    ((skipped_at, skipped_s),) = summary.skips
    assert skipped_at == pytest.approx(8)
    assert skipped_s == pytest.approx(next_start - 8)
    assert summary.actual_s == pytest.approx(60 - (next_start - 8), abs=0.2)
    assert [c.index for c in rec.cues] == list(range(len(run.timeline.cues)))


def test_skip_on_the_last_cue_does_nothing() -> None:
    run, clock, _rec, _ = make_run()
    run.start()
    clock.advance(56)
    run.tick()
    assert not run.skip()
    assert run.state == "running"


def test_remaining_elapsed_and_caption() -> None:
    run, clock, _, _ = make_run()
    assert run.elapsed_s() == 0 and run.remaining_s() == 60
    run.start()
    clock.advance(6)
    run.tick()
    assert run.current_caption() == "One."
    assert run.remaining_s() == pytest.approx(54)
    clock.advance(2)
    run.tick()
    assert run.current_caption() is None
    with pytest.raises(RuntimeError):
        run.start()


def test_cue_sounds_drive_the_speaker(tmp_path: Path) -> None:
    speaker = FakeSpeaker()
    sounds = CueSounds(speaker, {"One.": tmp_path / "one.wav"}, {Bell("start"): tmp_path / "b.wav"})
    sounds(Cue(0, 1, "bell", bell=Bell("start")))
    sounds(Cue(1, 2, "speech", text="One."))
    sounds(Cue(2, 3, "speech", text="Not rendered."))  # silent, captions only
    sounds(Cue(3, 4, "pause"))
    assert speaker.calls == [
        ("play_bell", tmp_path / "b.wav"),
        ("play_voice", tmp_path / "one.wav"),
    ]
