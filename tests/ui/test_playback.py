from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtMultimedia import QMediaDevices, QMediaPlayer
from pytestqt.qtbot import QtBot

from audio.bells import SAMPLE_RATE, synthesize_bell, write_wav
from audio.playback import AudioPlayer


def _dispose(audio: AudioPlayer) -> None:
    audio.close()
    audio.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def player(qtbot: QtBot) -> Iterator[AudioPlayer]:
    """The app's configuration: silent (and quiet in the log) when there is no device."""
    audio = AudioPlayer()
    yield audio
    _dispose(audio)


@pytest.fixture
def real_player(qtbot: QtBot) -> Iterator[AudioPlayer]:
    """Always hands files to QMediaPlayer, so Qt's real playback path runs even with no device."""
    audio = AudioPlayer(silent_without_device=False)
    yield audio
    _dispose(audio)


# Qt logs this (uncategorised) on every play when there is no device; it is expected here.
needs_real_playback = pytest.mark.qt_log_ignore("No audio device detected")


@pytest.fixture
def bell_wav(tmp_path: Path) -> Path:
    path = tmp_path / "bell.wav"
    write_wav(path, synthesize_bell("start")[: SAMPLE_RATE // 2])  # half a second
    return path


def test_reports_availability_like_qt(player: AudioPlayer) -> None:
    assert player.available == (not QMediaDevices.defaultAudioOutput().isNull())


def test_play_is_reported_once_and_silent_without_a_device_or_plays_with_one(
    player: AudioPlayer, bell_wav: Path
) -> None:
    problems: list[str] = []
    player.problem.connect(problems.append)
    player.play_bell(bell_wav)
    player.play_voice(bell_wav)
    if player.available:
        assert problems == [] and player.is_playing()
    else:
        assert problems == ["No audio output device: the meditation continues silently."]
        assert not player.is_playing()


@needs_real_playback
def test_plays_a_synthesised_bell_to_the_end_without_error(
    qtbot: QtBot, real_player: AudioPlayer, bell_wav: Path
) -> None:
    errors: list[QMediaPlayer.Error] = []
    real_player._bell.player.errorOccurred.connect(lambda error, _msg: errors.append(error))
    statuses: list[QMediaPlayer.MediaStatus] = []
    real_player._bell.player.mediaStatusChanged.connect(statuses.append)
    real_player.play_bell(bell_wav)
    real_player.play_bell(bell_wav)  # restarting is fine
    # With or without a device Qt plays in real time and reaches the end (DESIGN.md).
    qtbot.waitUntil(lambda: QMediaPlayer.MediaStatus.EndOfMedia in statuses, timeout=5000)
    assert errors == []


@needs_real_playback
def test_fade_reaches_zero_then_the_next_sound_uses_the_set_volume(
    qtbot: QtBot, real_player: AudioPlayer, tmp_path: Path
) -> None:
    player = real_player
    long_bell = tmp_path / "long.wav"
    write_wav(long_bell, synthesize_bell("end"))
    player.set_voice_volume(0.8)
    player.set_bell_volume(0.6)
    player.play_voice(long_bell)
    player.play_bell(long_bell)
    playing = QMediaPlayer.PlaybackState.PlayingState
    qtbot.waitUntil(
        lambda: (
            player._voice.player.playbackState() == playing
            and player._bell.player.playbackState() == playing
        ),
        timeout=5000,
    )
    assert player.voice_output_volume == pytest.approx(0.8)
    seen: list[float] = []
    player._voice.output.volumeChanged.connect(seen.append)
    with qtbot.waitSignal(player.faded, timeout=3000):
        player.fade_out_and_stop()
    assert player.voice_output_volume == 0.0 and player.bell_output_volume == 0.0
    assert not player.is_playing()
    assert len(seen) > 2 and seen == sorted(seen, reverse=True)  # a fade, not a cut
    player.play_bell(long_bell)
    assert player.bell_output_volume == pytest.approx(0.6)
    player.stop()


def test_fade_with_nothing_playing_finishes_at_once(qtbot: QtBot, player: AudioPlayer) -> None:
    with qtbot.waitSignal(player.faded, timeout=100):
        player.fade_out_and_stop()


def test_volumes_are_clamped_and_nan_refused(player: AudioPlayer) -> None:
    player.set_voice_volume(1.7)
    player.set_bell_volume(-0.2)
    assert player.voice_output_volume == 1.0
    assert player.bell_output_volume == 0.0
    with pytest.raises(ValueError, match="between 0 and 1"):
        player.set_voice_volume(math.nan)


def test_a_missing_file_is_a_problem_not_a_crash(
    qtbot: QtBot, player: AudioPlayer, tmp_path: Path
) -> None:
    player.play_voice(tmp_path / "ignore.wav")  # may first report a missing device
    with qtbot.waitSignal(player.problem, timeout=100) as signal:
        player.play_voice(tmp_path / "gone.wav")
    assert signal.args == ["Sound file missing: gone.wav"]
    assert not player.is_playing()


@needs_real_playback
def test_pause_and_resume(qtbot: QtBot, real_player: AudioPlayer, tmp_path: Path) -> None:
    player = real_player
    path = tmp_path / "long.wav"
    write_wav(path, synthesize_bell("end"))
    player.play_voice(path)
    qtbot.waitUntil(player.is_playing, timeout=5000)
    player.pause()
    assert player._voice.player.playbackState() == QMediaPlayer.PlaybackState.PausedState
    player.resume()
    assert player.is_playing()
    player.stop_voice()
    assert not player.is_playing()
