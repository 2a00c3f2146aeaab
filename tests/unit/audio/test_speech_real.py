"""Real speech: pyttsx3 + espeak-ng in the worker process (slow: starts subprocesses)."""

from __future__ import annotations

import time
import wave
from pathlib import Path

import pytest

from audio.script import load_scripts, personalise, speech_texts
from audio.speech import SpeechRenderer, SpeechUnavailable

MEDITATIONS = Path(__file__).resolve().parents[3] / "data" / "meditations"
pytestmark = pytest.mark.slow


def test_real_render_writes_a_plausible_wav_and_then_hits_the_cache(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    sentence = "You might let your shoulders soften as you notice the next breath arrive."
    assert len(sentence.split()) == 13
    renderer = SpeechRenderer(tmp_path, voice_id=None, rate=150)
    try:
        result = renderer.render_all([sentence])
    except SpeechUnavailable as exc:  # pragma: no cover - depends on the machine
        pytest.fail(f"espeak-ng should be installed here: {exc}")
    speech = result[sentence]
    assert 2.0 < speech.duration_s < 8.0
    with wave.open(str(speech.path)) as wav:
        assert wav.getnframes() > 0
        assert wav.getnchannels() == 1
    assert renderer.worker_starts == 1
    assert "Audio saved" not in capfd.readouterr().out  # pyttsx3's print stays in the worker
    assert [p.suffix for p in tmp_path.iterdir()] == [".wav"]  # no temp files left

    fresh = SpeechRenderer(tmp_path, voice_id=None, rate=150)
    assert fresh.render_all([sentence]) == result
    assert fresh.worker_starts == 0


def test_real_voices_are_listed(tmp_path: Path) -> None:
    voices = SpeechRenderer(tmp_path, voice_id=None, rate=150).list_voices()
    assert any("en" in v.languages or v.id.endswith("/en") for v in voices)


def test_missing_engine_is_speech_unavailable(tmp_path: Path) -> None:
    renderer = SpeechRenderer(tmp_path, voice_id=None, rate=150, engine_name="no-such-engine")
    with pytest.raises(SpeechUnavailable):
        renderer.render_all(["Hello."])


def test_render_time_of_a_ten_minute_script(tmp_path: Path) -> None:
    (script,) = [s for s in load_scripts(MEDITATIONS) if s.name == "breath_awareness"]
    texts = speech_texts(personalise(script, None))
    renderer = SpeechRenderer(tmp_path, voice_id="gmw/en", rate=150)
    started = time.perf_counter()
    rendered = renderer.render_all(texts)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    renderer.render_all(texts)
    warm = time.perf_counter() - started
    spoken = sum(r.duration_s for r in rendered.values())
    print(
        f"\n10-minute script: {len(texts)} lines, {spoken:.1f} s of speech; "
        f"render cold {cold:.2f} s, warm (cache) {warm * 1000:.1f} ms"
    )
    assert len(rendered) == len(texts)
    assert cold < 60 and warm < 1
