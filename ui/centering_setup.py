"""Centering set-up: the guide's choices and everything prepared before Start.

The panel lists the scripts for the patient's indication, the length (presets and free entry),
warm-up, voice, rate, whether to speak the intention and the breathing pattern. Behind it, off the
GUI thread, it lists voices and synthesises bells (a daemon thread) and renders the speech
(`audio.speech.start_render`); `poll()` — called from the page's tick — collects results and fits
the timeline, shown in the preview. No speech engine: speaking time is estimated from the rate, so
the run still fits its length and shows captions.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from audio.pacer import PATTERNS, BreathPattern, custom
from audio.script import BELL_KINDS, INTENTION, Bell, MeditationScript, personalise, speech_texts
from audio.speech import (
    RenderCancelled,
    RenderTask,
    SpeechError,
    SpeechRenderer,
    Voice,
    start_render,
)
from audio.timeline import (
    LengthError,
    Timeline,
    TooShortError,
    describe,
    fit,
    maximum_length,
    minimum_length,
)
from companion.errors import FieldError
from ui.background import in_background
from ui.forms import FieldMessage, named

if TYPE_CHECKING:
    from audio.bells import BellSound  # numpy: imported on the preparing thread, not at start-up

log = logging.getLogger(__name__)
RendererFactory = Callable[[Path, str | None, int], SpeechRenderer]
PRESET_MINUTES = (5, 10, 15, 20)
DEFAULT_MINUTES = 10
MAX_MINUTES = 120
WARMUPS = ((0.0, "None"), (30.0, "30 s of settling"), (60.0, "1 min"), (120.0, "2 min"))
DEFAULT_RATE = 150  # words per minute: calm, still clear with espeak-ng
RATE_LIMITS = (90, 240)
SILENT_RUN = "the meditation runs silently, with captions and the breathing pacer."
_MMSS = re.compile(r"^\s*(\d{1,3})\s*:\s*([0-5]?\d)\s*$")


def parse_minutes(text: str) -> float:
    """The length typed by the guide, in seconds: "10", "7.5" (or "7,5") or "12:30"."""
    match = _MMSS.match(text)
    try:
        seconds = (
            int(match[1]) * 60 + int(match[2]) if match else float(text.replace(",", ".")) * 60
        )
    except ValueError:
        raise FieldError("length", "Type minutes, e.g. 10, 7.5 or 12:30.") from None
    if not math.isfinite(seconds) or not 0 < seconds <= MAX_MINUTES * 60:
        raise FieldError("length", f"Choose more than 0 and at most {MAX_MINUTES} minutes.")
    return seconds


def parse_pattern(text: str) -> BreathPattern:
    """A custom breath typed as "in-hold-out-hold" seconds, e.g. "4-2-6-0"."""
    parts = text.replace(",", ".").replace(" ", "").split("-")
    try:
        values = [float(p) for p in parts]
        if len(values) != 4:
            raise ValueError("count")
    except ValueError:
        raise FieldError("pattern", "Type four numbers: in-hold-out-hold, e.g. 4-2-6-0.") from None
    try:
        return custom(*values)
    except ValueError as exc:
        raise FieldError("pattern", str(exc).capitalize() + ".") from None


def mmss(seconds: float) -> str:
    whole = math.floor(seconds + 1e-6)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def order_scripts(scripts: Iterable[MeditationScript], indication: str) -> list[MeditationScript]:
    """Scripts that suit the indication; those written for it (grounding for PTSD) first."""
    suitable = [s for s in scripts if s.suits(indication)]
    return sorted(suitable, key=lambda s: (indication not in s.indications, s.title.casefold()))


def english_first(voices: Iterable[Voice]) -> list[Voice]:
    def english(v: Voice) -> bool:
        tags = [lang.lower() for lang in v.languages] + [v.id.lower().rsplit("/", 1)[-1]]
        return any(t == "en" or t.startswith(("en-", "en_")) for t in tags)

    return sorted(voices, key=lambda v: (not english(v), v.name.casefold()))


def estimate_speech_s(text: str, rate: int) -> float:
    """Speaking time without an engine: the words at `rate` plus a breath."""
    return round(len(text.split()) * 60.0 / rate + 0.5, 3)


@dataclass(frozen=True)
class Prepared:
    voices: tuple[Voice, ...]
    speech_problem: str | None  # set: no engine, run silently with captions
    bells: dict[Bell, BellSound]


def prepare(factory: RendererFactory, speech_dir: Path, bells_dir: Path) -> Prepared:
    """Voices and bells (runs on a background thread: both may take a second)."""
    from audio.bells import ensure_bells

    try:
        voices, problem = tuple(factory(speech_dir, None, DEFAULT_RATE).list_voices()), None
    except (SpeechError, OSError, ValueError) as exc:
        voices, problem = (), str(exc)
    try:
        bells = ensure_bells(bells_dir)
    except OSError as exc:  # bells stay silent; their place in the timeline is kept
        log.warning("bells unavailable: %s", exc)
        bells = {}
    return Prepared(voices, problem, bells)


def _muted(name: str) -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    return label


class VolumeRow(QWidget):
    """Voice and bell volume in %. Signals: changed(voice, bell), each 0..1."""

    changed = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.voice = self._slider(row, "Voice volume", "centering_voice_volume", 80)
        self.bell = self._slider(row, "Bell volume", "centering_bell_volume", 60)
        row.addStretch(1)

    def _slider(self, row: QHBoxLayout, text: str, name: str, value: int) -> QSlider:
        slider = named(QSlider(Qt.Orientation.Horizontal), name, text)
        slider.setRange(0, 100)
        slider.setPageStep(10)
        slider.setValue(value)
        slider.setMinimumWidth(180)
        slider.valueChanged.connect(lambda _v: self.changed.emit(*self.volumes()))
        caption = QLabel(f"{text}:")
        caption.setBuddy(slider)
        row.addWidget(caption)
        row.addWidget(slider)
        row.addSpacing(20)
        return slider

    def volumes(self) -> tuple[float, float]:
        return self.voice.value() / 100, self.bell.value() / 100


class CenteringSetup(QWidget):
    """Signals: ready_changed(bool) — a timeline fits the choices (or no longer does);
    notice(key, text) — a banner for the page (empty text withdraws it)."""

    ready_changed = Signal(bool)
    notice = Signal(str, str)

    def __init__(self, renderer_factory: RendererFactory, cache_dir: Path) -> None:
        super().__init__()
        self.setObjectName("centering_setup")
        self.renderer_factory = renderer_factory
        self.cache_dir = cache_dir
        self.prepared: Prepared | None = None
        self._prep: Future[Prepared] | None = None
        self.render_task: RenderTask | None = None
        self._key: tuple[object, ...] | None = None
        self.durations: dict[str, float] | None = None
        self.speech_paths: dict[str, Path] = {}
        self.timeline: Timeline | None = None
        self._intention: str | None = None
        self._preferred_voice: str | None = None

        self.script = named(QComboBox(), "centering_script", "Meditation script")
        self.description = _muted("centering_script_description")
        self.presets = QButtonGroup(self)
        length_row = QHBoxLayout()
        for minutes in PRESET_MINUTES:
            b = named(
                QPushButton(f"{minutes} min"), f"centering_len_{minutes}", f"{minutes} minutes"
            )
            b.setCheckable(True)
            b.clicked.connect(lambda _c=False, m=minutes: self.set_minutes(str(m)))
            self.presets.addButton(b, minutes)
            length_row.addWidget(b)
        self.length = named(
            QLineEdit(str(DEFAULT_MINUTES)), "centering_length", "Length in minutes"
        )
        self.length.setPlaceholderText("min or m:ss")
        self.length.setMaxLength(8)
        self.length.setMaximumWidth(110)
        self.length.editingFinished.connect(self._length_edited)
        length_row.addWidget(self.length)
        length_row.addWidget(QLabel("min"))
        length_row.addStretch(1)
        self.range_hint = _muted("centering_length_range")
        self.length_error = FieldMessage("centering_length_error")
        self.warmup = named(QComboBox(), "centering_warmup", "Warm-up before the first bell")
        for seconds, text in WARMUPS:
            self.warmup.addItem(text, seconds)
        self.voice = named(QComboBox(), "centering_voice", "Voice")
        self.rate = named(QSpinBox(), "centering_rate", "Speech rate in words per minute")
        self.rate.setRange(*RATE_LIMITS)
        self.rate.setSingleStep(10)
        self.rate.setValue(DEFAULT_RATE)
        self.rate.setSuffix(" words/min")
        self.rate.setKeyboardTracking(False)  # re-render once per change, not per keystroke
        self.intention = named(QCheckBox("Speak the patient's intention"),
                               "centering_speak_intention", "Speak the patient's intention")  # fmt: skip
        self.intention_text = _muted("centering_intention_text")
        self.pattern = named(QComboBox(), "centering_pattern", "Breathing pattern")
        for p in PATTERNS:
            self.pattern.addItem(p.name, p)
        self.pattern.addItem("Custom…", None)
        self.custom = named(QLineEdit("5-0-5-0"), "centering_custom_pattern", "Custom breath")
        self.custom.setPlaceholderText("in-hold-out-hold seconds, e.g. 4-2-6-0")
        self.custom.setMaxLength(30)
        self.custom.hide()
        self.pattern_error = FieldMessage("centering_pattern_error")

        form = QGridLayout()
        form.setColumnStretch(1, 1)
        rows: Sequence[tuple[str, QWidget | QHBoxLayout]] = [
            ("Script", self.script), ("", self.description), ("Length", length_row),
            ("", self.range_hint), ("", self.length_error), ("Warm-up", self.warmup),
            ("Voice", self.voice), ("Speech rate", self.rate), ("Intention", self.intention),
            ("", self.intention_text), ("Breathing pacer", self.pattern), ("", self.custom),
            ("", self.pattern_error),
        ]  # fmt: skip
        for i, (text, item) in enumerate(rows):
            if isinstance(item, QHBoxLayout):
                form.addLayout(item, i, 1)
            else:
                form.addWidget(item, i, 1)
            if text:
                caption = QLabel(text)
                caption.setBuddy(item if isinstance(item, QWidget) else self.length)
                form.addWidget(caption, i, 0)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addStretch(1)
        preview_box = QGroupBox("Preview timeline")
        self.preview = named(QPlainTextEdit(), "centering_preview", "Timeline preview")
        self.preview.setReadOnly(True)
        self.progress = named(QProgressBar(), "centering_render_progress", "Speech rendering")
        self.progress.setFormat("%v of %m spoken lines ready")
        self.render_status = _muted("centering_render_status")
        box = QVBoxLayout(preview_box)
        for w in (self.preview, self.progress, self.render_status):
            box.addWidget(w, 1 if w is self.preview else 0)
        columns = QHBoxLayout(self)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.addLayout(left, 3)
        columns.addWidget(preview_box, 2)

        self.script.currentIndexChanged.connect(self._script_changed)
        self.voice.currentIndexChanged.connect(self.rerender)
        self.rate.valueChanged.connect(self.rerender)
        self.intention.toggled.connect(self.rerender)
        self.warmup.currentIndexChanged.connect(self.refit)
        self.pattern.currentIndexChanged.connect(self._pattern_changed)
        self.custom.editingFinished.connect(self.breath_pattern)

    # --- the guide's choices ------------------------------------------------------------------

    def chosen_script(self) -> MeditationScript | None:
        data = self.script.currentData()
        return data if isinstance(data, MeditationScript) else None

    def voice_id(self) -> str | None:
        """The voice speaking, or None when the run is silent."""
        data = self.voice.currentData()
        return data if isinstance(data, str) and self.speech_paths else None

    def breath_pattern(self) -> BreathPattern | None:
        """The chosen pattern, or None (with a message at the field) for an invalid custom one."""
        chosen = self.pattern.currentData()
        try:
            pattern = (
                chosen if isinstance(chosen, BreathPattern) else parse_pattern(self.custom.text())
            )
        except FieldError as exc:
            self.pattern_error.show_message(exc.message, self.custom)
            return None
        self.pattern_error.show_message("", self.custom)
        return pattern

    def bell_paths(self) -> dict[Bell, Path]:
        return {b: s.path for b, s in (self.prepared.bells if self.prepared else {}).items()}

    def begin(self, scripts: Sequence[MeditationScript], indication: str, intention: str | None,
              rate: int, preferred_voice: str | None) -> None:  # fmt: skip
        """A new session: its scripts and intention; speaking the intention starts off."""
        self._intention, self._preferred_voice = intention, preferred_voice
        for w in (self.intention, self.rate, self.script):
            w.blockSignals(True)
        self.intention.setChecked(False)
        self.rate.setValue(rate)
        self.script.clear()
        for s in order_scripts(scripts, indication):
            self.script.addItem(s.title, s)
        for w in (self.intention, self.rate, self.script):
            w.blockSignals(False)
        self._script_changed()

    def set_minutes(self, text: str) -> None:
        self.length.setText(text)
        self._length_edited()

    # --- background work ----------------------------------------------------------------------

    def start_preparing(self) -> None:
        """Voices and bells, once, off the GUI thread."""
        if self._prep is None:
            factory, folder = self.renderer_factory, self.cache_dir
            self._prep = in_background(
                lambda: prepare(factory, folder / "speech", folder / "bells"), "centering-prep"
            )
            self._progress(0, 0, "Looking for voices…")
        self.rerender()

    def cancel(self) -> None:
        """Stop rendering nobody waits for; the cache keeps what was done."""
        if self.render_task is not None:
            self.render_task.cancel()
            self.render_task, self._key = None, None

    def finish_background_work(self, timeout_s: float = 30.0) -> None:
        """Block until voices, bells and speech are ready (screenshots and tests)."""
        if self._prep is not None:
            self._prep.exception(timeout_s)
        self.poll()
        if self.render_task is not None:
            self.render_task.wait(timeout_s)
        self.poll()

    def poll(self) -> None:
        if self._prep is not None and self.prepared is None and self._prep.done():
            try:
                self.prepared = self._prep.result()
            except Exception as exc:  # a bug here must not stop a silent meditation
                log.exception("centering set-up failed")
                self.prepared = Prepared((), f"set-up failed ({type(exc).__name__})", {})
            problem = self.prepared.speech_problem
            self.notice.emit(
                "speech", f"No speech engine on this computer: {SILENT_RUN}" if problem else ""
            )
            self.voice.blockSignals(True)
            self.voice.clear()
            for v in english_first(self.prepared.voices):
                self.voice.addItem(v.name, v.id)
            if not self.prepared.voices:
                self.voice.addItem("No voices: silent, with captions", None)
            self.voice.setCurrentIndex(max(0, self.voice.findData(self._preferred_voice)))
            self.voice.blockSignals(False)
            self.rerender()
        task = self.render_task
        if task is None:
            return
        if not task.done:
            self._progress(*task.progress, "Rendering the spoken lines…")
            return
        self.render_task = None
        try:
            result = task.result()
        except RenderCancelled:
            return
        except (SpeechError, OSError) as exc:
            self.notice.emit("speech", f"Speech could not be rendered ({exc}): {SILENT_RUN}")
            self._estimate()
            return
        self.durations = {t: r.duration_s for t, r in result.items()}
        self.speech_paths = {t: r.path for t, r in result.items()}
        self._progress(len(result), len(result), "Spoken lines ready.")
        self.refit()

    def personalised(self) -> MeditationScript | None:
        script = self.chosen_script()
        if script is None:
            return None
        speak = self.intention.isEnabled() and self.intention.isChecked()
        return personalise(script, self._intention if speak else None)

    def rerender(self) -> None:
        """Render what the current choices will say (a no-op when that is already done)."""
        script = self.personalised()
        if script is None or self.prepared is None:
            return self.refit()
        voice, rate, texts = self.voice.currentData(), self.rate.value(), speech_texts(script)
        key = (voice, rate, *texts)
        if key == self._key:
            return None
        self.cancel()
        self._key, self.durations, self.speech_paths = key, None, {}
        if self.prepared.speech_problem or not isinstance(voice, str):
            return self._estimate()
        self.render_task = start_render(
            self.renderer_factory(self.cache_dir / "speech", voice, rate), texts
        )
        self._progress(0, len(texts), "Rendering the spoken lines…")
        return self.refit()

    def _estimate(self) -> None:
        script, rate = self.personalised(), self.rate.value()
        texts = speech_texts(script) if script is not None else []
        self.durations, self.speech_paths = {t: estimate_speech_s(t, rate) for t in texts}, {}
        self._progress(0, 0, "Silent: captions are timed from the speech rate.")
        self.refit()

    def refit(self) -> None:
        """Fit the timeline to the chosen length; refusals go to the length field."""
        script, self.timeline = self.personalised(), None
        if script is None or self.durations is None:
            self._set_range(None, None)
            self.preview.setPlainText("The timeline appears once the spoken lines are measured.")
            self.ready_changed.emit(False)
            return
        from audio.bells import HOLD_S, hold_durations  # loaded by `prepare` already

        bells = (hold_durations(self.prepared.bells) if self.prepared and self.prepared.bells
                 else {Bell(k, d): HOLD_S for k in BELL_KINDS for d in (False, True)})  # fmt: skip
        warmup = float(self.warmup.currentData() or 0.0)
        self._set_range(minimum_length(script, self.durations, bells, warmup),
                        maximum_length(script, self.durations, bells, warmup))  # fmt: skip
        message = ""
        try:
            length = parse_minutes(self.length.text())
            self.timeline = fit(script, length, self.durations, bells, warmup)
        except FieldError as exc:
            message = exc.message
        except LengthError as exc:
            words = "Too short" if isinstance(exc, TooShortError) else "Too long"
            message = (f"{words}: {script.title} needs {mmss(exc.minimum_s)} to "
                       f"{mmss(exc.maximum_s)} with this warm-up (you chose {mmss(length)}).")  # fmt: skip
        self.length_error.show_message(message, self.length)
        self.preview.setPlainText("\n".join(describe(self.timeline)) if self.timeline else message)
        self.ready_changed.emit(self.timeline is not None)

    # --- reactions ----------------------------------------------------------------------------

    def _progress(self, done: int, total: int, status: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        self.render_status.setText(status)

    def _set_range(self, low: float | None, high: float | None) -> None:
        for b in self.presets.buttons():
            fits = low is None or high is None or low <= self.presets.id(b) * 60 <= high
            b.setEnabled(fits)
            b.setToolTip("" if fits else "Outside what this script can fill")
        self.range_hint.setText(
            f"This script can last {mmss(low)} to {mmss(high)} (the warm-up counts)."
            if low is not None and high is not None
            else "The possible lengths are known once the speech is measured."
        )

    def _script_changed(self, _index: int = 0) -> None:
        script = self.chosen_script()
        self.description.setText(script.description if script else "No script available.")
        uses = script is not None and any(
            INTENTION in getattr(g, "text", "") for g in script.segments
        )
        self.intention.setEnabled(bool(self._intention) and uses)
        self.intention_text.setText(
            "No intention was recorded at check-in." if not self._intention
            else f"“{self._intention}”" if uses else "This script does not speak an intention."
        )  # fmt: skip
        self.rerender()

    def _length_edited(self) -> None:
        try:
            seconds = parse_minutes(self.length.text())
        except FieldError:
            seconds = -1.0
        self.presets.setExclusive(False)
        for b in self.presets.buttons():
            b.setChecked(self.presets.id(b) * 60 == seconds)
        self.presets.setExclusive(True)
        self.refit()

    def _pattern_changed(self, _index: int) -> None:
        self.custom.setVisible(self.pattern.currentData() is None)
        self.breath_pattern()
