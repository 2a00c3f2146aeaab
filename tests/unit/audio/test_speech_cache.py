from __future__ import annotations

import wave
from pathlib import Path

import pytest

from audio.fakes import FakeSpeechRenderer, fake_duration
from audio.speech import SpeechUnavailable, cache_key, start_render

TEXTS = ["You might notice the breath.", "Welcome.", "You might notice the breath."]


def test_render_all_renders_each_text_once_and_reports_progress(tmp_path: Path) -> None:
    renderer = FakeSpeechRenderer(tmp_path)
    progress: list[tuple[int, int]] = []
    result = renderer.render_all(TEXTS, lambda done, total: progress.append((done, total)))
    assert list(result) == ["You might notice the breath.", "Welcome."]
    assert renderer.rendered == ["You might notice the breath.", "Welcome."]
    assert progress == [(0, 2), (1, 2), (2, 2)]
    for text, speech in result.items():
        assert speech.duration_s == pytest.approx(fake_duration(text))
        assert speech.path.parent == tmp_path
        with wave.open(str(speech.path)) as wav:
            assert wav.getnframes() > 0


def test_second_render_hits_the_cache_without_a_worker(tmp_path: Path) -> None:
    FakeSpeechRenderer(tmp_path).render_all(TEXTS)
    again = FakeSpeechRenderer(tmp_path)  # a new session, same cache directory
    progress: list[tuple[int, int]] = []
    result = again.render_all(TEXTS, lambda d, t: progress.append((d, t)))
    assert again.rendered == [] and again.worker_starts == 0
    assert progress == [(2, 2)]
    assert again.cached("Welcome.") == result["Welcome."]
    assert again.cached("Never rendered.") is None


@pytest.mark.parametrize(
    "change",
    [
        {"voice_id": "fake/fr"},
        {"rate": 170},
        {"engine_name": "other"},
    ],
)
def test_voice_rate_and_engine_are_part_of_the_key(
    tmp_path: Path, change: dict[str, object]
) -> None:
    base = FakeSpeechRenderer(tmp_path)
    base.render_all(["Welcome."])
    other = FakeSpeechRenderer(tmp_path, **change)  # type: ignore[arg-type]
    assert other.cached("Welcome.") is None
    other.render_all(["Welcome."])
    assert other.rendered == ["Welcome."]
    assert other.path_for("Welcome.") != base.path_for("Welcome.")


def test_cache_key_is_stable_and_unambiguous() -> None:
    key = cache_key("Welcome.", "gmw/en", 150, "espeak")
    assert key == cache_key("Welcome.", "gmw/en", 150, "espeak")
    assert len(key) == 64
    # Field boundaries cannot be forged by the text.
    assert cache_key("a", "b c", 150, "espeak") != cache_key("a b", "c", 150, "espeak")
    assert cache_key("Welcome.", None, 150, "espeak") == cache_key("Welcome.", "", 150, "espeak")


def test_an_empty_or_damaged_cache_file_is_rendered_again(tmp_path: Path) -> None:
    renderer = FakeSpeechRenderer(tmp_path)
    renderer.render_all(["Welcome."])
    renderer.path_for("Welcome.").write_bytes(b"")
    assert renderer.cached("Welcome.") is None
    renderer.render_all(["Welcome."])
    assert renderer.rendered == ["Welcome.", "Welcome."]


def test_unavailable_engine_raises_speech_unavailable(tmp_path: Path) -> None:
    renderer = FakeSpeechRenderer(tmp_path, unavailable=True)
    with pytest.raises(SpeechUnavailable):
        renderer.render_all(["Welcome."])
    with pytest.raises(SpeechUnavailable):
        renderer.list_voices()


def test_voices_are_asked_once(tmp_path: Path) -> None:
    renderer = FakeSpeechRenderer(tmp_path)
    assert [v.id for v in renderer.list_voices()] == ["fake/en", "fake/fr"]
    renderer.list_voices()
    assert renderer.worker_starts == 1


def test_render_task_runs_in_the_background_and_is_polled(tmp_path: Path) -> None:
    renderer = FakeSpeechRenderer(tmp_path)
    task = start_render(renderer, TEXTS)
    assert task.wait(10)
    assert task.progress == (2, 2)
    assert set(task.result()) == {"Welcome.", "You might notice the breath."}

    failing = start_render(FakeSpeechRenderer(tmp_path / "x", unavailable=True), ["Hi."])
    assert failing.wait(10)
    with pytest.raises(SpeechUnavailable):
        failing.result()


def test_rate_is_validated(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="60–400"):
        FakeSpeechRenderer(tmp_path, rate=5)
