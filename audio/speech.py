"""Offline speech rendering into a WAV cache, via pyttsx3 in a worker process.

The GUI process never imports pyttsx3: `SpeechRenderer` starts `python -m audio.render_worker`
(see that module for the JSON-lines protocol) only when something is not yet cached, and the cache key
is sha256(text, voice id, rate, engine) -> `<key>.wav`, so a second session with the same script
re-uses every file without starting a process.

Threading: `render_all` blocks (seconds for a whole script, cold). The UI either calls it from a
QThreadPool runnable, or — simpler — uses `start_render()`, which runs it on a plain background
thread and returns a `RenderTask` the screen polls from its existing QTimer tick
(`task.progress`, `task.done`, `task.result()`), so every UI update happens on the GUI thread.

No engine (pyttsx3 missing, libespeak-ng not installed, init fails) -> `SpeechUnavailable`; the caller
then runs the meditation silently with captions.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import subprocess
import sys
import threading
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

Progress = Callable[[int, int], None]
_STARTUP_TIMEOUT_S = 30.0
_PER_TEXT_TIMEOUT_S = 120.0
_PROJECT_ROOT = Path(__file__).resolve().parents[1]


class SpeechError(RuntimeError):
    """Speech could not be rendered."""


class SpeechUnavailable(SpeechError):
    """No usable speech engine on this computer; run silently with captions."""


class RenderCancelled(SpeechError):
    pass


@dataclass(frozen=True)
class RenderedSpeech:
    path: Path
    duration_s: float


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...]


def cache_key(text: str, voice_id: str | None, rate: int, engine_name: str) -> str:
    # JSON keeps the fields unambiguous (no separator can be forged by the text itself).
    payload = json.dumps([text, voice_id or "", int(rate), engine_name], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _wav_duration(path: Path) -> float | None:
    try:
        with wave.open(str(path), "rb") as wav:
            frames, rate = wav.getnframes(), wav.getframerate()
    except (OSError, EOFError, wave.Error):
        return None
    return frames / rate if frames > 0 else None


class _Worker:
    """One render_worker process and a reader thread, so every read can time out."""

    def __init__(self, engine_name: str) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(_PROJECT_ROOT), env.get("PYTHONPATH")])
        )
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "audio.render_worker", "--engine", engine_name],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                env=env,
            )
        except OSError as exc:
            raise SpeechUnavailable(f"could not start the speech worker: {exc}") from exc
        self._lines: queue.Queue[str] = queue.Queue()
        assert self._proc.stdout is not None
        self._reader = threading.Thread(target=self._pump, args=(self._proc.stdout,), daemon=True)
        self._reader.start()
        ready = self._read(_STARTUP_TIMEOUT_S, unavailable=True)
        if not ready.get("ready"):
            self.close()
            raise SpeechUnavailable(f"speech engine {engine_name!r}: {ready.get('error')}")

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)
        self._lines.put("")  # end of stream

    def _read(self, timeout: float, unavailable: bool = False) -> dict[str, Any]:
        error = SpeechUnavailable if unavailable else SpeechError
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.close()
            raise error(f"speech worker did not answer within {timeout:.0f} s") from None
        if not line:
            code = self._proc.wait()
            raise error(f"speech worker exited unexpectedly (code {code})")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps(message) + "\n")
            self._proc.stdin.flush()
        except OSError as exc:
            raise SpeechError(f"speech worker went away: {exc}") from exc
        return self._read(_PER_TEXT_TIMEOUT_S)

    def close(self) -> None:
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with contextlib.suppress(OSError):  # already gone
                self._proc.stdin.close()  # the worker exits at end of input
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._reader.join(timeout=5)
        if self._proc.stdout is not None:
            self._proc.stdout.close()


class SpeechRenderer:
    """Renders texts to cached WAVs; thread-safe for one render at a time per instance."""

    def __init__(
        self, cache_dir: Path, voice_id: str | None, rate: int, engine_name: str = "espeak"
    ) -> None:
        if not 60 <= rate <= 400:
            raise ValueError(f"speech rate must be 60–400 words per minute (got {rate})")
        self.cache_dir = cache_dir
        self.voice_id = voice_id
        self.rate = rate
        self.engine_name = engine_name
        self.worker_starts = 0  # how many worker processes were started (tests check the cache)
        self._voices: list[Voice] | None = None
        self._lock = threading.Lock()

    def path_for(self, text: str) -> Path:
        return self.cache_dir / f"{cache_key(text, self.voice_id, self.rate, self.engine_name)}.wav"

    def cached(self, text: str) -> RenderedSpeech | None:
        path = self.path_for(text)
        duration = _wav_duration(path)
        return RenderedSpeech(path, duration) if duration is not None else None

    def render_all(
        self,
        texts: Iterable[str],
        progress: Progress | None = None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> dict[str, RenderedSpeech]:
        """Render every text not yet cached; blocking. Progress is (done, total) over all texts."""
        unique = list(dict.fromkeys(texts))
        done: dict[str, RenderedSpeech] = {}
        missing: list[str] = []
        for text in unique:
            hit = self.cached(text)
            if hit is None:
                missing.append(text)
            else:
                done[text] = hit
        if progress:
            progress(len(done), len(unique))
        if missing:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            with self._lock:
                for text, rendered in self._synthesize(missing, cancelled):
                    done[text] = rendered
                    if progress:
                        progress(len(done), len(unique))
        return {text: done[text] for text in unique}

    def _synthesize(
        self, texts: list[str], cancelled: Callable[[], bool]
    ) -> Iterable[tuple[str, RenderedSpeech]]:
        self.worker_starts += 1
        worker = _Worker(self.engine_name)
        try:
            for text in texts:
                if cancelled():
                    raise RenderCancelled("speech rendering cancelled")
                out = self.path_for(text)
                reply = worker.request(
                    {
                        "op": "render",
                        "text": text,
                        "voice": self.voice_id,
                        "rate": self.rate,
                        "out": str(out),
                    }
                )
                if not reply.get("ok"):
                    raise SpeechError(f"could not render {text[:60]!r}: {reply.get('error')}")
                yield text, RenderedSpeech(out, float(reply["duration_s"]))
        finally:
            worker.close()

    def list_voices(self) -> list[Voice]:
        """Installed voices (asked once per renderer from a worker process, then remembered)."""
        if self._voices is None:
            with self._lock:
                self._voices = self._query_voices()
        return list(self._voices)

    def _query_voices(self) -> list[Voice]:
        self.worker_starts += 1
        worker = _Worker(self.engine_name)
        try:
            reply = worker.request({"op": "voices"})
        finally:
            worker.close()
        if not reply.get("ok"):
            raise SpeechError(f"could not list voices: {reply.get('error')}")
        return [Voice(v["id"], v["name"], tuple(v.get("languages", ()))) for v in reply["voices"]]


class RenderTask:
    """`render_all` on a background thread, polled from the GUI thread (no cross-thread callbacks)."""

    def __init__(self, renderer: SpeechRenderer, texts: Iterable[str]) -> None:
        self._texts = list(texts)
        self._renderer = renderer
        self._state_lock = threading.Lock()
        self._progress = (0, len(set(self._texts)))
        self._result: dict[str, RenderedSpeech] | None = None
        self._error: BaseException | None = None
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="speech-render", daemon=True)

    def _run(self) -> None:
        try:
            result = self._renderer.render_all(self._texts, self._on_progress, self._cancel.is_set)
            with self._state_lock:
                self._result = result
        except BaseException as exc:  # handed to the GUI thread through result()
            with self._state_lock:
                self._error = exc

    def _on_progress(self, done: int, total: int) -> None:
        with self._state_lock:
            self._progress = (done, total)

    @property
    def progress(self) -> tuple[int, int]:
        with self._state_lock:
            return self._progress

    @property
    def done(self) -> bool:
        return not self._thread.is_alive() and self._thread.ident is not None

    def start(self) -> RenderTask:
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return self.done

    def result(self) -> dict[str, RenderedSpeech]:
        """The rendered speech; re-raises the render's error (e.g. SpeechUnavailable)."""
        if not self.done:
            raise RuntimeError("rendering has not finished; check `done` first")
        with self._state_lock:
            if self._error is not None:
                raise self._error
            assert self._result is not None
            return self._result


def start_render(renderer: SpeechRenderer, texts: Iterable[str]) -> RenderTask:
    """Start rendering in the background; poll the returned task from the GUI thread's tick."""
    return RenderTask(renderer, texts).start()
