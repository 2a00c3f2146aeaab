"""Speech worker process: `python -m audio.render_worker --engine espeak`.

Runs pyttsx3 away from the GUI process (espeak can only initialise once per process, blocks while
synthesising, and pyttsx3 prints to stdout). Protocol: JSON lines. The worker first writes
{"ready": true} or {"ready": false, "error": ...}; then, for each request line on stdin, one reply:

    {"op": "voices"}                                  -> {"ok": true, "voices": [{id, name, languages}]}
    {"op": "render", "text", "voice", "rate", "out"}  -> {"ok": true, "duration_s": 2.4}
                                                      or {"ok": false, "error": "..."}

Only stdlib and pyttsx3 are imported here, so the worker starts quickly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import wave
from pathlib import Path
from typing import IO, Any

RETRIES = 3
UTTERANCE_TIMEOUT_S = 60.0


def _frames(path: Path) -> tuple[int, int]:
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes(), wav.getframerate()
    except (OSError, EOFError, wave.Error):
        return 0, 1


class Renderer:
    """Drives one pyttsx3 engine (or any object with its save_to_file/runAndWait/connect API)."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self._finished = threading.Event()
        self._engine.connect("finished-utterance", self._on_finished)

    def _on_finished(self, name: str | None = None, completed: bool = True) -> None:
        self._finished.set()

    def voices(self) -> list[dict[str, Any]]:
        return [
            {"id": v.id, "name": v.name, "languages": [str(x) for x in (v.languages or [])]}
            for v in self._engine.getProperty("voices")
        ]

    def render(self, text: str, voice: str | None, rate: int, out: Path) -> float:
        if voice:
            self._engine.setProperty("voice", voice)
        self._engine.setProperty("rate", rate)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".wav", dir=out.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            for _attempt in range(RETRIES):
                self._finished.clear()
                # One save_to_file per runAndWait (DESIGN.md): batching loses files on espeak.
                self._engine.save_to_file(text, str(tmp))
                self._engine.runAndWait()
                # runAndWait can return before the WAV is written: wait for the event, then check.
                self._finished.wait(UTTERANCE_TIMEOUT_S)
                frames, rate_hz = _frames(tmp)
                if frames > 0:
                    os.replace(tmp, out)
                    return frames / rate_hz
            raise RuntimeError(f"speech engine wrote an empty file {RETRIES} times")
        finally:
            tmp.unlink(missing_ok=True)


def _reply(channel: IO[str], message: dict[str, Any]) -> None:
    channel.write(json.dumps(message) + "\n")
    channel.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render speech for Session Companion.")
    parser.add_argument("--engine", default="espeak", help="pyttsx3 driver name")
    engine_name: str = parser.parse_args(argv).engine
    # Keep our protocol channel private and point fd 1 at stderr, so pyttsx3's "Audio saved to…"
    # prints (and anything the C library writes) cannot corrupt the replies.
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        import pyttsx3

        renderer = Renderer(pyttsx3.init(engine_name))
    except Exception as exc:  # any failure here means "no speech engine"
        _reply(channel, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return 1
    _reply(channel, {"ready": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if request["op"] == "voices":
                _reply(channel, {"ok": True, "voices": renderer.voices()})
            elif request["op"] == "render":
                duration = renderer.render(
                    request["text"],
                    request.get("voice"),
                    int(request["rate"]),
                    Path(request["out"]),
                )
                _reply(channel, {"ok": True, "duration_s": duration})
            else:
                _reply(channel, {"ok": False, "error": f"unknown op {request['op']!r}"})
        except Exception as exc:  # report and carry on with the next request
            _reply(channel, {"ok": False, "error": f"{type(exc).__name__}: {exc}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
