"""The soft chime for a due checkpoint (DESIGN: silent unless there is a reason to make a sound).

Behind a small protocol so screens never depend on an audio device and tests use a fake. The real
one synthesises the audio engineer's "interval" singing-bowl bell once into the data folder's cache
and plays it quietly through `AudioPlayer` (which stays silent without an output device).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from audio.playback import AudioPlayer

# Soft: a reminder in a quiet room, not an alarm. Overdue is a little louder.
DUE_VOLUME = 0.35
OVERDUE_VOLUME = 0.55


class Chime(Protocol):
    def ring(self, overdue: bool) -> None:
        """Sound once: a checkpoint became due (or, with `overdue`, overdue)."""
        ...


class RecordingChime:
    """A silent chime that remembers each ring (tests, screenshots)."""

    def __init__(self) -> None:
        self.rings: list[bool] = []

    def ring(self, overdue: bool) -> None:
        self.rings.append(overdue)


class BellChime(QObject):
    """The real chime. The bell file and the player are made on the first ring, not at start-up
    (QtMultimedia and numpy synthesis are not needed until a checkpoint is due)."""

    def __init__(self, cache_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache_dir = cache_dir
        self._player: AudioPlayer | None = None
        self._path: Path | None = None

    def ring(self, overdue: bool) -> None:
        from audio.bells import ensure_bell
        from audio.playback import AudioPlayer
        from audio.script import Bell

        if self._player is None:
            self._player = AudioPlayer(self)
        if self._path is None:
            try:
                self._path = ensure_bell(self._cache_dir, Bell("interval", False)).path
            except OSError:
                return  # no writable cache: the highlight on screen still shows the checkpoint
        self._player.set_bell_volume(OVERDUE_VOLUME if overdue else DUE_VOLUME)
        self._player.play_bell(self._path)

    def close(self) -> None:
        if self._player is not None:
            self._player.close()
