from __future__ import annotations

import itertools
import wave
from pathlib import Path

import numpy as np
import pytest

from audio.bells import (
    PARTIAL_RATIOS,
    SAMPLE_RATE,
    ensure_bell,
    ensure_bells,
    hold_durations,
    partial_frequencies,
    synthesize_bell,
    write_wav,
)
from audio.script import BELL_KINDS, Bell, BellKind


def _spectrum_peaks(samples: np.ndarray, count: int) -> list[float]:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    freqs = np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)
    peaks: list[float] = []
    for _ in range(count):
        i = int(np.argmax(spectrum))
        peaks.append(float(freqs[i]))
        spectrum[max(0, i - 200) : i + 200] = 0  # suppress this peak and its beating twin
    return sorted(peaks)


@pytest.mark.parametrize("kind", BELL_KINDS)
def test_spectrum_peaks_at_the_bowl_partials(kind: BellKind) -> None:
    samples = synthesize_bell(kind).astype(np.float64)
    expected = partial_frequencies(kind)
    peaks = _spectrum_peaks(samples, len(PARTIAL_RATIOS))
    for want, got in zip(expected, peaks, strict=True):
        assert got == pytest.approx(want, rel=0.01)
    assert 150 < expected[0] < 300


@pytest.mark.parametrize("kind", BELL_KINDS)
@pytest.mark.parametrize("double", [False, True])
def test_no_clipping_soft_attack_and_decay(kind: BellKind, double: bool) -> None:
    samples = synthesize_bell(kind, double)
    assert samples.dtype == np.float32
    peak = float(np.max(np.abs(samples)))
    assert 0.6 < peak <= 0.71  # -3 dBFS, never clipping
    assert abs(float(samples[0])) < 0.01  # soft mallet: no click
    assert samples[-1] == 0.0  # fades to silence
    rms = [float(np.sqrt(np.mean(chunk**2))) for chunk in np.array_split(samples, 8)[2:]]
    assert all(later < earlier for earlier, later in itertools.pairwise(rms))


def test_kinds_differ_end_is_lower_and_double_strikes_twice() -> None:
    assert partial_frequencies("end")[0] < partial_frequencies("start")[0]
    single = synthesize_bell("end")
    double = synthesize_bell("end", double=True)
    assert len(double) > len(single)
    # A second strike makes the envelope rise again about two seconds in.
    envelope = [float(np.max(np.abs(c))) for c in np.array_split(double[: 4 * SAMPLE_RATE], 40)]
    assert any(later > earlier * 1.2 for earlier, later in itertools.pairwise(envelope))
    assert np.array_equal(single, synthesize_bell("end"))  # deterministic, so caching is safe


def test_write_wav_is_16_bit_mono_and_refuses_clipping(tmp_path: Path) -> None:
    path = tmp_path / "bell.wav"
    samples = synthesize_bell("start")
    write_wav(path, samples)
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SAMPLE_RATE)
        assert wav.getnframes() == len(samples)
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    assert abs(int(np.max(np.abs(pcm))) - round(10 ** (-3 / 20) * 32767)) <= 1  # -3 dBFS
    with pytest.raises(ValueError, match="within"):
        write_wav(tmp_path / "loud.wav", samples * 2)
    assert not (tmp_path / "loud.wav").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bell.wav"]  # no temp files left behind


def test_bells_are_cached_and_a_damaged_file_is_rewritten(tmp_path: Path) -> None:
    sounds = ensure_bells(tmp_path)
    assert len(sounds) == 6
    first = sounds[Bell("start")]
    mtime = first.path.stat().st_mtime_ns
    assert ensure_bell(tmp_path, Bell("start")).path.stat().st_mtime_ns == mtime
    first.path.write_bytes(b"not a wav")
    again = ensure_bell(tmp_path, Bell("start"))
    assert again.duration_s == pytest.approx(first.duration_s)
    holds = hold_durations(sounds)
    assert holds[Bell("start")] == pytest.approx(4.5)
    assert holds[Bell("end", True)] > holds[Bell("end")]
