"""The Centering phase: the guide runs the timed meditation, or records "VR used" or "skipped".

Set-up and preparation (voices, bells, speech rendering, fitting) live in `ui.centering_setup`.
This page writes the start trace, runs the timeline and stores how it went. One parented
PreciseTimer polls the background work and drives `CenteringRun.tick` from the injected clock,
never from audio signals. While a run is live the timer keeps ticking even when the page is
hidden: the idle lock (10 min) or a look at Today must not cut the patient's meditation short.

No speech engine or no audio device: a banner says so and the run goes on silently with captions
and the pacer.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from audio.runner import CenteringRun, RunSummary
from audio.script import MeditationScript, ScriptError, load_scripts
from audio.speaker import CueSounds, Speaker
from audio.speech import SpeechRenderer
from audio.timeline import Cue
from companion.errors import FieldError
from companion.roles import Action, Actor
from companion.services.centering import CenteringContext, CenteringRow
from companion.services.sessions import SessionRow
from companion.storage.models import Phase
from ui.actions import ActionFailed, attempt
from ui.centering_setup import DEFAULT_RATE, CenteringSetup, RendererFactory, VolumeRow, mmss
from ui.context import AppContext
from ui.forms import FieldMessage, named
from ui.phase_page import PhasePage
from ui.util import hm
from ui.widgets.breathing_pacer import BreathingPacer

log = logging.getLogger(__name__)
MEDITATIONS = Path(__file__).resolve().parents[1] / "data" / "meditations"
TICK_MS = 50
SETUP, RUNNING, DONE = 0, 1, 2
_STYLE = """
QLabel#centering_countdown { font-size: 84pt; font-weight: 300; }
QLabel#centering_caption { font-size: 20pt; }
QPushButton#centering_start { font-size: 15pt; padding: 10px 28px; }
"""


def _label(name: str, role: str = "") -> QLabel:
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    if role:
        label.setProperty("role", role)
    return label


class RunPanel(QWidget):
    """The running meditation: a large countdown, the caption, the pacer and the controls."""

    def __init__(self) -> None:
        super().__init__()
        self.title = _label("centering_run_title", "heading")
        self.countdown = named(QLabel("00:00"), "centering_countdown", "Time remaining")
        self.of = _label("centering_run_of", "muted")
        self.status = _label("centering_run_status")
        self.caption = named(_label("centering_caption"), "centering_caption", "Being said now")
        self.caption.setMinimumHeight(130)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.pacer = BreathingPacer()
        self.pause = named(QPushButton("&Pause"), "centering_pause", "Pause or resume")
        self.skip = named(QPushButton("S&kip to next"), "centering_skip", "Skip to the next cue")
        self.end = named(QPushButton("&End gently"), "centering_end", "End gently")
        left = QVBoxLayout()
        for w in (self.title, self.countdown, self.of, self.status, self.caption):
            left.addWidget(w)
        left.addStretch(1)
        buttons = QHBoxLayout()
        for b in (self.pause, self.skip, self.end):
            b.setMinimumHeight(48)
            b.setMinimumWidth(150)
            buttons.addWidget(b)
        buttons.addStretch(1)
        left.addLayout(buttons)
        row = QHBoxLayout(self)
        row.addLayout(left, 3)
        row.addWidget(self.pacer, 2)


class CenteringPage(PhasePage):
    phase = Phase.CENTERING

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        renderer_factory: RendererFactory = SpeechRenderer,
        speaker: Speaker | None = None,
        scripts_dir: Path = MEDITATIONS,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("centering_page")
        self.setStyleSheet(_STYLE)
        self.speaker = speaker  # None: an AudioPlayer is made when the first run starts
        self.scripts_dir = scripts_dir
        self.context: CenteringContext | None = None
        self.scripts: list[MeditationScript] | None = None
        self.run: CenteringRun | None = None
        self._record: CenteringRow | None = None  # the run's row, from record_started
        self._run_actor: Actor | None = None
        self._unsaved: RunSummary | None = None  # a finished run whose record failed to save
        self._banners: dict[str, str] = {}

        self.banner = named(_label("centering_banner", "banner"), "centering_banner", "Notice")
        self.banner.setProperty("flag", "abnormal")
        self.banner.hide()
        self.setup = CenteringSetup(renderer_factory, ctx.data_dir / "cache")
        self.setup.ready_changed.connect(self._enable)
        self.setup.notice.connect(self._set_banner)
        self.start_button = named(QPushButton("Start ▶"), "centering_start", "Start meditation")
        self.start_button.setProperty("primary", "true")
        self.start_button.clicked.connect(self.start)
        self.instead = named(QLineEdit(), "centering_instead_note", "Note or reason")
        self.instead.setPlaceholderText("Note (VR) or reason (skipped)")
        self.instead.setMaxLength(2000)
        self.vr_button = named(QPushButton("VR used instead"), "centering_vr", "VR used instead")
        self.vr_button.clicked.connect(self.record_vr)
        self.skip_button = named(QPushButton("Skip centering"), "centering_skipped", "Skip")
        self.skip_button.clicked.connect(self.record_skipped)
        self.instead_error = FieldMessage("centering_instead_error")
        actions = QHBoxLayout()
        actions.addWidget(self.start_button)
        actions.addSpacing(32)
        actions.addWidget(QLabel("Or:"))
        actions.addWidget(self.instead, 1)
        actions.addWidget(self.vr_button)
        actions.addWidget(self.skip_button)
        setup_page = QWidget()
        setup_box = QVBoxLayout(setup_page)
        setup_box.setContentsMargins(0, 0, 0, 0)
        setup_box.addWidget(self.setup, 1)
        setup_box.addLayout(actions)
        setup_box.addWidget(self.instead_error)

        self.run_panel = RunPanel()
        self.run_panel.pause.clicked.connect(self.toggle_pause)
        self.run_panel.skip.clicked.connect(self.skip)
        self.run_panel.end.clicked.connect(self.end_gently)

        self.summary = named(_label("centering_summary"), "centering_summary", "Centering record")
        self.summary.setProperty("role", "banner")
        self.continue_button = named(
            QPushButton("Continue to dose →"), "centering_continue", "Continue to dose"
        )
        self.continue_button.setProperty("primary", "true")
        self.continue_button.clicked.connect(self.advance)
        self.save_again = named(QPushButton("Save again"), "centering_save_again", "Save again")
        self.save_again.clicked.connect(self._save_run)
        self.again = named(QPushButton("Set up another"), "centering_again", "Set up another")
        self.again.clicked.connect(self._back_to_setup)
        done_page = QWidget()
        done_box = QVBoxLayout(done_page)
        done_box.addWidget(self.summary)
        done_row = QHBoxLayout()
        for b in (self.continue_button, self.save_again, self.again):
            b.setMinimumHeight(44)
            done_row.addWidget(b)
        done_row.addStretch(1)
        done_box.addLayout(done_row)
        done_box.addStretch(1)

        self.stack = QStackedWidget()
        for w in (setup_page, self.run_panel, done_page):
            self.stack.addWidget(w)
        self.volumes = VolumeRow()
        self.volumes.changed.connect(self._apply_volumes)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 10)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.volumes)

        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

    @property
    def live(self) -> bool:
        return self.run is not None and self.run.state in ("running", "paused")

    # --- loading ------------------------------------------------------------------------------

    def load(self, session: SessionRow) -> None:
        if self.live and self.context is not None and self.context.session_id != session.id:
            self.end_gently()  # another patient's session is opened here: stop and record this one
        same = self.context is not None and self.context.session_id == session.id
        super().load(session)
        self.context = self.ctx.services.centering.context(session.id)
        if self.scripts is None:
            try:
                self.scripts = load_scripts(self.scripts_dir)
            except (ScriptError, OSError) as exc:
                self.scripts = []
                self._set_banner("scripts", f"The meditation scripts cannot be read: {exc}")
        if not same:
            self._record, self._unsaved, self.run = None, None, None
            actor = self.ctx.actor
            remembered = _remembered(actor.id if actor else 0)
            self.volumes.voice.setValue(int(remembered.get("voice_volume", 80)))
            self.volumes.bell.setValue(int(remembered.get("bell_volume", 60)))
            voice = remembered.get("voice")
            self.setup.begin(self.scripts, self.context.indication.value, self.context.intention,
                             int(remembered.get("rate", DEFAULT_RATE)),
                             voice if isinstance(voice, str) else None)  # fmt: skip
        self._show_state()

    def _may_record(self) -> bool:
        actor, c = self.ctx.actor, self.context
        return (
            actor is not None
            and actor.may(Action.RECORD_CENTERING)
            and c is not None
            and not c.closed
        )

    def _show_state(self) -> None:
        c = self.context
        if c is None:
            return
        latest = c.latest
        closed = "This session is closed: nothing can be recorded."
        self._set_banner("closed", closed if c.closed else "")
        actor = self.ctx.actor
        refused = actor is None or not actor.may(Action.RECORD_CENTERING)
        role = "Only a guide or physician can record the centering."
        self._set_banner("role", role if refused else "")
        unfinished = latest is not None and latest.unfinished and not self.live
        self._set_banner("unfinished", (
            f"A meditation started at {hm(latest.started_at)} was not finished (the app was "
            "closed). Start again, or record VR or skipped." if unfinished and latest else ""))  # fmt: skip
        for w in (self.vr_button, self.skip_button, self.instead):
            w.setEnabled(self._may_record())
        self._enable(self.setup.timeline is not None)
        if self.live:
            self.stack.setCurrentIndex(RUNNING)
        elif self._unsaved is not None or (latest is not None and not unfinished):
            self._show_summary(latest)
        else:
            self.stack.setCurrentIndex(SETUP)

    def _enable(self, ready: bool) -> None:
        self.start_button.setEnabled(ready and self._may_record() and not self.live)

    # --- the run --------------------------------------------------------------------------------

    def start(self) -> None:
        """Write the start trace, then run the timeline from the clock."""
        c, timeline, pattern = self.context, self.setup.timeline, self.setup.breath_pattern()
        script = self.setup.chosen_script()
        if c is None or timeline is None or pattern is None or script is None or self.live:
            return
        actor = self.ctx.require_actor()
        try:
            self._record = attempt(
                self, "start centering",
                lambda: self.ctx.services.centering.record_started(
                    actor, c.session_id, script_id=script.name, voice=self.setup.voice_id(),
                    rate=self.setup.rate.value(), planned_s=timeline.total_s),
            )  # fmt: skip
        except (ActionFailed, FieldError):
            return
        self._run_actor = actor  # the guide who ran it, even if someone else unlocks meanwhile
        self._remember(actor.id)
        speaker = self._speaker()
        self._apply_volumes(*self.volumes.volumes())
        sounds = CueSounds(speaker, self.setup.speech_paths, self.setup.bell_paths())
        self.run = CenteringRun(timeline, self.ctx.clock, sounds, self._finished, speaker)
        panel = self.run_panel
        panel.title.setText(script.title)
        panel.of.setText(f"remaining of {mmss(timeline.total_s)}")
        panel.pacer.set_pattern(pattern)
        panel.pause.setText("&Pause")
        self._set_banner("unfinished", "")
        self.stack.setCurrentIndex(RUNNING)
        self.run.start()
        self._timer.start()
        self._update_run()
        panel.pause.setFocus()
        self.changed.emit()

    def toggle_pause(self) -> None:
        if self.run is None:
            return
        if self.run.state == "running":
            self.run.pause()
        else:
            self.run.resume()
        self.run_panel.pause.setText("&Resume" if self.run.state == "paused" else "&Pause")
        self._update_run()

    def skip(self) -> None:
        if self.run is not None:
            self.run.skip()
            self._update_run()

    def end_gently(self) -> None:
        if self.run is not None:
            self.run.end_gently()

    def tick(self) -> None:
        self.setup.poll()
        if self.run is not None and self.live:
            self.run.tick()
            self._update_run()

    def _update_run(self) -> None:
        run, panel = self.run, self.run_panel
        if run is None or not self.live:
            return
        panel.countdown.setText(mmss(math.ceil(run.remaining_s() - 1e-6)))
        panel.caption.setText(run.current_caption() or "")
        panel.pacer.update_from(run.elapsed_s())
        paused = run.state == "paused"
        panel.status.setText(
            "Paused — the timeline waits." if paused else _doing(run.current_cue())
        )
        panel.skip.setEnabled(not paused)

    def _finished(self, summary: RunSummary) -> None:
        self._unsaved = summary
        self._save_run()
        if not self.isVisible():
            self._timer.stop()

    def _save_run(self) -> None:
        summary, record, c = self._unsaved, self._record, self.context
        actor = self._run_actor or self.ctx.actor
        if summary is None or record is None or c is None or actor is None:
            return
        skipped = sum(s for _at, s in summary.skips)
        note = f"Skipped ahead {len(summary.skips)}× ({skipped:.0f} s in all)." if skipped else None
        try:
            self._record = attempt(
                self, "record centering",
                lambda: self.ctx.services.centering.record_run(
                    actor, c.session_id, script_id=record.script_id, voice=record.voice,
                    rate=record.rate, planned_s=summary.planned_s, actual_s=summary.actual_s,
                    pauses=summary.pauses, completed=summary.completed,
                    ended_early=summary.ended_early, started_at=record.started_at,
                    ended_at=self.ctx.clock.now(), note=note, record_id=record.id),
            )  # fmt: skip
            self._unsaved = None
        except (ActionFailed, FieldError) as exc:  # kept in memory; "Save again" retries
            log.warning("centering run not saved: %s", type(exc).__name__)
        self._reload()

    def _reload(self) -> None:
        if self.context is not None:
            self.context = self.ctx.services.centering.context(self.context.session_id)
        self._show_state()
        self.changed.emit()

    # --- VR, skipped, summary -------------------------------------------------------------------

    def record_vr(self) -> None:
        self._record_instead(self.ctx.services.centering.record_vr)

    def record_skipped(self) -> None:
        self._record_instead(self.ctx.services.centering.record_skipped)

    def _record_instead(self, call: Callable[[Actor, int, str], CenteringRow]) -> None:
        c = self.context
        if c is None or self.live:
            return
        self.instead_error.show_message("", self.instead)
        actor, text = self.ctx.require_actor(), self.instead.text()
        try:
            attempt(self, "record centering", lambda: call(actor, c.session_id, text))
        except FieldError as exc:
            self.instead_error.show_message(exc.message, self.instead)
            self.instead.setFocus()
            return
        except ActionFailed:
            return
        self.instead.clear()
        self._record, self.run = None, None
        self._reload()

    def _show_summary(self, latest: CenteringRow | None) -> None:
        c = self.context
        titles = {s.name: s.title for s in self.scripts or []}
        text = summary_text(latest, titles) if latest is not None else ""
        if self._unsaved is not None:
            text = "⚠ The run has ended but is NOT saved yet: press Save again.\n\n" + text
        self.summary.setText(text)
        open_ = c is not None and not c.closed
        self.save_again.setVisible(self._unsaved is not None)
        self.continue_button.setVisible(
            open_ and c is not None and c.phase == Phase.CENTERING and self._unsaved is None
        )
        self.again.setVisible(open_ and self._unsaved is None and self._may_record())
        self.stack.setCurrentIndex(DONE)

    def _back_to_setup(self) -> None:
        self._record, self.run = None, None
        self.stack.setCurrentIndex(SETUP)
        self.setup.refit()

    # --- audio, settings, banners ---------------------------------------------------------------

    def _speaker(self) -> Speaker:
        if self.speaker is None:
            from audio.playback import AudioPlayer  # QtMultimedia only once a run needs it

            player = AudioPlayer(self)
            player.problem.connect(lambda text: self._set_banner("audio", text))
            if not player.available:
                self._set_banner("audio", "No audio output device: the meditation runs "
                                 "silently, with captions and the breathing pacer.")  # fmt: skip
            self.speaker = player
        return self.speaker

    def _apply_volumes(self, voice: float, bell: float) -> None:
        if self.speaker is not None:
            self.speaker.set_voice_volume(voice)
            self.speaker.set_bell_volume(bell)

    def _remember(self, actor_id: int) -> None:
        settings = _settings()
        if settings is None:
            return
        voice, bell = self.volumes.volumes()
        for key, value in (("voice", self.setup.voice.currentData() or ""),
                           ("rate", self.setup.rate.value()), ("voice_volume", round(voice * 100)),
                           ("bell_volume", round(bell * 100))):  # fmt: skip
            settings.setValue(f"centering/{actor_id}/{key}", value)

    def _set_banner(self, key: str, text: str) -> None:
        if text:
            self._banners[key] = text
        else:
            self._banners.pop(key, None)
        self.banner.setText("\n".join(self._banners.values()))
        self.banner.setVisible(bool(self._banners))

    # --- timer lifetime -------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._may_record():
            self.setup.start_preparing()
        self._timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        if not self.live:
            self._timer.stop()
            self.setup.cancel()
        super().hideEvent(event)


def _settings() -> QSettings | None:
    """UI state only, and only in the app (which names its organisation; tests do not)."""
    return QSettings() if QCoreApplication.organizationName() else None


def _remembered(actor_id: int) -> dict[str, int | str]:
    """The guide's last voice, rate and volumes; anything unreadable is left out."""
    settings, out = _settings(), dict[str, int | str]()
    if settings is None:
        return out
    for key in ("voice", "rate", "voice_volume", "bell_volume"):
        value = settings.value(f"centering/{actor_id}/{key}")
        if key == "voice" and isinstance(value, str):
            out[key] = value
        elif key != "voice" and isinstance(value, int | str) and str(value).isdigit():
            out[key] = int(value)
    return out


def _doing(cue: Cue | None) -> str:
    if cue is None or cue.kind == "warmup":
        return "Settling…"
    return {"bell": "Bell", "speech": "Speaking"}.get(cue.kind, "Silence")


def summary_text(row: CenteringRow, titles: dict[str, str]) -> str:
    who = f" with {row.guide}" if row.guide else ""
    if row.mode == "vr":
        return f"VR used instead of a guided meditation{who}." + (
            f"\nNote: {row.note}" if row.note else ""
        )
    if row.mode == "skipped":
        return f"Centering skipped{who}.\nReason: {row.note or '—'}"
    outcome = "completed" if row.completed else "ended early" if row.ended_early else "not finished"
    lines = [
        f"{titles.get(row.script_id or '', row.script_id or 'Meditation')} — {outcome}{who}.",
        f"Planned {mmss(row.planned_s or 0)}, actual {mmss(row.actual_s or 0)} (pauses included).",
        f"Paused {len(row.pauses)}×." if row.pauses else "No pauses.",
        f"Started {hm(row.started_at)}, ended {hm(row.ended_at)}.",
    ]
    return "\n".join([*lines, row.note] if row.note else lines)
