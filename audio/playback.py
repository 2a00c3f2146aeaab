"""QtMultimedia playback of speech and bells (the only Qt module in `audio/`).

Two QMediaPlayer + QAudioOutput pairs, one for the voice and one for bells, so a bell can ring on
under speech and each has its own volume. The meditation timeline never waits on playback signals
(DESIGN.md), so nothing here drives timing.

No audio device: Qt would still decode and "play" silently in real time, logging the warning
"No audio device detected" on every play. By default we do not hand it the file at all — the result
is the same silence, without the log noise or the decoding — and emit `problem` once.
`silent_without_device=False` keeps Qt's behaviour (used to exercise real playback in tests).
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import QEasingCurve, QObject, QUrl, QVariantAnimation, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

FADE_MS = 300


class _Channel:
    """A player, its output, the configured volume and the fade animation for that output."""

    def __init__(self, owner: QObject, name: str) -> None:
        self.name = name
        self.player = QMediaPlayer(owner)
        self.output = QAudioOutput(owner)
        self.player.setAudioOutput(self.output)
        self.volume = 1.0
        self.output.setVolume(self.volume)
        self.fade = QVariantAnimation(owner)
        self.fade.setDuration(FADE_MS)
        self.fade.setEasingCurve(QEasingCurve.Type.InOutSine)
        self.fade.valueChanged.connect(self._apply)
        self.fade.finished.connect(self.stop)

    def _apply(self, value: object) -> None:
        if isinstance(value, float):
            self.output.setVolume(value)

    def play(self, path: Path) -> None:
        self.fade.stop()  # a fade in progress must not silence the new sound
        self.output.setVolume(self.volume)
        self.player.setSource(QUrl.fromLocalFile(str(path)))  # replaces (and stops) the old one
        self.player.play()

    def set_volume(self, volume: float) -> None:
        self.volume = volume
        if self.fade.state() != QVariantAnimation.State.Running:
            self.output.setVolume(volume)

    def fade_out(self, duration_ms: int) -> None:
        if self.player.playbackState() != QMediaPlayer.PlaybackState.PlayingState:
            # Nothing audible to fade (stopped, paused, or a play still loading): stop at once,
            # which also cancels a pending play.
            self.fade.stop()
            self.output.setVolume(0.0)
            self.stop()
            return
        self.fade.stop()
        self.fade.setDuration(duration_ms)
        self.fade.setStartValue(float(self.output.volume()))
        self.fade.setEndValue(0.0)
        self.fade.start()

    def stop(self) -> None:
        self.fade.stop()
        # Workaround: on Qt 6.12's FFmpeg backend without an audio device, QMediaPlayer.stop()
        # called from the event loop while playing deadlocks the GUI thread (reproduced here
        # every time). Clearing the source stops playback just the same and does not hang.
        if not self.player.source().isEmpty():
            self.player.setSource(QUrl())


class AudioPlayer(QObject):
    """Plays speech and bell WAVs; implements `audio.speaker.Speaker`.

    Signals:
        problem(str): audio cannot be heard — no output device (emitted on the first play while
            none exists, and when the last device disappears) or a file failed to play. The app
            keeps running silently; show the message, do not stop the meditation.
        faded(): a `fade_out_and_stop()` has finished and both channels are stopped.
    """

    problem = Signal(str)
    faded = Signal()

    def __init__(
        self, parent: QObject | None = None, *, silent_without_device: bool = True
    ) -> None:
        super().__init__(parent)
        self._skip_without_device = silent_without_device
        self._voice = _Channel(self, "voice")
        self._bell = _Channel(self, "bell")
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self._on_outputs_changed)
        self._available = not QMediaDevices.defaultAudioOutput().isNull()
        self._told_unavailable = False
        self._pending_fades = 0
        for channel in (self._voice, self._bell):
            channel.player.errorOccurred.connect(self._on_error)
            channel.fade.finished.connect(self._on_fade_finished)

    @property
    def available(self) -> bool:
        """True when an audio output device exists (otherwise playback is silent)."""
        return self._available

    @property
    def voice_output_volume(self) -> float:
        """The volume the voice is sounding at right now (moves during a fade)."""
        return float(self._voice.output.volume())

    @property
    def bell_output_volume(self) -> float:
        return float(self._bell.output.volume())

    def is_playing(self) -> bool:
        return any(
            c.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState
            for c in (self._voice, self._bell)
        )

    def play_voice(self, path: Path) -> None:
        self._play(self._voice, path)

    def play_bell(self, path: Path) -> None:
        self._play(self._bell, path)

    def _play(self, channel: _Channel, path: Path) -> None:
        if not self._available and not self._told_unavailable:
            self._told_unavailable = True
            self.problem.emit("No audio output device: the meditation continues silently.")
        if not path.is_file():
            self.problem.emit(f"Sound file missing: {path.name}")
            return
        if not self._available and self._skip_without_device:
            channel.stop()
            return
        channel.play(path)

    def pause(self) -> None:
        for channel in (self._voice, self._bell):
            if channel.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
                channel.player.pause()

    def resume(self) -> None:
        for channel in (self._voice, self._bell):
            if channel.player.playbackState() == QMediaPlayer.PlaybackState.PausedState:
                channel.player.play()

    def stop_voice(self) -> None:
        self._voice.stop()

    def stop(self) -> None:
        self._voice.stop()
        self._bell.stop()

    def fade_out_and_stop(self, duration_ms: int = FADE_MS) -> None:
        """Fade both channels to silence over `duration_ms`, then stop them; emits `faded`."""
        self._pending_fades = 0
        for channel in (self._voice, self._bell):
            channel.fade_out(duration_ms)
            if channel.fade.state() == QVariantAnimation.State.Running:
                self._pending_fades += 1
        if self._pending_fades == 0:
            self.faded.emit()

    def _on_fade_finished(self) -> None:
        self._pending_fades -= 1
        if self._pending_fades == 0:
            self.faded.emit()

    def set_voice_volume(self, volume: float) -> None:
        self._voice.set_volume(_checked_volume(volume))

    def set_bell_volume(self, volume: float) -> None:
        self._bell.set_volume(_checked_volume(volume))

    def close(self) -> None:
        """Stop animations and players (call before the owner goes away)."""
        self.stop()
        self._devices.audioOutputsChanged.disconnect(self._on_outputs_changed)

    def _on_outputs_changed(self) -> None:
        default = QMediaDevices.defaultAudioOutput()
        was_available, self._available = self._available, not default.isNull()
        for channel in (self._voice, self._bell):
            channel.output.setDevice(default)  # follow the system default (headphones plugged in)
        if was_available and not self._available:
            self.problem.emit(
                "The audio output device went away: the meditation continues silently."
            )
        self._told_unavailable = not self._available and was_available

    def _on_error(self, error: QMediaPlayer.Error, message: str) -> None:
        if error != QMediaPlayer.Error.NoError:
            self.problem.emit(f"Could not play a sound: {message or error.name}")


def _checked_volume(volume: float) -> float:
    if not math.isfinite(volume):
        raise ValueError("volume must be a number between 0 and 1")
    return min(1.0, max(0.0, volume))
