"""Singing-bowl bells synthesised with numpy (no downloaded audio).

A bowl's partials are inharmonic (ratios about 1 : 2.7 : 5.2 : 8.4). Each partial is sounded as two
copies detuned by a fraction of a hertz, whose beating gives the bowl its slow "wah-wah" shimmer.
Higher partials decay faster, so the tone mellows as it fades. Start, interval and end bells differ:
the end bell is lower and longer, the interval bell a little brighter and shorter.
"""

from __future__ import annotations

import os
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audio.script import BELL_KINDS, Bell, BellKind

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
# numpy (~0.3 s to import) is imported inside the functions that synthesise: the centering page
# imports this module at app start-up, but bells are made later, off the GUI thread.

SAMPLE_RATE = 44100
PARTIAL_RATIOS = (1.0, 2.71, 5.18, 8.40)
_PARTIAL_AMPS = (1.0, 0.45, 0.22, 0.10)
_PARTIAL_DECAY_S = (3.2, 1.9, 1.1, 0.6)  # time constants of the exponential decay
_BEAT_HZ = (0.9, 1.3, 1.9, 2.6)  # detuning between the two copies of each partial
_PEAK = 10 ** (-3 / 20)  # normalise to -3 dBFS: loud enough, never clipping
# Bump when the synthesis changes so cached WAVs are regenerated.
_VERSION = 1


@dataclass(frozen=True)
class BellVoice:
    fundamental_hz: float
    decay_scale: float
    length_s: float


VOICES: dict[BellKind, BellVoice] = {
    "start": BellVoice(fundamental_hz=240.0, decay_scale=1.0, length_s=8.0),
    "interval": BellVoice(fundamental_hz=262.0, decay_scale=0.8, length_s=6.5),
    "end": BellVoice(fundamental_hz=208.0, decay_scale=1.2, length_s=9.5),
}
_SECOND_STRIKE_S = 2.2
_SECOND_STRIKE_GAIN = 0.8
_ATTACK_S = 0.012  # a soft mallet, not a click
_TAIL_FADE_S = 0.6


@dataclass(frozen=True)
class BellSound:
    path: Path
    duration_s: float


def partial_frequencies(kind: BellKind) -> list[float]:
    """Nominal partial frequencies (Hz) of a bell kind, for tests and display."""
    f0 = VOICES[kind].fundamental_hz
    return [f0 * r for r in PARTIAL_RATIOS]


def _strike(voice: BellVoice, n: int, sample_rate: int) -> npt.NDArray[np.float64]:
    import numpy as np

    t = np.arange(n, dtype=np.float64) / sample_rate
    out = np.zeros(n)
    for ratio, amp, decay, beat in zip(
        PARTIAL_RATIOS, _PARTIAL_AMPS, _PARTIAL_DECAY_S, _BEAT_HZ, strict=True
    ):
        f = voice.fundamental_hz * ratio
        envelope = amp * np.exp(-t / (decay * voice.decay_scale))
        # Two detuned copies (fixed phases: the output is deterministic, so caching is safe).
        out += envelope * 0.5 * (np.sin(2 * np.pi * (f - beat / 2) * t))
        out += envelope * 0.5 * (np.sin(2 * np.pi * (f + beat / 2) * t + 0.7))
    attack = min(n, int(_ATTACK_S * sample_rate))
    out[:attack] *= 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, attack))
    return out


def synthesize_bell(
    kind: BellKind, double: bool = False, sample_rate: int = SAMPLE_RATE
) -> npt.NDArray[np.float32]:
    """Mono float32 samples in [-1, 1], peak at -3 dBFS, fading to silence at the end."""
    import numpy as np

    if kind not in VOICES:
        raise ValueError(f"unknown bell kind {kind!r}; expected one of {', '.join(BELL_KINDS)}")
    voice = VOICES[kind]
    length_s = voice.length_s + (_SECOND_STRIKE_S if double else 0.0)
    n = int(length_s * sample_rate)
    out = _strike(voice, n, sample_rate)
    if double:
        offset = int(_SECOND_STRIKE_S * sample_rate)
        out[offset:] += _SECOND_STRIKE_GAIN * _strike(voice, n - offset, sample_rate)
    fade = int(_TAIL_FADE_S * sample_rate)
    out[-fade:] *= np.linspace(1.0, 0.0, fade)
    out *= _PEAK / np.max(np.abs(out))
    return out.astype(np.float32)


def write_wav(
    path: Path, samples: npt.NDArray[np.floating], sample_rate: int = SAMPLE_RATE
) -> None:
    """Write mono 16-bit PCM atomically (temp file + os.replace): a crash never leaves half a WAV."""
    import numpy as np

    if samples.ndim != 1:
        raise ValueError("expected mono samples (a 1-D array)")
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if not np.isfinite(peak) or peak > 1.0:
        raise ValueError(f"samples must be finite and within [-1, 1] (peak {peak:.3f})")
    pcm = np.round(samples.astype(np.float64) * 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".wav.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw, wave.open(raw, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(sample_rate)
            wav.writeframes(pcm.tobytes())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def wav_duration(path: Path) -> float:
    """Length of a WAV in seconds (0 for a file with no frames)."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def bell_path(cache_dir: Path, bell: Bell, sample_rate: int = SAMPLE_RATE) -> Path:
    suffix = "-double" if bell.double else ""
    return cache_dir / f"bell-{bell.kind}{suffix}-v{_VERSION}-{sample_rate}.wav"


def ensure_bell(cache_dir: Path, bell: Bell, sample_rate: int = SAMPLE_RATE) -> BellSound:
    """Synthesise the bell into the cache unless a valid WAV is already there."""
    path = bell_path(cache_dir, bell, sample_rate)
    try:
        duration = wav_duration(path)
        if duration > 0:
            return BellSound(path, duration)
    except (OSError, EOFError, wave.Error):
        pass  # missing or damaged: (re)write it
    samples = synthesize_bell(bell.kind, bell.double, sample_rate)
    write_wav(path, samples, sample_rate)
    return BellSound(path, len(samples) / sample_rate)


def ensure_bells(cache_dir: Path, sample_rate: int = SAMPLE_RATE) -> dict[Bell, BellSound]:
    """Every bell variant (3 kinds x single/double), cached."""
    return {
        Bell(kind, double): ensure_bell(cache_dir, Bell(kind, double), sample_rate)
        for kind in BELL_KINDS
        for double in (False, True)
    }


HOLD_S = 4.5  # how long a bell holds the timeline before the next segment; its tail rings on


def hold_durations(sounds: dict[Bell, BellSound]) -> dict[Bell, float]:
    """Timeline durations for the fitter: a bell holds HOLD_S (plus the second strike), not its
    whole ring-out, so speech can begin over the fading tail as it would with a real bowl."""
    return {
        bell: min(sound.duration_s, HOLD_S + (_SECOND_STRIKE_S if bell.double else 0.0))
        for bell, sound in sounds.items()
    }
