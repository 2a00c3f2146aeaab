"""Test doubles for the audio layer: a speech renderer without an engine and a recording speaker."""

from __future__ import annotations

import wave
from collections.abc import Callable, Iterable
from pathlib import Path

from audio.speech import RenderedSpeech, SpeechRenderer, SpeechUnavailable, Voice

FAKE_RATE_HZ = 8000


def fake_duration(text: str) -> float:
    """Deterministic speaking time: 0.4 s per word plus 0.5 s of breath."""
    return round(0.4 * len(text.split()) + 0.5, 3)


class FakeSpeechRenderer(SpeechRenderer):
    """The real cache logic with the worker replaced by silent WAVs of `fake_duration` length.

    `rendered` lists every text actually synthesised (cache misses), in order.
    `unavailable=True` behaves like a computer without a speech engine.
    """

    def __init__(
        self,
        cache_dir: Path,
        voice_id: str | None = "fake/en",
        rate: int = 160,
        engine_name: str = "fake",
        *,
        unavailable: bool = False,
    ) -> None:
        super().__init__(cache_dir, voice_id, rate, engine_name)
        self.rendered: list[str] = []
        self._unavailable = unavailable

    def _synthesize(
        self, texts: list[str], cancelled: Callable[[], bool]
    ) -> Iterable[tuple[str, RenderedSpeech]]:
        if self._unavailable:
            raise SpeechUnavailable("fake: no speech engine")
        self.worker_starts += 1
        for text in texts:
            path = self.path_for(text)
            duration = fake_duration(text)
            with wave.open(str(path), "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(FAKE_RATE_HZ)
                wav.writeframes(b"\0\0" * round(duration * FAKE_RATE_HZ))
            self.rendered.append(text)
            yield text, RenderedSpeech(path, duration)

    def _query_voices(self) -> list[Voice]:
        if self._unavailable:
            raise SpeechUnavailable("fake: no speech engine")
        self.worker_starts += 1
        return [Voice("fake/en", "Fake English", ("en",)), Voice("fake/fr", "Fake French", ("fr",))]


class FakeSpeaker:
    """Records Speaker calls as tuples, e.g. ("play_voice", path) or ("stop",)."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []
        self.voice_volume = 1.0
        self.bell_volume = 1.0

    def names(self) -> list[str]:
        return [str(call[0]) for call in self.calls]

    def play_voice(self, path: Path) -> None:
        self.calls.append(("play_voice", path))

    def play_bell(self, path: Path) -> None:
        self.calls.append(("play_bell", path))

    def pause(self) -> None:
        self.calls.append(("pause",))

    def resume(self) -> None:
        self.calls.append(("resume",))

    def stop_voice(self) -> None:
        self.calls.append(("stop_voice",))

    def stop(self) -> None:
        self.calls.append(("stop",))

    def fade_out_and_stop(self) -> None:
        self.calls.append(("fade_out_and_stop",))

    def set_voice_volume(self, volume: float) -> None:
        self.voice_volume = volume
        self.calls.append(("set_voice_volume", volume))

    def set_bell_volume(self, volume: float) -> None:
        self.bell_volume = volume
        self.calls.append(("set_bell_volume", volume))
