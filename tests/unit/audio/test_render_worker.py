"""The worker's retry/atomic-write logic, with a stand-in for the pyttsx3 engine."""

from __future__ import annotations

import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from audio import render_worker
from audio.render_worker import Renderer


class FlakyEngine:
    """Writes `empty_first` empty files before a real one; fires finished-utterance like espeak."""

    def __init__(self, empty_first: int) -> None:
        self.empty_left = empty_first
        self.saves = 0
        self.properties: dict[str, object] = {}
        self._pending: str | None = None
        self._callback: Callable[..., None] | None = None

    def connect(self, topic: str, callback: Callable[..., None]) -> None:
        assert topic == "finished-utterance"
        self._callback = callback

    def setProperty(self, name: str, value: object) -> None:
        self.properties[name] = value

    def save_to_file(self, text: str, filename: str) -> None:
        self._pending = filename

    def runAndWait(self) -> None:
        assert self._pending is not None
        self.saves += 1
        with wave.open(self._pending, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(22050)
            if self.empty_left:
                self.empty_left -= 1
            else:
                wav.writeframes(b"\0\1" * 22050)
        assert self._callback is not None
        self._callback(name=None, completed=True)


def test_an_empty_file_is_retried_and_the_result_written_atomically(tmp_path: Path) -> None:
    engine = FlakyEngine(empty_first=2)
    out = tmp_path / "key.wav"
    assert Renderer(engine).render("Hello.", "gmw/en", 150, out) == pytest.approx(1.0)
    assert engine.saves == 3
    assert engine.properties == {"voice": "gmw/en", "rate": 150}
    assert [p.name for p in tmp_path.iterdir()] == ["key.wav"]


def test_three_empty_files_fail_without_leaving_anything(tmp_path: Path) -> None:
    engine = FlakyEngine(empty_first=render_worker.RETRIES)
    with pytest.raises(RuntimeError, match="empty file 3 times"):
        Renderer(engine).render("Hello.", None, 150, tmp_path / "key.wav")
    assert list(tmp_path.iterdir()) == []
