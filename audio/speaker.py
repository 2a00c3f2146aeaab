"""What the meditation needs from audio output, without Qt: the `Speaker` protocol.

`audio.playback.AudioPlayer` implements it with QtMultimedia; `audio.fakes.FakeSpeaker` records calls
for tests. `CueSounds` turns timeline cues into Speaker calls; it is the usual `on_cue` target.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from audio.script import Bell
from audio.timeline import Cue


class Speaker(Protocol):
    def play_voice(self, path: Path) -> None:
        """Start a speech WAV, replacing any speech still playing."""
        ...

    def play_bell(self, path: Path) -> None:
        """Start a bell WAV (a bell channel separate from the voice)."""
        ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def stop_voice(self) -> None:
        """Cut the current speech; a ringing bell rings on."""
        ...

    def stop(self) -> None:
        """Stop everything at once."""
        ...

    def fade_out_and_stop(self) -> None:
        """Fade everything out over a moment, then stop."""
        ...

    def set_voice_volume(self, volume: float) -> None: ...

    def set_bell_volume(self, volume: float) -> None: ...


class CueSounds:
    """Plays the sound belonging to each cue. Missing speech audio is fine: captions still show."""

    def __init__(
        self, speaker: Speaker, speech: Mapping[str, Path], bells: Mapping[Bell, Path]
    ) -> None:
        self._speaker = speaker
        self._speech = dict(speech)
        self._bells = dict(bells)

    def __call__(self, cue: Cue) -> None:
        if cue.kind == "speech" and cue.text in self._speech:
            self._speaker.play_voice(self._speech[cue.text])
        elif cue.kind == "bell" and cue.bell is not None and cue.bell in self._bells:
            self._speaker.play_bell(self._bells[cue.bell])
